"""An export streams in bounded memory (issue 15): its peak does not grow with its size.

Manifests of ten waste lines each are written straight into the database, then the export of
one row per waste line is driven through the app as an ASGI server would drive it, its body
counted and dropped as it goes, and tracemalloc's peak over the request (the app, the use
case, the reader and the writers) is taken: once at 2,500 rows (two pages of manifests), then
again after the site has grown to 25,000 rows (thirteen pages). The export is ten times
larger, the peak must stay about where it was: a server that built the file in memory, or
kept each page, would hold the difference. (This test measured 100,000 rows until the
property, flat memory, was shown as well by the growth from 2,500 to 25,000 at a fifth of
the time.)
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
SMALL, LARGE, LINES = 250, 2_500, 10
"""Manifests before and after the site grows (pages of 200), and waste lines on each."""
GROWTH_LIMIT = 2 * 1024 * 1024
"""Bytes the peak may grow by while the export grows tenfold (CSV: by 5.4 MiB; a server that
built it in memory would hold all of that; an XLSX workbook built in memory, several times
that). Measured: CSV 0.8 MiB, XLSX 1.1 MiB (a page of 200 manifests to ten of them)."""
PEAK_LIMIT = 10 * 1024 * 1024
"""Bytes: a few pages of documents and rows, whatever the size of the export."""


async def seed(settings: Settings, first: int, last: int) -> None:
    """Manifests number `first` to `last` - 1 of the site, each newer than the one before."""
    document = manifest_document(status="Scheduled", wastes=LINES)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    manifests: list[dict[str, Any]] = []
    handlers: list[dict[str, Any]] = []
    for n in range(first, last):
        mtn = _mtn(n)
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
            for at in range(0, len(manifests), 1000):
                await connection.execute(insert(ManifestRow.__table__), manifests[at : at + 1000])
                await connection.execute(
                    insert(ManifestHandlerRow.__table__), handlers[at : at + 1000]
                )
    finally:
        await engine.dispose()


@pytest.fixture
async def testuser1(app: Litestar, settings: Settings) -> AsyncIterator[Browser]:
    await seed(settings, 0, SMALL)
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


def _mtn(n: int) -> str:
    return f"{n + 100_000_000:09d}ELC"


def _first_and_last(sink: Sink) -> tuple[str, str]:
    """The tracking numbers on the CSV's first row and on its last."""
    lines = sink.head.decode("utf-8-sig", errors="replace").splitlines()
    assert lines[0].startswith("Manifest tracking number,Status,")
    last = sink.tail.decode().splitlines()[-1]
    return next(csv.reader(io.StringIO(lines[1])))[0], next(csv.reader(io.StringIO(last)))[0]


def _mib(size: int) -> str:
    return f"{size / 2**20:.2f} MiB"


@pytest.mark.parametrize("settings", ["embedded", "services"], indirect=True)
async def test_a_csv_export_ten_times_larger_streams_in_the_same_memory(
    app: Litestar, settings: Settings, testuser1: Browser
) -> None:
    url = f"/api/manifest/export?rows=waste&site={GEN}"
    await serve(app, testuser1.client, url)  # caches and lazy imports filled
    small, small_peak = await serve(app, testuser1.client, url)
    assert small.status == 200, small.head
    assert _first_and_last(small) == (_mtn(SMALL - 1), _mtn(0))  # newest first
    await seed(settings, SMALL, LARGE)
    large, large_peak = await serve(app, testuser1.client, url)
    assert large.status == 200, large.head
    assert _first_and_last(large) == (_mtn(LARGE - 1), _mtn(0))
    print(
        f"csv: {SMALL * LINES} rows {_mib(small.size)} peak {_mib(small_peak)}; "
        f"{LARGE * LINES} rows {_mib(large.size)} peak {_mib(large_peak)}"
    )
    assert large.size - small.size > 2 * GROWTH_LIMIT, large.size  # the bound means something
    assert large_peak - small_peak < GROWTH_LIMIT, (_mib(small_peak), _mib(large_peak))
    assert large_peak < PEAK_LIMIT, _mib(large_peak)


@pytest.mark.parametrize("settings", ["embedded"], indirect=True)
async def test_an_xlsx_export_ten_times_larger_streams_in_the_same_memory(
    app: Litestar, settings: Settings, testuser1: Browser
) -> None:
    url = f"/api/manifest/export?format=xlsx&rows=waste&site={GEN}"
    await serve(app, testuser1.client, url)  # caches and lazy imports filled
    small, small_peak = await serve(app, testuser1.client, url)
    assert small.status == 200, small.head
    assert small.head.startswith(b"PK")  # a zip: the XLSX container
    await seed(settings, SMALL, LARGE)
    large, large_peak = await serve(app, testuser1.client, url)
    assert large.status == 200, large.head
    print(
        f"xlsx: {SMALL * LINES} rows {_mib(small.size)} peak {_mib(small_peak)}; "
        f"{LARGE * LINES} rows {_mib(large.size)} peak {_mib(large_peak)}"
    )
    assert large.size > 8 * small.size, (small.size, large.size)
    assert large_peak - small_peak < GROWTH_LIMIT, (_mib(small_peak), _mib(large_peak))
    assert large_peak < PEAK_LIMIT, _mib(large_peak)
