"""Two readings of EPA's rules, one verdict: the same documents through Haztrak's domain and
through the sandbox's own rules (`entrypoints/sandbox/rules.py`), which share nothing but the
date format. A rule one of them reads wrongly shows up here as a disagreement.

Each case cites the rule in EPA's words (NOTES.md §, or the services' validation.md).
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from haztrak.domain.errors import DomainError
from haztrak.domain.manifest import (
    CheckPurpose,
    HandlerRole,
    ManifestShapeError,
    Operation,
    QuickerSignature,
    apply_quicker_signature,
    business_problems,
    encode_manifest,
    manifest_from_document,
    next_signer,
    operations_for,
)
from haztrak.domain.manifest.lifecycle import signer_site
from haztrak.entrypoints.sandbox import rules
from tests.integration.sandbox.support import example

NOW = datetime(2026, 6, 1, 15, tzinfo=UTC)
FE = "emanifest-save-valid-Full-Electronic-example.json"
HYBRID = "emanifest-save-valid-Hybrid-example.json"
DI5C = "emanifest-save-valid-Data-and-Image-example.json"
KINDS = ("FullElectronic", "Hybrid", "DataImage5Copy", "Image")
STATUSES = (
    "Pending",
    "Scheduled",
    "InTransit",
    "ReadyForSignature",
    "Signed",
    "Corrected",
    "UnderCorrection",
    "MtnValidationFailed",
)


def document(name: str = FE, **changes: Any) -> dict[str, Any]:
    """EPA's example with these changes; a change to None leaves the key out."""
    merged = example(name) | changes
    return {key: value for key, value in merged.items() if value is not None}


# -- statuses and operations (NOTES §3.2) --------------------------------------------------------


def _sandbox_allows(check: Callable[[dict[str, Any]], None], stored: dict[str, Any]) -> bool:
    try:
        check(stored)
    except rules.Refused:
        return False
    return True


CONDITIONS = [
    pytest.param(kind, status, locked, origin, id=f"{kind}-{status}-{origin}-locked{locked}")
    for kind, status, locked, origin in itertools.product(
        KINDS, STATUSES, (False, True), ("Service", "Mail")
    )
]


@pytest.mark.parametrize(("kind", "status", "locked", "origin"), CONDITIONS)
def test_update_and_delete_are_allowed_alike(
    kind: str, status: str, locked: bool, origin: str
) -> None:
    """NOTES §3.2: update FE/Hybrid while Pending/Scheduled, paper while ReadyForSignature or
    MtnValidationFailed, never Signed, never Mail; delete likewise; a lock stops both."""
    stored = document(
        submissionType=kind,
        status=status,
        locked=locked,
        lockReason="AsyncSign" if locked else None,
        originType=origin,
        manifestTrackingNumber="100032437ELC",
    )
    allowed = operations_for(manifest_from_document(stored))
    assert (Operation.UPDATE in allowed) is _sandbox_allows(rules.check_update, stored)
    assert (Operation.DELETE in allowed) is _sandbox_allows(rules.check_delete, stored)


@pytest.mark.parametrize(("kind", "status", "locked", "origin"), CONDITIONS)
def test_whether_anyone_may_quicker_sign_now_is_decided_alike(
    kind: str, status: str, locked: bool, origin: str
) -> None:
    """NOTES §3.2 and §3.4: Quicker Sign is for electronic manifests only, when the manifest is
    ready for that party's signature; a Hybrid generator signs on paper."""
    stored = document(
        submissionType=kind,
        status=status,
        locked=locked,
        lockReason="AsyncSign" if locked else None,
        originType=origin,
        manifestTrackingNumber="100032437ELC",
    )
    assert _domain_signs(stored) is _sandbox_signs(stored)


def _domain_signs(stored: dict[str, Any]) -> bool:
    manifest = manifest_from_document(stored)
    turn = next_signer(manifest)
    site = signer_site(manifest, turn) if turn else None
    if turn is None or site is None:
        return False
    signature = QuickerSignature(
        site_id=site,
        site_type=turn.role,
        transporter_order=turn.transporter_order,
        printed_name="Pat Signer",
        signed_at=NOW,
    )
    try:
        apply_quicker_signature(manifest, signature, now=NOW)
    except DomainError:
        return False
    return True


def _sandbox_signs(stored: dict[str, Any]) -> bool:
    turn = rules.signing_turn(stored)
    handler = rules.party(stored, turn) if turn else None
    if turn is None or handler is None:
        return False
    try:
        rules.check_signature(stored, turn, handler["epaSiteId"], NOW, NOW)
    except rules.Refused:
        return False
    return True


