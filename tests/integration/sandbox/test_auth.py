"""Authentication as RCRAInfo does it: tokens, expiry, lockout, and the client's base URL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from emanifest import RcrainfoClient, new_client
from emanifest.client import RCRAINFO_PREPROD

from haztrak.entrypoints.sandbox import SandboxServer
from tests.integration.sandbox.support import (
    ERROR_FIELDS,
    GENERATOR_MANAGER,
    TRANSPORTER_MANAGER,
    ClientFactory,
    Control,
)


def raw_get(client: RcrainfoClient, path: str) -> requests.Response:
    return client.get(client.base_url + path, timeout=10)


def test_good_credentials_get_a_token_that_lives_twenty_minutes(
    make_client: ClientFactory,
) -> None:
    client = make_client(GENERATOR_MANAGER)
    client.authenticate()
    assert client.is_authenticated
    assert client.token.count(".") == 2  # a JWT, like RCRAInfo's
    lifetime = client.token_expiration - datetime.now(UTC)
    assert timedelta(minutes=19) < lifetime <= timedelta(minutes=20)


def test_bad_credentials_leave_the_client_unauthenticated_with_an_epa_error(
    make_client: ClientFactory, base_url: str
) -> None:
    client = make_client(("no-such-api-id", "wrong-key"))
    client.authenticate()
    assert not client.is_authenticated
    response = client.get(f"{base_url}v1/auth/no-such-api-id/wrong-key", timeout=10)
    assert response.status_code == 401
    error = response.json()
    assert set(error) == ERROR_FIELDS
    assert error["code"] == "E_SecurityApiInvalidCredentials"


def test_three_failed_logins_lock_the_api_id(
    make_client: ClientFactory, base_url: str, control: Control
) -> None:
    api_id, api_key = TRANSPORTER_MANAGER
    session = make_client(TRANSPORTER_MANAGER)
    try:
        codes = [
            session.get(f"{base_url}v1/auth/{api_id}/not-the-key", timeout=10).json()["code"]
            for _ in range(3)
        ]
        assert codes == [
            "E_SecurityApiInvalidCredentials",
            "E_SecurityApiInvalidCredentials",
            "E_SecurityApiIdLocked",
        ]
        locked = session.get(f"{base_url}v1/auth/{api_id}/{api_key}", timeout=10)
        assert locked.status_code == 401
        assert locked.json()["code"] == "E_SecurityApiIdLocked"
        session.authenticate()
        assert not session.is_authenticated
    finally:
        assert control.post("reset").status_code == 200
    fresh = make_client(TRANSPORTER_MANAGER)
    fresh.authenticate()
    assert fresh.is_authenticated


def test_every_other_service_needs_a_valid_bearer_token(
    make_client: ClientFactory, base_url: str
) -> None:
    client = make_client(GENERATOR_MANAGER)
    anonymous = client.get(f"{base_url}v1/site-details/VATESTGEN001", timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "E_SecurityApiTokenInvalid"
    forged = client.get(
        f"{base_url}v1/site-details/VATESTGEN001",
        headers={"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"},
        timeout=10,
    )
    assert forged.status_code == 401
    assert forged.json()["code"] == "E_SecurityApiTokenInvalid"


def test_tokens_expire_after_twenty_minutes_of_sandbox_time(
    make_client: ClientFactory, control: Control
) -> None:
    client = make_client(GENERATOR_MANAGER)
    assert client.get_site("VATESTGEN001").ok
    control.post("clock", {"advanceSeconds": 19 * 60})
    assert client.get_site("VATESTGEN001").ok
    control.post("clock", {"advanceSeconds": 61})
    # The client trusts its own clock, so it sends the stale token, as it would to EPA.
    expired = client.get_site("VATESTGEN001")
    assert expired.status_code == 401
    assert expired.json()["code"] == "E_SecurityApiTokenExpired"
    client.authenticate()
    assert client.get_site("VATESTGEN001").ok


def test_the_token_lifetime_is_configurable(make_client: ClientFactory, control: Control) -> None:
    assert control.post("faults", {"tokenTtlSeconds": 60}).status_code == 200
    client = make_client(GENERATOR_MANAGER)
    client.authenticate()
    lifetime = client.token_expiration - datetime.now(UTC)
    assert timedelta(seconds=30) < lifetime <= timedelta(seconds=60)


def test_the_client_keeps_the_sandbox_https_url(base_url: str, make_client: ClientFactory) -> None:
    assert base_url.startswith("https://127.0.0.1:")
    assert RcrainfoClient(base_url).base_url == base_url
    assert new_client(base_url).base_url == base_url
    client = make_client(GENERATOR_MANAGER)
    response = client.get_site("VATESTGEN001")
    assert response.ok
    assert response.response.url.startswith(base_url)


def test_a_url_without_https_would_silently_become_preprod(sandbox: SandboxServer) -> None:
    """Why the sandbox serves HTTPS only: the client swaps any other URL for EPA's preprod."""
    plain = sandbox.base_url.replace("https://", "http://")
    assert RcrainfoClient(plain).base_url == RCRAINFO_PREPROD


def test_client_trust_env_lets_ca_bundle_variables_override_verify(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`client.verify = cert_path` is not enough when REQUESTS_CA_BUNDLE is set: requests
    prefers the variable. The adapter must also set `trust_env = False` (or pass `verify`)."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", requests.certs.where())
    client = RcrainfoClient(sandbox.base_url, api_id=GENERATOR_MANAGER[0], api_key="x")
    client.verify = str(sandbox.cert_path)
    try:
        with pytest.raises(requests.exceptions.SSLError):
            client.authenticate()
        client.trust_env = False
        client.authenticate(api_key=GENERATOR_MANAGER[1])
        assert client.is_authenticated
    finally:
        client.close()
