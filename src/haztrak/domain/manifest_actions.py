"""What a user may do to one manifest now: the access rules (domain.access) and the lifecycle
(domain.manifest.lifecycle) asked together, so that a screen offers only what the server will
accept. Every use case still checks its own action when it is taken."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

import msgspec

from haztrak.domain.access import (
    Action,
    Grants,
    ManifestTarget,
    SiteTarget,
    may,
    role_on_manifest,
)
from haztrak.domain.identity import SiteRole
from haztrak.domain.manifest import (
    HandlerRole,
    Manifest,
    ManifestHandlerSite,
    Operation,
    OperationNotAllowed,
    SigningTurn,
    Status,
    SubmissionType,
    next_signer,
    operations_for,
    role_may,
)
from haztrak.domain.manifest.corrections import (
    CORRECTABLE,
    correction_signers,
    ensure_correctable,
)
from haztrak.domain.manifest.receiving import leftover_waste


class ManifestAction(StrEnum):
    EDIT = "edit"
    """Change the local draft."""
    SUBMIT = "submit"
    """Send the draft to e-Manifest (it gets its tracking number there)."""
    UPDATE = "update"
    """Send the local copy of a manifest in e-Manifest as an update."""
    SCHEDULE = "schedule"
    """Move a Pending electronic manifest to Scheduled in e-Manifest (by an update), so the
    generator may sign: EPA lets a caller set only Pending or Scheduled."""
    DELETE = "delete"
    """Delete the local draft."""
    SIGN = "sign"
    """Quicker Sign for the site whose turn it is."""
    SYNC = "sync"
    """Pull the manifests of one of the user's sites on it from RCRAInfo."""
    RECEIVE = "receive"
    """Record the designated facility's receipt: discrepancies, residue, a rejection."""
    START_REJECTED_WASTE = "start_rejected_waste"
    """Start the new manifest for rejected or residue waste (domain.manifest.receiving)."""
    CORRECT = "correct"
    """Open a correction of a manifest its facility signed, or change the one under way."""
    SIGN_CORRECTION = "sign_correction"
    """Sign the version under correction as one of the user's sites on the manifest."""
    REVERT_CORRECTION = "revert_correction"
    """Drop the version under correction."""
    VERSIONS = "versions"
    """Read the manifest's versions (its correction history)."""


class SigningSeat(msgspec.Struct, frozen=True, kw_only=True):
    """The handler the user signs as: a site of theirs whose signature the manifest waits for."""

    site_id: str
    role: HandlerRole
    transporter_order: int | None = None
    name: str | None = None

    @property
    def turn(self) -> SigningTurn:
        return SigningTurn(role=self.role, transporter_order=self.transporter_order)

    def describe(self) -> str:
        return self.turn.describe()


class ManifestActions(msgspec.Struct, frozen=True, kw_only=True):
    actions: frozenset[ManifestAction] = frozenset()
    seat: SigningSeat | None = None
    """Where the user signs, when SIGN is allowed."""
    waiting_for: SigningTurn | None = None
    """Whose signature the manifest waits for (anyone's), when it can be signed now."""
    sync_site: str | None = None
    """The site a SYNC pulls for."""
    correction_seats: tuple[SigningSeat, ...] = ()
    """Where the user may sign the version under correction, when SIGN_CORRECTION is allowed."""

    def allows(self, action: ManifestAction | str) -> bool:
        return ManifestAction(action) in self.actions


NO_ACTIONS = ManifestActions()


def manifest_actions(
    grants: Grants, manifest: Manifest, *, owner_site: str | None
) -> ManifestActions:
    """The actions `grants` allow on `manifest` now (nothing when it is not theirs to see)."""
    draft = manifest.is_draft()
    target = ManifestTarget(manifest.site_ids(), draft=draft, owner_site=owner_site)
    if not may(grants, Action.VIEW_MANIFEST, target):
        return NO_ACTIONS
    role = role_on_manifest(grants, target) or SiteRole.VIEWER
    ops = operations_for(manifest)

    def allowed(operation: Operation) -> bool:
        return operation in ops and role_may(role, operation)

    actions: set[ManifestAction] = set()
    if draft:
        for operation, action in (
            (Operation.EDIT, ManifestAction.EDIT),
            (Operation.SUBMIT, ManifestAction.SUBMIT),
            (Operation.DELETE, ManifestAction.DELETE),
        ):
            if allowed(operation):
                actions.add(action)
    elif allowed(Operation.UPDATE):
        actions.add(ManifestAction.UPDATE)
        if manifest.status is Status.PENDING and not (
            manifest.submission_type is not None and manifest.submission_type.is_paper
        ):
            actions.add(ManifestAction.SCHEDULE)
    actions |= _receiving_actions(grants, manifest, allowed)
    waiting_for = _turn(manifest)
    seat = _seat(grants, manifest, waiting_for)
    if seat is not None:
        actions.add(ManifestAction.SIGN)
    sync_site = None
    if not draft:
        sync_site = next(
            (
                h.epa_site_id
                for _, h in manifest.handlers()
                if h.epa_site_id and may(grants, Action.SYNC_SITE, SiteTarget(h.epa_site_id))
            ),
            None,
        )
        if sync_site is not None:
            actions.add(ManifestAction.SYNC)
    correction_seats = _correction_seats(grants, manifest)
    actions |= _correction_actions(manifest, allowed, correction_seats)
    return ManifestActions(
        actions=frozenset(actions),
        seat=seat,
        waiting_for=waiting_for,
        sync_site=sync_site,
        correction_seats=correction_seats,
    )


