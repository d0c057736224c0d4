"""The `Rcrainfo` port's contract, run on `EmanifestRcrainfo` with EPA's real client over HTTPS.

Targets: the e-Manifest sandbox on 127.0.0.1 (always), and EPA's preprod when
HT_RCRAINFO_PREPROD_API_ID and HT_RCRAINFO_PREPROD_API_KEY are set (never in CI; the key must
be a Site Manager's, with Certifier access on the handlers of EPA's examples). The target list is
built when the tests are collected, so a run without preprod credentials has no preprod cases at
all rather than skipped ones. Tests that need the sandbox's control endpoints (faults, clock,
lockouts) run on the sandbox only.
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import Callable, Iterator

import msgspec
import pytest

from haztrak.adapters.rcrainfo import EmanifestRcrainfo, RcrainfoEndpoint
from haztrak.adapters.security.clock import SystemClock
from haztrak.application.ports.rcrainfo import RcrainfoCredentials
from haztrak.domain.secrets import Secret
from haztrak.entrypoints.sandbox import SandboxServer, SandboxState
from haztrak.entrypoints.sandbox.seed import EXAMPLE_USER_CREDENTIALS
from tests.integration.sandbox.support import Control

PREPROD_ID = os.environ.get("HT_RCRAINFO_PREPROD_API_ID", "").strip()
PREPROD_KEY = os.environ.get("HT_RCRAINFO_PREPROD_API_KEY", "").strip()
TARGETS = ["sandbox", *(["preprod"] if PREPROD_ID and PREPROD_KEY else [])]


def credentials(pair: tuple[str, str]) -> RcrainfoCredentials:
    return RcrainfoCredentials(api_id=pair[0], api_key=Secret(pair[1]))


class Target(msgspec.Struct, frozen=True):
    name: str
    endpoint: RcrainfoEndpoint
    credentials: RcrainfoCredentials


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxServer]:
    server = SandboxServer(SandboxState(), cert_dir=tmp_path_factory.mktemp("rcrainfo-tls"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sandbox_endpoint(sandbox: SandboxServer) -> RcrainfoEndpoint:
    return RcrainfoEndpoint(base_url=sandbox.base_url, verify=str(sandbox.cert_path))


@pytest.fixture(params=TARGETS)
def target(request: pytest.FixtureRequest, sandbox_endpoint: RcrainfoEndpoint) -> Target:
    if request.param == "sandbox":
        return Target("sandbox", sandbox_endpoint, credentials(EXAMPLE_USER_CREDENTIALS))
    return Target(  # pragma: no cover - only with preprod credentials
        "preprod",
        RcrainfoEndpoint.epa("preprod"),
        credentials((PREPROD_ID, PREPROD_KEY)),
    )


AdapterFactory = Callable[..., EmanifestRcrainfo]


@pytest.fixture
def make_adapter() -> Iterator[AdapterFactory]:
    made: list[EmanifestRcrainfo] = []

    def make(endpoint: RcrainfoEndpoint, **options: object) -> EmanifestRcrainfo:
        options.setdefault("clock", SystemClock())
        options.setdefault("timeout_seconds", 10)
        # One try per read: these tests judge single answers; the retries have their own tests.
        options.setdefault("read_attempts", 1)
        adapter = EmanifestRcrainfo(endpoint, **options)  # type: ignore[arg-type]
        made.append(adapter)
        return adapter

    yield make
    for adapter in made:
        adapter.close()


@pytest.fixture
def rcrainfo(target: Target, make_adapter: AdapterFactory) -> EmanifestRcrainfo:
    """The adapter at the target (the contract tests)."""
    return make_adapter(target.endpoint)


@pytest.fixture
def adapter(sandbox_endpoint: RcrainfoEndpoint, make_adapter: AdapterFactory) -> EmanifestRcrainfo:
    """The adapter at the sandbox (the tests that steer the sandbox)."""
    return make_adapter(sandbox_endpoint)


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


_printed = itertools.count(secrets.randbelow(80_000_000) + 810_000_000)


@pytest.fixture
def printed_mtn() -> Callable[[], str]:
    """A fresh printed (paper) tracking number with a registered printer's suffix."""
    return lambda: f"{next(_printed):09d}JJK"
