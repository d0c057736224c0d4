"""Manifests to print in the form tests: signed by everyone, with discrepancies, and as many
transporters and waste lines as a test asks for."""

from __future__ import annotations

from typing import Any

from haztrak.domain.manifest import Manifest, manifest_from_document
from tests.manifest_documents import manifest_document

SIGNED_MTN = "100000001ELC"
TRANSPORTER_IDS = ("MOCKTRANS001", "MOCKTRANS002", "MOCKTRANS003", "MOCKTRANS004", "MOCKTRANS005")


def e_signature(first: str, last: str, day: int) -> list[dict[str, Any]]:
    return [
        {
            "signer": {"firstName": first, "lastName": last},
            "signatureDate": f"2026-03-{day:02d}T15:00:00.000+00:00",
            "signatureMethod": "QuickerSign",
        }
    ]


def signed_document(transporters: int = 3, wastes: int = 6, **changes: Any) -> dict[str, Any]:
    """A Signed manifest: every handler e-signed, line 2 short of two drums, line 6 with
    residue (a new manifest for it), and special handling instructions."""
    document = manifest_document(
        mtn=SIGNED_MTN,
        status="Signed",
        transporters=TRANSPORTER_IDS[:transporters],
        wastes=wastes,
        **changes,
    )
    document["generator"]["electronicSignaturesInfo"] = e_signature("Gina", "Generator", 10)
    for number, transporter in enumerate(document["transporters"], start=1):
        transporter["electronicSignaturesInfo"] = e_signature("Terry", f"Trucker{number}", 11)
    document["designatedFacility"]["electronicSignaturesInfo"] = e_signature("Fay", "Facility", 12)
    document["discrepancy"] = True
    if wastes >= 2:
        document["wastes"][1]["discrepancyResidueInfo"] = {
            "wasteQuantity": True,
            "discrepancyComments": "Received 10 drums, not 12",
        }
    if wastes >= 6:
        document["wastes"][5]["discrepancyResidueInfo"] = {
            "residue": True,
            "residueComments": "Residue left in the tank",
        }
        document["residue"] = True
        document["residueNewManifestTrackingNumbers"] = ["100000009ELC"]
    document["wastes"][0]["managementMethod"] = {"code": "H141"}
    document["additionalInfo"] = {
        "handlingInstructions": "Keep away from heat.",
        "comments": [{"label": "PO", "description": "PO-4471"}],
    }
    return document


def signed_manifest(transporters: int = 3, wastes: int = 6) -> Manifest:
    return manifest_from_document(signed_document(transporters, wastes))
