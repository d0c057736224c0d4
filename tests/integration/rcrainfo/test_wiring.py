"""HT_RCRAINFO_ENV everywhere: the endpoint each setting gives, the embedded sandbox that
`haztrak serve` starts, and a test's own endpoint in place of the configured one."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from dishka import Provider, Scope, make_async_container, provide
from litestar.testing import AsyncTestClient

from haztrak.adapters.persistence import database
from haztrak.adapters.rcrainfo import (
    RCRAINFO_PREPROD,
    RCRAINFO_PROD,
    EmanifestRcrainfo,
    RcrainfoEndpoint,
)
from haztrak.application.ports.rcrainfo import Rcrainfo
from haztrak.entrypoints.http.app import create_app
from haztrak.entrypoints.providers import core_providers
from haztrak.entrypoints.rcrainfo_providers import EMBEDDED_SANDBOX, endpoint_for
from haztrak.entrypoints.sandbox import DEMO_ORG_CREDENTIALS
from haztrak.entrypoints.sandbox.server import SandboxRefused
from haztrak.entrypoints.sandbox.tls import CERT_FILE, ensure_certificate
from haztrak.entrypoints.settings import Settings, SettingsError, load_settings
from tests.integration.rcrainfo.conftest import credentials

GENERATOR = credentials(DEMO_ORG_CREDENTIALS["generators-org-llc"])


def settings_for(tmp_path: Path, **environ: str) -> Settings:
    return load_settings(
        {"HT_VAR_DIR": str(tmp_path / "var"), "HT_LOG_LEVEL": "WARNING", **environ}, dotenv=None
    )


@pytest.mark.parametrize(("env", "url"), [("preprod", RCRAINFO_PREPROD), ("prod", RCRAINFO_PROD)])
def test_epa_environments_trust_the_system_or_a_ca_bundle(
    tmp_path: Path, env: str, url: str
) -> None:
    assert endpoint_for(settings_for(tmp_path, HT_RCRAINFO_ENV=env)) == RcrainfoEndpoint(
        base_url=url, verify=True
    )
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    configured = settings_for(tmp_path, HT_RCRAINFO_ENV=env, HT_RCRAINFO_CA_BUNDLE=str(bundle))
    assert endpoint_for(configured).verify == str(bundle)


def test_a_url_is_used_as_given(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, HT_RCRAINFO_ENV="https://rcrainfo.example.org/rest/api")
    assert endpoint_for(settings) == RcrainfoEndpoint(
        base_url="https://rcrainfo.example.org/rest/api/", verify=True
    )


def test_a_local_sandbox_url_trusts_the_sandboxs_certificate(tmp_path: Path) -> None:
    """`haztrak sandbox` and `haztrak worker` on one machine share HT_VAR_DIR/sandbox."""
    settings = settings_for(tmp_path, HT_RCRAINFO_ENV="https://127.0.0.1:8001/rest/api/")
    assert endpoint_for(settings).verify is True  # no certificate yet
    certificate = ensure_certificate(settings.var_dir / "sandbox")
    assert certificate.cert_path.name == CERT_FILE
    assert endpoint_for(settings).verify == str(certificate.cert_path)


async def test_embedded_mode_starts_one_sandbox_for_the_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    settings = settings_for(tmp_path)
    assert settings.rcrainfo.env == "sandbox"
    first = make_async_container(*core_providers(), context={Settings: settings})
    second = make_async_container(*core_providers(), context={Settings: settings})
    try:
        rcrainfo = await first.get(Rcrainfo)
        other = await second.get(Rcrainfo)
        assert isinstance(rcrainfo, EmanifestRcrainfo)
        assert isinstance(other, EmanifestRcrainfo)
        server = EMBEDDED_SANDBOX.server
        assert server is not None
        assert rcrainfo.endpoint == other.endpoint
        assert rcrainfo.endpoint.base_url == server.base_url
        assert rcrainfo.endpoint.base_url.startswith("https://127.0.0.1:")
        assert rcrainfo.endpoint.verify == str(settings.var_dir / "sandbox" / CERT_FILE)
        site = await rcrainfo.get_site(GENERATOR, "VATESTGEN001")
        assert site.epa_site_id == "VATESTGEN001"
        # It says where it is; its uvicorn's "startup complete" would read as the app's.
        assert "e-Manifest sandbox (a test double of EPA's RCRAInfo" in caplog.text
        assert server.base_url in caplog.text
        assert "Application startup complete" not in caplog.text
    finally:
        await first.close()
        assert EMBEDDED_SANDBOX.server is not None  # still used by the second container
        await second.close()
    assert EMBEDDED_SANDBOX.server is None


async def test_the_embedded_sandbox_refuses_prod(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, HT_ENV="prod", HT_SECRET_KEY="k" * 40)
    container = make_async_container(*core_providers(), context={Settings: settings})
    try:
        with pytest.raises(SandboxRefused):
            await container.get(Rcrainfo)
    finally:
        await container.close()
    assert EMBEDDED_SANDBOX.server is None


async def test_serve_starts_the_sandbox_with_the_app(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    engine = database.create_engine(settings.database.url.reveal())
    await database.upgrade(engine)
    await engine.dispose()
    app = create_app(settings)
    async with AsyncTestClient(app) as client:
        assert EMBEDDED_SANDBOX.server is not None
        assert (await client.get("/api/health")).status_code == 200
    assert EMBEDDED_SANDBOX.server is None


class OwnEndpoint(Provider):
    def __init__(self, endpoint: RcrainfoEndpoint) -> None:
        super().__init__()
        self._endpoint = endpoint

    @provide(scope=Scope.APP, override=True)
    def endpoint(self) -> RcrainfoEndpoint:
        return self._endpoint


async def test_tests_point_the_adapter_at_their_own_endpoint(
    tmp_path: Path, sandbox_endpoint: RcrainfoEndpoint
) -> None:
    container = make_async_container(
        *core_providers(),
        OwnEndpoint(sandbox_endpoint),
        context={Settings: settings_for(tmp_path)},
    )
    try:
        rcrainfo = await container.get(Rcrainfo)
        assert isinstance(rcrainfo, EmanifestRcrainfo)
        assert rcrainfo.endpoint == sandbox_endpoint
        assert EMBEDDED_SANDBOX.server is None
        assert (await rcrainfo.get_site(GENERATOR, "MOCKTSDFS001")).name == "MOCK TSDF 1"
    finally:
        await container.close()


def test_rcrainfo_settings_and_their_refusals(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, HT_RCRAINFO_CONCURRENCY="3", HT_RCRAINFO_TIMEOUT="12")
    assert (settings.rcrainfo.concurrency, settings.rcrainfo.timeout_seconds) == (3, 12)
    assert settings.rcrainfo.ca_bundle is None
    for variable, value, message in (
        ("HT_RCRAINFO_CONCURRENCY", "0", "out of range"),
        ("HT_RCRAINFO_TIMEOUT", "soon", "not a whole number"),
        ("HT_RCRAINFO_CA_BUNDLE", str(tmp_path / "missing.pem"), "is not a file"),
        ("HT_RCRAINFO_ENV", "http://127.0.0.1:8001/rest/api/", "https:// base URL"),
    ):
        with pytest.raises(SettingsError, match=message):
            settings_for(tmp_path, **{variable: value})
