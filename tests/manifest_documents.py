"""Manifest documents for the manifest tests and the benchmark: EPA's JSON, complete enough to
have no business-rule problems as a local draft, with the parties a test names."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import msgspec

from haztrak.domain.manifest import Manifest, manifest_from_document


def _handler(epa_id: str, name: str) -> dict[str, Any]:
    address = {
        "address1": "1 Main St",
        "city": "Richmond",
        "state": {"code": "VA", "name": "Virginia"},
        "country": {"code": "US", "name": "United States"},
        "zip": "23220",
    }
    return {
        "epaSiteId": epa_id,
        "name": name,
        "siteAddress": address,
        "mailingAddress": copy.deepcopy(address),
        "contact": {"phone": {"number": "703-308-0023"}, "email": "EMANIFEST@EPA.GOV"},
        "emergencyPhone": {"number": "888-456-1234"},
    }


_WASTE: dict[str, Any] = {
    "dotHazardous": True,
    "epaWaste": True,
    "pcb": False,
    "br": False,
    "dotInformation": {
        "idNumber": {"code": "NA1993"},
        "printedDotInformation": "NA1993, Waste Diesel fuel, 3, III",
    },
    "quantity": {
        "containerNumber": 12,
        "containerType": {"code": "DM", "description": "Metal drums, barrels, kegs"},
        "quantity": 480,
        "unitOfMeasurement": {"code": "G", "description": "Gallons"},
    },
    "hazardousWaste": {"federalWasteCodes": [{"code": "D001", "description": "IGNITABLE WASTE"}]},
    "managementMethod": {"code": "H020", "description": "SOLVENTS RECOVERY"},
}


def manifest_document(
    *,
    generator: str | None = "VATESTGEN001",
    transporters: Sequence[str] = ("MOCKTRANS001", "MOCKTRANS002"),
    tsdf: str | None = "MOCKTSDFS001",
    wastes: int = 3,
    mtn: str | None = None,
    status: str | None = "NotAssigned",
    submission_type: str = "FullElectronic",
) -> dict[str, Any]:
    document: dict[str, Any] = {"submissionType": submission_type}
    if status is not None:
        document["status"] = status
    if mtn is not None:
        document["manifestTrackingNumber"] = mtn
    if generator is not None:
        document["generator"] = _handler(generator, f"Generator {generator}")
    document["transporters"] = [
        {**_handler(epa_id, f"Transporter {epa_id}"), "order": order}
        for order, epa_id in enumerate(transporters, start=1)
    ]
    if tsdf is not None:
        document["designatedFacility"] = _handler(tsdf, f"Facility {tsdf}")
    document["wastes"] = [
        {**copy.deepcopy(_WASTE), "lineNumber": line} for line in range(1, wastes + 1)
    ]
    return document


def a_manifest(**changes: Any) -> Manifest:
    return manifest_from_document(manifest_document(**changes))


def encoded(document: dict[str, Any]) -> bytes:
    return msgspec.json.encode(document)
