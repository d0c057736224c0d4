"""A manifest as a client sends it, read with every shape problem reported at once."""

from __future__ import annotations

from haztrak.domain.manifest import Manifest, document_from_json, manifest_from_document

SERVICE_KEYS = ("warnings",)
"""Top-level keys this service adds to its answers; a client may send them back."""


def read_manifest(raw: bytes) -> Manifest:
    """Decode EPA's manifest JSON, or raise ManifestShapeError naming every faulty field.

    An empty tracking number is no tracking number (the original client sends `""` for a new
    draft), and the keys in SERVICE_KEYS are ignored.
    """
    document = document_from_json(raw)
    if isinstance(document, dict):
        for key in SERVICE_KEYS:
            document.pop(key, None)
        if document.get("manifestTrackingNumber") == "":
            del document["manifestTrackingNumber"]
    return manifest_from_document(document)
