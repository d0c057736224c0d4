"""Manifest documents for the manifest tests, read from the fixtures EPA and RCRAInfo published.

Each baseline is a fresh dict, so a test may change it. Baselines that EPA published with its
placeholder tracking number (`CHANGE ME`) or with gaps in line numbers or transporter orders get
a printed number and 1..n here; everything else is as published.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec
import pytest

from haztrak.domain.manifest import Manifest, decode_manifest

FIXTURES = Path(__file__).parents[3] / "fixtures"
PRINTED_MTN = "123456789FLE"

_BASELINES = {
    "electronic": "emanifest/examples/emanifest-save-valid-Full-Electronic-example.json",
    "hybrid": "emanifest/examples/emanifest-save-valid-Hybrid-example.json",
    "single_transporter": "rcrainfo/100032524ELC.json",
    "paper": "emanifest/examples/emanifest-save-valid-Data-and-Image-example.json",
    "import": "emanifest/examples/emanifest-save-valid-Data-and-Image-Manual-Entry-example.json",
    "rejection": (
        "emanifest/examples/emanifest-save-valid-Data-and-Image-Full-reject-tranonsite-example.json"
    ),
    "image": "emanifest/examples/emanifest-save-valid-Image-Only-Designated-Facility-example.json",
    "signed": "rcrainfo/manifest-100033134ELC.json",
}


class Documents:
    """Loads fixtures and builds manifests from baselines with changes.

    A change maps a dotted path (`wastes.0.quantity.quantity`) to a new value, or to `...` to
    remove the key.
    """

    fixtures = FIXTURES

    def load(self, relative: str) -> Any:
        return json.loads((FIXTURES / relative).read_bytes())

    def baseline(self, name: str, changes: Mapping[str, Any] | None = None) -> dict[str, Any]:
        document: dict[str, Any] = self.load(_BASELINES[name])
        if document.get("manifestTrackingNumber") == "CHANGE ME":
            document["manifestTrackingNumber"] = PRINTED_MTN
        for index, waste in enumerate(document.get("wastes", [])):
            waste["lineNumber"] = index + 1
        for index, transporter in enumerate(document.get("transporters", [])):
            transporter["order"] = index + 1
        for path, value in (changes or {}).items():
            _change(document, path, value)
        return document

    def manifest(self, name: str, changes: Mapping[str, Any] | None = None) -> Manifest:
        """Built without the shape check, as code elsewhere may build a manifest."""
        return msgspec.convert(self.baseline(name, changes), Manifest)

    def decoded(self, name: str, changes: Mapping[str, Any] | None = None) -> Manifest:
        return decode_manifest(json.dumps(self.baseline(name, changes)))


def _change(document: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target: Any = document
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    key: Any = int(last) if isinstance(target, list) else last
    if value is ...:
        del target[key]
    else:
        target[key] = value


@pytest.fixture(scope="session")
def documents() -> Documents:
    return Documents()
