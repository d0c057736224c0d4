"""Helpers for the sandbox tests: credentials, EPA's examples, the control endpoints."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from emanifest import RcrainfoClient

from haztrak.entrypoints.sandbox import DEMO_ORG_CREDENTIALS, SandboxServer
from haztrak.entrypoints.sandbox.documents import minimal_pdf, zip_files
from haztrak.entrypoints.sandbox.seed import EXAMPLE_USER_CREDENTIALS

FIXTURES = Path(__file__).parents[2] / "fixtures"
EXAMPLES = FIXTURES / "emanifest" / "examples"

EXAMPLE_USER = EXAMPLE_USER_CREDENTIALS
GENERATOR_MANAGER = DEMO_ORG_CREDENTIALS["generators-org-llc"]
TRANSPORTER_MANAGER = DEMO_ORG_CREDENTIALS["mock-transporters"]
TSDF_MANAGER = DEMO_ORG_CREDENTIALS["mock-tsdf"]
ERROR_FIELDS = {"code", "message", "errorId", "date"}

ClientFactory = Callable[[tuple[str, str]], RcrainfoClient]


class Control:
    """The sandbox's own control endpoints (`/sandbox/...`)."""

    def __init__(self, sandbox: SandboxServer) -> None:
        self.root = sandbox.base_url.removesuffix("/rest/api/") + "/sandbox/"
        self.session = requests.Session()
        self.session.verify = str(sandbox.cert_path)
        self.session.trust_env = False

    def get(self, path: str) -> Any:
        response = self.session.get(self.root + path, timeout=10)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        return self.session.post(self.root + path, json=body or {}, timeout=10)

    def delete(self, path: str) -> requests.Response:
        return self.session.delete(self.root + path, timeout=10)


def example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EXAMPLES / name).read_text())
    return document


def scanned_manifest(mtn: str) -> tuple[bytes, bytes]:
    """A small PDF standing for the scanned form, and the zip that carries it."""
    pdf = minimal_pdf([f"Uniform Hazardous Waste Manifest {mtn}", "Scanned by a test"])
    return pdf, zip_files([(f"{mtn}.pdf", pdf)])


def assert_contains(sent: Any, got: Any, where: str = "manifest") -> None:
    """Everything that was sent came back unchanged (the service may add fields)."""
    if isinstance(sent, dict):
        assert isinstance(got, dict), where
        for key, value in sent.items():
            assert key in got, f"{where}.{key} is missing"
            assert_contains(value, got[key], f"{where}.{key}")
    elif isinstance(sent, list):
        assert isinstance(got, list), where
        assert len(sent) == len(got), f"{where} has {len(got)} items, sent {len(sent)}"
        for index, (one, other) in enumerate(zip(sent, got, strict=True)):
            assert_contains(one, other, f"{where}.{index}")
    else:
        assert sent == got, f"{where}: sent {sent!r}, got {got!r}"
