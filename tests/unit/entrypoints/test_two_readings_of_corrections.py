"""Two readings of EPA's correction rules, one verdict: whether a manifest may be corrected or
reverted, and who signs a version under correction, through Haztrak's domain
(`domain.manifest.corrections`) and through the sandbox's own rules (`sandbox/rules.py`).

EPA (NOTES §3.2): correct from Signed or Corrected makes a new version UnderCorrection, from
UnderCorrection changes it; Image not while the Paper Processing Center processes it, Mail only
after; revert only with a version UnderCorrection; a lock refuses both.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from haztrak.domain.errors import DomainError
from haztrak.domain.manifest import manifest_from_document
from haztrak.domain.manifest.corrections import (
    correction_signing_turn,
    ensure_correctable,
    ensure_revertible,
)
from haztrak.entrypoints.sandbox import rules
from tests.integration.sandbox.support import example

FE = "emanifest-save-valid-Full-Electronic-example.json"
KINDS = ("FullElectronic", "Hybrid", "DataImage5Copy", "Image")
STATUSES = ("ReadyForSignature", "Signed", "Corrected", "UnderCorrection")
PPC = (None, "DataEntryInProgress", "DataQaCompleted")
ORIGINS = ("Web", "Mail")
LOCKS = (None, "AsyncSign", "EpaChangeBiller")


def document(**changes: Any) -> dict[str, Any]:
    merged = example(FE) | {"manifestTrackingNumber": "100000042ELC"} | changes
    return {key: value for key, value in merged.items() if value is not None}


def _domain(check: Any, doc: dict[str, Any]) -> bool:
    try:
        check(manifest_from_document(doc))
    except DomainError:
        return False
    return True


def _sandbox(check: Any, doc: dict[str, Any]) -> bool:
    try:
        check(doc)
    except rules.Refused:
        return False
    return True


CASES = [
    document(
        submissionType=kind,
        status=status,
        ppcStatus=ppc,
        originType=origin,
        locked=True if lock else None,
        lockReason=lock,
    )
    for kind, status, ppc, origin, lock in itertools.product(KINDS, STATUSES, PPC, ORIGINS, LOCKS)
    if not (origin == "Mail" and kind not in ("Image", "DataImage5Copy"))
]


@pytest.mark.parametrize("doc", CASES, ids=lambda d: "-".join(str(v) for v in (
    d["submissionType"], d["status"], d.get("ppcStatus"), d.get("originType"), d.get("lockReason"),
)))  # fmt: skip
def test_both_readings_agree_on_correct_and_revert(doc: dict[str, Any]) -> None:
    assert _domain(ensure_correctable, doc) == _sandbox(rules.check_correct, doc)
    assert _domain(ensure_revertible, doc) == _sandbox(rules.check_revert, doc)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize(
    ("site", "turn"),
    [
        ("VATESTGEN001", rules.Turn("Generator")),
        ("VATESTRAN02", rules.Turn("Transporter", 1)),
        ("VATEST000001", rules.Turn("Tsdf")),
        ("VATESTOTHER1", rules.Turn("Tsdf")),
    ],
)
def test_both_readings_agree_on_who_signs_a_correction(
    status: str, site: str, turn: rules.Turn
) -> None:
    doc = document(status=status)
    ids = {
        "Generator": doc["generator"]["epaSiteId"],
        "Tsdf": doc["designatedFacility"]["epaSiteId"],
        "Transporter": doc["transporters"][0]["epaSiteId"],
    }
    site = ids[turn.site_type] if site != "VATESTOTHER1" else site

    def domain(manifest: Any) -> None:
        place = correction_signing_turn(manifest, site)
        assert place.role.value == turn.site_type

    assert _domain(domain, doc) == _sandbox(lambda d: rules.correction_signer(d, site, turn), doc)
