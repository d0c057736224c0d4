"""Deadlines in the web UI: the dashboard's section, the list with its report form, and the
generator category setting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from litestar import Litestar

from haztrak.domain.manifest import ElectronicSignature, Manifest, ManifestHandlerSite, Status
from tests.http.conftest import store_from_rcrainfo
from tests.web.conftest import WebUser

GEN, TRANS, TSDF = "VATESTGEN001", "MOCKTRANS001", "MOCKTSDFS001"
LATE, FRESH = "100000771ELC", "100000772ELC"


def _party(
    epa_id: str, signed: date | None = None, order: int | None = None
) -> ManifestHandlerSite:
    signatures = (
        [ElectronicSignature(signature_date=f"{signed.isoformat()}T12:00:00Z")] if signed else None
    )
    return ManifestHandlerSite(
        epa_site_id=epa_id, electronic_signatures_info=signatures, order=order
    )


def picked_up(mtn: str, days_ago: int) -> Manifest:
    picked = datetime.now(UTC).date() - timedelta(days=days_ago)
    return Manifest(
        manifest_tracking_number=mtn,
        status=Status.IN_TRANSIT,
        generator=_party(GEN, picked),
        transporters=[_party(TRANS, picked, order=1)],
        designated_facility=_party(TSDF),
    )


async def test_the_dashboard_shows_late_deadlines_and_the_list_records_a_report(
    app: Litestar, generator_user: WebUser, tsdf_user: WebUser
) -> None:
    await store_from_rcrainfo(app, picked_up(LATE, 50))
    await store_from_rcrainfo(app, picked_up(FRESH, 2))

    board = await generator_user.get("/dashboard")
    assert board.status == 200
    assert board.text("#deadlines-h") == "Deadlines 1"
    [item] = board.all("#deadlines-h ~ .dash-list .deadline")
    assert item.select_one(".dash-item__mtn").get_text(strip=True) == LATE
    assert "Late" in item.get_text(" ", strip=True)
    assert "5 days late" in item.get_text(" ", strip=True)
    assert board.all('nav a[href="/deadlines"]')

    assert (await tsdf_user.get("/dashboard")).text("#deadlines-h") == "Deadlines 0"

    listing = await generator_user.get("/deadlines")
    assert listing.status == 200
    mtns = [a.get_text(strip=True) for a in listing.all(".deadline .dash-item__mtn")]
    assert mtns == [LATE, FRESH]
    form = listing.one(f"#deadline-{LATE}-exceptionReport form")
    assert form["method"] == "post"
    assert form.select_one('input[name="csrf_token"]')["value"]
    assert form.select_one('input[name="reported_on"]')["type"] == "date"

    posted = await generator_user.post(
        form["action"],
        {"reported_on": datetime.now(UTC).date().isoformat(), "note": "Filed with Region 3"},
    )
    assert posted.status == 303
    after = await generator_user.follow(posted.response.headers["location"])
    assert "recorded as reported" in after.response.text
    item = after.one(f"#deadline-{LATE}-exceptionReport")
    assert "Reported" in item.get_text(" ", strip=True)
    assert item.select_one("form") is None

    late_only = await generator_user.get("/deadlines?state=late")
    assert late_only.all(".deadline") == []


async def test_a_refused_report_says_why(app: Litestar, generator_user: WebUser) -> None:
    await store_from_rcrainfo(app, picked_up(LATE, 50))
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    posted = await generator_user.post(
        f"/deadlines/{LATE}/exceptionReport/reported", {"reported_on": tomorrow}
    )
    assert posted.status == 303
    page = await generator_user.follow(posted.response.headers["location"])
    assert "Reported on: May not be in the future" in page.response.text
    garbled = await generator_user.post(
        f"/deadlines/{LATE}/exceptionReport/reported", {"reported_on": "someday"}
    )
    page = await generator_user.follow(garbled.response.headers["location"])
    assert "Reported on: Must be a date" in page.response.text


async def test_a_site_manager_sets_the_generator_category(
    app: Litestar, org_admin: WebUser, generator_user: WebUser
) -> None:
    await store_from_rcrainfo(app, picked_up(LATE, 50))
    page = await org_admin.get(f"/sites/{GEN}/generator-category")
    assert page.status == 200
    assert page.h1 == "Generator category"
    form = page.one('form[action$="generator-category"]')
    posted = await org_admin.post(form["action"], {"category": "SQG"})
    assert posted.status == 303
    after = await org_admin.follow(posted.response.headers["location"])
    assert "Small quantity generator" in after.text("dl")
    listing = await generator_user.get("/deadlines")
    assert "Near" in listing.text(f"#deadline-{LATE}-exceptionReport")

    refused = await generator_user.post(f"/sites/{GEN}/generator-category", {"category": "LQG"})
    assert refused.status == 403
    site = await org_admin.get(f"/sites/{GEN}")
    assert site.all(f'a[href="/sites/{GEN}/generator-category"]')
