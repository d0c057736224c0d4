"""Receiving a shipment: what the designated facility found (discrepancies, residue), whether it
rejects the waste, and the new manifest that carries rejected or residue waste on.

EPA's rules (NOTES §2.1, §2.3, §3.3): a receipt is recorded from ReadyForSignature on, before the
designated facility signs. Each waste line says whether its quantity or type differs from the
manifest (`wasteQuantity`, `wasteType`, with `discrepancyComments`) and whether residue remains
(`residue`, with `residueComments`); the manifest's `discrepancy` and `residue` follow from the
lines. A rejection explains itself (`rejectionComments`) and says whether the transporter is
still on site: if so the rejection is full, no new manifest is started, and the waste leaves on
this manifest for an alternate facility or back to the generator, who then signs after the
designated facility (lifecycle.rejection_destination). Otherwise the rejection is full or
partial and the waste leaves on a new manifest, whose tracking numbers may be listed; the new
manifest says it `containsPreviousRejectOrResidue` and names the original in
`additionalInfo.originalManifestTrackingNumbers`.
"""

from __future__ import annotations

from collections.abc import Iterator

import msgspec

from haztrak.domain.handlers import SiteType, is_epa_id
from haztrak.domain.manifest.lifecycle import Operation, ensure_allowed, operations_for
from haztrak.domain.manifest.model import (
    AdditionalInfo,
    AlternateFacilityType,
    DiscrepancyResidueInfo,
    Manifest,
    ManifestHandlerSite,
    NewManifestDestination,
    Quantity,
    RejectionInfo,
    RejectionType,
    Status,
    SubmissionType,
    Waste,
)
from haztrak.domain.manifest.problems import ManifestShapeError, OperationNotAllowed, Problem
from haztrak.domain.manifest.tracking_numbers import is_tracking_number

MAX_RECEIPT_COMMENT = 255
"""`discrepancyComments`, `residueComments` and `rejectionComments`: 1..255 characters."""
_MTN_RULE = "must be nine digits and a three-letter suffix, like 100032437ELC"


class WasteReceipt(msgspec.Struct, kw_only=True, rename="camel", forbid_unknown_fields=True):
    """What arrived of one waste line, named by its `lineNumber`."""

    line_number: int
    discrepancy_residue_info: DiscrepancyResidueInfo


class Receipt(msgspec.Struct, kw_only=True, rename="camel", forbid_unknown_fields=True):
    """The designated facility's receipt, in EPA's names. Lines left out had no discrepancy
    and no residue."""

    wastes: list[WasteReceipt] = []
    rejection: bool = False
    rejection_info: RejectionInfo | None = None
    residue_new_manifest_tracking_numbers: list[str] | None = None


class RejectedWasteReason(msgspec.Struct, frozen=True):
    """Why a new manifest is started from a received one."""

    rejection: bool
    residue: bool


def ensure_receivable(manifest: Manifest) -> None:
    """OperationNotAllowed unless the designated facility may record its receipt now:
    ReadyForSignature, not yet signed by the facility, not locked, not an Image manifest."""
    if manifest.current_status() is not Status.READY_FOR_SIGNATURE:
        raise OperationNotAllowed(
            "cannot receive: a receipt is recorded while the manifest is ReadyForSignature, "
            f"and it is {manifest.current_status().value}"
        )
    if Operation.RECEIVE not in operations_for(manifest) and not manifest.is_locked():
        raise OperationNotAllowed(
            "cannot receive: the designated facility has signed, which closed its receipt"
        )
    ensure_allowed(manifest, Operation.RECEIVE)


def receipt_problems(manifest: Manifest, receipt: Receipt) -> list[Problem]:
    """Every problem of the receipt for this manifest, at the receipt's own paths."""
    return [*_line_problems(manifest, receipt), *_rejection_problems(manifest, receipt)]


