"""The manifest lifecycle: which operations each status allows, who signs next, and what a
signature does to the status.

Signing order is generator, transporters 1..n, designated facility. The generator's signature
leaves an electronic manifest `Scheduled`; the first transporter's moves it `InTransit`; the
last transporter's makes it `ReadyForSignature` (with one transporter that is the first, so
`InTransit` is skipped); the designated facility's makes it `Signed`. Paper manifests (Image,
DataImage5Copy) arrive `ReadyForSignature` and wait for the designated facility, who signs them
in e-Manifest itself: Quicker Sign is for electronic manifests only (EPA, NOTES §3.2). A Hybrid
generator signs on paper, recorded by an update. A signature is dated no earlier than the
previous party's and not in the future (NOTES §3.3, §3.4).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from enum import StrEnum
from types import MappingProxyType

import msgspec

from haztrak.domain.errors import Forbidden
from haztrak.domain.identity import SiteRole
from haztrak.domain.manifest.datetimes import format_epa_datetime, parse_epa_datetime
from haztrak.domain.manifest.model import (
    AlternateFacilityType,
    ElectronicSignature,
    HandlerRole,
    LockReason,
    Manifest,
    ManifestHandlerSite,
    OriginType,
    SignatureMethod,
    SignatureType,
    Signer,
    SignerRole,
    Status,
    SubmissionType,
)
from haztrak.domain.manifest.problems import OperationNotAllowed, SignatureRefused


class Operation(StrEnum):
    EDIT = "edit"
    """Change a local draft (status NotAssigned) in Haztrak."""
    SUBMIT = "submit"
    """Send to e-Manifest: save a draft there, or update a manifest already there."""
    UPDATE = "update"
    """Change a manifest that is already in e-Manifest (sent with the update service)."""
    DELETE = "delete"
    SIGN = "sign"
    """Quicker Sign."""
    CORRECT = "correct"
    REVERT = "revert"
    """Drop the version under correction."""
    RECEIVE = "receive"
    """Record what the designated facility received: discrepancies, residue, a rejection
    (sent with the update service before the facility signs; domain.manifest.receiving)."""


_NONE: frozenset[Operation] = frozenset()
_DRAFT = frozenset({Operation.EDIT, Operation.SUBMIT, Operation.DELETE})
_CHANGEABLE = frozenset({Operation.SUBMIT, Operation.UPDATE, Operation.DELETE})
_CORRECTING = frozenset({Operation.CORRECT, Operation.REVERT})

ELECTRONIC_OPERATIONS: Mapping[Status, frozenset[Operation]] = MappingProxyType(
    {
        Status.NOT_ASSIGNED: _DRAFT,
        Status.PENDING: _CHANGEABLE,
        Status.SCHEDULED: _CHANGEABLE | {Operation.SIGN},
        Status.IN_TRANSIT: frozenset({Operation.SIGN}),
        Status.READY_FOR_SIGNATURE: frozenset({Operation.SIGN, Operation.RECEIVE}),
        Status.SIGNED: frozenset({Operation.CORRECT}),
        Status.CORRECTED: frozenset({Operation.CORRECT}),
        Status.UNDER_CORRECTION: _CORRECTING,
        Status.MTN_VALIDATION_FAILED: _NONE,
    }
)
"""FullElectronic and Hybrid manifests (and drafts that do not say yet)."""

PAPER_OPERATIONS: Mapping[Status, frozenset[Operation]] = MappingProxyType(
    {
        Status.NOT_ASSIGNED: _DRAFT,
        Status.PENDING: _NONE,
        Status.SCHEDULED: _NONE,
        Status.IN_TRANSIT: _NONE,
        Status.READY_FOR_SIGNATURE: _CHANGEABLE | {Operation.RECEIVE},
        Status.SIGNED: frozenset({Operation.CORRECT}),
        Status.CORRECTED: frozenset({Operation.CORRECT}),
        Status.UNDER_CORRECTION: _CORRECTING,
        Status.MTN_VALIDATION_FAILED: _CHANGEABLE,
    }
)
"""Image and DataImage5Copy manifests: never Quicker Signed (electronic manifests only)."""

BLOCKED_BY_LOCK = frozenset(
    {
        Operation.SUBMIT,
        Operation.UPDATE,
        Operation.DELETE,
        Operation.SIGN,
        Operation.CORRECT,
        Operation.REVERT,
        Operation.RECEIVE,
    }
)
"""A locked manifest is in the signing queue, or EPA is changing its biller."""

BLOCKED_FOR_MAIL = frozenset(
    {Operation.SUBMIT, Operation.UPDATE, Operation.DELETE, Operation.RECEIVE}
)
"""Mailed paper manifests cannot be saved, updated or deleted through services."""

MINIMUM_ROLE: Mapping[Operation, SiteRole] = MappingProxyType(
    {
        Operation.EDIT: SiteRole.PREPARER,
        Operation.SUBMIT: SiteRole.PREPARER,
        Operation.UPDATE: SiteRole.PREPARER,
        Operation.DELETE: SiteRole.PREPARER,
        Operation.SIGN: SiteRole.SIGNER,
        Operation.CORRECT: SiteRole.SIGNER,
        Operation.REVERT: SiteRole.SIGNER,
        Operation.RECEIVE: SiteRole.PREPARER,
    }
)
"""The least site role that may perform each operation (viewers only read)."""


def allowed_operations(
    status: Status,
    submission_type: SubmissionType | None,
    locked: bool = False,
    *,
    origin_type: OriginType | None = None,
) -> frozenset[Operation]:
    paper = submission_type is not None and submission_type.is_paper
    allowed = (PAPER_OPERATIONS if paper else ELECTRONIC_OPERATIONS)[status]
    if submission_type is SubmissionType.IMAGE:  # an Image manifest carries no waste lines
        allowed -= {Operation.RECEIVE}
    if locked:
        allowed -= BLOCKED_BY_LOCK
    if origin_type is OriginType.MAIL:
        allowed -= BLOCKED_FOR_MAIL
    return allowed


def role_may(role: SiteRole, operation: Operation) -> bool:
    return role.at_least(MINIMUM_ROLE[operation])


def ensure_allowed(manifest: Manifest, operation: Operation, role: SiteRole | None = None) -> None:
    """Refuse with Forbidden when the role is too low, or OperationNotAllowed when the
    manifest's status, submission type, origin or lock does not allow the operation now."""
    if role is not None and not role_may(role, operation):
        needed = MINIMUM_ROLE[operation]
        raise Forbidden(f"to {operation.value} a manifest takes the {needed.value} role or higher")
    allowed = operations_for(manifest)
    if operation in allowed:
        return
    status = manifest.current_status()
    kind = (manifest.submission_type or SubmissionType.FULL_ELECTRONIC).value
    if manifest.is_locked() and operation in BLOCKED_BY_LOCK:
        reason = manifest.lock_reason.value if manifest.lock_reason else "locked"
        because = f"the manifest is locked ({reason})"
    else:
        because = f"a {kind} manifest in status {status.value} does not allow it"
    now = ", ".join(sorted(op.value for op in allowed)) or "nothing"
    raise OperationNotAllowed(f"cannot {operation.value}: {because}; allowed now: {now}")


