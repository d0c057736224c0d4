"""The calibration point of the benchmark targets: a bare Litestar app that reads the same
manifest document with asyncpg, nothing else (no sessions, access checks or logs).

The targets were set on a machine where this reached about 5,000 requests/s (REFERENCE_RPS).
Machines of the same kind differ in speed by a factor of several from day to day, so the
benchmark measures this app first, on the same database, server stack and load, and reports
each target scaled by the ratio as well as the target as written.

Run by tests/bench/run.py as `uvicorn tests.bench.reference:app --factory`, with the
database in HT_BENCH_REFERENCE_DSN.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from litestar import Litestar, MediaType, Response, get

REFERENCE_RPS = 5_000.0


def app() -> Litestar:
    dsn = os.environ["HT_BENCH_REFERENCE_DSN"]
    pools: list[asyncpg.Pool] = []

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        pools.append(await asyncpg.create_pool(dsn, min_size=32, max_size=32))
        try:
            yield
        finally:
            await pools[0].close()

    @get("/doc/{mtn:str}")
    async def document(mtn: str) -> Response[bytes]:
        row = await pools[0].fetchrow("SELECT document::text FROM manifests WHERE mtn = $1", mtn)
        if row is None:
            return Response(b"", status_code=404)
        return Response(row[0].encode(), media_type=MediaType.JSON)

    return Litestar([document], lifespan=[lifespan])
