"""The designated facility's receipt of an electronic manifest, sent with the update service
while the manifest is ReadyForSignature (the sandbox's reading of EPA's rules is in `rules`).

e-Manifest takes from such an update only what the facility records on receipt: each line's
`discrepancyResidueInfo`, `rejection` and `rejectionInfo`, `residueNewManifestTrackingNumbers`
and `containsPreviousRejectOrResidue`. Generator and transporter data is ignored with a warning
(NOTES §3.2: "ignored with a warning once the status is ≥ InTransit"); the rest of the review
(the alternate facility's registration, EPA's content rules, the derived flags) is the update's.
"""

from __future__ import annotations

import copy
from typing import Any

from haztrak.entrypoints.sandbox.errors import RcraError
from haztrak.entrypoints.sandbox.review import path
from haztrak.entrypoints.sandbox.state import ManifestDocument
from haztrak.entrypoints.sandbox.users import Level, RcraUser

RECEIPT_FIELDS = (
    "rejection",
    "rejectionInfo",
    "residueNewManifestTrackingNumbers",
    "containsPreviousRejectOrResidue",
)
IGNORED = (
    "Provided Value will be Ignored. Generator and Transporter information cannot be changed "
    "once the manifest is InTransit or later"
)


def authorize_receipt(user: RcraUser, stored: ManifestDocument) -> None:
    """Only a preparer (or above) of the designated facility records its receipt."""
    facility = (stored.get("designatedFacility") or {}).get("epaSiteId")
    if not isinstance(facility, str) or user.emanifest_level(facility) < Level.PREPARER:
        raise RcraError(
            "E_SitePermissions",
            "The user does not have Industry Permissions for the Designated Facility, which "
            "records the receipt of this manifest",
            403,
        )


def receipt_document(
    stored: ManifestDocument, submitted: dict[str, Any]
) -> tuple[ManifestDocument, list[tuple[str, str]]]:
    """The stored manifest with the receipt fields of `submitted`, and the warnings (field,
    message) for what was ignored."""
    document = copy.deepcopy(stored)
    for key in RECEIPT_FIELDS:
        if key in submitted:
            document[key] = copy.deepcopy(submitted[key])
        else:
            document.pop(key, None)
    sent = {
        waste.get("lineNumber"): waste
        for waste in submitted.get("wastes") or []
        if isinstance(waste, dict)
    }
    for waste in document.get("wastes") or []:
        given = sent.get(waste.get("lineNumber")) or {}
        if "discrepancyResidueInfo" in given:
            waste["discrepancyResidueInfo"] = copy.deepcopy(given["discrepancyResidueInfo"])
        else:
            waste.pop("discrepancyResidueInfo", None)
    warnings = []
    for key in ("generator", "transporters"):
        if key in submitted and _site_ids(submitted[key]) != _site_ids(stored.get(key)):
            warnings.append((path(key), IGNORED))
    return document, warnings


def _site_ids(parties: Any) -> list[Any]:
    listed = parties if isinstance(parties, list) else [parties]
    return [p.get("epaSiteId") for p in listed if isinstance(p, dict)]
