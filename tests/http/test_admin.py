"""The admin site at /admin: staff only, every model listed and edited, secrets never shown,
every change audited, every unsafe request CSRF-checked."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote_plus

import httpx
import pytest
from dishka import Provider, Scope, make_async_container, provide
from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.tables import (
    ApiTokenRow,
    AuditEntryRow,
    OrgRow,
    RcrainfoProfileRow,
    RcraSiteRow,
    SitePermissionRow,
    UserRow,
)
from haztrak.application.identity.demo import SeedDemoData
from haztrak.application.ports.security import Clock, SecretBox
from haztrak.domain.secrets import Secret
from haztrak.entrypoints.cli.demo import demo_data
from haztrak.entrypoints.http.admin import VIEWS
from haztrak.entrypoints.http.app import create_app
from haztrak.entrypoints.settings import Settings
from tests.fakes import FixedClock
from tests.http.conftest import (
    DEMO_CREDENTIALS,
    PASSWORD,
    Browser,
    http_client,
    providers_for_tests,
)

EDITABLE = [view for view in VIEWS if view.can_edit]
READ_ONLY = [view for view in VIEWS if not (view.can_edit or view.can_create or view.can_delete)]
NEW_KEY = "replaced-org-api-key-SECRET-VALUE"


class Form(HTMLParser):
    """The fields of the page's first POST form, as a browser would submit them, and the
    options of its selects (label -> value)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.options: dict[str, dict[str, str]] = {}
        self._state = "before"
        self._select: str | None = None
        self._option: str | None = None
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and self._state == "before" and (a.get("method") or "").upper() == "POST":
            self._state = "in"
        if self._state != "in":
            return
        name = a.get("name") or ""
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind == "checkbox":
                if "checked" in a:
                    self.fields[name] = a.get("value") or "on"
            elif kind not in ("submit", "button", "file"):
                self.fields[name] = a.get("value") or ""
        elif tag == "select":
            self._select = name
            self.options[name] = {}
        elif tag == "option" and self._select:
            self._option = a.get("value") or ""
            if "selected" in a or self._select not in self.fields:
                self.fields[self._select] = self._option
        elif tag == "textarea":
            self._textarea = name
            self.fields[name] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.fields[self._textarea] += data
        elif self._select and self._option is not None:
            label = data.strip()
            if label:
                self.options[self._select][label] = self._option

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "option":
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "form" and self._state == "in":
            self._state = "after"

    def fill(self, values: dict[str, str]) -> dict[str, str]:
        """The fields with these values; a select takes its option's label."""
        filled = dict(self.fields)
        for name, value in values.items():
            filled[name] = self.options.get(name, {}).get(value, value)
        return filled


