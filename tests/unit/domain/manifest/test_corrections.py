"""Corrections as the domain reads EPA's rules: when a manifest may be corrected, signed or
reverted, what a correction keeps, and the version history."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from tests.manifest_documents import a_manifest

from haztrak.domain.errors import InvalidValue, NotFound
from haztrak.domain.manifest import (
    ElectronicSignature,
    HandlerRole,
    LockReason,
    Manifest,
    OperationNotAllowed,
    OriginType,
    PpcStatus,
    Status,
    SubmissionType,
)
from haztrak.domain.manifest.corrections import (
    ManifestLocked,
    ManifestVersion,
    VersionHistory,
    VersionStatus,
    correction_document,
    correction_signers,
    correction_signing_turn,
    ensure_correctable,
    ensure_revertible,
    lock_explanation,
)

MTN = "100000042ELC"


def _signed(**changes: Any) -> Manifest:
    manifest = a_manifest(mtn=MTN, status="Signed")
    tsdf = manifest.designated_facility
    assert tsdf is not None
    signature = ElectronicSignature(signature_date="2026-12-01T12:00:00.000+0000")
    tsdf = msgspec.structs.replace(tsdf, electronic_signatures_info=[signature])
    return msgspec.structs.replace(manifest, designated_facility=tsdf, **changes)


@pytest.mark.parametrize("status", [Status.SIGNED, Status.CORRECTED, Status.UNDER_CORRECTION])
def test_a_signed_corrected_or_under_correction_manifest_may_be_corrected(status: Status) -> None:
    ensure_correctable(_signed(status=status))


@pytest.mark.parametrize(
    "status", [Status.PENDING, Status.SCHEDULED, Status.IN_TRANSIT, Status.READY_FOR_SIGNATURE]
)
def test_a_manifest_not_yet_signed_by_its_facility_is_not_corrected(status: Status) -> None:
    with pytest.raises(OperationNotAllowed, match="does not allow it"):
        ensure_correctable(_signed(status=status))


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        (LockReason.ASYNC_SIGN, "signing queue"),
        (LockReason.EPA_CHANGE_BILLER, "billed"),
        (LockReason.EPA_CORRECTION, "EPA is correcting"),
    ],
)
def test_a_locked_manifest_is_neither_corrected_reverted_nor_signed_and_says_why(
    reason: LockReason, words: str
) -> None:
    locked = _signed(status=Status.UNDER_CORRECTION, locked=True, lock_reason=reason)
    for attempt in (
        lambda: ensure_correctable(locked),
        lambda: ensure_revertible(locked),
        lambda: correction_signing_turn(locked, "MOCKTSDFS001"),
    ):
        with pytest.raises(ManifestLocked, match=words):
            attempt()
    assert words in (lock_explanation(locked) or "")
    assert lock_explanation(_signed()) is None


def test_the_paper_processing_center_holds_paper_manifests_it_works_on() -> None:
    busy = _signed(
        submission_type=SubmissionType.IMAGE, ppc_status=PpcStatus.DATA_ENTRY_IN_PROGRESS
    )
    with pytest.raises(OperationNotAllowed, match="Paper Processing Center"):
        ensure_correctable(busy)
    mailed = _signed(submission_type=SubmissionType.IMAGE, origin_type=OriginType.MAIL)
    with pytest.raises(OperationNotAllowed, match="only after"):
        ensure_correctable(mailed)
    ensure_correctable(msgspec.structs.replace(mailed, ppc_status=PpcStatus.DATA_QA_COMPLETED))


def test_only_a_version_under_correction_is_reverted() -> None:
    ensure_revertible(_signed(status=Status.UNDER_CORRECTION))
    for status in (Status.SIGNED, Status.CORRECTED):
        with pytest.raises(OperationNotAllowed, match="no version of the manifest is under"):
            ensure_revertible(_signed(status=status))


def test_a_correction_keeps_the_number_type_status_and_signatures_and_drops_system_fields() -> None:
    current = _signed(created_date="2026-11-30T10:00:00.000+0000", locked=False)
    edited = msgspec.structs.replace(
        current,
        manifest_tracking_number=None,
        created_date="1999-01-01T00:00:00.000+0000",
        designated_facility=msgspec.structs.replace(
            current.designated_facility,  # type: ignore[arg-type]
            electronic_signatures_info=None,
            name="Corrected Name",
        ),
        wastes=(current.wastes or [])[:1],
    )
    corrected = correction_document(current, edited)
    assert corrected.manifest_tracking_number == MTN
    assert corrected.status is Status.SIGNED
    assert corrected.submission_type is current.submission_type
    assert corrected.created_date is None
    assert corrected.locked is None
    tsdf = corrected.designated_facility
    assert tsdf is not None
    assert tsdf.name == "Corrected Name"
    assert tsdf.electronic_signatures_info == current.designated_facility.electronic_signatures_info  # type: ignore[union-attr]
    assert len(corrected.wastes or []) == 1


def test_a_correction_does_not_change_the_tracking_number_or_the_submission_type() -> None:
    current = _signed()
    with pytest.raises(InvalidValue) as refused:
        correction_document(
            current, msgspec.structs.replace(current, manifest_tracking_number="100000043ELC")
        )
    assert refused.value.field == "manifestTrackingNumber"
    with pytest.raises(InvalidValue) as refused:
        correction_document(
            current, msgspec.structs.replace(current, submission_type=SubmissionType.HYBRID)
        )
    assert refused.value.field == "submissionType"


def test_a_correction_is_signed_by_a_party_on_the_manifest_in_its_role() -> None:
    under = _signed(status=Status.UNDER_CORRECTION)
    assert correction_signing_turn(under, "MOCKTSDFS001").role is HandlerRole.TSDF
    turn = correction_signing_turn(under, "MOCKTRANS002")
    assert (turn.role, turn.transporter_order) == (HandlerRole.TRANSPORTER, 2)
    assert correction_signing_turn(under, "VATESTGEN001").role is HandlerRole.GENERATOR
    with pytest.raises(InvalidValue) as refused:
        correction_signing_turn(under, "VATESTOTHER1")
    assert refused.value.field == "siteId"
    with pytest.raises(OperationNotAllowed, match="no version"):
        correction_signing_turn(_signed(), "MOCKTSDFS001")
    roles = [role for role, _ in correction_signers(under)]
    assert roles[0] is HandlerRole.GENERATOR
    assert roles[-1] is HandlerRole.TSDF


def _version(number: int, status: VersionStatus, active: bool = False) -> ManifestVersion:
    return ManifestVersion(version_number=number, status=status, active=active)


def test_the_history_is_newest_first_and_names_the_active_and_the_open_version() -> None:
    history = VersionHistory.of(
        MTN,
        [
            _version(1, VersionStatus.SIGNED),
            _version(3, VersionStatus.UNDER_CORRECTION, active=True),
            _version(2, VersionStatus.CORRECTED),
        ],
    )
    assert [v.version_number for v in history.versions] == [3, 2, 1]
    assert history.active is not None
    assert history.active.version_number == 3
    assert history.under_correction is not None
    assert history.version(2).status is VersionStatus.CORRECTED
    assert history.problems() == []
    with pytest.raises(NotFound):
        history.version(9)
    twice = VersionHistory.of(
        MTN,
        [
            _version(2, VersionStatus.UNDER_CORRECTION, active=True),
            _version(3, VersionStatus.UNDER_CORRECTION, active=True),
        ],
    )
    assert len(twice.problems()) == 2


def test_a_version_decodes_from_epas_correction_details() -> None:
    epa = {
        "status": "Corrected",
        "versionNumber": 2,
        "active": True,
        "epaSiteId": "MOCKTSDFS001",
        "createdDate": "2026-12-02T10:00:00.000+0000",
        "updatedBy": {"userId": "tsdf-user", "firstName": "Tess", "lastName": "Dee"},
        "electronicSignaturesInfo": [{"signatureDate": "2026-12-02T12:00:00.000+0000"}],
    }
    version = msgspec.convert(epa, ManifestVersion)
    assert version.updated_by is not None
    assert version.updated_by.describe() == "Tess Dee (tsdf-user)"
    assert version.signed
    assert msgspec.to_builtins(version) == epa


def test_a_reverted_copy_replaces_the_version_under_correction_kept_here() -> None:
    from haztrak.domain.manifest import CorrectionInfo
    from haztrak.domain.manifest.copies import replacement_refusal

    under = _signed(
        status=Status.UNDER_CORRECTION,
        updated_date="2026-12-02T10:00:00.000+0000",
        correction_info=CorrectionInfo(version_number=2, active=True),
    )
    reverted = _signed(
        updated_date="2026-12-02T11:00:00.000+0000",
        correction_info=CorrectionInfo(version_number=1, active=True),
    )
    assert replacement_refusal(under, reverted) is None
    stale = msgspec.structs.replace(reverted, updated_date=None)
    assert "older version" in (replacement_refusal(under, stale) or "")
