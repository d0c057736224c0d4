"""An export of 100,000 rows streams in bounded memory (issue 15).

10,000 manifests of ten waste lines each are written straight into the database, then the
export of one row per waste line is driven through the app as an ASGI server would drive it,
its body counted and dropped as it goes. tracemalloc's peak over the request (the app, the
use case, the reader and the writers) must stay far below the size of what was sent: a
server that built the file in memory would hold at least all of it.
"""

from __future__ import annotations

import csv
import io
import tracemalloc
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import httpx
import pytest
from litestar import Litestar
from sqlalchemy import insert

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.tables import ManifestHandlerRow, ManifestRow
from haztrak.entrypoints.settings import Settings
from tests.http.conftest import Browser, _logged_in
from tests.manifest_documents import manifest_document

GEN = "VATESTGEN001"
MANIFESTS, LINES = 10_000, 10
ROWS = MANIFESTS * LINES
PEAK_LIMIT = 10 * 1024 * 1024
"""Bytes: a few pages of documents and rows, whatever the size of the export."""


async def seed(settings: Settings) -> None:
    document = manifest_document(status="Scheduled", wastes=LINES)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    manifests: list[dict[str, Any]] = []
    handlers: list[dict[str, Any]] = []
    for n in range(MANIFESTS):
        mtn = f"{n + 100_000_000:09d}ELC"
        manifest_id = uuid.uuid4()
        manifests.append(
            {
                "id": manifest_id,
                "mtn": mtn,
                "status": "Scheduled",
                "submission_type": "FullElectronic",
                "signature_status": None,
                "created_at": start,
                "updated_at": start + timedelta(seconds=n),
                "version": 1,
                "owner_org_id": None,
                "owner_site_id": None,
                "document": {**document, "manifestTrackingNumber": mtn},
            }
        )
        handlers.append(
            {
                "manifest_id": manifest_id,
                "epa_id": GEN,
                "role": "Generator",
                "transporter_order": None,
            }
        )
    engine = database.create_engine(settings.database.url.reveal())
    try:
        async with engine.begin() as connection:
            for at in range(0, MANIFESTS, 1000):
                await connection.execute(insert(ManifestRow.__table__), manifests[at : at + 1000])
                await connection.execute(
                    insert(ManifestHandlerRow.__table__), handlers[at : at + 1000]
                )
    finally:
        await engine.dispose()


@pytest.fixture
async def testuser1(app: Litestar, settings: Settings) -> AsyncIterator[Browser]:
    await seed(settings)
    async for browser in _logged_in(app, "testuser1"):
        yield browser


class Sink:
    """The server side of one HTTP exchange: the status, the body's size, its first bytes
    and its last bytes (nothing else is kept)."""

    def __init__(self) -> None:
        self.status = 0
        self.size = 0
        self.head = b""
        self.tail = b""
        self.done = anyio.Event()

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif message["type"] == "http.response.body":
            body = message.get("body", b"")
            self.size += len(body)
            if len(self.head) < 4096:
                self.head += body[:4096]
            self.tail = (self.tail + body)[-4096:]
            if not message.get("more_body", False):
                self.done.set()

    async def receive(self) -> dict[str, Any]:
        if not hasattr(self, "_asked"):
            self._asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.done.wait()  # the client stays until the answer is complete
        return {"type": "http.disconnect"}


async def serve(app: Litestar, client: httpx.AsyncClient, url: str) -> tuple[Sink, int]:
    """Drive one GET through the app; answers what was sent and tracemalloc's peak (bytes)."""
    path, _, query = url.partition("?")
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver.local"), (b"cookie", cookie.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver.local", 80),
        "state": {},
    }
    sink = Sink()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        await app(scope, sink.receive, sink.send)  # type: ignore[arg-type]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return sink, peak


@pytest.mark.parametrize("settings", ["embedded", "services"], indirect=True)
async def test_100000_rows_of_csv_stream_in_bounded_memory(
    app: Litestar, testuser1: Browser
) -> None:
    sink, peak = await serve(app, testuser1.client, f"/api/manifest/export?rows=waste&site={GEN}")
    assert sink.status == 200, sink.head
    lines = sink.head.decode("utf-8-sig", errors="replace").splitlines()
    assert lines[0].startswith("Manifest tracking number,Status,")
    assert next(csv.reader(io.StringIO(lines[1])))[0] == "100009999ELC"  # newest first
    assert next(csv.reader(io.StringIO(sink.tail.decode().splitlines()[-1])))[:1] == [
        "100000000ELC"
    ]
    print(f"csv: {ROWS} rows, {sink.size / 2**20:.1f} MiB sent, peak {peak / 2**20:.1f} MiB")
    assert sink.size > 2 * PEAK_LIMIT, sink.size  # the bound means something
    assert peak < PEAK_LIMIT, f"peak {peak / 2**20:.1f} MiB for {sink.size / 2**20:.1f} MiB sent"


@pytest.mark.parametrize("settings", ["embedded"], indirect=True)
async def test_100000_rows_of_xlsx_stream_in_bounded_memory(
    app: Litestar, testuser1: Browser
) -> None:
    sink, peak = await serve(
        app, testuser1.client, f"/api/manifest/export?format=xlsx&rows=waste&site={GEN}"
    )
    assert sink.status == 200, sink.head
    assert sink.head.startswith(b"PK")  # a zip: the XLSX container
    print(f"xlsx: {ROWS} rows, {sink.size / 2**20:.1f} MiB sent, peak {peak / 2**20:.1f} MiB")
    assert peak < PEAK_LIMIT, f"peak {peak / 2**20:.1f} MiB for {sink.size / 2**20:.1f} MiB sent"
