"""Corrections: after the designated facility signs, a party on the manifest may correct it.

EPA's rules (NOTES §3.2): the correct service, from `Signed` or `Corrected`, makes a new version
`UnderCorrection`; from `UnderCorrection` it changes that version. At most one version is under
correction, and every handler on the manifest may see and edit it. Revert drops the version under
correction (the one before becomes current again). A correction is signed electronically by a
certifier of a site on the manifest, in the role that site has on it; the signed version is
`Corrected`. While e-Manifest holds a manifest locked (in the signing queue, a change of biller, a
correction by EPA) no correction, revert or signature is sent: the work waits and says why.

A version history is e-Manifest's correction details: each version's number, status, whether it
is the active one, who changed it last and when.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

import msgspec

from haztrak.domain.errors import InvalidValue, NotFound
from haztrak.domain.manifest.lifecycle import Operation, SigningTurn, ensure_allowed
from haztrak.domain.manifest.model import (
    DiscrepancyResidueInfo,
    ElectronicSignature,
    HandlerRole,
    LockReason,
    Manifest,
    ManifestHandlerSite,
    OriginType,
    PpcStatus,
    Status,
)
from haztrak.domain.manifest.problems import OperationNotAllowed

CORRECTABLE = frozenset({Status.SIGNED, Status.CORRECTED, Status.UNDER_CORRECTION})
"""The statuses in which a manifest has versions and may be corrected."""

LOCK_REASONS: dict[LockReason | None, str] = {
    LockReason.ASYNC_SIGN: "e-Manifest is still processing a signature of this manifest "
    "(it is in the signing queue)",
    LockReason.EPA_CHANGE_BILLER: "EPA is changing who is billed for this manifest",
    LockReason.EPA_CORRECTION: "EPA is correcting this manifest",
    None: "e-Manifest holds it locked",
}

_PPC_PROCESSING = frozenset(
    {
        PpcStatus.PENDING_DATA_ENTRY,
        PpcStatus.DATA_ENTRY_IN_PROGRESS,
        PpcStatus.PENDING_DATA_QC,
        PpcStatus.PENDING_DATA_QA,
    }
)
_PPC_DONE = frozenset(
    {
        PpcStatus.DATA_QA_COMPLETED,
        PpcStatus.PENDING_INDUSTRY_CORRECTIONS,
        PpcStatus.INDUSTRY_CORRECTED,
    }
)
_SIGNING_ROLES = (
    HandlerRole.GENERATOR,
    HandlerRole.TRANSPORTER,
    HandlerRole.TSDF,
    HandlerRole.ALTERNATE_TSDF,
)

# Fields e-Manifest sets itself: a correction never carries them (the service keeps its own).
_SYSTEM_SET = (
    "created_date",
    "updated_date",
    "origin_type",
    "signature_status",
    "shipped_date",
    "received_date",
    "certified_date",
    "certified_by",
    "last_updated_by",
    "correction_info",
    "correction_requests",
    "ppc_status",
    "locked",
    "lock_reason",
    "is_public",
    "discrepancy",
    "residue",
    "form_document",
)


class ManifestLocked(OperationNotAllowed):
    """e-Manifest holds the manifest locked; `reason` says why, in words."""

    def __init__(self, mtn: str | None, reason: str) -> None:
        super().__init__(
            f"manifest {mtn or '(new)'} is locked in e-Manifest: {reason}; nothing is sent "
            "until it is unlocked"
        )
        self.reason = reason


def lock_explanation(manifest: Manifest) -> str | None:
    """Why e-Manifest holds the manifest locked, in words; None when it does not."""
    if not manifest.is_locked():
        return None
    return LOCK_REASONS.get(manifest.lock_reason, LOCK_REASONS[None])


def ensure_unlocked(manifest: Manifest) -> None:
    reason = lock_explanation(manifest)
    if reason is not None:
        raise ManifestLocked(manifest.manifest_tracking_number, reason)


def _ensure_ppc_allows(manifest: Manifest) -> None:
    """Image: not while EPA's Paper Processing Center is processing it; Mail: only after."""
    ppc = manifest.ppc_status
    paper = manifest.submission_type is not None and manifest.submission_type.is_paper
    if paper and ppc in _PPC_PROCESSING:
        raise OperationNotAllowed(
            f"cannot correct: EPA's Paper Processing Center is processing this manifest "
            f"({ppc.value if ppc else ''}); correct it once it has finished"
        )
    if manifest.origin_type is OriginType.MAIL and ppc not in _PPC_DONE:
        raise OperationNotAllowed(
            "cannot correct: a mailed manifest is corrected only after EPA's Paper Processing "
            "Center has processed it"
        )


