"""Sites, profile and organization pages: what each shows, each form's answers and errors,
who may do what (a member sees no admin action; a foreign site is a 404 page), an API token
shown once, and no RCRAInfo key in any page."""

from __future__ import annotations

from litestar import Litestar

from tests.web.conftest import WebUser
from tests.web.support import GEN, TSDF, mark_credentials_failing

USER_KEY = "my-own-rcrainfo-key-SECRET-1234"
ORG_KEY = "an-org-key-SECRET-5678"


def _errors(page: object) -> dict[str, str]:
    """Each field's error, by input id."""
    found = {}
    for p in page.all(".field__error:not([hidden])"):  # type: ignore[attr-defined]
        found[p["id"].removesuffix("-error")] = " ".join(p.get_text(" ", strip=True).split())
    return found


# --- sites ---------------------------------------------------------------------------------


async def test_sites_lists_the_user_s_sites_with_the_role(generator_user: WebUser) -> None:
    page = await generator_user.get("/sites")
    assert page.status == 200
    assert page.h1 == "Your sites"
    rows = page.all("tbody tr")
    assert len(rows) == 1
    assert rows[0].find("a")["href"] == f"/sites/{GEN}"
    assert "Signer" in rows[0].get_text()


async def test_a_site_page_shows_its_handler_record_manifests_and_sync(
    generator_user: WebUser,
) -> None:
    page = await generator_user.get(f"/sites/{GEN}")
    assert page.status == 200
    assert page.h1 == "VA TEST GEN 2021"
    assert "123 VA TEST GEN 2021 WAY" in page.text("#handler-h + .facts")
    assert page.one(f'a[href="/manifests?site={GEN}"]')
    form = page.one(f'form[action="/sites/{GEN}/sync"]')
    assert form["hx-post"] == f"/sites/{GEN}/sync"


async def test_another_org_s_site_is_a_404_page(generator_user: WebUser) -> None:
    page = await generator_user.get(f"/sites/{TSDF}")
    assert page.status == 404
    assert page.h1 == "Not found"
    nowhere = await generator_user.get("/sites/NOTASITE")
    assert nowhere.status == 404


async def test_sync_without_javascript_follows_the_task_on_the_site_page(
    generator_user: WebUser,
) -> None:
    answer = await generator_user.post(f"/sites/{GEN}/sync")
    assert answer.status == 303
    location = answer.response.headers["location"]
    assert location.startswith(f"/sites/{GEN}?task=")
    page = await generator_user.get(location)
    box = page.one("#site-sync")
    assert box["data-task-status"] == "PENDING"
    assert "Sync with RCRAInfo" in page.text("#site-sync")
    assert box["hx-get"].endswith("/progress?target=site-sync")


async def test_sync_with_htmx_answers_the_progress_box(generator_user: WebUser) -> None:
    page = await generator_user.htmx("POST", f"/sites/{GEN}/sync")
    assert page.status == 200
    box = page.one("#site-sync")
    task_id = box["hx-get"].split("/")[2]
    assert box["hx-get"] == f"/tasks/{task_id}/progress?target=site-sync"
    polled = await generator_user.htmx("GET", box["hx-get"])
    assert polled.one("#site-sync")["data-task-status"] == "PENDING"


async def test_a_site_whose_org_has_no_credentials_says_why_it_cannot_sync(
    app: Litestar, tsdf_user: WebUser
) -> None:
    page = await tsdf_user.get(f"/sites/{TSDF}")
    assert page.all(f'form[action="/sites/{TSDF}/sync"]') == []
    assert "Mock TSDF has no RCRAInfo API ID and key yet" in page.text("#sync-h ~ .alert")

    refused = await tsdf_user.post(f"/sites/{TSDF}/sync")
    assert refused.status == 303
    landed = await tsdf_user.get(refused.response.headers["location"])
    assert "has no RCRAInfo API ID and key" in landed.text("#flash .alert--error")

    partial = await tsdf_user.htmx("POST", f"/sites/{TSDF}/sync")
    assert partial.status == 409
    assert "RCRAInfo" in partial.text("#site-sync .alert--error")