def csrf_of(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert found, "every admin page carries the session's CSRF token"
    return found.group(1)


class AdminBrowser:
    """A client of the admin site that submits forms as the pages render them."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.token = ""

    async def get(self, url: str) -> httpx.Response:
        response = await self.client.get(url)
        if "csrf-token" in response.text:
            self.token = csrf_of(response.text)
        return response

    async def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        await self.get("/admin/login")
        return await self.client.post(
            "/admin/login",
            data={"username": username, "password": password, "csrf_token": self.token},
        )

    async def submit(
        self, url: str, values: dict[str, str], save: str = "Save and continue editing"
    ) -> httpx.Response:
        """Open the form at `url`, change `values`, submit it."""
        page = await self.get(url)
        assert page.status_code == 200, (url, page.status_code)
        data = Form(page.text).fill(values)
        return await self.client.post(url, data={**data, "save": save})

    async def rows(self, identity: str) -> list[str]:
        """The primary keys of the objects on the first page of a list."""
        page = await self.get(f"/admin/{identity}/list")
        assert page.status_code == 200, (identity, page.status_code)
        return re.findall(rf'/admin/{identity}/details/([^"?]+)"', page.text)


@pytest.fixture
async def staff(app: Litestar) -> AsyncIterator[AdminBrowser]:
    async with http_client(app) as client:
        browser = AdminBrowser(client)
        response = await browser.login("admin")
        assert response.status_code == 302, response.text
        assert response.headers["location"].endswith("/admin/")
        yield browser


@pytest.fixture
async def visitor(app: Litestar) -> AsyncIterator[AdminBrowser]:
    async with http_client(app) as client:
        yield AdminBrowser(client)


async def db_rows(app: Litestar, query: Any) -> list[Any]:
    async with app.state.dishka_container() as scope:
        session = await scope.get(AsyncSession)
        return list((await session.execute(query)).all())


async def audit_entries(app: Litestar) -> list[AuditEntryRow]:
    return [row for (row,) in await db_rows(app, select(AuditEntryRow).order_by(AuditEntryRow.id))]


# What a staff user creates, then changes, in each editable model (select values by label).
CREATE = {
    "user": {
        "username": "created-user",
        "email": "created@example.com",
        "first_name": "Cree",
        "password": "created-password-1",
    },
    "org": {"name": "Created Org", "slug": "created-org", "new_api_key": "created-key-SECRET"},
    "org-membership": {"org_id": "Mock TSDF", "user_id": "admin", "role": "member"},
    "site": {
        "epa_id": "VATESTSITE99",
        "name": "Created Site",
        "site_type": "Generator",
        "org_id": "Mock TSDF",
    },
    "site-role": {
        "site_id": "VATESTGEN001 (VA TEST GEN 2021)",
        "user_id": "orgadmin",
        "role": "viewer",
    },
    "rcra-site": {
        "epa_id": "VATEST000999",
        "site_type": "Transporter",
        "name": "Created Handler",
        "document": "{}",
    },
    "federal-waste-code": {"code": "X999", "description": "Created code"},
    "state-waste-code": {"state": "VA", "code": "VAX99", "description": "Created code"},
    "dot-lookup": {"kind": "id", "value": "NA9999"},
}
CHANGE = {
    "user": {"first_name": "Renamed"},
    "org": {"name": "Renamed Org"},
    "org-membership": {"role": "admin"},
    "site": {"name": "Renamed Site"},
    "site-role": {"role": "signer"},
    "rcra-site": {"name": "Renamed Handler"},
    "federal-waste-code": {"description": "Renamed code"},
    "state-waste-code": {"description": "Renamed code"},
    "dot-lookup": {"value": "NA9998"},
}


def test_every_editable_model_has_a_scenario() -> None:
    assert {view.identity for view in EDITABLE} == set(CREATE) == set(CHANGE)


async def test_staff_lists_every_model(staff: AdminBrowser) -> None:
    index = await staff.get("/admin/")
    assert index.status_code == 200
    assert index.headers["x-frame-options"] == "DENY"
    assert index.headers["cache-control"] == "no-store"
    for view in VIEWS:
        assert f"/admin/{view.identity}/list" in index.text, view.identity
        page = await staff.get(f"/admin/{view.identity}/list")
        assert page.status_code == 200, view.identity
        assert view.name_plural in page.text
        for pk in (await staff.rows(view.identity))[:2]:
            details = await staff.get(f"/admin/{view.identity}/details/{pk}")
            assert details.status_code == 200, (view.identity, pk)


async def test_staff_creates_and_edits_every_editable_model(
    app: Litestar, staff: AdminBrowser
) -> None:
    for view in EDITABLE:
        identity = view.identity
        created = await staff.submit(f"/admin/{identity}/create", CREATE[identity])
        assert created.status_code == 302, (identity, created.text)
        edit_url = created.headers["location"]
        assert f"/admin/{identity}/edit/" in edit_url

        changed = await staff.submit(edit_url, CHANGE[identity])
        assert changed.status_code == 302, (identity, changed.text)
        form = Form((await staff.get(changed.headers["location"])).text)
        for name, value in CHANGE[identity].items():
            assert form.fill({name: value})[name] == form.fields[name], (identity, name)

    rows = await db_rows(app, select(OrgRow).where(OrgRow.slug == "created-org"))
    assert rows[0][0].name == "Renamed Org"
    box = await app.state.dishka_container.get(SecretBox)
    assert box.decrypt(rows[0][0].rcrainfo_api_key_encrypted).reveal() == "created-key-SECRET"

    # Created through the same use case as `haztrak createuser`: the new user can log in.
    async with http_client(app) as client:
        login = await Browser(client).login("created-user", "created-password-1")
        assert login.status_code == 200


async def test_every_change_is_in_the_audit_log(app: Litestar, staff: AdminBrowser) -> None:
    before = len(await audit_entries(app))
    orgs = await staff.rows("org")
    edit = await staff.submit(f"/admin/org/edit/{orgs[0]}", {"name": "Audited Org"})
    assert edit.status_code == 302
    key = await staff.submit(f"/admin/org/edit/{orgs[0]}", {"new_api_key": NEW_KEY})
    assert key.status_code == 302
    users = {u.username: u for (u,) in await db_rows(app, select(UserRow))}
    reset = await staff.submit(
        f"/admin/user/edit/{users['testuser1'].id}", {"new_password": "a-new-password-1"}
    )
    assert reset.status_code == 302
    created = await staff.submit("/admin/federal-waste-code/create", CREATE["federal-waste-code"])
    assert created.status_code == 302
    deleted = await staff.client.delete(
        "/admin/federal-waste-code/delete?pks=X999", headers={"X-CSRFToken": staff.token}
    )
    assert deleted.status_code == 200, deleted.text

    entries = (await audit_entries(app))[before:]
    admin = users["admin"]
    seen = [(e.action, e.object_type, e.detail.get("fields")) for e in entries]
    assert ("update", "org", "name") in seen
    assert ("set_rcrainfo_credentials", "org", None) in seen
    assert ("reset_password", "user", None) in seen
    assert ("create", "federal_waste_code", None) in seen
    assert ("delete", "federal_waste_code", None) in seen
    for entry in entries:
        assert (entry.actor, entry.actor_id) == ("admin", admin.id)
        assert entry.detail.get("via") == "admin"
    assert "a-new-password-1" not in str([e.detail for e in entries])
    key_entry = next(e for e in entries if e.action == "set_rcrainfo_credentials")
    assert key_entry.detail["api_key"] == "replaced"

    # The audit log is there to read in the admin site, too.
    log_page = await staff.get("/admin/audit-log/list")
    assert "reset_password" in log_page.text
    assert "testuser1" in log_page.text

    # The reset password works; the old one no longer does.
    async with http_client(app) as client:
        assert (await Browser(client).login("testuser1", "a-new-password-1")).status_code == 200
        assert (await Browser(client).login("testuser1")).status_code == 400


async def test_secrets_never_appear_in_any_admin_page(
    app: Litestar,
    staff: AdminBrowser,
    testuser1: Browser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    # Secrets of every kind in the database: org keys (demo and replaced through the admin),
    # a user's own RCRAInfo key, an API token, password hashes.
    token = (await testuser1.post("/api/user/tokens", json={"name": "script"})).json()["token"]
    profile = await testuser1.put(
        "/api/rcrainfo-profile/testuser1",
        json={"rcraAPIID": "user-id", "rcraAPIKey": "user-api-key-SECRET-VALUE"},
    )
    assert profile.status_code == 200
    org = next(o for (o,) in await db_rows(app, select(OrgRow)) if o.slug == "mock-tsdf")
    replaced = await staff.submit(f"/admin/org/edit/{org.id}", {"new_api_key": NEW_KEY})
    assert replaced.status_code == 302

    secrets = [key for _, key in DEMO_CREDENTIALS.values()]
    secrets += [NEW_KEY, "user-api-key-SECRET-VALUE", token, PASSWORD]
    for (o,) in await db_rows(app, select(OrgRow)):
        if o.rcrainfo_api_key_encrypted:
            secrets.append(o.rcrainfo_api_key_encrypted.decode())
    for (p,) in await db_rows(app, select(RcrainfoProfileRow)):
        if p.api_key_encrypted:
            secrets.append(p.api_key_encrypted.decode())
    secrets += [t.token_hash for (t,) in await db_rows(app, select(ApiTokenRow))]
    secrets += [u.password_hash for (u,) in await db_rows(app, select(UserRow))]
    assert len(secrets) >= 13

    pages = ["/admin/"]
    for view in VIEWS:
        pages.append(f"/admin/{view.identity}/list")
        if view.can_create:
            pages.append(f"/admin/{view.identity}/create")
        for pk in (await staff.rows(view.identity))[:5]:
            pages.append(f"/admin/{view.identity}/details/{pk}")
            if view.can_edit:
                pages.append(f"/admin/{view.identity}/edit/{pk}")
    org_pages = [p for p in pages if f"/org/edit/{org.id}" in p or f"/org/details/{org.id}" in p]
    assert len(org_pages) == 2
    for url in pages:
        page = await staff.get(url)
        assert page.status_code == 200, url
        for secret in secrets:
            assert secret not in page.text, url
    org_details = (await staff.get(f"/admin/org/details/{org.id}")).text
    assert "RCRAInfo API key" in org_details
    assert ">set<" in org_details.replace(" ", "")
    assert NEW_KEY not in caplog.text


async def test_read_only_models_refuse_every_write(app: Litestar, staff: AdminBrowser) -> None:
    assert {v.identity for v in READ_ONLY} >= {"manifest", "audit-log"}
    before = len(await audit_entries(app))
    for view in READ_ONLY:
        create = await staff.client.get(f"/admin/{view.identity}/create")
        assert create.status_code == 403, view.identity
        pks = await staff.rows(view.identity)
        pk = pks[0] if pks else "1"
        for method, url in [
            ("GET", f"/admin/{view.identity}/edit/{pk}"),
            ("POST", f"/admin/{view.identity}/edit/{pk}"),
            ("POST", f"/admin/{view.identity}/create"),
            ("DELETE", f"/admin/{view.identity}/delete?pks={pk}"),
        ]:
            response = await staff.client.request(
                method,
                url,
                data={"csrf_token": staff.token} if method == "POST" else None,
                headers={"X-CSRFToken": staff.token} if method == "DELETE" else None,
            )
            assert response.status_code == 403, (method, url)
    # Nothing changed, so nothing new in the audit log but these lookups' absence of entries.
    assert len(await audit_entries(app)) == before


async def collect_urls(staff: AdminBrowser) -> list[str]:
    urls = ["/admin/", "/admin"]
    for view in VIEWS:
        urls.append(f"/admin/{view.identity}/list")
        urls.append(f"/admin/{view.identity}/create")
        for pk in (await staff.rows(view.identity))[:1]:
            urls.append(f"/admin/{view.identity}/details/{pk}")
            urls.append(f"/admin/{view.identity}/edit/{pk}")
    return urls


def assert_kept_out(response: httpx.Response, url: str) -> None:
    if response.status_code == 302:
        location = response.headers["location"]
        assert location.endswith(("/admin/login", "/admin/")), (url, location)
    else:
        assert response.status_code in (403, 307), (url, response.status_code)
    assert "Ada" not in response.text  # no data of any page (the staff user's first name)


async def test_anonymous_and_non_staff_users_are_kept_out(
    app: Litestar, staff: AdminBrowser, visitor: AdminBrowser, testuser1: Browser
) -> None:
    urls = await collect_urls(staff)
    assert len(urls) > 3 * len(VIEWS)

    # A non-staff user cannot log in to the admin site, and says so in the audit log.
    refused = await visitor.login("testuser1")
    assert refused.status_code == 400
    assert "staff account" in refused.text
    assert (await audit_entries(app))[-1].action == "admin_login_refused"
    assert (await visitor.login("admin", "wrong-password-123")).status_code == 400

    # Neither anonymous nor non-staff (not even with an API session) get any admin page.
    for url in urls:
        assert_kept_out(await visitor.client.get(url), url)
        assert_kept_out(await testuser1.client.get(url), url)
        login_page = await visitor.client.get(url, follow_redirects=True)
        assert login_page.status_code == 200
        assert 'action="http://testserver.local/admin/login"' in login_page.text or (
            "/admin/login" in str(login_page.url)
        )

    # Unsafe requests with a valid CSRF token of their own session still need a staff login.
    await visitor.get("/admin/login")
    users = {u.username: u for (u,) in await db_rows(app, select(UserRow))}
    target = f"/admin/user/edit/{users['testuser1'].id}"
    post = await visitor.client.post(
        target, data={"csrf_token": visitor.token, "username": "hijacked", "is_staff": "y"}
    )
    assert_kept_out(post, target)
    delete = await visitor.client.delete(
        f"/admin/user/delete?pks={users['testuser1'].id}", headers={"X-CSRFToken": visitor.token}
    )
    assert_kept_out(delete, "delete")
    after = {u.username: u for (u,) in await db_rows(app, select(UserRow))}
    assert "testuser1" in after
    assert not after["testuser1"].is_staff


async def test_csrf_token_is_required_on_every_unsafe_request(
    app: Litestar, staff: AdminBrowser, visitor: AdminBrowser
) -> None:
    orgs = await staff.rows("org")
    url = f"/admin/org/edit/{orgs[0]}"
    page = await staff.get(url)
    fields = Form(page.text).fill({"name": "Forged Name"})

    without = {k: v for k, v in fields.items() if k != "csrf_token"}
    assert (await staff.client.post(url, data={**without, "save": "Save"})).status_code == 403
    await visitor.get("/admin/login")  # another session's token is no good either
    other = {**without, "csrf_token": visitor.token, "save": "Save"}
    assert (await staff.client.post(url, data=other)).status_code == 403
    assert (await staff.client.post(url, json=without)).status_code == 403
    forged = await db_rows(app, select(OrgRow).where(OrgRow.name == "Forged Name"))
    assert forged == []

    pk = (await staff.rows("federal-waste-code") or [""])[0]
    delete = await staff.client.delete(f"/admin/federal-waste-code/delete?pks={pk}")
    assert delete.status_code == 403

    login = await visitor.client.post(
        "/admin/login", data={"username": "admin", "password": PASSWORD}
    )
    assert login.status_code == 403

    # With the token, the same edit goes through.
    accepted = await staff.client.post(url, data={**fields, "save": "Save"})
    assert accepted.status_code == 302


async def test_a_staff_session_ends_with_staff_status_or_password(
    app: Litestar, staff: AdminBrowser
) -> None:
    created = await staff.submit("/admin/user/create", {**CREATE["user"], "is_staff": "y"})
    edit_url = created.headers["location"]
    async with http_client(app) as client:
        other = AdminBrowser(client)
        assert (await other.login("created-user", "created-password-1")).status_code == 302
        assert (await other.get("/admin/user/list")).status_code == 200

        await staff.submit(edit_url, {"new_password": "another-password-1"})
        assert_kept_out(await other.client.get("/admin/user/list"), "after reset")

        assert (await other.login("created-user", "another-password-1")).status_code == 302
        form = Form((await staff.get(edit_url)).text)
        demoted = {k: v for k, v in form.fields.items() if k != "is_staff"}
        assert (
            await staff.client.post(edit_url, data={**demoted, "save": "Save"})
        ).status_code == 302
        assert_kept_out(await other.client.get("/admin/user/list"), "after demotion")


async def test_rules_refuse_bad_changes_with_a_message(
    app: Litestar, staff: AdminBrowser, caplog: pytest.LogCaptureFixture
) -> None:
    users = {u.username: u for (u,) in await db_rows(app, select(UserRow))}
    own = f"/admin/user/edit/{users['admin'].id}"
    form = Form((await staff.get(own)).text)
    not_staff = {k: v for k, v in form.fields.items() if k != "is_staff"}
    refused = await staff.client.post(own, data={**not_staff, "save": "Save"})
    assert refused.status_code == 400
    assert "your own" in refused.text

    bad_epa_id = await staff.submit("/admin/site/create", {**CREATE["site"], "epa_id": "nope"})
    assert bad_epa_id.status_code == 400
    assert "two-letter state code" in bad_epa_id.text

    not_member = await staff.submit(
        "/admin/site-role/create",
        {"site_id": "MOCKTSDFS001 (MOCK TSDF 1)", "user_id": "testuser1", "role": "viewer"},
    )
    assert not_member.status_code == 400  # as the API answers: the user is no member there
    assert "testuser1" in not_member.text
    assert "not found" in not_member.text

    duplicate = await staff.submit(
        "/admin/org-membership/create",
        {"org_id": "Generators Org LLC", "user_id": "orgadmin", "role": "member"},
    )
    assert duplicate.status_code == 400
    assert "duplicate" in duplicate.text

    bad_document = await staff.submit(
        "/admin/rcra-site/create", {**CREATE["rcra-site"], "document": '{"siteAddress": 1}'}
    )
    assert bad_document.status_code == 400
    assert "not an RCRAInfo handler" in bad_document.text

    for url in ("/admin/user/details/not-a-uuid", "/admin/user/edit/not-a-uuid"):
        assert (await staff.client.get(url)).status_code == 404

    # A refusal is a line in the log, not an error with a traceback.
    assert "admin site refused a change" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# One set of rules behind every door: each change the admin site makes is checked the way the
# API's is, by what the affected users can then reach through the API.


async def membership_pk(app: Litestar, staff: AdminBrowser, slug: str, username: str) -> str:
    orgs = {o.slug: o for (o,) in await db_rows(app, select(OrgRow))}
    users = {u.username: u for (u,) in await db_rows(app, select(UserRow))}
    org_id, user_id = str(orgs[slug].id), str(users[username].id)
    found = [pk for pk in await staff.rows("org-membership") if org_id in pk and user_id in pk]
    assert len(found) == 1, (slug, username)
    return found[0]


async def admin_delete(staff: AdminBrowser, identity: str, pk: str) -> httpx.Response:
    return await staff.client.delete(
        f"/admin/{identity}/delete?pks={pk}", headers={"X-CSRFToken": staff.token}
    )


async def test_a_member_removed_on_the_admin_site_loses_the_org_sites_as_on_the_api(
    app: Litestar, staff: AdminBrowser, testuser1: Browser, orgadmin: Browser
) -> None:
    assert (await testuser1.get("/api/sites/VATESTGEN001")).status_code == 200
    pk = await membership_pk(app, staff, "generators-org-llc", "testuser1")
    removed = await admin_delete(staff, "org-membership", pk)
    assert removed.status_code == 200
    assert "error" not in removed.text

    # The site roles went with the membership, as the API's removal takes them.
    assert (await testuser1.get("/api/sites/VATESTGEN001")).status_code in (403, 404)
    members = (await orgadmin.get("/api/orgs/generators-org-llc/members")).json()
    assert "testuser1" not in [m["username"] for m in members]
    sites_rows = await db_rows(app, select(SitePermissionRow))
    users = {u.username: u.id for (u,) in await db_rows(app, select(UserRow))}
    assert users["testuser1"] not in [row.user_id for (row,) in sites_rows]
    removal = [e for e in await audit_entries(app) if e.action == "remove_member"]
    assert [(e.actor, e.object_id, e.detail) for e in removal] == [
        ("admin", "generators-org-llc", {"member": "testuser1", "via": "admin"})
    ]


async def test_an_org_keeps_its_last_admin_through_either_door(
    app: Litestar, staff: AdminBrowser, orgadmin: Browser
) -> None:
    pk = await membership_pk(app, staff, "generators-org-llc", "orgadmin")
    refused = await admin_delete(staff, "org-membership", pk)
    assert "at least one admin" in unquote_plus(refused.text)
    demoted = await staff.submit(f"/admin/org-membership/edit/{pk}", {"role": "member"})
    assert demoted.status_code == 400
    assert "at least one admin" in demoted.text

    api_removal = await orgadmin.delete("/api/orgs/generators-org-llc/members/orgadmin")
    assert api_removal.status_code == 409
    api_demotion = await orgadmin.put(
        "/api/orgs/generators-org-llc/members/orgadmin", json={"role": "member"}
    )
    assert api_demotion.status_code == 409
    # Still the org's admin, on both doors' evidence.
    assert (await orgadmin.get("/api/orgs/generators-org-llc/members")).status_code == 200


async def test_new_org_credentials_clear_the_failing_flag_through_either_door(
    app: Litestar, staff: AdminBrowser, orgadmin: Browser
) -> None:
    async def fail_credentials() -> None:
        async with app.state.dishka_container() as scope:
            session = await scope.get(AsyncSession)
            org = (await session.execute(select(OrgRow).where(OrgRow.slug == SLUG))).scalar_one()
            org.rcrainfo_credentials_failing = True
            await session.commit()

    async def failing() -> bool:
        (org,) = (await db_rows(app, select(OrgRow).where(OrgRow.slug == SLUG)))[0]
        return bool(org.rcrainfo_credentials_failing)

    orgs = {o.slug: o for (o,) in await db_rows(app, select(OrgRow))}
    edit_url = f"/admin/org/edit/{orgs[SLUG].id}"
    form = Form((await staff.get(edit_url)).text)
    assert "rcrainfo_credentials_failing" not in form.fields  # RCRAInfo's verdict, no input

    # A new API ID without a key is a change of credentials: the flag clears, as on the API.
    await fail_credentials()
    changed = await staff.submit(edit_url, {"rcrainfo_api_id": "another-api-id"})
    assert changed.status_code == 302
    assert not await failing()

    # A forged flag in the form changes nothing.
    await fail_credentials()
    page = Form((await staff.get(edit_url)).text).fill({"name": "Renamed Gen"})
    forged = await staff.client.post(
        edit_url, data={**page, "rcrainfo_credentials_failing": "y", "save": "Save"}
    )
    assert forged.status_code == 302
    assert await failing()

    api = await orgadmin.put(f"/api/orgs/{SLUG}/rcrainfo", json={"rcraAPIID": "api-again"})
    assert api.status_code == 200
    assert not await failing()


SLUG = "generators-org-llc"


async def test_a_site_created_on_the_admin_site_has_its_handler_as_on_the_api(
    app: Litestar, staff: AdminBrowser, orgadmin: Browser
) -> None:
    created = await staff.submit(
        "/admin/site/create", {**CREATE["site"], "org_id": "Generators Org LLC"}
    )
    assert created.status_code == 302, created.text
    handlers = await db_rows(app, select(RcraSiteRow).where(RcraSiteRow.epa_id == "VATESTSITE99"))
    assert [(h.name, h.site_type) for (h,) in handlers] == [("Created Site", "Generator")]
    # The org's admin reaches the new site through the API, with its handler.
    site = await orgadmin.get("/api/sites/VATESTSITE99")
    assert site.status_code == 200
    assert "VATESTSITE99" in site.text
    # A site already in an org is refused as the API refuses it.
    again = await staff.submit("/admin/site/create", {**CREATE["site"], "org_id": "Mock TSDF"})
    assert again.status_code == 400
    assert "already belongs to an org" in again.text


async def test_logging_out_is_a_post_with_the_csrf_token(staff: AdminBrowser) -> None:
    asked = await staff.get("/admin/logout")
    assert asked.status_code == 200
    assert 'method="POST"' in asked.text
    assert (await staff.get("/admin/user/list")).status_code == 200  # a GET logs nobody out

    assert (await staff.client.post("/admin/logout")).status_code == 403  # no token
    out = await staff.client.post("/admin/logout", data={"csrf_token": staff.token})
    assert out.status_code in (302, 303)
    assert out.headers["location"].endswith("/admin/login")
    assert_kept_out(await staff.client.get("/admin/user/list"), "after logout")


class AdjustableClock(Provider):
    """The app's clock, moved by the test: sessions age without sleeping."""

    def __init__(self, clock: FixedClock) -> None:
        super().__init__()
        self._clock = clock

    @provide(scope=Scope.APP, override=True)
    def clock(self) -> Clock:
        return self._clock


@pytest.fixture
async def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC))


