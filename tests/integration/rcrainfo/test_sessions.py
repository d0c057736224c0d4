"""How the adapter holds its sessions with RCRAInfo, on the sandbox with its faults and clock:
the base URL, tokens and their renewal, refused credentials, transient failures, concurrency,
and secrets that never show."""

from __future__ import annotations

import asyncio
import logging
import time

import msgspec
import pytest
from emanifest import RcrainfoClient
from emanifest.client import RCRAINFO_PREPROD, RCRAINFO_PROD

from haztrak.adapters.cache.memory import MemoryCache
from haztrak.adapters.rcrainfo import (
    RCRAINFO_PREPROD as OUR_PREPROD,
)
from haztrak.adapters.rcrainfo import (
    RCRAINFO_PROD as OUR_PROD,
)
from haztrak.adapters.rcrainfo import (
    EmanifestRcrainfo,
    InvalidEndpoint,
    RcrainfoEndpoint,
)
from haztrak.adapters.rcrainfo.adapter import account_id
from haztrak.adapters.rcrainfo.client import EmanifestClient
from haztrak.adapters.security.clock import SystemClock
from haztrak.adapters.security.encryption import FernetSecretBox
from haztrak.application.ports.rcrainfo import (
    RcrainfoCredentials,
    RcrainfoError,
    RcrainfoErrorKind,
)
from haztrak.application.rcrainfo.tokens import RcrainfoTokenStore
from haztrak.domain.secrets import Secret
from haztrak.entrypoints.sandbox import SandboxServer
from tests.integration.rcrainfo.conftest import AdapterFactory, credentials
from tests.integration.sandbox.support import (
    GENERATOR_MANAGER,
    TRANSPORTER_MANAGER,
    TSDF_MANAGER,
    Control,
)

Kind = RcrainfoErrorKind
SITE = "VATESTGEN001"
GENERATOR = credentials(GENERATOR_MANAGER)


def grants(sandbox: SandboxServer, api_id: str) -> int:
    """How many tokens the sandbox has issued to the API ID (logins that succeeded)."""
    with sandbox.state.lock:
        return sum(1 for grant in sandbox.state.tokens.values() if grant.api_id == api_id)


def token_store(cache: MemoryCache, sandbox: SandboxServer) -> RcrainfoTokenStore:
    box = FernetSecretBox(Secret("a secret key for the tests, long enough to pass"))
    return RcrainfoTokenStore(cache, box, SystemClock(), sandbox.base_url)


# -- the base URL ----------------------------------------------------------------------------


def test_our_epa_urls_are_the_clients() -> None:
    assert (OUR_PREPROD, OUR_PROD) == (RCRAINFO_PREPROD, RCRAINFO_PROD)


def test_the_client_would_swap_a_url_without_https_for_preprod() -> None:
    """Why endpoints take https URLs only: the client itself says nothing."""
    assert RcrainfoClient("http://127.0.0.1:8001/rest/api/").base_url == RCRAINFO_PREPROD
    for url in ("http://127.0.0.1:8001/rest/api/", "127.0.0.1:8001/rest/api/", "sandbox"):
        with pytest.raises(InvalidEndpoint, match="https://"):
            RcrainfoEndpoint(base_url=url)
    with pytest.raises(InvalidEndpoint, match="end with /"):
        RcrainfoEndpoint(base_url="https://127.0.0.1:8001/rest/api")


async def test_a_sandbox_url_is_used_as_given_never_replaced_by_preprod(
    adapter: EmanifestRcrainfo, sandbox: SandboxServer, sandbox_endpoint: RcrainfoEndpoint
) -> None:
    client = EmanifestClient(sandbox_endpoint, timeout=5, pool_size=1)
    assert client.base_url == sandbox.base_url
    assert client.trust_env is False
    assert client.verify == str(sandbox.cert_path)
    client.close()

    before = grants(sandbox, GENERATOR.api_id)
    # MOCKTRANS001 exists only in the sandbox: the answer proves where the call went.
    site = await adapter.get_site(GENERATOR, "MOCKTRANS001")
    assert site.name == "MOCK TRANSPORTER 1"
    assert grants(sandbox, GENERATOR.api_id) == before + 1


