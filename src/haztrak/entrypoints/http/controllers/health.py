"""Liveness and readiness."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from dishka import AsyncContainer
from litestar import Controller, Request, Response, get
from litestar.openapi import ResponseSpec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from haztrak import __version__
from haztrak.adapters.cache.redis import RedisCache
from haztrak.adapters.queue.dramatiq_queue import DramatiqTaskQueue
from haztrak.application.ports.cache import Cache
from haztrak.application.ports.tasks import TaskQueue
from haztrak.entrypoints.http.schemas import CheckOut, HealthOut

_ALIVE = HealthOut(status="ok", version=__version__)


@get("/api/health", tags=["operations"], summary="Liveness: the process answers")
async def alive() -> HealthOut:
    """Outside the dishka router: a liveness probe needs no request scope."""
    return _ALIVE


class HealthController(Controller):
    path = "/health"
    tags = ["operations"]

    @get(
        "/ready",
        summary="Readiness: the database, the cache and the task queue answer",
        responses={
            503: ResponseSpec(HealthOut, description="Not ready: `checks` says what is failing")
        },
    )
    async def ready(self, request: Request[Any, Any, Any]) -> Response[HealthOut]:
        container: AsyncContainer = request.state.dishka_container
        checks = {
            "database": await _check_database(await container.get(AsyncEngine)),
            "cache": await _check_cache(await container.get(Cache)),
            "broker": await _check_broker(await container.get(TaskQueue)),
        }
        ok = all(c.status == "ok" for c in checks.values())
        return Response(
            HealthOut(status="ok" if ok else "failing", version=__version__, checks=checks),
            status_code=200 if ok else 503,
        )


CHECK_TIMEOUT_SECONDS = 3.0
"""A dependency that has not answered by then is failing: a probe must not hang."""


async def _verdict(problem: Awaitable[str | None]) -> CheckOut:
    """ok, or failing with what went wrong (the driver's own words: host, port, refusal)."""
    try:
        detail = await asyncio.wait_for(problem, CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        detail = f"no answer within {CHECK_TIMEOUT_SECONDS:g} s"
    return CheckOut(status="ok") if detail is None else CheckOut(status="failing", detail=detail)


async def _check_database(engine: AsyncEngine) -> CheckOut:
    return await _verdict(_database_problem(engine))


async def _database_problem(engine: AsyncEngine) -> str | None:
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        # SQLAlchemy's wrapper adds its own lines; the driver's first line says what failed.
        # SELECT 1 has no parameters, so its error quotes no stored value.
        cause = getattr(exc, "orig", None) or exc
        lines = str(cause).strip().splitlines()
        first = " ".join(lines[0].split())[:200] if lines else ""
        return f"{type(cause).__name__}: {first}" if first else type(cause).__name__
    return None


async def _check_cache(cache: Cache) -> CheckOut:
    if isinstance(cache, RedisCache):
        return await _verdict(cache.why_not())
    return CheckOut(status="ok") if await cache.ping() else CheckOut(status="failing")


async def _check_broker(queue: TaskQueue) -> CheckOut:
    if isinstance(queue, DramatiqTaskQueue):
        return await _verdict(queue.why_not())
    return CheckOut(status="ok") if await queue.ping() else CheckOut(status="failing")
