"""Secrets never reach the logs: passwords, API keys, session ids, tokens."""

from __future__ import annotations

import logging

import pytest

from tests.http.conftest import PASSWORD, Browser


async def test_no_secret_is_logged(
    anonymous: Browser, orgadmin: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await anonymous.login("testuser1", "wrong-password-123")
    await anonymous.login("testuser1")
    session_id = anonymous.client.cookies.get("sessionid")
    csrf = anonymous.client.cookies.get("csrftoken")
    token = (await anonymous.post("/api/user/tokens", json={"name": "t"})).json()["token"]
    await anonymous.get("/api/user/current-user", headers={"Authorization": f"Bearer {token}"})
    await anonymous.put(
        "/api/rcrainfo-profile/testuser1",
        json={"rcraAPIID": "id", "rcraAPIKey": "user-api-key-VALUE"},
    )
    await orgadmin.put(
        "/api/orgs/generators-org-llc/rcrainfo",
        json={"rcraAPIID": "id", "rcraAPIKey": "org-api-key-VALUE"},
    )
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert "GET /api/user/current-user 200" in caplog.text  # requests are logged...
    for secret in (
        PASSWORD,
        "wrong-password-123",
        session_id,
        csrf,
        token,
        "user-api-key-VALUE",
        "org-api-key-VALUE",
    ):
        assert secret
        assert secret not in logged  # ...but nothing secret in them
