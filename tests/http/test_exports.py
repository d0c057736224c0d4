"""Exports (issue 15): the list's manifests as CSV and XLSX, and a site's register, on both
backends; who sees what, and bad input answered 422 naming the field."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar
from openpyxl import load_workbook

from haztrak.domain.manifest import manifest_from_document
from tests.http.conftest import Browser, _logged_in, store_from_rcrainfo
from tests.manifest_documents import manifest_document

GEN, TSDF = "VATESTGEN001", "MOCKTSDFS001"
SHIPPED, RECEIVED = "100000001ELC", "100000002ELC"


@pytest.fixture
async def transporter1(app: Litestar) -> AsyncIterator[Browser]:
    async for browser in _logged_in(app, "transporter1"):
        yield browser


def _waste(line: int, codes: list[str], quantity: float, unit: str, method: str) -> dict[str, Any]:
    return {
        "lineNumber": line,
        "dotHazardous": True,
        "epaWaste": True,
        "pcb": False,
        "br": False,
        "dotInformation": {
            "idNumber": {"code": "NA1993"},
            "printedDotInformation": "NA1993, Waste Diesel fuel, 3, III",
        },
        "quantity": {
            "containerNumber": 2,
            "containerType": {"code": "DM"},
            "quantity": quantity,
            "unitOfMeasurement": {"code": unit},
        },
        "hazardousWaste": {
            "federalWasteCodes": [{"code": c} for c in codes],
            "generatorStateWasteCodes": [{"code": "VA01"}],
        },
        "managementMethod": {"code": method},
    }


async def seed(app: Litestar, testuser1: Browser, transporter1: Browser) -> str:
    """Two manifests in e-Manifest (one shipped in March, one received in April), the
    generator's draft and the transporter's draft; answers the generator's draft number."""
    shipped = manifest_document(mtn=SHIPPED, status="InTransit")
    shipped["shippedDate"] = "2026-03-10T10:00:00.000+00:00"
    shipped["wastes"] = [
        _waste(1, ["D001", "F003"], 100, "P", "H020"),
        _waste(2, ["D001"], 50, "P", "H020"),
    ]
    shipped["generator"]["name"] = '=HYPERLINK("http://x")'
    received = manifest_document(mtn=RECEIVED, status="Signed", wastes=1)
    received["shippedDate"] = "2026-03-30T10:00:00.000+00:00"
    received["receivedDate"] = "2026-04-02T10:00:00.000+00:00"
    received["wastes"] = [_waste(1, ["D001"], 2, "T", "H141")]
    await store_from_rcrainfo(app, manifest_from_document(shipped))
    await store_from_rcrainfo(app, manifest_from_document(received))
    draft = await testuser1.post("/api/manifest", json=manifest_document())
    assert draft.status_code == 201, draft.text
    other = await transporter1.post(
        "/api/manifest", json=manifest_document(generator=GEN, transporters=("MOCKTRANS001",))
    )
    assert other.status_code == 201, other.text
    assert other.json()["manifestTrackingNumber"] != draft.json()["manifestTrackingNumber"]
    return str(draft.json()["manifestTrackingNumber"])


def _csv(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


async def test_manifests_export_as_csv_one_row_per_manifest_or_waste_line(
    app: Litestar, testuser1: Browser, transporter1: Browser, tsdf1: Browser
) -> None:
    draft = await seed(app, testuser1, transporter1)

    rows = _csv(await testuser1.get("/api/manifest/export?format=csv&sort=oldest"))
    # the transporter's draft is its site's alone: not here
    assert [r["Manifest tracking number"] for r in rows] == [SHIPPED, RECEIVED, draft]
    first = rows[0]
    assert first["Status"] == "InTransit"
    assert first["Submission type"] == "FullElectronic"
    assert first["Generator EPA ID"] == GEN
    assert first["Generator name"] == '\'=HYPERLINK("http://x")'  # not a formula
    assert first["Transporters"] == (
        "MOCKTRANS001 Transporter MOCKTRANS001; MOCKTRANS002 Transporter MOCKTRANS002"
    )
    assert first["Designated facility EPA ID"] == TSDF
    assert first["Designated facility name"] == f"Facility {TSDF}"
    assert first["Shipped date"] == "2026-03-10T10:00:00.000+00:00"
    assert first["Received date"] == ""
    assert first["Waste lines"] == "2"
    assert rows[1]["Received date"] == "2026-04-02T10:00:00.000+00:00"

    lines = _csv(await testuser1.get(f"/api/manifest/export?rows=waste&q={SHIPPED}"))
    assert [(r["Manifest tracking number"], r["Line number"]) for r in lines] == [
        (SHIPPED, "1"),
        (SHIPPED, "2"),
    ]
    assert {k: lines[0][k] for k in list(lines[0])[10:]} == {
        "Line number": "1",
        "Description": "NA1993, Waste Diesel fuel, 3, III",
        "Container count": "2",
        "Container type": "DM",
        "Quantity": "100",
        "Unit": "P",
        "Federal waste codes": "D001 F003",
        "State waste codes": "VA01",
        "Management method": "H020",
    }

    # the list's filters apply; the TSDF sees the two in e-Manifest, not the drafts
    received = _csv(await testuser1.get("/api/manifest/export?status=Signed"))
    assert [r["Manifest tracking number"] for r in received] == [RECEIVED]
    seen = _csv(await tsdf1.get("/api/manifest/export"))
    assert {r["Manifest tracking number"] for r in seen} == {SHIPPED, RECEIVED}
    mine = _csv(await transporter1.get("/api/manifest/export?site=MOCKTRANS001"))
    assert draft not in {r["Manifest tracking number"] for r in mine}
    assert len(mine) == 3


async def test_manifests_export_as_xlsx(
    app: Litestar, testuser1: Browser, transporter1: Browser
) -> None:
    draft = await seed(app, testuser1, transporter1)
    response = await testuser1.get("/api/manifest/export?format=xlsx&rows=waste&sort=oldest")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][:2] == ("Manifest tracking number", "Status")
    assert [(r[0], r[10]) for r in rows[1:]] == [
        (SHIPPED, 1),
        (SHIPPED, 2),
        (RECEIVED, 1),
        (draft, 1),
        (draft, 2),
        (draft, 3),
    ]
    assert rows[1][4] == '\'=HYPERLINK("http://x")'
    assert rows[1][14] == 100  # a number, not text
    assert isinstance(rows[1][14], int)
    assert rows[1][16] == "D001 F003"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("format=pdf", "format"),
        ("rows=pallet", "rows"),
        ("status=Lost", "status"),
        ("submissionType=Fax", "submissionType"),
        ("siteType=Shipper", "siteType"),
        ("updatedSince=yesterday", "updatedSince"),
        ("updatedBefore=2026-13-01", "updatedBefore"),
        ("sort=random", "sort"),
    ],
)
async def test_a_bad_export_filter_is_a_422_naming_it(
    testuser1: Browser, query: str, field: str
) -> None:
    response = await testuser1.get(f"/api/manifest/export?{query}")
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_an_export_of_a_site_that_is_not_yours_is_404_and_anonymous_401(
    testuser1: Browser, anonymous: Browser
) -> None:
    assert (await testuser1.get(f"/api/manifest/export?site={TSDF}")).status_code == 404
    assert (await anonymous.get("/api/manifest/export")).status_code == 401
    assert (
        await anonymous.get(f"/api/sites/{GEN}/register?from=2026-01-01&to=2026-12-31")
    ).status_code == 401