# -- the signing order (NOTES §3.1, §3.4) ----------------------------------------------------------


@pytest.mark.parametrize("transporters", [1, 2, 3])
def test_the_signing_walk_is_the_same(transporters: int) -> None:
    """NOTES §3.1: generator, transporters 1..n, designated facility; the generator's signature
    leaves it Scheduled, transporters move it InTransit (skipped with one transporter), the last
    one ReadyForSignature, the facility Signed."""
    base = document(status="Scheduled", manifestTrackingNumber="100032437ELC")
    template = base["transporters"][0]
    base["transporters"] = [
        template | {"order": n, "epaSiteId": f"VATEST00000{n}"} for n in range(1, transporters + 1)
    ]
    manifest, stored = manifest_from_document(base), copy.deepcopy(base)
    walk_domain, walk_sandbox = [], []
    while (turn := next_signer(manifest)) is not None:
        site = signer_site(manifest, turn)
        assert site is not None
        signature = QuickerSignature(
            site_id=site,
            site_type=turn.role,
            transporter_order=turn.transporter_order,
            printed_name="Pat",
            signed_at=NOW,
        )
        manifest = apply_quicker_signature(manifest, signature, now=NOW)
        walk_domain.append((turn.role.value, turn.transporter_order, manifest.status))
    while (sandbox_turn := rules.signing_turn(stored)) is not None:
        handler = rules.party(stored, sandbox_turn)
        assert handler is not None
        rules.check_signature(stored, sandbox_turn, handler["epaSiteId"], NOW, NOW)
        rules.record_signature(stored, sandbox_turn, {"signatureDate": "2026-06-01T12:00:00Z"})
        walk_sandbox.append((sandbox_turn.site_type, sandbox_turn.order, stored["status"]))
    assert walk_domain == walk_sandbox
    assert walk_domain[-1][2] == "Signed"


@pytest.mark.parametrize(
    "signed_at",
    [NOW - timedelta(days=1), NOW + timedelta(days=1), datetime(2099, 1, 1, tzinfo=UTC)],
    ids=["before-the-generators-day", "tomorrow", "2099"],
)
def test_a_signature_date_is_refused_alike(signed_at: datetime) -> None:
    """NOTES §3.4 and §3.3: a signature date may not be earlier than the previous party's,
    and never in the future."""
    base = document(status="Scheduled", manifestTrackingNumber="100032437ELC")
    base["transporters"] = base["transporters"][:1]
    manifest = manifest_from_document(base)
    generator = QuickerSignature(
        site_id=base["generator"]["epaSiteId"],
        site_type=HandlerRole.GENERATOR,
        printed_name="Pat",
        signed_at=NOW,
    )
    manifest = apply_quicker_signature(manifest, generator, now=NOW)
    stored = encode_manifest_dict(manifest)
    transporter = QuickerSignature(
        site_id=base["transporters"][0]["epaSiteId"],
        site_type=HandlerRole.TRANSPORTER,
        transporter_order=1,
        printed_name="Pat",
        signed_at=signed_at,
    )
    with pytest.raises(DomainError):
        apply_quicker_signature(manifest, transporter, now=NOW)
    with pytest.raises(rules.Refused):
        rules.check_signature(
            stored, rules.Turn("Transporter", 1), transporter.site_id, signed_at, NOW
        )


def encode_manifest_dict(manifest: Any) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(encode_manifest(manifest))
    return decoded


# -- what a save must carry (NOTES §3.3, validation.md) ----------------------------------------


def _domain_errors(sent: dict[str, Any]) -> set[str]:
    """The fields the domain refuses: by the manifest's shape, or by its business rules."""
    try:
        manifest = manifest_from_document(sent)
    except ManifestShapeError as error:
        return {p.field for p in error.problems}
    problems = business_problems(manifest, now=NOW, purpose=CheckPurpose.EMANIFEST_SAVE)
    return {p.field for p in problems}


def _sandbox_errors(sent: dict[str, Any]) -> set[str]:
    found = [
        *rules.submission_findings(sent, saving=True),
        *rules.document_findings(sent, NOW),
    ]
    return {f.field for f in found if not f.warning}


SAVEABLE = [FE, HYBRID, DI5C, "emanifest-save-valid-Data-and-Image-Manual-Entry-example.json"]


def _paper(name: str) -> dict[str, Any]:
    sent = example(name)
    sent["manifestTrackingNumber"] = "100032437JJK"
    return sent