def operations_for(manifest: Manifest) -> frozenset[Operation]:
    allowed = allowed_operations(
        manifest.current_status(),
        manifest.submission_type,
        manifest.is_locked(),
        origin_type=manifest.origin_type,
    )
    if _facility_signed_electronically(manifest):
        allowed -= {Operation.RECEIVE}  # the facility's signature closes its receipt
    return allowed


def _facility_signed_electronically(manifest: Manifest) -> bool:
    """A paper manifest carries the facility's paper signature from its upload on; an
    electronic one is signed by Quicker Sign, after the receipt."""
    facility = manifest.designated_facility
    return facility is not None and any(
        signature.signature_date for signature in facility.electronic_signatures_info or ()
    )


def locked_for_signing(manifest: Manifest) -> Manifest:
    return msgspec.structs.replace(manifest, locked=True, lock_reason=LockReason.ASYNC_SIGN)


def unlocked(manifest: Manifest) -> Manifest:
    return msgspec.structs.replace(manifest, locked=False, lock_reason=None)


class SigningTurn(msgspec.Struct, frozen=True, kw_only=True):
    """Whose signature a manifest waits for; `transporter_order` only for a transporter."""

    role: HandlerRole
    transporter_order: int | None = None

    def describe(self) -> str:
        if self.role is HandlerRole.TRANSPORTER:
            return f"transporter {self.transporter_order}"
        return self.role.noun


