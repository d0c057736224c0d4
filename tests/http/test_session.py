"""Cookie sessions as the browser client uses them: login, session, logout, CSRF."""

from __future__ import annotations

from litestar import Litestar

from tests.http.conftest import PASSWORD, Browser, http_client


async def test_session_without_login_is_401_and_sets_a_csrf_cookie(anonymous: Browser) -> None:
    response = await anonymous.get("/api/browser/v1/auth/session")
    assert response.status_code == 401
    assert response.json() == {
        "status": 401,
        "data": {"flows": [{"id": "login"}]},
        "meta": {"is_authenticated": False},
    }
    assert anonymous.client.cookies.get("csrftoken")


async def test_login_answers_in_allauth_shape_and_sets_an_httponly_session(
    anonymous: Browser,
) -> None:
    response = await anonymous.login("testuser1")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == 200
    assert body["meta"] == {"is_authenticated": True}
    assert body["data"]["user"]["username"] == "testuser1"
    assert body["data"]["user"]["has_usable_password"] is True
    assert body["data"]["methods"][0]["method"] == "password"
    session_cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith("sessionid=")
    )
    assert "HttpOnly" in session_cookie
    assert "SameSite=lax" in session_cookie or "SameSite=Lax" in session_cookie
    csrf_cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith("csrftoken=")
    )
    assert "HttpOnly" not in csrf_cookie

    session = await anonymous.get("/api/browser/v1/auth/session")
    assert session.status_code == 200
    assert session.json()["data"]["user"]["username"] == "testuser1"


async def test_wrong_password_is_400_in_allauth_shape(anonymous: Browser) -> None:
    response = await anonymous.login("testuser1", "not-the-password")
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "errors": [
            {
                "message": "The username and/or password you specified are not correct.",
                "code": "username_password_mismatch",
                "param": "password",
            }
        ],
    }
    unknown = await anonymous.login("nobody-at-all", PASSWORD)
    assert unknown.json() == response.json()


async def test_login_body_problems_name_the_field(anonymous: Browser) -> None:
    await anonymous.get("/api/browser/v1/auth/session")
    response = await anonymous.post("/api/browser/v1/auth/login", json={"username": "x"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["param"] == "password"
    not_json = await anonymous.post(
        "/api/browser/v1/auth/login",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert 400 <= not_json.status_code < 500


async def test_login_without_the_csrf_token_is_refused(anonymous: Browser) -> None:
    await anonymous.get("/api/browser/v1/auth/session")
    response = await anonymous.client.post(
        "/api/browser/v1/auth/login", json={"username": "testuser1", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


async def test_unsafe_request_with_a_session_needs_the_csrf_header(testuser1: Browser) -> None:
    without = await testuser1.client.put("/api/user/current-user", json={"firstName": "Mallory"})
    assert without.status_code == 403
    wrong = await testuser1.client.put(
        "/api/user/current-user",
        json={"firstName": "Mallory"},
        headers={"X-CSRFToken": "forged"},
    )
    assert wrong.status_code == 403
    me = await testuser1.get("/api/user/current-user")
    assert me.json()["firstName"] != "Mallory"
    # the header name is case-insensitive: the original client sends X-CSRFTOKEN
    token = testuser1.client.cookies.get("csrftoken")
    ok = await testuser1.client.put(
        "/api/user/current-user", json={"firstName": "Terry"}, headers={"X-CSRFTOKEN": token}
    )
    assert ok.status_code == 200
    assert ok.json()["firstName"] == "Terry"


async def test_logout_ends_the_session(testuser1: Browser) -> None:
    response = await testuser1.post("/api/browser/v1/auth/logout")
    assert response.status_code == 200
    assert response.json()["meta"] == {"is_authenticated": False}
    assert (await testuser1.get("/api/user/current-user")).status_code == 401


async def test_delete_session_logs_out_with_401(testuser1: Browser) -> None:
    stolen_cookie = testuser1.client.cookies.get("sessionid")
    response = await testuser1.delete("/api/browser/v1/auth/session")
    assert response.status_code == 401
    assert response.json()["meta"]["is_authenticated"] is False
    # the old session id no longer works, even if someone kept it
    testuser1.client.cookies.set("sessionid", stolen_cookie or "")
    assert (await testuser1.get("/api/user/current-user")).status_code == 401


async def test_login_is_rate_limited_per_username(app: Litestar) -> None:
    async with http_client(app) as client:
        browser = Browser(client)
        statuses = [(await browser.login("testuser1", f"wrong-{i}")).status_code for i in range(6)]
        assert statuses == [400, 400, 400, 400, 400, 429]
        # even the right password is refused while the limit holds
        limited = await browser.login("testuser1")
        assert limited.status_code == 429
        assert limited.headers["Retry-After"]
        # another user is not affected
        assert (await browser.login("tsdf1")).status_code == 200


async def test_login_is_rate_limited_per_client_address(app: Litestar) -> None:
    async with http_client(app) as client:
        browser = Browser(client)
        statuses = [(await browser.login(f"user{i}", "wrong")).status_code for i in range(21)]
        assert statuses[:20] == [400] * 20
        assert statuses[20] == 429