async def test_failing_credentials_are_named_on_the_site_page(
    app: Litestar, generator_user: WebUser
) -> None:
    await mark_credentials_failing(app, "generators-org-llc")
    page = await generator_user.get(f"/sites/{GEN}")
    assert "RCRAInfo refused the credentials of Generators Org LLC" in page.text("#sync-h ~ .alert")
    assert page.all(f'form[action="/sites/{GEN}/sync"]') == []


# --- profile -------------------------------------------------------------------------------


async def test_profile_shows_the_user_s_details_and_saves_them(generator_user: WebUser) -> None:
    page = await generator_user.get("/profile")
    assert page.status == 200
    assert page.one("#f-first_name")["value"] == "Terry"
    assert page.one("#f-email")["value"] == "testuser1@haztrak.example"

    saved = await generator_user.post(
        "/profile", {"first_name": "Terri", "last_name": "Tester", "email": "t@example.org"}
    )
    assert saved.status == 303
    again = await generator_user.follow("/profile")
    assert again.one("#f-first_name")["value"] == "Terri"
    assert again.one("#f-email")["value"] == "t@example.org"


async def test_a_bad_email_is_named_at_its_field_and_in_the_summary(
    generator_user: WebUser,
) -> None:
    page = await generator_user.post(
        "/profile", {"first_name": "Terry", "last_name": "Tester", "email": "not-an-address"}
    )
    assert page.status == 400
    assert _errors(page) == {"f-email": "Error: Must be an email address."}
    assert page.one("#f-email")["aria-invalid"] == "true"
    assert page.one("#f-email")["value"] == "not-an-address"
    link = page.one("#error-summary a")
    assert link["href"] == "#f-email"


async def test_the_rcrainfo_key_is_write_only(generator_user: WebUser) -> None:
    before = await generator_user.get("/profile")
    assert "Not set" in before.text("#f-api_key-hint")

    saved = await generator_user.post(
        "/profile/rcrainfo",
        {"rcra_username": "TTESTER", "api_id": "my-api-id", "api_key": USER_KEY},
    )
    assert saved.status == 303
    page = await generator_user.follow("/profile")
    assert page.one("#f-rcra_username")["value"] == "TTESTER"
    assert page.one("#f-api_id")["value"] == "my-api-id"
    assert page.one("#f-api_key")["type"] == "password"
    assert not page.one("#f-api_key").has_attr("value")
    assert "Set." in page.text("#f-api_key-hint")
    assert USER_KEY not in page.response.text

    # a blank key keeps it; "remove" removes it
    await generator_user.post(
        "/profile/rcrainfo", {"rcra_username": "TTESTER", "api_id": "my-api-id", "api_key": ""}
    )
    assert "Set." in (await generator_user.get("/profile")).text("#f-api_key-hint")
    await generator_user.post(
        "/profile/rcrainfo",
        {"rcra_username": "TTESTER", "api_id": "my-api-id", "clear_api_key": "yes"},
    )
    assert "Not set" in (await generator_user.get("/profile")).text("#f-api_key-hint")


async def test_a_bad_phone_number_is_named_at_its_field(generator_user: WebUser) -> None:
    page = await generator_user.post(
        "/profile/rcrainfo", {"rcra_username": "T", "api_id": "", "phone_number": "12"}
    )
    assert page.status == 400
    assert _errors(page) == {"f-phone_number": "Error: Must look like 555-555-5555."}


