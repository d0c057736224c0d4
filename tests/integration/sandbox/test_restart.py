"""A restarted sandbox is the same e-Manifest: what it was told is still there, and no
tracking number is ever issued twice (issue 11, section 1).

Each test runs sandboxes of its own on one state file, one after another, through the real
`emanifest` client, as `haztrak sandbox` runs by default.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from emanifest import RcrainfoClient

from haztrak.entrypoints.sandbox import SandboxServer, SandboxSettings, SandboxState, store
from haztrak.entrypoints.sandbox.store import SandboxStateUnavailable, SqliteSandboxStore
from haztrak.entrypoints.settings import load_settings
from tests.integration.sandbox.support import (
    GENERATOR_MANAGER,
    TRANSPORTER_MANAGER,
    TSDF_MANAGER,
    Control,
)
from tests.integration.sandbox.test_quicker_sign import demo_manifest
from tests.integration.sandbox.test_seed_cli_server import sandbox_parser

CredentialPair = tuple[str, str]


class Running:
    """One run of a sandbox: its server and clients of the seeded users."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.clients: list[RcrainfoClient] = []

    def client(self, credentials: CredentialPair) -> RcrainfoClient:
        client = RcrainfoClient(self.server.base_url, api_id=credentials[0], api_key=credentials[1])
        client.verify = str(self.server.cert_path)
        client.trust_env = False
        self.clients.append(client)
        return client

    def save(self) -> str:
        response = self.client(GENERATOR_MANAGER).save_manifest(demo_manifest(("MOCKTRANS001",)))
        assert response.status_code == 200, response.json()
        mtn: str = response.json()["manifestTrackingNumber"]
        return mtn


@contextmanager
def sandbox_on(state_file: Path, cert_dir: Path) -> Iterator[Running]:
    """A sandbox on `state_file` from start to stop, as a process would run it."""
    with SandboxState(SandboxSettings(state_file=state_file)) as state:
        server = SandboxServer(state, cert_dir=cert_dir)
        server.start()
        running = Running(server)
        try:
            yield running
        finally:
            for client in running.clients:
                client.close()
            server.stop()


def sign(client: RcrainfoClient, mtn: str, site_id: str, site_type: str, **more: object) -> None:
    response = client.sign_manifest(
        siteId=site_id,
        siteType=site_type,
        printedSignatureName="Pat Signer",
        manifestTrackingNumbers=[mtn],
        **more,
    )
    assert response.status_code == 200, response.json()
    assert response.json()["operationStatus"] == "AllSigned", response.json()


@pytest.fixture
def state_file(tmp_path: Path) -> Path:
    return tmp_path / "sandbox" / "state.sqlite3"


def test_a_restarted_sandbox_keeps_its_manifests_and_never_reissues_a_number(
    state_file: Path, tmp_path: Path
) -> None:
    with sandbox_on(state_file, tmp_path) as first:
        signed = first.save()
        sign(first.client(GENERATOR_MANAGER), signed, "VATESTGEN001", "Generator")
        sign(
            first.client(TRANSPORTER_MANAGER),
            signed,
            "MOCKTRANS001",
            "Transporter",
            transporterOrder=1,
        )
        sign(first.client(TSDF_MANAGER), signed, "MOCKTSDFS001", "Tsdf")
        pending = first.save()
        before = {mtn: first.client(TSDF_MANAGER).get_manifest(mtn).json() for mtn in (signed,)}
        before[pending] = first.client(GENERATOR_MANAGER).get_manifest(pending).json()
    assert before[signed]["status"] == "Signed"

    with sandbox_on(state_file, tmp_path) as second:
        generator = second.client(GENERATOR_MANAGER)
        for mtn, document in before.items():
            assert generator.get_manifest(mtn).json() == document
        assert second.client(TSDF_MANAGER).get_manifest_attachments(signed).ok
        deleted = generator.delete_manifest(pending)
        assert deleted.status_code == 200, deleted.json()
        after = second.save()
    assert after not in (signed, pending)
    assert int(after[:9]) > int(pending[:9]) > int(signed[:9])

    with sandbox_on(state_file, tmp_path) as third:
        missing = third.client(GENERATOR_MANAGER).get_manifest(pending)
        assert missing.status_code == 404
        assert third.client(GENERATOR_MANAGER).get_manifest(after).ok
        assert int(third.save()[:9]) > int(after[:9])


