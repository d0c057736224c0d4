"""Sign in and out, the way back after signing in, messages instead of raw JSON, and one
session for the UI and the API."""

from __future__ import annotations

import pytest

from tests.web.conftest import WebUser


async def test_root_goes_to_sign_in_with_a_return_path(visitor: WebUser) -> None:
    home = await visitor.get("/")
    assert home.status == 303
    assert home.response.headers["location"] == "/dashboard"
    dashboard = await visitor.get("/dashboard")
    assert dashboard.status == 303
    assert dashboard.response.headers["location"] == "/login?next=/dashboard"


async def test_sign_in_page_has_labelled_inputs_and_a_csrf_field(visitor: WebUser) -> None:
    page = await visitor.get("/login?next=/manifests")
    assert page.status == 200
    form = page.one("form[action='/login']")
    assert form.select_one("input[name=next]")["value"] == "/manifests"
    assert form.select_one("input[name=csrf_token]")["value"] == visitor.csrf
    for name in ("username", "password"):
        field = form.select_one(f"input[name={name}]")
        assert page.one(f"label[for={field['id']}]").get_text(strip=True)


async def test_signing_in_returns_to_the_page_asked_for(visitor: WebUser) -> None:
    await visitor.get("/login")
    answer = await visitor.post(
        "/login", {"username": "testuser1", "password": "demo-password", "next": "/sites"}
    )
    assert answer.status == 303
    assert answer.response.headers["location"] == "/sites"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/\\evil"])
async def test_the_return_path_stays_on_this_site(visitor: WebUser, target: str) -> None:
    await visitor.get("/login")
    answer = await visitor.post(
        "/login", {"username": "testuser1", "password": "demo-password", "next": target}
    )
    assert answer.response.headers["location"] == "/dashboard"


async def test_a_wrong_password_is_a_message_on_the_form(visitor: WebUser) -> None:
    await visitor.get("/login")
    page = await visitor.post("/login", {"username": "testuser1", "password": "nope"})
    assert page.status == 400
    assert page.response.headers["content-type"].startswith("text/html")
    assert page.text("[role=alert]") == "The username or password is not correct."
    assert page.one("input[name=username]")["value"] == "testuser1"


async def test_the_rate_limit_is_a_message_on_the_form(visitor: WebUser) -> None:
    await visitor.get("/login")
    for _ in range(5):
        await visitor.post("/login", {"username": "tsdf1", "password": "wrong"})
    page = await visitor.post("/login", {"username": "tsdf1", "password": "demo-password"})
    assert page.status == 429
    assert "Too many failed sign-ins" in page.text("[role=alert]")


async def test_a_form_without_its_csrf_token_is_refused(visitor: WebUser) -> None:
    await visitor.get("/login")
    response = await visitor.client.post(
        "/login", data={"username": "testuser1", "password": "demo-password"}
    )
    assert response.status_code == 403
    assert visitor.client.cookies.get("sessionid") is None


async def test_one_session_for_the_ui_and_the_api(generator_user: WebUser) -> None:
    api = await generator_user.client.get("/api/user/current-user")
    assert api.status_code == 200
    assert api.json()["username"] == "testuser1"


async def test_an_api_login_opens_the_ui(visitor: WebUser) -> None:
    await visitor.client.get("/api/browser/v1/auth/session")
    login = await visitor.client.post(
        "/api/browser/v1/auth/login",
        json={"username": "testuser1", "password": "demo-password"},
        headers={"X-CSRFToken": visitor.csrf},
    )
    assert login.status_code == 200
    page = await visitor.get("/dashboard")
    assert page.status == 200
    assert page.text(".site-user__name") == "testuser1"


async def test_sign_out_ends_the_session_for_both(generator_user: WebUser) -> None:
    page = await generator_user.post("/logout")
    assert page.status == 303
    assert page.response.headers["location"] == "/login"
    after = await generator_user.follow("/login")
    assert after.text("#flash [role=status]") == "You are signed out."
    assert (await generator_user.client.get("/api/user/current-user")).status_code == 401


async def test_pages_forbid_framing_and_inline_script(generator_user: WebUser) -> None:
    page = await generator_user.get("/dashboard")
    policy = page.response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert not [s for s in page.all("script") if not s.get("src")]
    assert not page.all("[style]")


async def test_static_assets_are_content_addressed(visitor: WebUser) -> None:
    page = await visitor.get("/login")
    sheet = page.one("link[rel=stylesheet]")["href"]
    assert sheet.startswith("/static/app.css?v=")
    asset = await visitor.client.get(sheet)
    assert asset.status_code == 200
    assert "max-age=31536000" in asset.headers["cache-control"]