async def test_sync_permissions_says_what_is_missing(generator_user: WebUser) -> None:
    no_name = await generator_user.post("/profile/rcrainfo/sync")
    assert no_name.status == 303
    landed = await generator_user.get(no_name.response.headers["location"].split("#")[0])
    assert "Set your RCRAInfo API ID and key first" in landed.text("#flash .alert--error")

    await generator_user.post("/profile/rcrainfo", {"api_id": "my-api-id", "api_key": USER_KEY})
    no_user = await generator_user.htmx("POST", "/profile/rcrainfo/sync")
    assert no_user.status == 409
    assert "Set your RCRAInfo user name first" in no_user.text("#permissions-sync .alert--error")

    await generator_user.post(
        "/profile/rcrainfo",
        {"rcra_username": "TTESTER", "api_id": "my-api-id"},
    )
    started = await generator_user.htmx("POST", "/profile/rcrainfo/sync")
    assert started.status == 200
    assert "Sync RCRAInfo permissions" in started.text("#permissions-sync")


async def test_a_new_api_token_is_shown_once(generator_user: WebUser) -> None:
    made = await generator_user.post("/profile/tokens", {"token_name": "nightly export"})
    assert made.status == 201
    token = made.text("#new-token-value")
    assert token.startswith("htk_")
    assert "shown this once" in made.text("#new-token")
    works = await generator_user.client.get(
        "/api/user/current-user", headers={"Authorization": f"Bearer {token}"}
    )
    assert works.status_code == 200

    page = await generator_user.get("/profile")
    assert token not in page.response.text
    assert page.all("#new-token") == []
    rows = page.all("#tokens tbody tr")
    assert len(rows) == 1
    assert "nightly export" in rows[0].get_text()
    assert token[:10] in rows[0].get_text()

    revoke = rows[0].find("form")["action"]
    gone = await generator_user.post(revoke)
    assert gone.status == 303
    after = await generator_user.follow("/profile")
    assert after.all("#tokens tbody tr") == []
    assert "revoked" in after.text("#flash")
    refused = await generator_user.client.get(
        "/api/user/current-user", headers={"Authorization": f"Bearer {token}"}
    )
    assert refused.status_code == 401


async def test_a_token_needs_a_name(generator_user: WebUser) -> None:
    page = await generator_user.post("/profile/tokens", {"token_name": "  "})
    assert page.status == 400
    assert _errors(page) == {"f-token_name": "Error: Must be 1-100 characters."}
    assert page.all("#new-token") == []


async def test_another_user_s_token_cannot_be_revoked(
    generator_user: WebUser, transporter_user: WebUser
) -> None:
    await generator_user.post("/profile/tokens", {"token_name": "mine"})
    revoke = (await generator_user.get("/profile")).one("#tokens tbody form")["action"]
    page = await transporter_user.post(revoke)
    assert page.status == 404


async def test_a_form_without_the_csrf_token_is_refused(generator_user: WebUser) -> None:
    response = await generator_user.client.post("/profile", data={"first_name": "X"})
    assert response.status_code == 403


# --- organization --------------------------------------------------------------------------


async def test_org_goes_to_the_user_s_only_org(generator_user: WebUser) -> None:
    page = await generator_user.get("/org")
    assert page.status == 303
    assert page.response.headers["location"] == "/org/generators-org-llc"


async def test_a_member_sees_the_org_read_only(generator_user: WebUser) -> None:
    page = await generator_user.get("/org/generators-org-llc")
    assert page.status == 200
    assert page.h1 == "Generators Org LLC"
    assert page.all("form") == [page.one('form[action="/logout"]')]
    assert page.all("#members") == []
    assert page.all("#credentials") == []
    assert "Only the organization's admins" in page.text(".alert")
    assert page.one(f'#sites a[href="/sites/{GEN}"]')


async def test_a_member_s_admin_action_is_refused(generator_user: WebUser) -> None:
    page = await generator_user.post(
        "/org/generators-org-llc/members", {"username": "tsdf1", "role": "admin"}
    )
    assert page.status == 403
    assert page.h1 == "Not allowed"
    creds = await generator_user.post(
        "/org/generators-org-llc/credentials", {"api_id": "x", "api_key": "y"}
    )
    assert creds.status == 403