def record_receipt(manifest: Manifest, receipt: Receipt) -> Manifest:
    """The manifest with the receipt recorded and `discrepancy`/`residue` derived from it.

    Raises OperationNotAllowed when a receipt cannot be recorded now, ManifestShapeError
    listing every problem of the receipt otherwise."""
    ensure_receivable(manifest)
    problems = receipt_problems(manifest, receipt)
    if problems:
        raise ManifestShapeError(problems)
    given = {w.line_number: w.discrepancy_residue_info for w in receipt.wastes}
    wastes = [
        msgspec.structs.replace(
            waste, discrepancy_residue_info=_normalized(given.get(int(waste.line_number)))
        )
        for waste in manifest.wastes or ()
    ]
    discrepancy = any(
        w.discrepancy_residue_info.waste_quantity or w.discrepancy_residue_info.waste_type
        for w in wastes
        if w.discrepancy_residue_info
    )
    residue = any(w.discrepancy_residue_info.residue for w in wastes if w.discrepancy_residue_info)
    info = _rejection_info(manifest, receipt) if receipt.rejection else None
    return msgspec.structs.replace(
        manifest,
        wastes=wastes,
        discrepancy=discrepancy,
        residue=residue,
        rejection=receipt.rejection,
        rejection_info=info,
        residue_new_manifest_tracking_numbers=(
            list(receipt.residue_new_manifest_tracking_numbers or ()) if residue else []
        ),
        contains_previous_reject_or_residue=bool(manifest.contains_previous_reject_or_residue),
    )


def _normalized(info: DiscrepancyResidueInfo | None) -> DiscrepancyResidueInfo:
    if info is None:
        return DiscrepancyResidueInfo(waste_quantity=False, waste_type=False, residue=False)
    discrepant = bool(info.waste_quantity or info.waste_type)
    return DiscrepancyResidueInfo(
        waste_quantity=bool(info.waste_quantity),
        waste_type=bool(info.waste_type),
        discrepancy_comments=(info.discrepancy_comments or "").strip() or None
        if discrepant
        else None,
        residue=bool(info.residue),
        residue_comments=(info.residue_comments or "").strip() or None if info.residue else None,
    )


def _line_problems(manifest: Manifest, receipt: Receipt) -> Iterator[Problem]:
    lines = {int(w.line_number) for w in manifest.wastes or ()}
    seen: set[int] = set()
    for index, waste in enumerate(receipt.wastes):
        at = f"wastes.{index}"
        if waste.line_number not in lines:
            listed = ", ".join(str(n) for n in sorted(lines)) or "none"
            yield Problem(f"{at}.lineNumber", f"is not a line of this manifest (lines: {listed})")
            continue
        if waste.line_number in seen:
            yield Problem(f"{at}.lineNumber", "is given twice")
        seen.add(waste.line_number)
        info = waste.discrepancy_residue_info
        where = f"{at}.discrepancyResidueInfo"
        if info.waste_quantity or info.waste_type:
            yield from _comment(f"{where}.discrepancyComments", info.discrepancy_comments,
                                "wasteQuantity or wasteType is true")  # fmt: skip
        if info.residue:
            yield from _comment(f"{where}.residueComments", info.residue_comments,
                                "residue is true")  # fmt: skip
    residue = any(w.discrepancy_residue_info.residue for w in receipt.wastes)
    numbers = receipt.residue_new_manifest_tracking_numbers or []
    if numbers and not residue:
        yield Problem(
            "residueNewManifestTrackingNumbers", "may be given only when a line has residue"
        )
    yield from _tracking_numbers("residueNewManifestTrackingNumbers", numbers)


def _comment(path: str, text: str | None, when: str) -> Iterator[Problem]:
    if not text or not text.strip():
        yield Problem(path, f"is required when {when}")
    elif len(text.strip()) > MAX_RECEIPT_COMMENT:
        yield Problem(path, f"must be at most {MAX_RECEIPT_COMMENT} characters")


def _tracking_numbers(path: str, numbers: list[str]) -> Iterator[Problem]:
    for index, number in enumerate(numbers):
        if not is_tracking_number(number):
            yield Problem(f"{path}.{index}", _MTN_RULE)


