"""The org's webhooks page for its admins: add an endpoint (its secret shown once), see
deliveries, send a test event, switch off, resume, delete; the org page's summary with the
banner of a paused endpoint. Pages parsed as HTML, forms posted as a browser posts them."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Litestar

from haztrak.application.ports.persistence import UnitOfWork
from haztrak.application.ports.webhooks import WebhookEndpoints
from tests.web.conftest import WebUser
from tests.web.support import scope

ORG = "generators-org-llc"
URL = "https://hooks.example.com/haztrak"


async def _add(admin: WebUser, url: str = URL, kinds: tuple[str, ...] = ("manifest.signed",)):  # type: ignore[no-untyped-def]
    return await admin.post(
        f"/org/{ORG}/webhooks", {"url": url, "description": "ERP", "kinds": list(kinds)}
    )


async def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(org_admin: WebUser) -> None:
    page = await _add(org_admin, kinds=("manifest.signed", "manifest.received"))
    assert page.status == 201
    secret = page.text("#new-secret-value")
    assert secret.startswith("whsec_")
    assert URL in page.text("#endpoints")
    assert "manifest.received, manifest.signed" in page.text("#endpoints")
    again = await org_admin.get(f"/org/{ORG}/webhooks")
    assert again.status == 200
    assert again.all("#new-secret-value") == []
    assert secret not in again.response.text


async def test_a_refused_url_is_named_at_its_field_and_in_the_summary(org_admin: WebUser) -> None:
    page = await _add(org_admin, url="https://10.0.0.7/hook")
    assert page.status == 400
    assert "public address" in page.text("#f-hook-url-error")
    assert page.one(".error-summary a")["href"] == "#f-hook-url"
    assert page.one("#f-hook-url")["value"] == "https://10.0.0.7/hook"
    none_chosen = await _add(org_admin, kinds=())
    assert none_chosen.status == 400
    assert "at least one" in none_chosen.text("#f-hook-kinds-error")


async def test_a_test_event_is_listed_with_its_status_and_no_redeliver_while_pending(
    org_admin: WebUser,
) -> None:
    await _add(org_admin)
    page = await org_admin.get(f"/org/{ORG}/webhooks")
    ping = page.one("#endpoints form[action$='/ping']")
    sent = await org_admin.post(ping["action"])
    assert sent.status == 303
    listed = await org_admin.follow(sent.response.headers["location"])
    [row] = listed.all("#deliveries tbody tr")
    assert "ping" in row.get_text()
    assert "Trying" in row.get_text()  # no worker runs in these tests
    assert row.select("form") == []
    assert "A test event is on its way" in listed.response.text


async def test_switch_off_resume_and_delete(org_admin: WebUser) -> None:
    await _add(org_admin)
    page = await org_admin.get(f"/org/{ORG}/webhooks")
    off = await org_admin.post(page.one("form[action$='/switch-off']")["action"])
    page = await org_admin.follow(off.response.headers["location"])
    assert "Off" in page.text("#endpoints .badge")
    on = await org_admin.post(page.one("form[action$='/resume']")["action"])
    page = await org_admin.follow(on.response.headers["location"])
    assert "On" in page.text("#endpoints .badge")
    gone = await org_admin.post(page.one("form[action$='/delete']")["action"])
    page = await org_admin.follow(gone.response.headers["location"])
    assert "No endpoints yet." in page.text("#endpoints")


async def test_the_org_page_summarises_webhooks_and_banners_a_paused_endpoint(
    app: Litestar, org_admin: WebUser
) -> None:
    await _add(org_admin)
    org = await org_admin.get(f"/org/{ORG}")
    section = org.one("#webhooks [hx-get]")
    assert section["hx-get"] == f"/org/{ORG}/webhooks/summary"
    assert section.select_one("a")["href"] == f"/org/{ORG}/webhooks"  # without JavaScript
    async with scope(app) as request:
        endpoints = await request.get(WebhookEndpoints)
        [endpoint] = [e for e in await endpoints.for_orgs(await _org_ids(request)) if e.url == URL]
        for _ in range(10):
            await endpoints.count_failure(endpoint.id, datetime.now(UTC))
        await endpoints.pause(endpoint.id, datetime.now(UTC))
        await (await request.get(UnitOfWork)).commit()
    summary = await org_admin.htmx("GET", f"/org/{ORG}/webhooks/summary")
    assert "A webhook endpoint is paused" in summary.response.text
    assert summary.texts("li") == [f"{URL} Paused · manifest.signed"]
    page = await org_admin.get(f"/org/{ORG}/webhooks")
    assert "An endpoint is paused" in page.response.text
    assert page.all("form[action$='/resume']")


async def _org_ids(request):  # type: ignore[no-untyped-def]
    from haztrak.application.ports.persistence import OrgRepository

    org = await (await request.get(OrgRepository)).by_slug(ORG)
    return [org.id]


async def test_members_who_are_not_admins_get_no_webhooks(generator_user: WebUser) -> None:
    page = await generator_user.get(f"/org/{ORG}/webhooks")
    assert page.status == 403
    summary = await generator_user.htmx("GET", f"/org/{ORG}/webhooks/summary")
    assert summary.status == 200
    assert summary.all("a") == []
