"""Domain events: what happened, in the past tense, for whoever follows it (notices, webhooks).

An event is recorded in the same unit of work as the change it reports (the outbox), so it is
never lost nor reported for a change that rolled back. Manifest events are derived from the
manifest before and after a change (`manifest_events`), whatever path changed it: a use case
here, or a copy pulled from RCRAInfo. The other kinds come from where they happen (credentials
refused, a task that gave up, a deadline).

`site_ids` are the sites concerned: for `manifest.awaiting_signature` the site whose signature
the manifest waits for, for the other manifest events every party on the manifest.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4, uuid5

import msgspec

from haztrak.domain.manifest import HandlerRole, Manifest, Status, next_signer
from haztrak.domain.manifest.lifecycle import signer_site


class EventKind(StrEnum):
    MANIFEST_AWAITING_SIGNATURE = "manifest.awaiting_signature"
    MANIFEST_SIGNED = "manifest.signed"
    MANIFEST_RECEIVED = "manifest.received"
    MANIFEST_DISCREPANCY = "manifest.discrepancy"
    MANIFEST_REJECTED = "manifest.rejected"
    MANIFEST_CORRECTION_OPENED = "manifest.correction_opened"
    DEADLINE_NEAR = "deadline.near"
    DEADLINE_PASSED = "deadline.passed"
    CREDENTIALS_FAILING = "credentials.failing"
    TASK_FAILED = "task.failed"

    @property
    def about_manifest(self) -> bool:
        return self.value.startswith(("manifest.", "deadline."))


class DomainEvent(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """One thing that happened. `id` is its identity everywhere it goes: a subscriber that
    sees the same id twice acts once."""

    id: UUID
    kind: EventKind
    at: datetime
    mtn: str | None = None
    status: str | None = None
    """The manifest's status after the change."""
    site_ids: tuple[str, ...] = ()
    org_ids: tuple[UUID, ...] = ()
    user_ids: tuple[UUID, ...] = ()
    """Users concerned by name (the owner of a failed task)."""
    detail: dict[str, str] = {}


ManifestEvent = DomainEvent
"""Events about manifests are domain events with a tracking number."""


def manifest_events(
    before: Manifest | None,
    after: Manifest,
    at: datetime,
    *,
    org_ids: Iterable[UUID] = (),
) -> list[DomainEvent]:
    """What a change of a manifest from `before` (None: new here) to `after` tells.

    A draft tells nothing (it is local work in progress). A manifest seen here for the first
    time tells only whose signature it waits for, not its history: a first sync of a site
    must not report years of receipts.
    """
    if after.is_draft() or not after.manifest_tracking_number:
        return []
    if before is not None and before.is_draft():
        before = None
    orgs = tuple(dict.fromkeys(org_ids))
    make = _Maker(after, at, orgs)
    events: list[DomainEvent] = []
    turn = next_signer(after)
    if turn is not None and (before is None or next_signer(before) != turn):
        site = signer_site(after, turn)
        if site:
            detail = {"role": turn.role.value, "turn": turn.describe()}
            if turn.transporter_order is not None:
                detail["transporterOrder"] = str(turn.transporter_order)
            events.append(make(EventKind.MANIFEST_AWAITING_SIGNATURE, (site,), detail))
    if before is None:
        return events
    signed_before = _signed(before)
    for role, site, order in _signed(after):
        if (role, site, order) in signed_before:
            continue
        detail = {"role": role.value, "siteId": site}
        if order is not None:
            detail["transporterOrder"] = str(order)
        events.append(make(EventKind.MANIFEST_SIGNED, None, detail))
    if after.rejection and not before.rejection:
        events.append(make(EventKind.MANIFEST_REJECTED, None, _rejection_detail(after)))
    elif _received(after) and not _received(before):
        detail = {"receivedDate": after.received_date} if after.received_date else {}
        events.append(make(EventKind.MANIFEST_RECEIVED, None, detail))
    if _has_discrepancy(after) and not _has_discrepancy(before):
        events.append(make(EventKind.MANIFEST_DISCREPANCY, None, _discrepancy_detail(after)))
    if (
        after.current_status() is Status.UNDER_CORRECTION
        and before.current_status() is not Status.UNDER_CORRECTION
    ):
        events.append(make(EventKind.MANIFEST_CORRECTION_OPENED, None, {}))
    return events