def test_a_token_and_a_lockout_outlive_a_restart(state_file: Path, tmp_path: Path) -> None:
    """As in RCRAInfo, whose tokens and lockouts do not depend on one server process."""
    api_id, api_key = TRANSPORTER_MANAGER
    with sandbox_on(state_file, tmp_path) as first:
        client = first.client(GENERATOR_MANAGER)
        client.authenticate()
        token = client.token
        for _ in range(3):
            first.client((api_id, "not-the-key")).get(
                f"{first.server.base_url}v1/auth/{api_id}/not-the-key", timeout=10
            )

    with sandbox_on(state_file, tmp_path) as second:
        session = second.client(GENERATOR_MANAGER)  # no login: the old token still works
        base_url = second.server.base_url
        answer = session.get(
            f"{base_url}v1/site-details/VATESTGEN001",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.json()
        refused = session.get(f"{base_url}v1/auth/{api_id}/{api_key}", timeout=10)
        assert refused.json()["code"] == "E_SecurityApiIdLocked"


def test_a_reset_goes_back_to_the_seed_but_not_to_used_numbers(
    state_file: Path, tmp_path: Path
) -> None:
    with sandbox_on(state_file, tmp_path) as running:
        before = running.save()
        control = Control(running.server)
        try:
            assert control.post("reset").status_code == 200
        finally:
            control.session.close()
        gone = running.client(GENERATOR_MANAGER).get_manifest(before)
        assert gone.status_code == 404
        assert int(running.save()[:9]) > int(before[:9])


def test_a_second_sandbox_on_the_same_file_is_refused_with_the_remedy(
    state_file: Path, tmp_path: Path
) -> None:
    with sandbox_on(state_file, tmp_path), pytest.raises(SandboxStateUnavailable) as refused:
        SqliteSandboxStore(state_file, wait_seconds=0.1)
    message = str(refused.value)
    assert str(state_file) in message
    assert "another e-Manifest sandbox" in message
    assert "HT_SANDBOX_STATE" in message
    # Let go of at the stop: the next start opens it.
    SqliteSandboxStore(state_file, wait_seconds=0.1).close()


def test_a_file_that_is_not_a_state_file_is_named(tmp_path: Path) -> None:
    not_state = tmp_path / "state.sqlite3"
    not_state.write_bytes(b"not a database" * 100)
    with pytest.raises(SandboxStateUnavailable, match="is not a sandbox state file"):
        SandboxState(SandboxSettings(state_file=not_state))


def test_a_memory_sandbox_keeps_nothing(tmp_path: Path) -> None:
    state = SandboxState(SandboxSettings(state_file=None))
    assert state.location == "memory"
    assert list(tmp_path.iterdir()) == []


def test_saves_at_once_from_many_threads_each_get_a_number_and_all_survive(
    state_file: Path, tmp_path: Path
) -> None:
    with sandbox_on(state_file, tmp_path) as first:
        with ThreadPoolExecutor(max_workers=8) as pool:
            mtns = list(pool.map(lambda _: first.save(), range(32)))
        assert len(set(mtns)) == 32

    with sandbox_on(state_file, tmp_path) as second:
        reader = second.client(GENERATOR_MANAGER)
        for mtn in mtns:
            assert reader.get_manifest(mtn).ok, mtn
        assert int(second.save()[:9]) > max(int(mtn[:9]) for mtn in mtns)


def test_haztrak_sandbox_says_when_its_state_file_is_taken(
    state_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(store, "WAIT_SECONDS", 0.1)
    settings = load_settings(
        {"HT_VAR_DIR": str(tmp_path), "HT_SANDBOX_STATE": str(state_file)}, dotenv=None
    )
    args = sandbox_parser().parse_args(["sandbox", "--port", "0", "--cert-dir", str(tmp_path)])
    with sandbox_on(state_file, tmp_path):
        assert args.func(args, settings) == 2
    error = capsys.readouterr().err
    assert error.startswith("haztrak sandbox: the e-Manifest sandbox state file")
    assert "HT_SANDBOX_STATE" in error


def test_the_state_file_is_the_owners_alone_and_an_empty_sandbox_reopens(tmp_path: Path) -> None:
    state_file = tmp_path / "empty.sqlite3"
    with SandboxState(SandboxSettings(state_file=state_file), seeded=False) as empty:
        assert empty.manifests == {}
    assert stat.S_IMODE(state_file.stat().st_mode) == 0o600
    with SandboxState(SandboxSettings(state_file=state_file)) as again:
        assert again.manifests == {}  # stored as empty: not seeded behind the caller's back
        assert again.allocate_tracking_number() == "000000001ELC"