@pytest.mark.parametrize("name", SAVEABLE)
def test_epas_valid_examples_pass_both(name: str) -> None:
    sent = _paper(name) if "Data-and-Image" in name else example(name)
    assert _domain_errors(sent) == set()
    assert _sandbox_errors(sent) == set()


def _set(sent: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    *parents, last = dotted.split(".")
    node: Any = sent
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is ...:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return sent


SEVEN_CODES = [{"code": c} for c in ("D001", "D002", "D003", "D004", "F001", "F002", "F003")]
REFUSED = [
    (FE, "wastes.0.quantity.containerType", ..., "wastes.0.quantity.containerType", "§2.3"),
    (FE, "wastes.0.quantity.containerNumber", 10_000, "wastes.0.quantity.containerNumber", "§2.3"),
    (FE, "wastes.0.quantity.quantity", 480.5, "wastes.0.quantity.quantity", "§2.3 integer"),
    (FE, "wastes.1.pcbInfos", [], "wastes.1.pcbInfos", "§3.3 pcbInfos when pcb"),
    (FE, "wastes.0.dotInformation", ..., "wastes.0.dotInformation", "§2.3 dotHazardous"),
    (FE, "generator.emergencyPhone", ..., "generator.emergencyPhone", "§3.3 generator"),
    (FE, "designatedFacility.contact.phone", ..., "designatedFacility.contact.phone", "§3.3"),
    (FE, "status", "InTransit", "status", "§3.2 the API sets only Pending or Scheduled"),
    (FE, "manifestTrackingNumber", "100032437ELC", "manifestTrackingNumber", "§3.2 save"),
    (FE, "wastes", [], "wastes", "§3.3 wastes from Scheduled"),
    (FE, "transporters.0.order", 2, "transporters.0.order", "§2.1 order 1..n"),
    (FE, "generator.contact.phone.number", "5555555555", "generator.contact.phone.number", "§2.2"),
    (DI5C, "wastes.0.hazardousWaste.federalWasteCodes", SEVEN_CODES, "wastes.0.hazardousWaste",
     "§2.3 paper allows 6 codes per line"),
    (DI5C, "wastes.0.managementMethod", ..., "wastes.0.managementMethod",
     "§3.3 management method for DataImage5Copy EPA wastes"),
    (DI5C, "generator.paperSignatureInfo.signatureDate", "2099-01-01T12:00:00Z",
     "generator.paperSignatureInfo.signatureDate", "§3.3 dates never in the future"),
    (DI5C, "transporters.0.paperSignatureInfo", ..., "transporters.0.paperSignatureInfo",
     "§3.3 paper signatures required on DataImage5Copy"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "dotted", "value", "field", "rule"), REFUSED, ids=[c[4] for c in REFUSED]
)
def test_a_broken_rule_is_refused_by_both_at_the_same_field(
    name: str, dotted: str, value: Any, field: str, rule: str
) -> None:
    sent = _set(_paper(name) if name == DI5C else example(name), dotted, value)
    domain, sandbox = _domain_errors(sent), _sandbox_errors(sent)
    assert any(f == field or f.startswith(field + ".") for f in domain), (rule, domain)
    assert any(f == field or f.startswith(field + ".") for f in sandbox), (rule, sandbox)


def test_a_comment_over_250_characters_the_domain_refuses_and_epa_drops() -> None:
    """validation.md (comments 3.2.2): EPA ignores a comment whose label is longer than 250
    characters, with a warning. Haztrak refuses it before sending, so that nothing the user
    wrote is silently dropped: both read the same limit."""
    sent = example(FE)
    sent["wastes"][0]["additionalInfo"]["comments"][0]["label"] = "L" * 251
    assert "wastes.0.additionalInfo.comments.0.label" in _domain_errors(sent)
    warnings = rules.drop_long_comments(sent)
    assert [w.field for w in warnings] == ["wastes.0.additionalInfo.comments.label"]
    sent["wastes"][0]["additionalInfo"]["comments"] = [{"label": "L" * 250, "description": "d"}]
    assert "wastes.0.additionalInfo.comments.0.label" not in _domain_errors(sent)
    assert rules.drop_long_comments(sent) == []


# -- receiving: discrepancies, residue, rejection (NOTES §3.1, §3.3, §3.4) ---------------------

ELECTRONIC_CONDITIONS = [c for c in CONDITIONS if c.values[0] in ("FullElectronic", "Hybrid")]


@pytest.mark.parametrize(("kind", "status", "locked", "origin"), ELECTRONIC_CONDITIONS)
def test_a_receipt_is_allowed_alike(kind: str, status: str, locked: bool, origin: str) -> None:
    """§3.3: discrepancy, residue and rejection are recorded from ReadyForSignature on, before
    the designated facility signs; on an electronic manifest that is the only update then.
    (A paper manifest carries its receipt in an ordinary update, compared above.)"""
    stored = document(
        submissionType=kind,
        status=status,
        locked=locked,
        lockReason="AsyncSign" if locked else None,
        originType=origin,
        manifestTrackingNumber="100032437ELC",
    )
    allowed = Operation.RECEIVE in operations_for(manifest_from_document(stored))
    assert allowed is _sandbox_allows(rules.check_receipt, stored)


def _arrived(rejection_info: dict[str, Any] | None = None) -> dict[str, Any]:
    """The FE example with one transporter, both signed: it waits for the facility."""
    sent = document(status="ReadyForSignature", manifestTrackingNumber="100032437ELC")
    sent["transporters"] = sent["transporters"][:1]
    for handler in (sent["generator"], sent["transporters"][0]):
        handler["electronicSignaturesInfo"] = [{"signatureDate": "2026-05-30T12:00:00.000+0000"}]
    for waste in sent["wastes"]:
        waste["discrepancyResidueInfo"] = {"wasteQuantity": False, "wasteType": False,
                                           "residue": False}  # fmt: skip
    sent["rejection"] = rejection_info is not None
    sent["containsPreviousRejectOrResidue"] = False
    if rejection_info is not None:
        sent["rejectionInfo"] = rejection_info
    return sent


REJECTIONS = {
    "no-rejection": None,
    "alternate-tsdf": {
        "transporterOnSite": True,
        "rejectionType": "FullReject",
        "alternateDesignatedFacilityType": "Tsdf",
        "alternateDesignatedFacility": {"epaSiteId": "VATEST000003"},
        "rejectionComments": "not ours",
    },
    "back-to-generator": {
        "transporterOnSite": True,
        "rejectionType": "FullReject",
        "alternateDesignatedFacilityType": "Generator",
        "rejectionComments": "not ours",
    },
    "transporter-gone": {
        "transporterOnSite": False,
        "rejectionType": "PartialReject",
        "rejectionComments": "line 2 is not ours",
    },
}


@pytest.mark.parametrize("case", REJECTIONS)
def test_who_signs_after_a_rejection_is_the_same(case: str) -> None:
    """§3.1: "on a rejection, then the alternate TSDF or the original generator" sign after the
    designated facility (Quicker Sign siteType RejectionInfo_AlternateTsdf, §3.4); without the
    transporter on site the facility's signature ends the manifest."""
    base = _arrived(REJECTIONS[case])
    assert _domain_errors_at_receipt(base) == set()
    assert _sandbox_errors_at_receipt(base) == set()
    manifest, stored = manifest_from_document(base), copy.deepcopy(base)
    walk_domain, walk_sandbox = [], []
    while (turn := next_signer(manifest)) is not None:
        site = signer_site(manifest, turn)
        assert site is not None
        signature = QuickerSignature(
            site_id=site, site_type=turn.role, printed_name="Pat", signed_at=NOW
        )
        manifest = apply_quicker_signature(manifest, signature, now=NOW)
        walk_domain.append((turn.role.value, manifest.status))
    while (sandbox_turn := rules.signing_turn(stored)) is not None:
        handler = rules.party(stored, sandbox_turn)
        assert handler is not None
        rules.check_signature(stored, sandbox_turn, handler["epaSiteId"], NOW, NOW)
        rules.record_signature(stored, sandbox_turn, {"signatureDate": "2026-06-01T12:00:00Z"})
        walk_sandbox.append((sandbox_turn.site_type, stored["status"]))
    assert walk_domain == walk_sandbox
    assert walk_domain[-1][1] == "Signed"
    info = REJECTIONS[case]
    if info is not None and info["transporterOnSite"]:
        assert len(walk_domain) == 2  # the facility, then the rejection's destination


def _domain_errors_at_receipt(sent: dict[str, Any]) -> set[str]:
    return {p.field for p in business_problems(manifest_from_document(sent), now=NOW)}


def _sandbox_errors_at_receipt(sent: dict[str, Any]) -> set[str]:
    found = [
        *rules.submission_findings(sent, saving=False, receiving=True),
        *rules.document_findings(sent, NOW),
    ]
    return {f.field for f in found if not f.warning}


BROKEN_RECEIPTS = [
    ("wastes.0.discrepancyResidueInfo.wasteQuantity", True,
     "wastes.0.discrepancyResidueInfo.discrepancyComments", "§3.3 comments when a flag is true"),
    ("wastes.1.discrepancyResidueInfo.residue", True,
     "wastes.1.discrepancyResidueInfo.residueComments", "§3.3 residue comments"),
    ("wastes.0.discrepancyResidueInfo", ..., "wastes.0.discrepancyResidueInfo",
     "§3.3 discrepancyResidueInfo from ReadyForSignature on"),
    ("containsPreviousRejectOrResidue", ..., "containsPreviousRejectOrResidue",
     "§3.3 containsPreviousRejectOrResidue required"),
    ("rejection", ..., "rejection", "§3.3 rejection required"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("dotted", "value", "field", "rule"), BROKEN_RECEIPTS, ids=[c[3] for c in BROKEN_RECEIPTS]
)
def test_a_broken_receipt_is_refused_by_both_at_the_same_field(
    dotted: str, value: Any, field: str, rule: str
) -> None:
    sent = _set(_arrived(), dotted, value)
    assert field in _domain_errors_at_receipt(sent), rule
    assert field in _sandbox_errors_at_receipt(sent), rule


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rejectionComments": ...}, "rejectionInfo.rejectionComments"),
        ({"transporterOnSite": ...}, "rejectionInfo.transporterOnSite"),
        ({"alternateDesignatedFacilityType": ...}, "rejectionInfo.alternateDesignatedFacilityType"),
    ],
)
def test_a_broken_rejection_is_refused_by_both(change: dict[str, Any], field: str) -> None:
    """§3.3: a rejection needs its comments and whether the transporter is on site; with the
    transporter on site, where the waste goes (alternate facility type)."""
    info = dict(REJECTIONS["alternate-tsdf"] or {})
    for key, value in change.items():
        info.pop(key) if value is ... else info.__setitem__(key, value)
    sent = _arrived(info)
    assert field in _domain_errors_at_receipt(sent)
    assert field in _sandbox_errors_at_receipt(sent)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            {"newManifestTrackingNumbers": ["100032999ELC"]},
            "rejectionInfo.newManifestTrackingNumbers",
        ),
        (
            {"alternateDesignatedFacility": ...},
            "rejectionInfo.alternateDesignatedFacility.epaSiteId",
        ),
    ],
)
def test_with_the_transporter_on_site_the_waste_leaves_on_this_manifest_alike(
    change: dict[str, Any], field: str
) -> None:
    """§3.3: with the transporter on site no new tracking numbers are allowed, and an alternate
    Tsdf is named by its ID."""
    info = dict(REJECTIONS["alternate-tsdf"] or {})
    for key, value in change.items():
        info.pop(key) if value is ... else info.__setitem__(key, value)
    sent = _arrived(info)
    assert field in _domain_errors_at_receipt(sent)
    assert field in _sandbox_errors_at_receipt(sent)