@pytest.fixture
async def clocked_app(settings: Settings, clock: FixedClock) -> AsyncIterator[Litestar]:
    engine = database.create_engine(settings.database.url.reveal())
    await database.upgrade(engine)
    await engine.dispose()
    container = make_async_container(
        *providers_for_tests(), AdjustableClock(clock), context={Settings: settings}
    )
    async with container() as scope:
        seed = await scope.get(SeedDemoData)
        await seed(demo_data(DEMO_CREDENTIALS), Secret(PASSWORD))
    yield create_app(settings, container=container)
    await container.close()


HOUR = 3600


async def test_an_admin_session_ends_after_8_idle_hours(
    clocked_app: Litestar, clock: FixedClock
) -> None:
    async with http_client(clocked_app) as client:
        staff = AdminBrowser(client)
        assert (await staff.login("admin")).status_code == 302
        clock.advance(8 * HOUR - 60)
        assert (await staff.get("/admin/user/list")).status_code == 200  # seen: idle again
        clock.advance(8 * HOUR - 60)
        assert (await staff.get("/admin/user/list")).status_code == 200
        clock.advance(8 * HOUR + 60)
        assert_kept_out(await staff.client.get("/admin/user/list"), "after 8 idle hours")
        # A new login starts a new session.
        assert (await staff.login("admin")).status_code == 302
        assert (await staff.get("/admin/user/list")).status_code == 200


async def test_an_admin_session_ends_24_hours_after_its_login_however_busy(
    clocked_app: Litestar, clock: FixedClock
) -> None:
    async with http_client(clocked_app) as client:
        staff = AdminBrowser(client)
        assert (await staff.login("admin")).status_code == 302
        for _ in range(3):  # busy every 7 hours: 21 hours in
            clock.advance(7 * HOUR)
            assert (await staff.get("/admin/user/list")).status_code == 200
        clock.advance(3 * HOUR - 60)  # 24 hours less a minute
        assert (await staff.get("/admin/user/list")).status_code == 200
        clock.advance(120)
        assert_kept_out(await staff.client.get("/admin/user/list"), "after 24 hours")