async def test_another_org_is_a_404_page(generator_user: WebUser) -> None:
    page = await generator_user.get("/org/mock-tsdf")
    assert page.status == 404


async def test_an_admin_sees_members_with_their_site_roles(org_admin: WebUser) -> None:
    page = await org_admin.get("/org/generators-org-llc")
    names = [h.get_text(strip=True) for h in page.all(".member__name")]
    assert names == ["Oscar Orgadmin", "Terry Tester"]
    roles = page.all(".member__roles li")
    assert [" ".join(r.get_text(" ", strip=True).split()) for r in roles] == [f"{GEN} : signer"]
    assert page.one('#credentials form[action="/org/generators-org-llc/credentials"]')


async def test_an_admin_adds_a_member_and_gives_a_site_role(org_admin: WebUser) -> None:
    added = await org_admin.post(
        "/org/generators-org-llc/members", {"username": "tsdf1", "role": "member"}
    )
    assert added.status == 303
    role = await org_admin.post(
        "/org/generators-org-llc/site-roles",
        {"username": "tsdf1", "epa_id": GEN, "role": "preparer"},
    )
    assert role.status == 303
    page = await org_admin.follow("/org/generators-org-llc")
    assert "tsdf1 has preparer on VATESTGEN001 now." in page.text("#flash")
    member = next(m for m in page.all(".member") if "tsdf1" in m.get_text())
    assert "preparer" in member.select_one(".member__roles").get_text()

    removed = await org_admin.post("/org/generators-org-llc/members/remove", {"username": "tsdf1"})
    assert removed.status == 303
    after = await org_admin.follow("/org/generators-org-llc")
    assert all("tsdf1" not in m.get_text() for m in after.all(".member"))


async def test_an_unknown_user_is_named_at_the_username_field(org_admin: WebUser) -> None:
    page = await org_admin.post(
        "/org/generators-org-llc/members", {"username": "nobody-here", "role": "member"}
    )
    assert page.status == 400
    assert _errors(page) == {"f-member-username": "Error: No user is called 'nobody-here'."}
    assert page.one("#error-summary a")["href"] == "#f-member-username"


async def test_a_site_of_another_org_is_refused_at_the_site_field(org_admin: WebUser) -> None:
    page = await org_admin.post(
        "/org/generators-org-llc/site-roles",
        {"username": "testuser1", "epa_id": TSDF, "role": "viewer"},
    )
    assert page.status == 400
    assert "is not a site of org" in _errors(page)["f-role-testuser1-epa_id"]


async def test_the_last_admin_cannot_be_removed(org_admin: WebUser) -> None:
    page = await org_admin.post("/org/generators-org-llc/members/remove", {"username": "orgadmin"})
    assert page.status == 303
    landed = await org_admin.follow(page.response.headers["location"].split("#")[0])
    assert "keeps at least one admin" in landed.text("#flash .alert--error")


async def test_org_credentials_are_write_only_and_say_whether_they_work(
    app: Litestar, org_admin: WebUser
) -> None:
    page = await org_admin.get("/org/generators-org-llc")
    assert "Working" in page.text("#credentials .alert")

    await mark_credentials_failing(app, "generators-org-llc")
    failing = await org_admin.get("/org/generators-org-llc")
    assert "Not working" in failing.text("#credentials .alert")

    saved = await org_admin.post(
        "/org/generators-org-llc/credentials", {"api_id": "new-api-id", "api_key": ORG_KEY}
    )
    assert saved.status == 303
    after = await org_admin.follow("/org/generators-org-llc")
    assert "Working" in after.text("#credentials .alert")
    assert after.one("#f-credentials-api_id")["value"] == "new-api-id"
    assert ORG_KEY not in after.response.text
    assert not after.one("#f-credentials-api_key").has_attr("value")
