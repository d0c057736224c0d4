"""A manifest as a client sends it, read with every shape problem reported at once."""

from __future__ import annotations

import msgspec

from haztrak.domain.manifest import (
    Manifest,
    Problem,
    document_from_json,
    manifest_dropping_unknown_fields,
)

SERVICE_KEYS = ("warnings",)
"""Top-level keys this service adds to its answers; a client may send them back."""


class ReadManifest(msgspec.Struct, frozen=True, kw_only=True):
    manifest: Manifest
    ignored: list[Problem]
    """Keys EPA's schema does not define, dropped: warnings for the client, never refusals."""


def read_manifest(raw: bytes) -> ReadManifest:
    """Decode EPA's manifest JSON, or raise ManifestShapeError naming every faulty field.

    An empty tracking number is no tracking number (the original client sends `""` for a new
    draft), and the keys in SERVICE_KEYS are ignored. Keys that EPA's schema does not define
    (the original client's `clientKey` on a transporter) are dropped and listed in `ignored`:
    they are neither stored nor sent to e-Manifest, which accepts only its own fields.
    """
    document = document_from_json(raw)
    if isinstance(document, dict):
        for key in SERVICE_KEYS:
            document.pop(key, None)
        if document.get("manifestTrackingNumber") == "":
            del document["manifestTrackingNumber"]
    manifest, ignored = manifest_dropping_unknown_fields(document)
    return ReadManifest(manifest=manifest, ignored=ignored)