def ensure_correctable(manifest: Manifest) -> None:
    """Open or change a correction: Signed, Corrected or UnderCorrection, not locked, and not
    while the Paper Processing Center works on it. Raises ManifestLocked or
    OperationNotAllowed with the reason."""
    ensure_unlocked(manifest)
    ensure_allowed(manifest, Operation.CORRECT)
    _ensure_ppc_allows(manifest)


def ensure_revertible(manifest: Manifest) -> None:
    """Revert drops the version under correction; there must be one (EPA answers
    E_NoVersionForUnderCorrectionStatus otherwise)."""
    ensure_unlocked(manifest)
    if manifest.current_status() is not Status.UNDER_CORRECTION:
        raise OperationNotAllowed(
            f"cannot revert: no version of the manifest is under correction (its status is "
            f"{manifest.current_status().value})"
        )
    ensure_allowed(manifest, Operation.REVERT)


def correction_document(current: Manifest, edited: Manifest) -> Manifest:
    """The corrected manifest as the correct service takes it: the edits, under the current
    manifest's tracking number, submission type and status, without what e-Manifest sets
    itself. The tracking number and the submission type are not a correction's to change."""
    mtn = current.manifest_tracking_number
    if edited.manifest_tracking_number not in (None, mtn):
        raise InvalidValue(
            "manifestTrackingNumber",
            f"a correction keeps the manifest's tracking number ({mtn})",
        )
    if edited.submission_type not in (None, current.submission_type):
        kind = current.submission_type.value if current.submission_type else "unknown"
        raise InvalidValue(
            "submissionType", f"a correction keeps the manifest's submission type ({kind})"
        )
    cleared: dict[str, object] = dict.fromkeys(_SYSTEM_SET)
    corrected = msgspec.structs.replace(
        edited.for_emanifest(),
        manifest_tracking_number=mtn,
        submission_type=current.submission_type,
        status=current.current_status(),
        **cleared,
    )
    return _with_receipt_answers(_keep_signatures(current, corrected))


def _with_receipt_answers(manifest: Manifest) -> Manifest:
    """EPA requires the facility's receipt answers on a manifest it signed (discrepancy and
    residue per line, rejection, re-shipped waste): one it signed without noting any is sent
    with each answer given as no, which is what its signature recorded."""
    wastes = [
        waste
        if waste.discrepancy_residue_info is not None
        else msgspec.structs.replace(
            waste,
            discrepancy_residue_info=DiscrepancyResidueInfo(
                waste_quantity=False, waste_type=False, residue=False
            ),
        )
        for waste in manifest.wastes or ()
    ]
    return msgspec.structs.replace(
        manifest,
        wastes=wastes if manifest.wastes is not None else None,
        rejection=manifest.rejection if manifest.rejection is not None else False,
        contains_previous_reject_or_residue=(
            manifest.contains_previous_reject_or_residue
            if manifest.contains_previous_reject_or_residue is not None
            else False
        ),
    )


def _keep_signatures(current: Manifest, corrected: Manifest) -> Manifest:
    """Signatures are e-Manifest's record of who signed: a correction keeps them as they are."""
    by_place: dict[tuple[HandlerRole, int | None], ManifestHandlerSite] = {
        (role, _order(role, h)): h for role, h in current.handlers()
    }

    def kept(role: HandlerRole, handler: ManifestHandlerSite | None) -> ManifestHandlerSite | None:
        if handler is None:
            return None
        before = by_place.get((role, _order(role, handler)))
        if before is None or before.epa_site_id != handler.epa_site_id:
            return msgspec.structs.replace(handler, electronic_signatures_info=None)
        return msgspec.structs.replace(
            handler,
            electronic_signatures_info=before.electronic_signatures_info,
            paper_signature_info=handler.paper_signature_info or before.paper_signature_info,
        )

    transporters = [
        t
        for t in (kept(HandlerRole.TRANSPORTER, t) for t in corrected.transporters or ())
        if t is not None
    ]
    return msgspec.structs.replace(
        corrected,
        generator=kept(HandlerRole.GENERATOR, corrected.generator),
        transporters=transporters if corrected.transporters is not None else None,
        designated_facility=kept(HandlerRole.TSDF, corrected.designated_facility),
    )


