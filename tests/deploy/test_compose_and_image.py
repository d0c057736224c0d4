"""deploy/compose.yaml and deploy/Containerfile, checked without Docker (there is none here):
the compose file's structure, commands and health checks, the switch from the sandbox to EPA
in one variable, the pinned base images, the version baked into the image, and the image's
health check that fits each process."""

from __future__ import annotations

import http.server
import os
import re
import stat
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from haztrak.entrypoints import heartbeat
from haztrak.entrypoints.cli import healthcheck
from haztrak.entrypoints.cli.main import build_parser
from tests.e2e.test_serve import _free_port

DEPLOY = Path(__file__).parents[2] / "deploy"
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")
HAZTRAK_SERVICES = {"sandbox", "migrate", "demo-data", "api", "worker", "scheduler"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return document


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error} and $$."""

    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, rest = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if op == ":?":
            raise ValueError(rest)
        return rest if op == ":-" else ""

    return re.sub(r"\$\$|\$\{([A-Z_]+)(?:(:-|:\?)([^}]*))?\}", one, value)


def test_the_whole_system_is_there_with_a_health_check_that_fits_each_process(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", "redis", *HAZTRAK_SERVICES}
    for name in ("postgres", "redis"):
        assert DIGEST.search(services[name]["image"]), name
        assert services[name]["healthcheck"]["test"][0] == "CMD"
    assert "/api/health" in " ".join(services["api"]["healthcheck"]["test"])
    for kind in ("worker", "scheduler"):
        assert services[kind]["healthcheck"]["test"] == ["CMD", "haztrak", kind, "--check"]
    assert services["worker"]["deploy"]["replicas"] >= 2
    for name in ("api", "worker", "scheduler"):
        needs = services[name]["depends_on"]
        assert needs["migrate"]["condition"] == "service_completed_successfully"
        assert needs["redis"]["condition"] == "service_healthy"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["demo-data"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    parser = build_parser()
    for name in HAZTRAK_SERVICES - {"demo-data"}:
        service = services[name]
        assert service["image"].startswith("haztrak:")
        assert service["read_only"] is True
        parser.parse_args(service["command"])
        if name != "sandbox":  # they reach the sandbox at 127.0.0.1, the name of its cert
            assert service["network_mode"] == "service:sandbox"
    assert services["sandbox"]["ports"] == ["127.0.0.1:8000:8000"]


def test_the_secret_key_is_required_and_rcrainfo_is_one_variable(
    compose: dict[str, Any],
) -> None:
    environment = compose["services"]["api"]["environment"]
    with pytest.raises(ValueError, match="set HT_SECRET_KEY"):
        interpolate(environment["HT_SECRET_KEY"], {})
    sandbox = interpolate(environment["HT_RCRAINFO_ENV"], {})
    assert sandbox == "https://127.0.0.1:8001/rest/api/"
    assert interpolate(environment["HT_RCRAINFO_ENV"], {"HT_RCRAINFO_ENV": "preprod"}) == (
        "preprod"
    )
    assert compose["services"]["sandbox"]["environment"]["HT_ENV"] == "dev"
    for name in HAZTRAK_SERVICES - {"sandbox"}:
        assert compose["services"][name]["environment"]["HT_ENV"] == "prod"


@pytest.mark.parametrize(
    ("rcrainfo", "expected"),
    [
        ("https://127.0.0.1:8001/rest/api/", "seed --demo --password haztrak-demo"),
        ("preprod", ""),
        ("prod", ""),
    ],
)
def test_the_demo_data_is_loaded_on_the_sandbox_only(
    compose: dict[str, Any], tmp_path: Path, rcrainfo: str, expected: str
) -> None:
    service = compose["services"]["demo-data"]
    assert service["entrypoint"] == ["sh", "-c"]
    (script,) = service["command"]
    fake = tmp_path / "haztrak"  # prints what it was asked to do
    fake.write_text('#!/bin/sh\necho "$@"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {
        "PATH": f"{tmp_path}:{os.environ['PATH']}",
        "HT_RCRAINFO_ENV": rcrainfo,
        "HT_DEMO_PASSWORD": interpolate(service["environment"]["HT_DEMO_PASSWORD"], {}),
    }
    done = subprocess.run(
        ["sh", "-c", interpolate(script, {})],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert done.stdout.strip() == expected
    if expected:
        build_parser().parse_args(expected.split())


def test_the_image_pins_its_base_and_bakes_the_version_in() -> None:
    containerfile = (DEPLOY / "Containerfile").read_text()
    (base,) = re.findall(r"^ARG PYTHON_IMAGE=(\S+)$", containerfile, re.MULTILINE)
    assert DIGEST.search(base), base
    assert re.findall(r"^FROM (\S+)", containerfile, re.MULTILINE) == [
        "${PYTHON_IMAGE}",
        "${PYTHON_IMAGE}",
    ]
    assert "ENV SETUPTOOLS_SCM_PRETEND_VERSION=${HAZTRAK_VERSION}" in containerfile
    assert 'haztrak --version | grep -qx "haztrak ${HAZTRAK_VERSION}"' in containerfile
    assert "USER 10001:10001" in containerfile
    assert 'CMD ["python", "-m", "haztrak.entrypoints.cli.healthcheck"]' in containerfile
    ignored = (DEPLOY.parent / ".dockerignore").read_text().split()
    assert ".git" in ignored  # hence the build argument


@pytest.fixture
def health_server() -> Iterator[int]:
    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/api/health" else 404)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_the_image_health_check_fits_the_process_it_runs(
    tmp_path: Path, health_server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HT_VAR_DIR", str(tmp_path))
    assert healthcheck.command_of(
        ["/usr/local/bin/python", "/usr/local/bin/haztrak", "worker"]
    ) == ["worker"]
    assert healthcheck.command_of(["python", "-m", "haztrak.entrypoints.cli.main", "serve"]) == [
        "serve"
    ]
    assert healthcheck.check(["serve", "--port", str(health_server)]) == 0
    assert healthcheck.check(["serve", "--port", str(_free_port())]) == 1
    beat = tmp_path / "w.heartbeat"
    assert healthcheck.check(["worker", "--heartbeat", str(beat)]) == 1
    heartbeat.beat(beat)
    assert healthcheck.check(["worker", "--heartbeat", str(beat)]) == 0
    assert healthcheck.check(["scheduler"]) == 1  # no heartbeat in HT_VAR_DIR
    heartbeat.beat(tmp_path / "scheduler.heartbeat")
    assert healthcheck.check(["scheduler"]) == 0
    for one_off in (["migrate"], ["seed", "--demo"], ["sandbox"], []):
        assert healthcheck.check(one_off) == 0