def _rejection_problems(manifest: Manifest, receipt: Receipt) -> Iterator[Problem]:
    info = receipt.rejection_info
    if not receipt.rejection:
        if info is not None:
            yield Problem("rejectionInfo", "may be given only when rejection is true")
        return
    additional = manifest.additional_info
    if (
        additional
        and additional.new_manifest_destination is NewManifestDestination.ORIGINAL_GENERATOR
    ):
        yield Problem(
            "rejection", "a manifest returning waste to the original generator cannot be rejected"
        )
    if info is None:
        yield Problem("rejectionInfo", "is required when rejection is true")
        return
    yield from _comment("rejectionInfo.rejectionComments", info.rejection_comments,
                        "rejection is true")  # fmt: skip
    if info.transporter_on_site is None:
        yield Problem("rejectionInfo.transporterOnSite", "is required when rejection is true")
    elif info.transporter_on_site:
        yield from _on_site_problems(manifest, info)
    else:
        if info.rejection_type is None:
            yield Problem(
                "rejectionInfo.rejectionType",
                "is required when the transporter is not on site: FullReject or PartialReject",
            )
        numbers = info.new_manifest_tracking_numbers or []
        yield from _tracking_numbers("rejectionInfo.newManifestTrackingNumbers", numbers)


def _on_site_problems(manifest: Manifest, info: RejectionInfo) -> Iterator[Problem]:
    """The transporter takes the waste on, on this manifest: a full rejection to an alternate
    facility or back to the generator, never with new tracking numbers."""
    if info.rejection_type is RejectionType.PARTIAL_REJECT:
        yield Problem(
            "rejectionInfo.rejectionType", "must be FullReject when the transporter is on site"
        )
    if info.new_manifest_tracking_numbers:
        yield Problem(
            "rejectionInfo.newManifestTrackingNumbers",
            "must be empty when the transporter is on site (the waste leaves on this manifest)",
        )
    kind = info.alternate_designated_facility_type
    alternate = info.alternate_designated_facility
    if kind is None:
        yield Problem(
            "rejectionInfo.alternateDesignatedFacilityType",
            "is required when the transporter is on site: Generator or Tsdf",
        )
    elif kind is AlternateFacilityType.TSDF:
        site_id = alternate.epa_site_id if alternate else None
        facility = manifest.designated_facility
        if not site_id:
            yield Problem(
                "rejectionInfo.alternateDesignatedFacility.epaSiteId",
                "is required when the waste goes to an alternate Tsdf",
            )
        elif not is_epa_id(site_id):
            yield Problem(
                "rejectionInfo.alternateDesignatedFacility.epaSiteId",
                "must be a two-letter state code followed by 2 to 10 letters or digits",
            )
        elif facility is not None and facility.epa_site_id == site_id:
            yield Problem(
                "rejectionInfo.alternateDesignatedFacility.epaSiteId",
                "must be another facility than the designated facility that rejects the waste",
            )
    elif alternate is not None:
        yield Problem(
            "rejectionInfo.alternateDesignatedFacility",
            "must be left out when the waste goes back to the generator",
        )


def _rejection_info(manifest: Manifest, receipt: Receipt) -> RejectionInfo:
    info = receipt.rejection_info
    assert info is not None
    on_site = bool(info.transporter_on_site)
    alternate = info.alternate_designated_facility
    if on_site and info.alternate_designated_facility_type is AlternateFacilityType.TSDF:
        assert alternate is not None
        alternate = msgspec.structs.replace(
            alternate, site_type=SiteType.TSDF, electronic_signatures_info=None, signed=None
        )
    else:
        alternate = None
    return RejectionInfo(
        transporter_on_site=on_site,
        rejection_type=RejectionType.FULL_REJECT if on_site else info.rejection_type,
        alternate_designated_facility_type=(
            info.alternate_designated_facility_type if on_site else None
        ),
        alternate_designated_facility=alternate,
        new_manifest_tracking_numbers=[]
        if on_site
        else list(info.new_manifest_tracking_numbers or ()),
        rejection_comments=(info.rejection_comments or "").strip(),
    )


# --- the new manifest for rejected or residue waste ------------------------------------------