def _correction_actions(
    manifest: Manifest, allowed: Callable[[Operation], bool], seats: tuple[SigningSeat, ...]
) -> set[ManifestAction]:
    """Corrections (domain.manifest.corrections): open or change one, sign it, revert it; the
    version history of any manifest its facility signed."""
    if manifest.current_status() not in CORRECTABLE:
        return set()
    found = {ManifestAction.VERSIONS}
    if allowed(Operation.CORRECT):
        try:
            ensure_correctable(manifest)
        except OperationNotAllowed:
            pass
        else:
            found.add(ManifestAction.CORRECT)
    if allowed(Operation.REVERT):
        found.add(ManifestAction.REVERT_CORRECTION)
    if seats:
        found.add(ManifestAction.SIGN_CORRECTION)
    return found


def _correction_seats(grants: Grants, manifest: Manifest) -> tuple[SigningSeat, ...]:
    """The user's sites that may sign the version under correction, in signing order."""
    if manifest.current_status() is not Status.UNDER_CORRECTION or manifest.is_locked():
        return ()
    seats = []
    for role, handler in correction_signers(manifest):
        site = handler.epa_site_id
        if site and may(grants, Action.SIGN_MANIFEST, SiteTarget(site)):
            order = handler.order if role is HandlerRole.TRANSPORTER else None
            seats.append(
                SigningSeat(
                    site_id=site,
                    role=role,
                    transporter_order=int(order) if order is not None else None,
                    name=handler.name,
                )
            )
    return tuple(seats)


def _turn(manifest: Manifest) -> SigningTurn | None:
    """The turn of a manifest that may be signed electronically now."""
    if Operation.SIGN not in operations_for(manifest):
        return None
    turn = next_signer(manifest)
    if turn is None:
        return None
    if (
        turn.role is HandlerRole.GENERATOR
        and manifest.submission_type is SubmissionType.HYBRID
        and manifest.status is Status.SCHEDULED
    ):
        return None  # a Hybrid generator signs on paper
    return turn


def turn_handler(manifest: Manifest, turn: SigningTurn) -> ManifestHandlerSite | None:
    """The handler whose turn it is."""
    match turn.role:
        case HandlerRole.GENERATOR:
            return manifest.generator
        case HandlerRole.TRANSPORTER:
            for position, transporter in enumerate(manifest.ordered_transporters(), start=1):
                order = int(transporter.order) if transporter.order is not None else position
                if order == turn.transporter_order:
                    return transporter
            return None
        case HandlerRole.ALTERNATE_TSDF:
            info = manifest.rejection_info
            return info.alternate_designated_facility if info else None
        case _:
            return manifest.designated_facility


def _receiving_actions(
    grants: Grants, manifest: Manifest, allowed: Callable[[Operation], bool]
) -> set[ManifestAction]:
    """RECEIVE for a preparer of the designated facility while it may record its receipt;
    START_REJECTED_WASTE for one once waste leaves on a new manifest."""
    facility = manifest.designated_facility
    site = facility.epa_site_id if facility is not None else None
    if site is None or not may(grants, Action.EDIT_MANIFEST, SiteTarget(site)):
        return set()
    actions = set()
    if allowed(Operation.RECEIVE):
        actions.add(ManifestAction.RECEIVE)
    if not manifest.is_draft() and leftover_waste(manifest) is not None:
        actions.add(ManifestAction.START_REJECTED_WASTE)
    return actions


def _seat(grants: Grants, manifest: Manifest, turn: SigningTurn | None) -> SigningSeat | None:
    if turn is None:
        return None
    handler = turn_handler(manifest, turn)
    site = handler.epa_site_id if handler is not None else None
    if site is None or not may(grants, Action.SIGN_MANIFEST, SiteTarget(site)):
        return None
    return SigningSeat(
        site_id=site,
        role=turn.role,
        transporter_order=turn.transporter_order,
        name=handler.name if handler is not None else None,
    )