async def test_the_register_adds_up_a_period_per_code_method_and_unit(
    app: Litestar, testuser1: Browser, transporter1: Browser, tsdf1: Browser
) -> None:
    await seed(app, testuser1, transporter1)
    response = await testuser1.get(f"/api/sites/{GEN}/register?from=2026-03-01&to=2026-03-31")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["epaId"], body["from"], body["to"]) == (GEN, "2026-03-01", "2026-03-31")
    assert body["lines"] == [
        # both manifests shipped in March; the line with D001 and F003 counts under each
        line("shipped", "D001", "H020", "P", 150, 1),
        line("shipped", "D001", "H141", "T", 2, 1),
        line("shipped", "F003", "H020", "P", 100, 1),
        line("shipped", "VA01", "H020", "P", 150, 1),
        line("shipped", "VA01", "H141", "T", 2, 1),
    ]
    april = await tsdf1.get(f"/api/sites/{TSDF}/register?from=2026-04-01&to=2026-04-30")
    assert april.json()["lines"] == [
        line("received", "D001", "H141", "T", 2, 1),
        line("received", "VA01", "H141", "T", 2, 1),
    ]
    # March at the TSDF: shipped to it, not yet received there
    march = await tsdf1.get(f"/api/sites/{TSDF}/register?from=2026-03-01&to=2026-03-31")
    assert march.json()["lines"] == []

    table = _csv(
        await tsdf1.get(f"/api/sites/{TSDF}/register?from=2026-04-01&to=2026-04-30&format=csv")
    )
    assert table[0] == {
        "Direction": "received",
        "Waste code": "D001",
        "Management method": "H141",
        "Unit": "T",
        "Quantity": "2",
        "Manifests": "1",
    }
    xlsx = await testuser1.get(
        f"/api/sites/{GEN}/register?from=2026-03-01&to=2026-03-31&format=xlsx"
    )
    assert xlsx.status_code == 200, xlsx.text
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0] == (
        "Direction",
        "Waste code",
        "Management method",
        "Unit",
        "Quantity",
        "Manifests",
    )
    assert rows[1] == ("shipped", "D001", "H020", "P", 150, 1)


def line(
    direction: str, code: str, method: str, unit: str, quantity: float, manifests: int
) -> dict[str, Any]:
    return {
        "direction": direction,
        "wasteCode": code,
        "managementMethod": method,
        "unit": unit,
        "quantity": quantity,
        "manifests": manifests,
    }


async def test_a_register_of_a_foreign_site_is_404_and_bad_dates_422(
    testuser1: Browser,
) -> None:
    foreign = await testuser1.get(f"/api/sites/{TSDF}/register?from=2026-01-01&to=2026-12-31")
    assert foreign.status_code == 404
    for query, field in [
        ("to=2026-12-31", "from"),
        ("from=2026-01-01", "to"),
        ("from=2026-02-30&to=2026-12-31", "from"),
        ("from=2026-12-31&to=2026-01-01", "to"),
        ("from=2026-01-01&to=2026-12-31&format=pdf", "format"),
    ]:
        response = await testuser1.get(f"/api/sites/{GEN}/register?{query}")
        assert response.status_code == 422, (query, response.text)
        assert [e["field"] for e in response.json()["errors"]] == [field]
