"""Notices: the events a user is told about, in words, and how each user wants each kind.

A notice is one event told to one user; its id is derived from both, so telling the same event
to the same user twice is one notice. A user chooses per kind of event: in the app only (the
default), also by e-mail at once, or also in a daily digest e-mail.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid5

import msgspec

from haztrak.domain.events import DomainEvent, EventKind


class Delivery(StrEnum):
    IN_APP = "in_app"
    EMAIL = "email"
    DIGEST = "digest"


class Channel(StrEnum):
    """How a notice leaves the app: an e-mail of its own, or a line of the daily digest."""

    EMAIL = "email"
    DIGEST = "digest"


KIND_LABELS: Mapping[EventKind, str] = {
    EventKind.MANIFEST_AWAITING_SIGNATURE: "A manifest waits for my site's signature",
    EventKind.MANIFEST_SIGNED: "A party signed a manifest of my site",
    EventKind.MANIFEST_RECEIVED: "A manifest of my site was received",
    EventKind.MANIFEST_DISCREPANCY: "A manifest of my site has a discrepancy",
    EventKind.MANIFEST_REJECTED: "A manifest of my site was rejected",
    EventKind.MANIFEST_CORRECTION_OPENED: "A correction was opened on a manifest of my site",
    EventKind.DEADLINE_NEAR: "A deadline of my site is near",
    EventKind.DEADLINE_PASSED: "A deadline of my site has passed",
    EventKind.CREDENTIALS_FAILING: "My organization's RCRAInfo credentials stopped working",
    EventKind.TASK_FAILED: "A task of mine failed",
}


class Notice(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    user_id: UUID
    event_id: UUID
    kind: EventKind
    at: datetime
    mtn: str | None = None
    detail: dict[str, str] = {}
    read_at: datetime | None = None

    @classmethod
    def of(cls, event: DomainEvent, user_id: UUID) -> Notice:
        return cls(
            id=notice_id(event.id, user_id),
            user_id=user_id,
            event_id=event.id,
            kind=event.kind,
            at=event.at,
            mtn=event.mtn,
            detail=dict(event.detail),
        )

    @property
    def read(self) -> bool:
        return self.read_at is not None

    @property
    def title(self) -> str:
        return notice_title(self.kind, self.mtn, self.detail)

    @property
    def link(self) -> str | None:
        """Where the notice leads in the app."""
        if self.mtn:
            return f"/manifests/{self.mtn}"
        if self.kind is EventKind.TASK_FAILED and self.detail.get("taskId"):
            return f"/tasks/{self.detail['taskId']}"
        if self.kind is EventKind.CREDENTIALS_FAILING:
            return "/org"
        return None


def notice_id(event_id: UUID, user_id: UUID) -> UUID:
    return uuid5(event_id, str(user_id))


def mail_id(event_id: UUID, user_id: UUID, channel: Channel) -> UUID:
    """The one e-mail (or digest line) of this event for this user on this channel."""
    return uuid5(event_id, f"{user_id}:{channel.value}")


class NoticePreferences(msgspec.Struct, frozen=True, kw_only=True):
    """A user's choice per kind; kinds left out are told in the app only."""

    deliveries: dict[EventKind, Delivery] = {}

    def for_kind(self, kind: EventKind) -> Delivery:
        return self.deliveries.get(kind, Delivery.IN_APP)

    def every_kind(self) -> dict[EventKind, Delivery]:
        return {kind: self.for_kind(kind) for kind in EventKind}


_ROLE_WORDS = {
    "Generator": "the generator",
    "Transporter": "transporter",
    "Tsdf": "the designated facility",
    "RejectionInfo_AlternateTsdf": "the alternate facility",
    "Broker": "the broker",
}


def notice_title(kind: EventKind, mtn: str | None, detail: Mapping[str, str]) -> str:
    """The notice in one sentence."""
    manifest = f"Manifest {mtn}" if mtn else "A manifest"
    match kind:
        case EventKind.MANIFEST_AWAITING_SIGNATURE:
            turn = detail.get("turn") or ""
            if not turn.startswith("transporter"):
                turn = _ROLE_WORDS.get(detail.get("role", ""), "a handler")
            return f"{manifest} is waiting for the signature of {turn}"
        case EventKind.MANIFEST_SIGNED:
            role = _ROLE_WORDS.get(detail.get("role", ""), "a handler")
            if detail.get("transporterOrder"):
                role = f"transporter {detail['transporterOrder']}"
            site = f" ({detail['siteId']})" if detail.get("siteId") else ""
            return f"{manifest} was signed by {role}{site}"
        case EventKind.MANIFEST_RECEIVED:
            return f"{manifest} was received by the designated facility"
        case EventKind.MANIFEST_DISCREPANCY:
            lines = f" (waste lines {detail['wasteLines']})" if detail.get("wasteLines") else ""
            return f"{manifest} was received with a discrepancy{lines}"
        case EventKind.MANIFEST_REJECTED:
            how = " in full" if detail.get("rejectionType") == "FullReject" else ""
            return f"{manifest} was rejected{how} by the designated facility"
        case EventKind.MANIFEST_CORRECTION_OPENED:
            return f"A correction was opened on manifest {mtn}"
        case EventKind.DEADLINE_NEAR:
            return f"{manifest}: {_deadline(detail)} is due on {_day(detail.get('due'))}"
        case EventKind.DEADLINE_PASSED:
            return f"{manifest}: {_deadline(detail)} was due on {_day(detail.get('due'))}"
        case EventKind.CREDENTIALS_FAILING:
            return (
                "RCRAInfo refused your organization's API credentials; an org admin must set "
                "them again"
            )
        case EventKind.TASK_FAILED:
            what = detail.get("taskName", "a task").replace("_", " ")
            why = f": {detail['title']}" if detail.get("title") else ""
            return f"Your task '{what}' failed{why}"
    return kind.value  # pragma: no cover - every kind is matched above


def _deadline(detail: Mapping[str, str]) -> str:
    return detail.get("label") or detail.get("deadline", "a deadline")


def _day(text: str | None) -> str:
    return (text or "")[:10] or "an unknown day"
