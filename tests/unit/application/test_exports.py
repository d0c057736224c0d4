"""ExportManifests and GetSiteRegister on in-memory fakes; the register's rules in the domain."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from haztrak.application.manifests import exports
from haztrak.application.manifests.exports import ExportManifests, GetSiteRegister, TableFormat
from haztrak.application.manifests.queries import ManifestFilters
from haztrak.application.ports.manifests import ManifestQuery, ManifestRecord, StoredManifest
from haztrak.domain.errors import InvalidValue, NotFound
from haztrak.domain.identity import SiteRole, User
from haztrak.domain.manifest import manifest_from_document
from haztrak.domain.manifest.reports import (
    NO_CODE,
    Direction,
    ExportRows,
    RegisterPeriod,
    export_columns,
    export_rows,
    register_of,
    reported,
)
from tests.fakes_manifests import MemoryManifestRepository
from tests.manifest_documents import manifest_document
from tests.unit.application.test_manifest_use_cases import GEN, TRANS, TSDF, World

T0 = datetime(2026, 3, 1, tzinfo=UTC)


class CountingReader(MemoryManifestRepository):
    """Records each page the use case asks for."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: list[int] = []

    async def records(self, query: ManifestQuery, **kw: Any) -> list[ManifestRecord]:
        found = list(await super().records(query, **kw))
        self.pages.append(len(found))
        return found


def store(world: World, mtn: str, minutes: int, owner: str = GEN, **changes: Any) -> None:
    stored_document(world, mtn, minutes, manifest_document(**changes), owner)


def stored_document(
    world: World, mtn: str, minutes: int, document: dict[str, Any], owner: str = GEN
) -> None:
    at = T0 + timedelta(minutes=minutes)
    stored = StoredManifest(
        id=uuid.uuid4(),
        manifest=manifest_from_document({**document, "manifestTrackingNumber": mtn}),
        version=1,
        created_at=at,
        updated_at=at,
        owner_site=owner,
    )
    world.manifests.manifests[stored.id] = stored


@pytest.fixture
def world() -> World:
    w = World()
    w.manifests = CountingReader()
    return w


async def rows_of(
    world: World, user: User, rows: str | None = None, **filters: Any
) -> list[list[Any]]:
    table = await ExportManifests(world.manifests, world.principals)(
        user, ManifestFilters(**filters), rows
    )
    return [row async for page in table.pages for row in page]


async def test_the_export_walks_every_visible_manifest_a_page_at_a_time(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "PAGE", 3)
    for n in range(7):
        store(world, f"10000000{n}ELC", n, status="Scheduled")
    store(world, "000000001DFT", 10, status="NotAssigned")  # GEN's draft
    store(world, "000000002DFT", 11, owner=TRANS, status="NotAssigned")  # the transporter's
    preparer = world.user(SiteRole.PREPARER)
    found = [row[0] for row in await rows_of(world, preparer, sort="oldest")]
    assert found == [f"10000000{n}ELC" for n in range(7)] + ["000000001DFT"]
    assert world.manifests.pages == [3, 3, 2]  # keyset pages, not one read of everything
    viewer = world.user(SiteRole.VIEWER)
    assert [row[0] for row in await rows_of(world, viewer)] == [
        f"10000000{n}ELC" for n in reversed(range(7))
    ]
    transporter = world.user(SiteRole.PREPARER, TRANS)
    assert "000000002DFT" in [row[0] for row in await rows_of(world, transporter)]
    assert "000000001DFT" not in [row[0] for row in await rows_of(world, transporter)]


async def test_one_row_per_waste_line_with_the_manifest_repeated(world: World) -> None:
    store(world, "100000001ELC", 1, status="Scheduled", wastes=2)
    store(world, "100000002ELC", 2, status="Scheduled", wastes=0)
    user = world.user(SiteRole.VIEWER)
    rows = await rows_of(world, user, "waste", sort="oldest")
    assert len(rows[0]) == len(export_columns(ExportRows.WASTE))
    assert [(r[0], r[10]) for r in rows] == [
        ("100000001ELC", 1),
        ("100000001ELC", 2),
        ("100000002ELC", None),  # no waste lines: the manifest still has its row
    ]
    assert rows[0][10:] == [
        1,
        "NA1993, Waste Diesel fuel, 3, III",
        12,
        "DM",
        480,
        "G",
        "D001",
        "",
        "H020",
    ]
    manifests = await rows_of(world, user, "manifest", sort="oldest")
    assert [r[-1] for r in manifests] == [2, 0]


async def test_bad_filters_and_foreign_sites_are_refused_before_anything_is_read(
    world: World,
) -> None:
    user = world.user(SiteRole.VIEWER)
    export = ExportManifests(world.manifests, world.principals)
    for filters, rows, field in [
        (ManifestFilters(status="Lost"), None, "status"),
        (ManifestFilters(updated_since="soon"), None, "updatedSince"),
        (ManifestFilters(), "pallet", "rows"),
    ]:
        with pytest.raises(InvalidValue) as refused:
            await export(user, filters, rows)
        assert refused.value.field == field
    with pytest.raises(NotFound):
        await export(user, ManifestFilters(site=TSDF), None)
    assert world.manifests.pages == []


