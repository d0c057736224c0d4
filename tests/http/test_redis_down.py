"""Redis unreachable: a login says so (503) instead of handing out a session that is not kept,
and what does not need Redis keeps working."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar

from haztrak.application.identity.auth import CreateApiToken
from haztrak.application.ports.persistence import UserRepository
from haztrak.entrypoints.settings import Settings, load_settings
from tests.http.conftest import Browser


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A local port that refuses connections: bound (so nobody else takes it), not listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


@pytest.fixture
def settings(tmp_path: Path, closed_port: int) -> Settings:
    return load_settings(
        {
            "HT_VAR_DIR": str(tmp_path / "var"),
            "HT_SECRET_KEY": "test-secret-key-" + "x" * 32,
            "HT_LOG_LEVEL": "CRITICAL",
            "HT_REDIS_URL": f"redis://:hunter2@127.0.0.1:{closed_port}/0",
        },
        dotenv=None,
    )


async def test_login_is_503_with_a_problem_when_sessions_cannot_be_kept(
    anonymous: Browser,
) -> None:
    response = await anonymous.login("testuser1")

    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"]
    problem = response.json()
    assert problem["status"] == 503
    assert "sessions cannot be kept now" in problem["detail"]
    assert "hunter2" not in response.text
    assert "sessionid" not in anonymous.client.cookies


async def test_a_wrong_password_is_503_too_so_guesses_are_not_unlimited(
    anonymous: Browser,
) -> None:
    """The login rate limit is counted in Redis: without it, refuse before checking the
    password, or a right guess would stand out from the wrong ones, with no limit."""
    wrong = await anonymous.login("testuser1", "not-the-password")
    unknown = await anonymous.login("nobody-at-all", "not-the-password")

    assert wrong.status_code == unknown.status_code == 503
    assert wrong.json()["detail"] == unknown.json()["detail"]


async def test_a_session_cookie_is_503_not_a_logout_while_redis_is_down(
    anonymous: Browser,
) -> None:
    anonymous.client.cookies.set("sessionid", "some-session-from-before")

    session = await anonymous.get("/api/browser/v1/auth/session")
    me = await anonymous.get("/api/user/current-user")

    assert session.status_code == 503
    assert me.status_code == 503
    # The browser keeps its cookie: when Redis is back, the session is still good.
    assert "sessionid=" not in session.headers.get("set-cookie", "")


async def test_reads_with_an_api_token_keep_working(app: Litestar, anonymous: Browser) -> None:
    async with app.state.dishka_container() as scope:
        user = await (await scope.get(UserRepository)).by_username("testuser1")
        assert user is not None
        _, raw = await (await scope.get(CreateApiToken))(user, "redis-is-down")
    bearer = {"Authorization": f"Bearer {raw.reveal()}"}

    me = await anonymous.get("/api/user/current-user", headers=bearer)
    manifests = await anonymous.get("/api/manifest", headers=bearer)

    assert me.status_code == 200
    assert me.json()["username"] == "testuser1"
    assert manifests.status_code == 200
