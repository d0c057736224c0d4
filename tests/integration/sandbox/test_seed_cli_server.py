"""The seed, the `haztrak sandbox` command, the certificate and the server's life cycle."""

from __future__ import annotations

import argparse
import json
import re
import stat
import threading
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest
from cryptography import x509
from emanifest import RcrainfoClient

from haztrak.domain.manifest import business_problems, manifest_from_document
from haztrak.entrypoints.sandbox import (
    DEMO_ORG_CREDENTIALS,
    SandboxServer,
    SandboxSettings,
    SandboxState,
    add_sandbox_command,
    create_sandbox_app,
)
from haztrak.entrypoints.sandbox.schema import schema_problems
from haztrak.entrypoints.sandbox.seed import DEMO_ORGS, EXAMPLE_SITE_IDS, DemoOrg, build_seed
from haztrak.entrypoints.sandbox.server import SandboxRefused
from haztrak.entrypoints.sandbox.tls import ensure_certificate
from haztrak.entrypoints.settings import SettingsError, load_settings
from tests.integration.sandbox.support import EXAMPLES, ClientFactory

MANAGED_MODULES = {
    "SiteManagement": "Active", "AnnualReport": "Certifier", "BiennialReport": "Certifier",
    "eManifest": "Certifier", "myRCRAid": "Certifier", "WIETS": "Certifier",
}  # fmt: skip


def sandbox_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="haztrak")
    add_sandbox_command(parser.add_subparsers())
    return parser


@pytest.mark.parametrize("org", DEMO_ORGS, ids=lambda org: org.slug)
def test_each_demo_org_manager_manages_the_orgs_sites(
    make_client: ClientFactory, org: DemoOrg
) -> None:
    client = make_client(DEMO_ORG_CREDENTIALS[org.slug])
    client.authenticate()
    assert client.is_authenticated
    found = client.search_users(userId=org.manager_user_id).json()
    [manager] = found["users"]
    assert {s["siteId"] for s in manager["sites"]} == set(org.site_ids)
    for site in manager["sites"]:
        assert {p["module"]: p["level"] for p in site["permissions"]} == MANAGED_MODULES


def test_every_handler_in_epas_examples_is_registered(make_client: ClientFactory) -> None:
    pattern = re.compile(r'"(?:epaSiteId|siteId|handlerId|billingAccount)"\s*:\s*"([^"]+)"')
    named = {
        epa_id
        for path in EXAMPLES.glob("*.json")
        for epa_id in pattern.findall(path.read_text())
        if " " not in epa_id  # the manual-entry example's deliberately unregistered generator
    }
    assert named == set(EXAMPLE_SITE_IDS)
    client = make_client(DEMO_ORG_CREDENTIALS["mock-tsdf"])
    for epa_id in named:
        assert client.check_site_exists(epa_id).json()["result"], epa_id


def test_the_seeded_history_obeys_epas_schema_and_the_domain_rules(
    make_client: ClientFactory,
) -> None:
    seeded = build_seed().manifests
    client = make_client(DEMO_ORG_CREDENTIALS["generators-org-llc"])
    now = datetime.now(UTC)
    history = [mtn for mtn in client.get_site_mtn("VATESTGEN001").json() if mtn in seeded]
    assert len(history) >= 40
    for mtn in history:
        manifest = client.get_manifest(mtn).json()
        assert manifest == seeded[mtn]
        assert schema_problems(manifest) == [], mtn
        assert business_problems(manifest_from_document(manifest), now=now) == [], mtn


def test_the_seed_is_deterministic() -> None:
    assert msgspec.json.encode(build_seed()) == msgspec.json.encode(build_seed())


