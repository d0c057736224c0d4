"""An in-memory outbox of domain events, for use cases and the dispatcher on fakes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import msgspec

from haztrak.application.ports.events import EventOutbox, PendingEvent
from haztrak.domain.events import DomainEvent, EventKind


class OutboxEntry(msgspec.Struct, kw_only=True):
    event: DomainEvent
    attempts: int = 0
    not_before: datetime | None = None
    dispatched_at: datetime | None = None
    error: str | None = None


class MemoryEventOutbox(EventOutbox):
    def __init__(self) -> None:
        self.entries: dict[UUID, OutboxEntry] = {}
        self.inserts = 0

    @property
    def events(self) -> list[DomainEvent]:
        return [e.event for e in self.entries.values()]

    def kinds(self, mtn: str | None = None) -> list[EventKind]:
        return [e.kind for e in self.events if mtn is None or e.mtn == mtn]

    def clear(self) -> None:
        self.entries.clear()

    async def add(self, events: Sequence[DomainEvent]) -> None:
        if not events:
            return
        self.inserts += 1
        for event in events:
            self.entries.setdefault(event.id, OutboxEntry(event=event))

    def _due(self, entry: OutboxEntry, at: datetime) -> bool:
        return entry.dispatched_at is None and (entry.not_before is None or entry.not_before <= at)

    async def pending(self, *, limit: int, at: datetime) -> Sequence[PendingEvent]:
        due = [e for e in self.entries.values() if self._due(e, at)]
        due.sort(key=lambda e: (e.event.at, e.event.id))
        return [PendingEvent(event=e.event, attempts=e.attempts) for e in due[:limit]]

    async def has_pending(self, at: datetime) -> bool:
        return any(self._due(e, at) for e in self.entries.values())

    async def mark_dispatched(self, event_id: UUID, at: datetime) -> None:
        self.entries[event_id].dispatched_at = at
        self.entries[event_id].error = None

    async def postpone(
        self, event_id: UUID, *, attempts: int, not_before: datetime, error: str
    ) -> None:
        entry = self.entries[event_id]
        entry.attempts, entry.not_before, entry.error = attempts, not_before, error

    async def give_up(self, event_id: UUID, *, attempts: int, at: datetime, error: str) -> None:
        entry = self.entries[event_id]
        entry.attempts, entry.dispatched_at, entry.error = attempts, at, error

    async def prune(self, dispatched_before: datetime) -> int:
        old = [
            i
            for i, e in self.entries.items()
            if e.dispatched_at is not None and e.dispatched_at < dispatched_before
        ]
        for i in old:
            del self.entries[i]
        return len(old)
