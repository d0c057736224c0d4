"""A manifest as a client sends it, read with every shape problem reported at once."""

from __future__ import annotations

import msgspec

from haztrak.domain.manifest import Manifest, ManifestShapeError, Problem, manifest_from_document

SERVICE_KEYS = ("warnings",)
"""Top-level keys this service adds to its answers; a client may send them back."""


def read_manifest(raw: bytes) -> Manifest:
    """Decode EPA's manifest JSON, or raise ManifestShapeError naming every faulty field.

    An empty tracking number is no tracking number (the original client sends `""` for a new
    draft), and the keys in SERVICE_KEYS are ignored.
    """
    try:
        document = msgspec.json.decode(raw)
    except msgspec.DecodeError as error:
        raise ManifestShapeError([Problem("", f"is not valid JSON: {error}")]) from None
    if isinstance(document, dict):
        for key in SERVICE_KEYS:
            document.pop(key, None)
        if document.get("manifestTrackingNumber") == "":
            del document["manifestTrackingNumber"]
    return manifest_from_document(document)