def test_list_users_prints_the_seeded_users(capsys: pytest.CaptureFixture[str]) -> None:
    args = sandbox_parser().parse_args(["sandbox", "--list-users"])
    assert args.func(args, load_settings({}, dotenv=None)) == 0
    users = {user["userId"]: user for user in json.loads(capsys.readouterr().out)}
    assert {"testuser1", "transporter1", "tsdf1", "exampleuser"} <= set(users)
    for user in users.values():
        assert set(user) == {"userId", "apiId", "apiKey", "sites"}
        for site in user["sites"]:
            assert set(site) == {"siteId", "permissions"}
    for org in DEMO_ORGS:
        manager = users[org.manager_user_id]
        assert (manager["apiId"], manager["apiKey"]) == DEMO_ORG_CREDENTIALS[org.slug]
    assert [s["siteId"] for s in users["transporter1"]["sites"]] == [
        "MOCKTRANS001", "MOCKTRANS002",
    ]  # fmt: skip
    certifier = {p["module"]: p["level"] for p in users["testuser1"]["sites"][0]["permissions"]}
    assert certifier["eManifest"] == "Certifier"
    assert users["testuser1"]["apiId"] is None  # only Site Managers hold API keys


def test_the_sandbox_refuses_to_run_in_prod(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    settings = load_settings(
        {"HT_ENV": "prod", "HT_SECRET_KEY": "k" * 40, "HT_VAR_DIR": str(tmp_path)}, dotenv=None
    )
    args = sandbox_parser().parse_args(["sandbox", "--port", "0", "--cert-dir", str(tmp_path)])
    assert args.func(args, settings) == 2
    assert "HT_ENV=prod" in capsys.readouterr().err
    prod = SandboxState(SandboxSettings(environment="prod"), seeded=False)
    with pytest.raises(SandboxRefused):
        SandboxServer(prod, cert_dir=tmp_path)
    assert SandboxServer(prod, cert_dir=tmp_path, allow_prod=True).cert_path.exists()


def test_settings_come_from_the_environment(tmp_path: Path) -> None:
    environ = {
        "HT_VAR_DIR": str(tmp_path),
        "HT_SANDBOX_TOKEN_TTL": "90",
        "HT_SANDBOX_LATENCY_MS": "5",
        "HT_SANDBOX_ERROR_STATUS": "500",
    }
    settings = load_settings(environ, dotenv=None)
    assert settings.sandbox.cert_dir == tmp_path / "sandbox"
    app = create_sandbox_app(SandboxState(settings.sandbox))
    faults = app.state.sandbox.faults.config
    assert (faults.token_ttl_seconds, faults.latency_ms, faults.error_status) == (90, 5, 500)
    with pytest.raises(SettingsError, match="HT_SANDBOX_ERROR_RATE"):
        load_settings({**environ, "HT_SANDBOX_ERROR_RATE": "2"}, dotenv=None)
    with pytest.raises(SettingsError, match="HT_SANDBOX_ERROR_STATUS=502 is not allowed"):
        load_settings({**environ, "HT_SANDBOX_ERROR_STATUS": "502"}, dotenv=None)


def test_the_certificate_names_the_loopback_host_and_is_reused(tmp_path: Path) -> None:
    first = ensure_certificate(tmp_path)
    cert = x509.load_pem_x509_certificate(first.cert_path.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in names.get_values_for_type(x509.DNSName)
    assert "127.0.0.1" in {str(ip) for ip in names.get_values_for_type(x509.IPAddress)}
    assert stat.S_IMODE(first.key_path.stat().st_mode) == 0o600
    pem = first.cert_path.read_bytes()
    assert ensure_certificate(tmp_path).cert_path.read_bytes() == pem
    first.key_path.write_text("garbage")
    assert ensure_certificate(tmp_path).cert_path.read_bytes() != pem


def test_serve_forever_runs_until_stopped(tmp_path: Path) -> None:
    server = SandboxServer(SandboxState(), cert_dir=tmp_path)
    ready = threading.Event()
    urls: list[str] = []

    def announce(url: str) -> None:
        urls.append(url)
        ready.set()

    thread = threading.Thread(target=server.serve_forever, args=(announce,), daemon=True)
    thread.start()
    assert ready.wait(10)
    api_id, api_key = DEMO_ORG_CREDENTIALS["mock-tsdf"]
    client = RcrainfoClient(urls[0], api_id=api_id, api_key=api_key)
    client.verify = str(server.cert_path)
    client.trust_env = False
    try:
        # The port is bound before the announcement; uvicorn accepts once it has started.
        response = client.get_site("MOCKTSDFS001")
        assert response.ok, response.text
    finally:
        client.close()
        server.stop()
        thread.join(10)
    assert not thread.is_alive()
