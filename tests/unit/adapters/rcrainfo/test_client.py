"""The client subclass and its logging: nothing prints a key or a token; no network here."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from haztrak.adapters.rcrainfo import EmanifestRcrainfo, RcrainfoEndpoint
from haztrak.adapters.rcrainfo.client import EmanifestClient, RedactLoginPaths
from haztrak.adapters.security.clock import SystemClock

ENDPOINT = RcrainfoEndpoint(base_url="https://127.0.0.1:9/rest/api/", verify="/tmp/cert.pem")


@pytest.fixture
def client() -> Iterator[EmanifestClient]:
    made = EmanifestClient(ENDPOINT, timeout=3, pool_size=4)
    yield made
    made.close()


def test_the_client_keeps_the_url_and_trusts_only_what_it_is_told(client: EmanifestClient) -> None:
    assert client.base_url == ENDPOINT.base_url
    assert client.verify == "/tmp/cert.pem"
    assert client.trust_env is False
    assert client.auto_renew is False
    assert client.timeout == 3


def test_no_repr_shows_credentials(client: EmanifestClient) -> None:
    # What `authenticate()` keeps on the client (the original repr prints both).
    vars(client)["_RcrainfoClient__api_id"] = "THE-API-ID"
    vars(client)["_RcrainfoClient__api_key"] = "THE-API-KEY"
    assert "THE-API-KEY" in super(EmanifestClient, client).__repr__()
    for text in (repr(client), str(client), f"{client}"):
        assert "THE-API-KEY" not in text
        assert "THE-API-ID" not in text
    adapter = EmanifestRcrainfo(ENDPOINT, clock=SystemClock())
    assert repr(adapter) == "<EmanifestRcrainfo https://127.0.0.1:9/rest/api/>"
    adapter.close()


def test_an_adopted_token_is_used_for_the_following_calls(client: EmanifestClient) -> None:
    assert not client.is_authenticated
    assert client.token_expires_at() is None
    expires = datetime.now(UTC) + timedelta(minutes=15)
    client.adopt_token("a.shared.token", expires)
    assert client.is_authenticated
    assert client.token == "a.shared.token"
    assert client.token_expires_at() == expires
    assert client.headers["Authorization"] == "Bearer a.shared.token"


def test_login_paths_are_redacted_from_log_records() -> None:
    record = logging.LogRecord(
        "urllib3.connectionpool",
        logging.DEBUG,
        __file__,
        1,
        '%s://%s:%s "%s %s %s" %s %s',
        ("https", "127.0.0.1", 443, "GET", "/rest/api/v1/auth/THE-ID/THE-KEY", "HTTP/1.1", 200, 10),
        None,
    )
    assert RedactLoginPaths().filter(record)
    message = record.getMessage()
    assert "THE-KEY" not in message
    assert "THE-ID" not in message
    assert "/rest/api/v1/auth/***" in message


def test_urllib3_cannot_log_urls_at_debug() -> None:
    logger = logging.getLogger("urllib3.connectionpool")
    assert logger.level >= logging.WARNING
    assert any(isinstance(f, RedactLoginPaths) for f in logger.filters)


def test_the_adapter_needs_a_concurrency_of_one_at_least() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        EmanifestRcrainfo(ENDPOINT, clock=SystemClock(), concurrency=0)
