"""The e-Manifest sandbox over HTTPS on 127.0.0.1, driven by the real `emanifest` client.

One sandbox serves the whole session, keeping its state in a file as `haztrak sandbox` does by
default (test_restart.py restarts sandboxes of its own). Tests leave data behind (each saves
what it needs and asserts nothing about counts it did not make), while faults and the sandbox
clock are put back after every test.

`trust_env = False` on every client: `requests` lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override
a session's `verify` (see `test_client_trust_env_lets_ca_bundle_variables_override_verify`), and
CI machines often set them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest
from emanifest import RcrainfoClient

from haztrak.entrypoints.sandbox import SandboxServer, SandboxSettings, SandboxState
from tests.integration.sandbox.support import EXAMPLE_USER, ClientFactory, Control


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    """The sandbox as it runs by default: its state in a file of its own."""
    state_file = tmp_path_factory.mktemp("sandbox-state") / "state.sqlite3"
    with SandboxState(SandboxSettings(state_file=state_file)) as state:
        server = SandboxServer(state, cert_dir=tmp_path_factory.mktemp("sandbox-tls"))
        server.start()
        yield server
        server.stop()


@pytest.fixture(scope="session")
def base_url(sandbox: SandboxServer) -> str:
    return sandbox.base_url


@pytest.fixture
def make_client(sandbox: SandboxServer) -> Iterator[ClientFactory]:
    clients: list[RcrainfoClient] = []

    def make(credentials: tuple[str, str]) -> RcrainfoClient:
        api_id, api_key = credentials
        client = RcrainfoClient(sandbox.base_url, api_id=api_id, api_key=api_key)
        client.verify = str(sandbox.cert_path)
        client.trust_env = False
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def example_client(make_client: ClientFactory) -> RcrainfoClient:
    """exampleuser: Site Manager on every handler of EPA's examples."""
    return make_client(EXAMPLE_USER)


@pytest.fixture
def control(sandbox: SandboxServer) -> Iterator[Control]:
    control = Control(sandbox)
    yield control
    control.session.close()


@pytest.fixture(autouse=True)
def _calm_sandbox(sandbox: SandboxServer) -> Iterator[None]:
    yield
    sandbox.state.faults.clear()
    sandbox.state.clock.reset()


_printed_numbers = itertools.count(700_000_001)


@pytest.fixture
def printed_mtn() -> Callable[[], str]:
    """A fresh printed (paper) tracking number each call, with a registered printer's suffix."""
    return lambda: f"{next(_printed_numbers):09d}JJK"