def _order(role: HandlerRole, handler: ManifestHandlerSite) -> int | None:
    if role is not HandlerRole.TRANSPORTER or handler.order is None:
        return None
    return int(handler.order)


def correction_signing_turn(manifest: Manifest, site_id: str) -> SigningTurn:
    """The place in which `site_id` signs the version under correction: the role the site has
    on the manifest (generator, a transporter, the designated or the alternate facility; a
    broker does not sign). Raises OperationNotAllowed when no version is under correction or
    the manifest is locked, InvalidValue when the site is not a signing party on it."""
    ensure_unlocked(manifest)
    if manifest.current_status() is not Status.UNDER_CORRECTION:
        raise OperationNotAllowed(
            f"cannot sign a correction: no version of the manifest is under correction (its "
            f"status is {manifest.current_status().value})"
        )
    for role, handler in manifest.handlers():
        if role in _SIGNING_ROLES and handler.epa_site_id == site_id:
            return SigningTurn(role=role, transporter_order=_order(role, handler))
    raise InvalidValue(
        "siteId",
        f"{site_id} is not a generator, transporter or facility on this manifest; a correction "
        "is signed by one of them",
    )


def correction_signers(manifest: Manifest) -> list[tuple[HandlerRole, ManifestHandlerSite]]:
    """The parties that may sign a correction of the manifest, in signing order."""
    return [
        (role, h) for role, h in manifest.handlers() if role in _SIGNING_ROLES and h.epa_site_id
    ]


# --- the version history ---------------------------------------------------------------------


class VersionStatus(StrEnum):
    SIGNED = "Signed"
    CORRECTED = "Corrected"
    UNDER_CORRECTION = "UnderCorrection"
    PENDING_PPC_DATA_ENTRY = "PendingPpcDataEntry"
    PPC_DATA_ENTRY_COMPLETED = "PpcDataEntryCompleted"


class VersionAuthor(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    user_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    def describe(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        if name and self.user_id:
            return f"{name} ({self.user_id})"
        return name or self.user_id or ""


class ManifestVersion(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """One version in e-Manifest's correction details (`EmanifestVersion`)."""

    version_number: int
    status: VersionStatus
    active: bool = False
    epa_site_id: str | None = None
    created_date: str | None = None
    updated_date: str | None = None
    updated_by: VersionAuthor | None = None
    electronic_signatures_info: list[ElectronicSignature] = []

    @property
    def signed(self) -> bool:
        return self.status is not VersionStatus.UNDER_CORRECTION


class VersionHistory(msgspec.Struct, frozen=True, kw_only=True):
    """A manifest's versions, newest first."""

    manifest_tracking_number: str
    versions: tuple[ManifestVersion, ...] = ()

    @classmethod
    def of(cls, mtn: str, versions: Iterable[ManifestVersion]) -> VersionHistory:
        """The versions by number, newest first; a number listed twice keeps its last entry."""
        by_number = {v.version_number: v for v in versions}
        ordered = sorted(by_number.values(), key=lambda v: v.version_number, reverse=True)
        return cls(manifest_tracking_number=mtn, versions=tuple(ordered))

    @property
    def active(self) -> ManifestVersion | None:
        return next((v for v in self.versions if v.active), None)

    @property
    def under_correction(self) -> ManifestVersion | None:
        return next((v for v in self.versions if v.status is VersionStatus.UNDER_CORRECTION), None)

    def version(self, number: int) -> ManifestVersion:
        for version in self.versions:
            if version.version_number == number:
                return version
        raise NotFound("manifest version", f"{self.manifest_tracking_number} v{number}")

    def problems(self) -> list[str]:
        """What is wrong with the history as e-Manifest's rules have it: at most one version
        under correction, at most one active."""
        found = []
        if sum(v.status is VersionStatus.UNDER_CORRECTION for v in self.versions) > 1:
            found.append("more than one version is under correction")
        if sum(v.active for v in self.versions) > 1:
            found.append("more than one version is active")
        return found
