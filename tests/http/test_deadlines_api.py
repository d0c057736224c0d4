"""GET /api/deadlines, recording a report, and the generator category, over HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from litestar import Litestar

from haztrak.domain.manifest import ElectronicSignature, Manifest, ManifestHandlerSite, Status
from tests.http.conftest import Browser, store_from_rcrainfo

GEN, TRANS, TSDF = "VATESTGEN001", "MOCKTRANS001", "MOCKTSDFS001"
MTN = "100000777ELC"


def _party(
    epa_id: str, signed: date | None = None, order: int | None = None
) -> ManifestHandlerSite:
    signatures = (
        [ElectronicSignature(signature_date=f"{signed.isoformat()}T12:00:00Z")] if signed else None
    )
    return ManifestHandlerSite(
        epa_site_id=epa_id, electronic_signatures_info=signatures, order=order
    )


def picked_up(days_ago: int) -> Manifest:
    picked = datetime.now(UTC).date() - timedelta(days=days_ago)
    return Manifest(
        manifest_tracking_number=MTN,
        status=Status.IN_TRANSIT,
        generator=_party(GEN, picked),
        transporters=[_party(TRANS, picked, order=1)],
        designated_facility=_party(TSDF),
    )


async def test_a_late_exception_report_is_listed_and_recorded(
    app: Litestar, testuser1: Browser, orgadmin: Browser, tsdf1: Browser
) -> None:
    await store_from_rcrainfo(app, picked_up(50))
    response = await testuser1.get("/api/deadlines")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["today"] == datetime.now(UTC).date().isoformat()
    [item] = body["items"]
    assert item["kind"] == "exceptionReport"
    assert item["manifestTrackingNumber"] == MTN
    assert item["siteId"] == GEN
    assert item["state"] == "late"
    assert item["daysLeft"] == -5
    assert "late" in item["summary"]

    assert (await tsdf1.get("/api/deadlines")).json()["items"] == []
    late = await testuser1.get("/api/deadlines?state=late,near&kind=exceptionReport")
    assert len(late.json()["items"]) == 1

    recorded = await testuser1.post(
        f"/api/manifest/{MTN}/deadlines/exceptionReport/reported",
        json={"note": "Filed with EPA Region 3"},
    )
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["state"] == "reported"
    assert recorded.json()["reportedOn"] == datetime.now(UTC).date().isoformat()
    listed = (await testuser1.get("/api/deadlines")).json()["items"]
    assert [i["state"] for i in listed] == ["reported"]


async def test_the_category_setting_changes_the_clock(
    app: Litestar, testuser1: Browser, orgadmin: Browser
) -> None:
    await store_from_rcrainfo(app, picked_up(50))
    answer = await orgadmin.put(f"/api/sites/{GEN}/generator-category", json={"category": "SQG"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"epaId": GEN, "category": "SQG", "setting": "SQG", "handler": None}
    [item] = (await testuser1.get("/api/deadlines")).json()["items"]
    assert (item["state"], item["daysLeft"], item["generatorCategory"]) == ("near", 10, "SQG")
    got = await testuser1.get(f"/api/sites/{GEN}/generator-category")
    assert got.json()["category"] == "SQG"
    cleared = await orgadmin.put(f"/api/sites/{GEN}/generator-category", json={"category": None})
    assert cleared.json()["category"] is None


async def test_bad_input_names_the_field(
    app: Litestar, testuser1: Browser, orgadmin: Browser
) -> None:
    await store_from_rcrainfo(app, picked_up(50))
    for url in ("/api/deadlines?state=soon", "/api/deadlines?kind=taxes"):
        response = await testuser1.get(url)
        assert response.status_code == 422, (url, response.text)
        assert response.json()["errors"][0]["field"] in {"state", "kind"}
    wrong_kind = await testuser1.post(f"/api/manifest/{MTN}/deadlines/taxes/reported", json={})
    assert wrong_kind.status_code == 422
    assert wrong_kind.json()["errors"][0]["field"] == "kind"
    receipt = await testuser1.post(
        f"/api/manifest/{MTN}/deadlines/receiptSignature/reported", json={}
    )
    assert receipt.status_code == 422
    future = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
    ahead = await testuser1.post(
        f"/api/manifest/{MTN}/deadlines/exceptionReport/reported", json={"reportedOn": future}
    )
    assert ahead.status_code == 422
    assert ahead.json()["errors"][0]["field"] == "reportedOn"
    not_a_day = await testuser1.post(
        f"/api/manifest/{MTN}/deadlines/exceptionReport/reported", json={"reportedOn": "soon"}
    )
    assert not_a_day.status_code in (400, 422)
    bad_category = await orgadmin.put(
        f"/api/sites/{GEN}/generator-category", json={"category": "HUGE"}
    )
    assert bad_category.status_code in (400, 422)
    assert "category" in bad_category.text