def leftover_waste(manifest: Manifest) -> RejectedWasteReason | None:
    """Whether waste of this received manifest leaves on a new manifest: rejected waste when
    the transporter had left (a full or partial rejection), or residue. None otherwise."""
    info = manifest.rejection_info
    rejected = bool(manifest.rejection and info is not None and info.transporter_on_site is False)
    residue = bool(manifest.residue)
    if not (rejected or residue):
        return None
    return RejectedWasteReason(rejection=rejected, residue=residue)


def ensure_may_start_new_manifest(manifest: Manifest) -> RejectedWasteReason:
    """OperationNotAllowed unless the manifest was received with a rejection (transporter
    gone) or residue, which leave on a new manifest."""
    status = manifest.current_status()
    if not status.has_reached(Status.READY_FOR_SIGNATURE) or status is Status.MTN_VALIDATION_FAILED:
        raise OperationNotAllowed(
            f"cannot start a manifest for rejected waste: this manifest is {status.value}, "
            "not received yet"
        )
    reason = leftover_waste(manifest)
    if reason is None:
        raise OperationNotAllowed(
            "cannot start a manifest for rejected waste: this manifest records no rejection "
            "with the transporter gone, and no residue"
        )
    return reason


def rejected_waste_manifest(original: Manifest) -> Manifest:
    """A new draft for the waste the designated facility sends on: the facility becomes its
    generator, and the user picks the transporters and the destination (an alternate facility,
    or the original generator) in the draft editor. It lists the lines
    with a discrepancy or residue (all lines on a full rejection), names the original in
    `additionalInfo.originalManifestTrackingNumbers` and says
    `containsPreviousRejectOrResidue`."""
    reason = ensure_may_start_new_manifest(original)
    info = original.rejection_info
    full = bool(reason.rejection and info and info.rejection_type is RejectionType.FULL_REJECT)
    wastes = [
        _carried_line(waste, number)
        for number, waste in enumerate(
            (w for w in original.wastes or () if full or _flagged(w)), start=1
        )
    ]
    facility = original.designated_facility
    generator = None
    if facility is not None:
        generator = ManifestHandlerSite(
            site_type=SiteType.GENERATOR,
            epa_site_id=facility.epa_site_id,
            name=facility.name,
            mailing_address=facility.mailing_address,
            site_address=facility.site_address,
            contact=facility.contact,
            emergency_phone=facility.emergency_phone,
        )
    mtn = original.manifest_tracking_number
    return Manifest(
        status=Status.NOT_ASSIGNED,
        submission_type=SubmissionType.FULL_ELECTRONIC,
        generator=generator,
        transporters=[],
        wastes=wastes,
        contains_previous_reject_or_residue=True,
        additional_info=AdditionalInfo(
            original_manifest_tracking_numbers=[mtn] if mtn else [],
            new_manifest_destination=NewManifestDestination.TSDF,
        ),
    )


def _flagged(waste: Waste) -> bool:
    info = waste.discrepancy_residue_info
    return bool(info and (info.waste_quantity or info.waste_type or info.residue))


def _carried_line(waste: Waste, line_number: int) -> Waste:
    """The line as the new manifest carries it: the same waste, quantity to be weighed again
    (kept as a starting point), no receipt of its own yet."""
    quantity = waste.quantity
    return msgspec.structs.replace(
        waste,
        line_number=line_number,
        discrepancy_residue_info=None,
        management_method=None,
        quantity=msgspec.structs.replace(quantity) if quantity else Quantity(),
    )


def original_tracking_numbers(manifest: Manifest) -> list[str]:
    """The manifests whose rejected or residue waste this one carries on."""
    info = manifest.additional_info
    return list(info.original_manifest_tracking_numbers or ()) if info else []


def new_tracking_numbers(manifest: Manifest) -> list[str]:
    """The new manifests e-Manifest lists for this one's rejected or residue waste."""
    info = manifest.rejection_info
    listed = [*(info.new_manifest_tracking_numbers or ())] if info else []
    listed += manifest.residue_new_manifest_tracking_numbers or ()
    return list(dict.fromkeys(listed))