def test_the_format_is_one_of_those_allowed() -> None:
    assert TableFormat.parse(None, TableFormat.CSV, TableFormat.XLSX) is TableFormat.CSV
    assert TableFormat.parse("XLSX", TableFormat.CSV, TableFormat.XLSX) is TableFormat.XLSX
    with pytest.raises(InvalidValue) as refused:
        TableFormat.parse("json", TableFormat.CSV, TableFormat.XLSX)
    assert refused.value.field == "format"


def waste(
    line: int, codes: list[str], quantity: int, unit: str = "P", method: str = "H020"
) -> dict[str, Any]:
    return {
        "lineNumber": line,
        "dotHazardous": True,
        "epaWaste": bool(codes),
        "pcb": False,
        "br": False,
        "wasteDescription": "spent solvent",
        "quantity": {"quantity": quantity, "unitOfMeasurement": {"code": unit}},
        "hazardousWaste": {"federalWasteCodes": [{"code": c} for c in codes]},
        "managementMethod": {"code": method},
    }


def shipment(
    status: str, shipped: str | None, received: str | None, *wastes: dict[str, Any], **parties: Any
) -> dict[str, Any]:
    document = manifest_document(status=status, **parties)
    document["wastes"] = list(wastes)
    if shipped:
        document["shippedDate"] = shipped
    if received:
        document["receivedDate"] = received
    return document


async def test_the_register_of_a_site_for_a_period(world: World) -> None:
    stored_document(
        world,
        "100000001ELC",
        1,
        shipment(
            "InTransit",
            "2026-01-01T00:00:00.000+00:00",
            None,
            waste(1, ["D001", "F003"], 10),
            waste(2, ["D001"], 5),
            waste(3, [], 7, "K", "H141"),
        ),
    )
    stored_document(
        world,
        "100000002ELC",
        2,
        shipment(
            "Signed",
            "2026-12-31T23:00:00.000+00:00",
            "2027-01-02T00:00:00.000+00:00",
            waste(1, ["D001"], 1),
        ),
    )
    stored_document(
        world,
        "100000003ELC",
        3,
        shipment(  # a year before: not in the period
            "Signed",
            "2025-12-31T23:00:00.000+00:00",
            "2026-01-02T00:00:00.000+00:00",
            waste(1, ["D001"], 1000),
        ),
    )
    stored_document(
        world,
        "000000001DFT",
        4,
        shipment(  # a draft counts for nothing
            "NotAssigned",
            "2026-06-01T00:00:00.000+00:00",
            None,
            waste(1, ["D001"], 1000),
        ),
    )
    user = world.user(SiteRole.VIEWER)
    register = GetSiteRegister(world.manifests, world.principals)
    lines = await register(user, GEN, "2026-01-01", "2026-12-31")
    assert [
        (x.direction, x.waste_code, x.management_method, x.unit, x.quantity, x.manifests)
        for x in lines
    ] == [
        (Direction.SHIPPED, NO_CODE, "H141", "K", Decimal(7), 1),
        (Direction.SHIPPED, "D001", "H020", "P", Decimal(16), 2),
        (Direction.SHIPPED, "F003", "H020", "P", Decimal(10), 1),
    ]
    tsdf = world.user(SiteRole.VIEWER, TSDF)
    received = await register(tsdf, TSDF, "2026-01-01", "2026-12-31")
    assert [(x.direction, x.waste_code, x.quantity, x.manifests) for x in received] == [
        (Direction.RECEIVED, "D001", Decimal(1000), 1),
    ]
    with pytest.raises(NotFound):
        await register(user, TSDF, "2026-01-01", "2026-12-31")
    for start, end, field in [
        (None, "2026-12-31", "from"),
        ("2026-01-01", "", "to"),
        ("2026-1-1", "2026-12-31", "from"),
        ("2026-02-01", "2026-01-31", "to"),
    ]:
        with pytest.raises(InvalidValue) as refused:
            await register(user, GEN, start, end)
        assert refused.value.field == field


def test_a_manifest_counts_once_per_key_however_many_lines() -> None:
    document = shipment(
        "Signed",
        "2026-05-05T00:00:00.000+00:00",
        None,
        waste(1, ["D001"], 3),
        waste(2, ["D001"], 4),
        waste(3, ["D001", "D001"], 5),
    )
    document["manifestTrackingNumber"] = "100000001ELC"
    m = reported(msgspec.json.encode(document))
    period = RegisterPeriod.parse("2026-05-05", "2026-05-05")
    (line,) = register_of(GEN, period, [m, m])
    assert (line.quantity, line.manifests) == (Decimal(24), 2)


def test_reported_fields_skip_the_rest_of_the_document() -> None:
    document = manifest_document(mtn="100000001ELC", status="Scheduled", transporters=())
    document["someFutureKey"] = {"deep": [1, 2, 3]}
    m = reported(msgspec.json.encode(document))
    (row,) = export_rows(m, ExportRows.MANIFEST)
    assert row[:6] == ["100000001ELC", "Scheduled", "FullElectronic", GEN, f"Generator {GEN}", ""]