GENERATOR_TURN = SigningTurn(role=HandlerRole.GENERATOR)
TSDF_TURN = SigningTurn(role=HandlerRole.TSDF)


def next_signer(manifest: Manifest) -> SigningTurn | None:
    """Whose signature the manifest waits for, or None when no one can sign it now. A paper
    manifest in ReadyForSignature waits for its designated facility, who signs it in
    e-Manifest, not by Quicker Sign (`operations_for` leaves SIGN out)."""
    status = manifest.current_status()
    if status is Status.READY_FOR_SIGNATURE:
        if _facility_signed_electronically(manifest):
            return _rejection_destination_turn(manifest)
        return TSDF_TURN
    paper = manifest.submission_type is not None and manifest.submission_type.is_paper
    if paper or status not in (Status.SCHEDULED, Status.IN_TRANSIT):
        return None
    generator = manifest.generator
    if status is Status.SCHEDULED and (generator is None or not generator.has_signed()):
        return GENERATOR_TURN
    for position, transporter in enumerate(manifest.ordered_transporters(), start=1):
        if not transporter.has_signed():
            return SigningTurn(
                role=HandlerRole.TRANSPORTER, transporter_order=_order(transporter, position)
            )
    return TSDF_TURN


def signer_site(manifest: Manifest, turn: SigningTurn) -> str | None:
    """The EPA ID of the handler whose turn it is."""
    handler = _handler_for(manifest, turn)
    return handler.epa_site_id if handler is not None else None


def status_after_signature(manifest: Manifest, turn: SigningTurn) -> Status:
    if _is_rejection_destination(manifest, turn):
        return Status.SIGNED
    match turn.role:
        case HandlerRole.TSDF if rejection_destination(manifest) is not None:
            return Status.READY_FOR_SIGNATURE  # the alternate facility or generator signs next
        case HandlerRole.GENERATOR:
            return Status.SCHEDULED
        case HandlerRole.TRANSPORTER:
            transporters = manifest.ordered_transporters()
            last = _order(transporters[-1], len(transporters)) if transporters else None
            if turn.transporter_order == last:
                return Status.READY_FOR_SIGNATURE
            return Status.IN_TRANSIT
        case _:
            return Status.SIGNED


class QuickerSignature(msgspec.Struct, frozen=True, kw_only=True):
    """One handler's Quicker Sign of one manifest, as e-Manifest's quicker-sign service takes it."""

    site_id: str
    site_type: HandlerRole
    printed_name: str
    signed_at: datetime
    transporter_order: int | None = None
    signer: Signer | None = None
    """The user signing; without one, the printed name becomes the signer's name."""