def test_a_partial_rejection_with_the_transporter_on_site_haztrak_refuses_and_epa_makes_full() -> (
    None
):
    """§3.3: "With the transporter on site ... it becomes FullReject". Haztrak asks the user to
    say so before sending; e-Manifest assigns it with a warning: both read the same rule."""
    sent = _arrived(dict(REJECTIONS["alternate-tsdf"] or {}, rejectionType="PartialReject"))
    assert "rejectionInfo.rejectionType" in _domain_errors_at_receipt(sent)
    found = list(rules.document_findings(sent, NOW))
    assert [f.field for f in found if f.warning] == ["rejectionInfo.rejectionType"]
    assert not [f for f in found if not f.warning]
    assert sent["rejectionInfo"]["rejectionType"] == "FullReject"


def test_waste_returned_to_the_original_generator_cannot_be_rejected_alike() -> None:
    """§3.3: "A new manifest shipped back to OriginalGenerator cannot be rejected"."""
    sent = _arrived(dict(REJECTIONS["transporter-gone"] or {}))
    sent["containsPreviousRejectOrResidue"] = True
    sent["additionalInfo"] = {
        "originalManifestTrackingNumbers": ["100032400ELC"],
        "newManifestDestination": "OriginalGenerator",
    }
    assert "rejection" in _domain_errors_at_receipt(sent)
    assert "rejection" in _sandbox_errors_at_receipt(sent)