def credentials_failing(org_id: UUID, at: datetime, *, detail: str = "") -> DomainEvent:
    """RCRAInfo refused the org's API credentials; no task uses them until they are fixed."""
    return DomainEvent(
        id=uuid4(),
        kind=EventKind.CREDENTIALS_FAILING,
        at=at,
        org_ids=(org_id,),
        detail={"reason": detail} if detail else {},
    )


def task_failed(
    task_id: UUID,
    task_name: str,
    owner_id: UUID | None,
    at: datetime,
    *,
    title: str,
    subject: str | None = None,
) -> DomainEvent:
    """A task gave up for good (no retry left): its owner should know."""
    detail = {"taskId": str(task_id), "taskName": task_name, "title": title}
    if subject:
        detail["subject"] = subject
    return DomainEvent(
        id=uuid4(),
        kind=EventKind.TASK_FAILED,
        at=at,
        user_ids=(owner_id,) if owner_id is not None else (),
        detail=detail,
    )


def deadline_event(
    kind: EventKind,
    mtn: str,
    at: datetime,
    *,
    site_ids: Iterable[str],
    deadline: str,
    due: datetime,
    status: str | None = None,
) -> DomainEvent:
    """A manifest's deadline (`deadline`: what is due, e.g. an exception report) is near or
    has passed. The same deadline reported twice carries the same id, so it is told once."""
    if kind not in (EventKind.DEADLINE_NEAR, EventKind.DEADLINE_PASSED):
        raise ValueError(f"not a deadline event: {kind}")
    return DomainEvent(
        id=deadline_event_id(kind, mtn, deadline, due),
        kind=kind,
        at=at,
        mtn=mtn,
        status=status,
        site_ids=tuple(sorted(set(site_ids))),
        detail={"deadline": deadline, "due": due.isoformat()},
    )


_DEADLINE_NAMESPACE = UUID("6f1d5a0e-2b8c-4c2e-9a51-3d7e0c6b9f42")


def deadline_event_id(kind: EventKind, mtn: str, deadline: str, due: datetime) -> UUID:
    """A stable id per (kind, manifest, deadline, due date): the daily job may see the same
    deadline many times; its event is one."""
    return uuid5(_DEADLINE_NAMESPACE, f"{kind.value}|{mtn}|{deadline}|{due.date().isoformat()}")


class _Maker:
    def __init__(self, manifest: Manifest, at: datetime, orgs: tuple[UUID, ...]) -> None:
        self._manifest = manifest
        self._at = at
        self._orgs = orgs
        self._everyone = tuple(sorted(manifest.site_ids()))

    def __call__(
        self, kind: EventKind, sites: tuple[str, ...] | None, detail: dict[str, str]
    ) -> DomainEvent:
        return DomainEvent(
            id=uuid4(),
            kind=kind,
            at=self._at,
            mtn=self._manifest.manifest_tracking_number,
            status=self._manifest.current_status().value,
            site_ids=self._everyone if sites is None else sites,
            org_ids=self._orgs,
            detail=detail,
        )


def _signed(manifest: Manifest) -> set[tuple[HandlerRole, str, int | None]]:
    signed = set()
    for role, handler in manifest.handlers():
        if handler.epa_site_id and handler.has_signed():
            order = (
                int(handler.order) if role is HandlerRole.TRANSPORTER and handler.order else None
            )
            signed.add((role, handler.epa_site_id, order))
    return signed


def _received(manifest: Manifest) -> bool:
    """The designated facility signed for it (status Signed, or past it)."""
    return manifest.current_status().has_reached(Status.SIGNED) or bool(manifest.received_date)


def _has_discrepancy(manifest: Manifest) -> bool:
    if manifest.discrepancy:
        return True
    for waste in manifest.wastes or ():
        info = waste.discrepancy_residue_info
        if info and (info.waste_quantity or info.waste_type or info.residue):
            return True
    return False


def _discrepancy_detail(manifest: Manifest) -> dict[str, str]:
    lines = [
        str(int(w.line_number))
        for w in manifest.wastes or ()
        if w.discrepancy_residue_info
        and (
            w.discrepancy_residue_info.waste_quantity
            or w.discrepancy_residue_info.waste_type
            or w.discrepancy_residue_info.residue
        )
    ]
    return {"wasteLines": ",".join(lines)} if lines else {}


def _rejection_detail(manifest: Manifest) -> dict[str, str]:
    info = manifest.rejection_info
    if info is None or info.rejection_type is None:
        return {}
    return {"rejectionType": info.rejection_type.value}