def apply_quicker_signature(
    manifest: Manifest, signature: QuickerSignature, *, now: datetime
) -> Manifest:
    """Record the signature on the handler whose turn it is and move the status on.

    Raises OperationNotAllowed when the manifest cannot be signed now (status, lock, or a
    paper manifest), and SignatureRefused when it is not this handler's turn, the site is not
    that handler, or the date is earlier than the previous party's signature or later than
    today (`now`), compared by UTC day.
    """
    if signature.signed_at.tzinfo is None or now.tzinfo is None:
        raise ValueError("signed_at and now must be timezone-aware")
    ensure_allowed(manifest, Operation.SIGN)
    turn = next_signer(manifest)
    requested = SigningTurn(
        role=signature.site_type,
        transporter_order=(
            signature.transporter_order if signature.site_type is HandlerRole.TRANSPORTER else None
        ),
    )
    if turn is None:
        raise SignatureRefused("the manifest is not ready to be signed")
    if requested != turn:
        raise SignatureRefused(
            f"the manifest is not ready to be signed by the {requested.describe()}: "
            f"it waits for the {turn.describe()}"
        )
    if (
        turn.role is HandlerRole.GENERATOR
        and manifest.submission_type is SubmissionType.HYBRID
        and not _is_rejection_destination(manifest, turn)
    ):
        raise SignatureRefused("a Hybrid manifest's generator signs on paper")
    handler = _handler_for(manifest, turn)
    if handler is None or handler.epa_site_id != signature.site_id:
        raise SignatureRefused(f"{signature.site_id} is not the {turn.describe()} on this manifest")
    _ensure_not_before_previous(manifest, turn, signature.signed_at)
    if signature.signed_at.astimezone(UTC).date() > now.astimezone(UTC).date():
        raise SignatureRefused("the signature date may not be in the future")
    electronic = ElectronicSignature(
        signer=signature.signer or _signer_named(signature.printed_name),
        signature_date=format_epa_datetime(signature.signed_at),
        signer_role=SignerRole.INDUSTRY,
        signature_method=SignatureMethod.QUICKER_SIGN,
    )
    if _is_rejection_destination(manifest, turn):
        return _with_rejection_destination_signature(manifest, turn, electronic)
    signed = msgspec.structs.replace(
        handler,
        electronic_signatures_info=[*(handler.electronic_signatures_info or ()), electronic],
        signature_type=SignatureType.QUICKER_SIGN,
    )
    return _with_signed_handler(manifest, turn, handler, signed, signature.signed_at)


def _with_signed_handler(
    manifest: Manifest,
    turn: SigningTurn,
    before: ManifestHandlerSite,
    after: ManifestHandlerSite,
    signed_at: datetime,
) -> Manifest:
    changes: dict[str, object] = {"status": status_after_signature(manifest, turn)}
    match turn.role:
        case HandlerRole.GENERATOR:
            changes["generator"] = after
        case HandlerRole.TRANSPORTER:
            changes["transporters"] = [
                after if t is before else t for t in manifest.transporters or ()
            ]
            if turn.transporter_order == 1 and manifest.shipped_date is None:
                changes["shipped_date"] = format_epa_datetime(signed_at)
        case _:
            changes["designated_facility"] = after
            changes["received_date"] = format_epa_datetime(signed_at)
            changes["signature_status"] = True
    return msgspec.structs.replace(manifest, **changes)


def _handler_for(manifest: Manifest, turn: SigningTurn) -> ManifestHandlerSite | None:
    match turn.role:
        case HandlerRole.GENERATOR:
            return manifest.generator
        case HandlerRole.TRANSPORTER:
            for position, transporter in enumerate(manifest.ordered_transporters(), start=1):
                if _order(transporter, position) == turn.transporter_order:
                    return transporter
            return None
        case HandlerRole.ALTERNATE_TSDF:
            info = manifest.rejection_info
            return info.alternate_designated_facility if info else None
        case _:
            return manifest.designated_facility