async def test_the_sandbox_certificate_is_trusted_whatever_the_ca_bundle_variables_say(
    adapter: EmanifestRcrainfo, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    """requests lets REQUESTS_CA_BUNDLE override a session's `verify` on the login request;
    the client turns the environment off."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/ca.pem")
    monkeypatch.setenv("CURL_CA_BUNDLE", "/nonexistent/ca.pem")
    assert (await adapter.get_site(GENERATOR, SITE)).epa_site_id == SITE


async def test_an_untrusted_certificate_is_transient_and_not_a_refusal(
    make_adapter: AdapterFactory, sandbox: SandboxServer
) -> None:
    untrusting = make_adapter(RcrainfoEndpoint(base_url=sandbox.base_url))  # system CAs
    with pytest.raises(RcrainfoError) as caught:
        await untrusting.get_site(GENERATOR, SITE)
    assert caught.value.kind is Kind.TRANSIENT
    assert "SSLError" in caught.value.message


# -- tokens ----------------------------------------------------------------------------------


async def test_concurrent_calls_of_one_org_log_in_once(
    adapter: EmanifestRcrainfo, sandbox: SandboxServer
) -> None:
    before = grants(sandbox, GENERATOR.api_id)
    sites = await asyncio.gather(*(adapter.get_site(GENERATOR, SITE) for _ in range(8)))
    assert {site.epa_site_id for site in sites} == {SITE}
    assert grants(sandbox, GENERATOR.api_id) == before + 1


async def test_a_token_that_expires_mid_session_is_renewed_transparently(
    adapter: EmanifestRcrainfo, sandbox: SandboxServer, control: Control
) -> None:
    before = grants(sandbox, GENERATOR.api_id)
    await adapter.get_site(GENERATOR, SITE)
    # Twenty-one minutes later for RCRAInfo; our client still thinks its token is good.
    assert control.post("clock", {"advanceSeconds": 21 * 60}).status_code == 200
    assert (await adapter.get_site(GENERATOR, SITE)).epa_site_id == SITE
    assert grants(sandbox, GENERATOR.api_id) == before + 2

    # RCRAInfo ends every token at once: the next call logs in again and goes through.
    assert control.post("faults", {"expireTokens": True}).json()["expiredTokens"] >= 1
    mtns = await adapter.site_tracking_numbers(GENERATOR, SITE)
    assert mtns
    assert grants(sandbox, GENERATOR.api_id) == before + 3


async def test_a_token_is_renewed_a_minute_before_it_expires(
    adapter: EmanifestRcrainfo,
    sandbox: SandboxServer,
    control: Control,
    caplog: pytest.LogCaptureFixture,
) -> None:
    control.post("faults", {"tokenTtlSeconds": 50})
    before = grants(sandbox, GENERATOR.api_id)
    with caplog.at_level(logging.INFO, logger="haztrak.rcrainfo"):
        await adapter.get_site(GENERATOR, SITE)
        await adapter.get_site(GENERATOR, SITE)
    # Fifty seconds left is less than a minute: the second call logged in before it called,
    # so RCRAInfo never had to refuse a token.
    assert grants(sandbox, GENERATOR.api_id) == before + 2
    assert "refused the token" not in caplog.text


async def test_workers_share_an_orgs_token_through_the_cache(
    make_adapter: AdapterFactory,
    sandbox: SandboxServer,
    sandbox_endpoint: RcrainfoEndpoint,
) -> None:
    cache = MemoryCache()
    workers = [
        make_adapter(sandbox_endpoint, tokens=token_store(cache, sandbox), cache=cache)
        for _ in range(3)
    ]
    before = grants(sandbox, GENERATOR.api_id)
    for worker in workers:
        await worker.get_site(GENERATOR, SITE)
    assert grants(sandbox, GENERATOR.api_id) == before + 1

    shared = await token_store(cache, sandbox).get(account_id(sandbox.base_url, GENERATOR))
    assert shared is not None
    stored = b"".join(cache._entries[key][1] for key in cache._entries)
    assert shared.token.reveal().encode() not in stored  # encrypted at rest
    assert GENERATOR.api_id.encode() not in b"".join(k.encode() for k in cache._entries)


async def test_a_shared_token_that_rcrainfo_no_longer_takes_is_replaced(
    make_adapter: AdapterFactory,
    sandbox: SandboxServer,
    sandbox_endpoint: RcrainfoEndpoint,
    control: Control,
) -> None:
    cache = MemoryCache()
    first = make_adapter(sandbox_endpoint, tokens=token_store(cache, sandbox), cache=cache)
    second = make_adapter(sandbox_endpoint, tokens=token_store(cache, sandbox), cache=cache)
    await first.get_site(GENERATOR, SITE)
    control.post("faults", {"expireTokens": True})
    before = grants(sandbox, GENERATOR.api_id)
    await second.get_site(GENERATOR, SITE)  # adopts the dead shared token, then logs in
    await first.get_site(GENERATOR, SITE)  # refused once, then takes second's new token
    assert grants(sandbox, GENERATOR.api_id) == before + 1


# -- refused credentials ---------------------------------------------------------------------


async def test_a_bad_key_stops_after_one_attempt_and_the_api_id_is_not_locked(
    adapter: EmanifestRcrainfo, sandbox: SandboxServer
) -> None:
    api_id = TSDF_MANAGER[0]
    bad = RcrainfoCredentials(api_id=api_id, api_key=Secret("not-the-key"))
    errors = []
    for _ in range(4):
        with pytest.raises(RcrainfoError) as caught:
            await adapter.get_site(bad, SITE)
        errors.append(caught.value)
    assert {e.kind for e in errors} == {Kind.UNAUTHORIZED}
    assert errors[0].code == "E_SecurityApiInvalidCredentials"
    assert not any(e.retryable for e in errors)
    assert "not tried again" in errors[1].message
    with sandbox.state.lock:
        assert sandbox.state.failed_logins.get(api_id) == 1
        assert api_id not in sandbox.state.locked_api_ids

    # New credentials for the same API ID are tried (and these work).
    good = credentials(TSDF_MANAGER)
    assert (await adapter.get_site(good, "MOCKTSDFS001")).epa_site_id == "MOCKTSDFS001"
    # The refused key is still not tried.
    with pytest.raises(RcrainfoError):
        await adapter.get_site(bad, SITE)
    with sandbox.state.lock:
        assert api_id not in sandbox.state.failed_logins


async def test_other_workers_learn_of_a_refusal_through_the_cache(
    make_adapter: AdapterFactory, sandbox: SandboxServer, sandbox_endpoint: RcrainfoEndpoint
) -> None:
    cache = MemoryCache()
    api_id = TRANSPORTER_MANAGER[0]
    bad = RcrainfoCredentials(api_id=api_id, api_key=Secret("also-not-the-key"))
    workers = [
        make_adapter(sandbox_endpoint, tokens=token_store(cache, sandbox), cache=cache)
        for _ in range(3)
    ]
    for worker in workers:
        with pytest.raises(RcrainfoError) as caught:
            await worker.get_site(bad, SITE)
        assert caught.value.kind is Kind.UNAUTHORIZED
    with sandbox.state.lock:
        assert sandbox.state.failed_logins.pop(api_id) == 1
        assert api_id not in sandbox.state.locked_api_ids


async def test_an_api_id_deactivated_mid_session_is_refused_once(
    adapter: EmanifestRcrainfo, sandbox: SandboxServer
) -> None:
    api_id = GENERATOR_MANAGER[0]
    await adapter.get_site(GENERATOR, SITE)
    with sandbox.state.lock:
        user = sandbox.state.user_by_api_id(api_id)
        assert user is not None
        sandbox.state.users[user.user_id] = msgspec.structs.replace(user, api_status="Inactive")
    try:
        with pytest.raises(RcrainfoError) as caught:
            await adapter.get_site(GENERATOR, SITE)
        assert (caught.value.kind, caught.value.code) == (
            Kind.UNAUTHORIZED,
            "E_SecurityApiInvalidStatus",
        )
        before = grants(sandbox, api_id)
        with pytest.raises(RcrainfoError):
            await adapter.get_site(GENERATOR, SITE)
        assert grants(sandbox, api_id) == before
    finally:
        with sandbox.state.lock:
            sandbox.state.users[user.user_id] = user


async def test_a_key_regenerated_in_rcrainfo_is_refused_at_the_next_login(
    adapter: EmanifestRcrainfo, sandbox: SandboxServer, control: Control
) -> None:
    """The old token still works, but the renewal with the old key fails: that is a refusal,
    not a reason to go on with the old token."""
    control.post("faults", {"tokenTtlSeconds": 30})  # every call renews first
    api_id = GENERATOR_MANAGER[0]
    await adapter.get_site(GENERATOR, SITE)
    with sandbox.state.lock:
        user = sandbox.state.user_by_api_id(api_id)
        assert user is not None
        sandbox.state.users[user.user_id] = msgspec.structs.replace(user, api_key="regenerated")
    try:
        with pytest.raises(RcrainfoError) as caught:
            await adapter.get_site(GENERATOR, SITE)
        assert (caught.value.kind, caught.value.code) == (
            Kind.UNAUTHORIZED,
            "E_SecurityApiInvalidCredentials",
        )
        with pytest.raises(RcrainfoError):
            await adapter.get_site(GENERATOR, SITE)
        with sandbox.state.lock:
            assert sandbox.state.failed_logins.pop(api_id) == 1
    finally:
        with sandbox.state.lock:
            sandbox.state.users[user.user_id] = user


async def test_a_permission_refusal_is_forbidden_and_not_a_credential_refusal(
    adapter: EmanifestRcrainfo,
) -> None:
    with pytest.raises(RcrainfoError) as caught:
        await adapter.site_tracking_numbers(GENERATOR, "MOCKTSDFS001")
    assert (caught.value.kind, caught.value.code) == (Kind.FORBIDDEN, "E_SitePermissions")
    assert await adapter.site_tracking_numbers(GENERATOR, SITE)


# -- transient failures ----------------------------------------------------------------------


@pytest.mark.parametrize("status", [503, 500])
async def test_injected_server_errors_are_transient(
    adapter: EmanifestRcrainfo, control: Control, status: int
) -> None:
    await adapter.get_site(GENERATOR, SITE)
    control.post("faults", {"errorRate": 1.0, "errorStatus": status})
    with pytest.raises(RcrainfoError) as caught:
        await adapter.get_site(GENERATOR, SITE)
    assert caught.value.kind is Kind.TRANSIENT
    assert caught.value.retryable
    control.delete("faults")
    assert (await adapter.get_site(GENERATOR, SITE)).epa_site_id == SITE


async def test_a_login_that_meets_a_503_is_transient_and_tried_again_later(
    adapter: EmanifestRcrainfo, sandbox: SandboxServer, control: Control
) -> None:
    control.post("faults", {"failNext": 1, "errorStatus": 503})
    with pytest.raises(RcrainfoError) as caught:
        await adapter.get_site(GENERATOR, SITE)
    assert caught.value.kind is Kind.TRANSIENT
    assert (await adapter.get_site(GENERATOR, SITE)).epa_site_id == SITE


async def test_a_timeout_is_transient(
    make_adapter: AdapterFactory, sandbox_endpoint: RcrainfoEndpoint, control: Control
) -> None:
    impatient = make_adapter(sandbox_endpoint, timeout_seconds=0.3)
    await impatient.get_site(GENERATOR, SITE)
    control.post("faults", {"latencyMs": 1500})
    with pytest.raises(RcrainfoError) as caught:
        await impatient.get_site(GENERATOR, SITE)
    assert caught.value.kind is Kind.TRANSIENT
    assert "Timeout" in caught.value.message


async def test_a_dropped_connection_is_transient(
    adapter: EmanifestRcrainfo, control: Control
) -> None:
    await adapter.get_site(GENERATOR, SITE)
    control.post("faults", {"dropNext": 1})
    with pytest.raises(RcrainfoError) as caught:
        await adapter.get_site(GENERATOR, SITE)
    assert caught.value.kind is Kind.TRANSIENT
    assert "ConnectionError" in caught.value.message
    assert (await adapter.get_site(GENERATOR, SITE)).epa_site_id == SITE


async def test_a_read_tries_again_through_transient_failures(
    make_adapter: AdapterFactory,
    sandbox_endpoint: RcrainfoEndpoint,
    control: Control,
    caplog: pytest.LogCaptureFixture,
) -> None:
    patient = make_adapter(sandbox_endpoint, read_attempts=5, read_backoff_seconds=0.01)
    await patient.get_site(GENERATOR, SITE)
    caplog.set_level(logging.INFO, logger="haztrak.rcrainfo")
    control.post("faults", {"failNext": 3, "errorStatus": 503})
    assert (await patient.get_site(GENERATOR, SITE)).epa_site_id == SITE
    control.post("faults", {"dropNext": 2})
    assert await patient.site_tracking_numbers(GENERATOR, SITE)
    assert caplog.text.count("trying again") == 5


async def test_a_read_gives_up_after_its_tries_and_the_task_decides(
    make_adapter: AdapterFactory, sandbox_endpoint: RcrainfoEndpoint, control: Control
) -> None:
    patient = make_adapter(sandbox_endpoint, read_attempts=3, read_backoff_seconds=0.01)
    await patient.get_site(GENERATOR, SITE)
    control.post("faults", {"failNext": 3, "errorStatus": 503})
    with pytest.raises(RcrainfoError) as caught:
        await patient.get_site(GENERATOR, SITE)
    assert caught.value.kind is Kind.TRANSIENT
    assert (await patient.get_site(GENERATOR, SITE)).epa_site_id == SITE


async def test_a_write_is_sent_once_whatever_it_meets(
    make_adapter: AdapterFactory, sandbox_endpoint: RcrainfoEndpoint, control: Control
) -> None:
    patient = make_adapter(sandbox_endpoint, read_attempts=5, read_backoff_seconds=0.01)
    await patient.get_site(GENERATOR, SITE)
    control.post("faults", {"failNext": 1, "errorStatus": 503})
    with pytest.raises(RcrainfoError) as caught:
        await patient.delete_manifest(GENERATOR, "999999999ELC")
    assert caught.value.kind is Kind.TRANSIENT  # a second try would have met NOT_FOUND
    with pytest.raises(RcrainfoError) as caught:
        await patient.delete_manifest(GENERATOR, "999999999ELC")
    assert caught.value.kind is not Kind.TRANSIENT


async def test_a_refusal_is_not_tried_again(
    make_adapter: AdapterFactory,
    sandbox_endpoint: RcrainfoEndpoint,
    caplog: pytest.LogCaptureFixture,
) -> None:
    patient = make_adapter(sandbox_endpoint, read_attempts=5, read_backoff_seconds=0.01)
    caplog.set_level(logging.INFO, logger="haztrak.rcrainfo")
    with pytest.raises(RcrainfoError) as caught:
        await patient.get_manifest(GENERATOR, "999999999ELC")
    assert caught.value.kind is Kind.NOT_FOUND
    assert "trying again" not in caplog.text


async def test_no_more_requests_are_in_flight_than_the_limit(
    make_adapter: AdapterFactory, sandbox_endpoint: RcrainfoEndpoint, control: Control
) -> None:
    narrow = make_adapter(sandbox_endpoint, concurrency=2)
    await narrow.get_site(GENERATOR, SITE)
    control.post("faults", {"latencyMs": 200})
    started = time.monotonic()
    await asyncio.gather(*(narrow.get_site(GENERATOR, SITE) for _ in range(4)))
    assert time.monotonic() - started >= 0.4  # two rounds of two


# -- secrets ---------------------------------------------------------------------------------


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


async def test_no_secret_appears_in_logs_errors_or_reprs(
    make_adapter: AdapterFactory,
    sandbox: SandboxServer,
    sandbox_endpoint: RcrainfoEndpoint,
    control: Control,
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    cache = MemoryCache()
    store = token_store(cache, sandbox)
    adapter = make_adapter(sandbox_endpoint, tokens=store, cache=cache, timeout_seconds=0.5)
    bad = RcrainfoCredentials(api_id=GENERATOR.api_id, api_key=Secret("WRONG-KEY-1234567890"))
    errors: list[RcrainfoError] = []

    await adapter.get_site(GENERATOR, SITE)
    control.post("clock", {"advanceSeconds": 21 * 60})
    await adapter.get_site(GENERATOR, SITE)
    for fault in ({"dropNext": 1}, {"failNext": 1}, {"latencyMs": 1000}):
        control.post("faults", fault)
        with pytest.raises(RcrainfoError) as caught:
            await adapter.get_site(GENERATOR, SITE)
        errors.append(caught.value)
        control.delete("faults")
    fresh = make_adapter(sandbox_endpoint, timeout_seconds=0.5)
    control.post("faults", {"dropNext": 1})  # the login itself is dropped
    with pytest.raises(RcrainfoError) as caught:
        await fresh.get_site(GENERATOR, SITE)
    errors.append(caught.value)
    control.delete("faults")
    for _ in range(2):
        with pytest.raises(RcrainfoError) as caught:
            await adapter.get_site(bad, SITE)
        errors.append(caught.value)
    with sandbox.state.lock:
        sandbox.state.failed_logins.pop(GENERATOR.api_id, None)

    shared = await store.get(account_id(sandbox.base_url, GENERATOR))
    assert shared is not None
    secrets = [GENERATOR.api_key.reveal(), bad.api_key.reveal(), shared.token.reveal()]
    shown = [debug_logs.text, repr(adapter), repr(fresh)]
    shown += [
        f"{e} {e.message} {e.code} {e.field_errors} {e.__cause__} {e.__context__}" for e in errors
    ]
    for text in shown:
        for secret in secrets:
            assert secret not in text
    assert "RCRAInfo login" in debug_logs.text  # the logs did say something


async def test_urllib3_debug_logs_show_no_login_path(
    adapter: EmanifestRcrainfo, caplog: pytest.LogCaptureFixture
) -> None:
    """Even with urllib3's connection pool logger at DEBUG, its URLs lose the login path."""
    caplog.set_level(logging.DEBUG, logger="urllib3.connectionpool")
    await adapter.get_site(GENERATOR, SITE)
    assert GENERATOR.api_key.reveal() not in caplog.text
    assert GENERATOR.api_id not in caplog.text
    assert "v1/auth/***" in caplog.text