def _ensure_not_before_previous(manifest: Manifest, turn: SigningTurn, signed_at: datetime) -> None:
    previous: list[ManifestHandlerSite] = []
    if turn.role is not HandlerRole.GENERATOR and manifest.generator is not None:
        previous.append(manifest.generator)
    destination = _is_rejection_destination(manifest, turn)
    for position, transporter in enumerate(manifest.ordered_transporters(), start=1):
        if (
            turn.role is HandlerRole.TSDF
            or destination
            or _order(transporter, position) < (turn.transporter_order or 0)
        ):
            previous.append(transporter)
    if destination and manifest.designated_facility is not None:
        previous.append(manifest.designated_facility)
    days = [_utc_day(text) for handler in previous for text in handler.signature_dates()]
    latest = max((day for day in days if day is not None), default=None)
    if latest is not None and signed_at.astimezone(UTC).date() < latest:
        raise SignatureRefused(
            "the signature date may not be earlier than the previous signature "
            f"({latest.isoformat()})"
        )


def _utc_day(text: str) -> date | None:
    try:
        return parse_epa_datetime(text).date()
    except ValueError:
        return None


def _order(transporter: ManifestHandlerSite, position: int) -> int:
    order = transporter.order
    return int(order) if order is not None else position


def _signer_named(printed_name: str) -> Signer:
    first, _, last = printed_name.strip().rpartition(" ")
    return Signer(first_name=first or None, last_name=last or None)


# --- a rejection's destination signs last (NOTES §3.1) -------------------------------------


def rejection_destination(manifest: Manifest) -> HandlerRole | None:
    """Who signs after the designated facility: on a rejection with the transporter still on
    site, the waste leaves on this manifest for the alternate facility
    (`RejectionInfo_AlternateTsdf`) or back to the generator, who signs last. Otherwise no
    one: the facility's signature makes the manifest Signed."""
    info = manifest.rejection_info
    if not manifest.rejection or info is None or not info.transporter_on_site:
        return None
    match info.alternate_designated_facility_type:
        case AlternateFacilityType.TSDF:
            return HandlerRole.ALTERNATE_TSDF
        case AlternateFacilityType.GENERATOR:
            return HandlerRole.GENERATOR
        case _:
            return None


def _rejection_destination_turn(manifest: Manifest) -> SigningTurn | None:
    role = rejection_destination(manifest)
    if role is None or _destination_signed(manifest, role):
        return None
    return SigningTurn(role=role)


def _destination_signed(manifest: Manifest, role: HandlerRole) -> bool:
    info = manifest.rejection_info
    if info is None:
        return False
    if role is HandlerRole.ALTERNATE_TSDF:
        alternate = info.alternate_designated_facility
        return alternate is not None and alternate.has_signed()
    signature = info.generator_electronic_signature
    return bool(
        info.generator_paper_signature and info.generator_paper_signature.signature_date
    ) or (signature is not None and bool(signature.signature_date))


def _is_rejection_destination(manifest: Manifest, turn: SigningTurn) -> bool:
    """Whether `turn` is the rejection's destination signing after the designated facility."""
    if turn.role not in (HandlerRole.ALTERNATE_TSDF, HandlerRole.GENERATOR):
        return False
    return (
        manifest.current_status() is Status.READY_FOR_SIGNATURE
        and _facility_signed_electronically(manifest)
        and rejection_destination(manifest) is turn.role
    )


def _with_rejection_destination_signature(
    manifest: Manifest, turn: SigningTurn, signature: ElectronicSignature
) -> Manifest:
    info = manifest.rejection_info
    assert info is not None, "a rejection's destination signs only on a rejection"
    if turn.role is HandlerRole.ALTERNATE_TSDF:
        alternate = info.alternate_designated_facility
        assert alternate is not None
        info = msgspec.structs.replace(
            info,
            alternate_designated_facility=msgspec.structs.replace(
                alternate,
                electronic_signatures_info=[
                    *(alternate.electronic_signatures_info or ()),
                    signature,
                ],
                signature_type=SignatureType.QUICKER_SIGN,
            ),
        )
    else:
        info = msgspec.structs.replace(info, generator_electronic_signature=signature)
    return msgspec.structs.replace(manifest, rejection_info=info, status=Status.SIGNED)
