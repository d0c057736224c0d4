"""The outbox: domain events written in the same unit of work as the change they report, then
handed to subscribers by the dispatcher (application.events.dispatch)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

import msgspec

from haztrak.domain.events import DomainEvent


class PendingEvent(msgspec.Struct, frozen=True, kw_only=True):
    event: DomainEvent
    attempts: int = 0


class EventOutbox(Protocol):
    async def add(self, events: Sequence[DomainEvent]) -> None:
        """Record the events in the caller's unit of work (one INSERT; nothing when empty).
        An event whose id is already recorded is left as it is."""

    async def pending(self, *, limit: int, at: datetime) -> Sequence[PendingEvent]:
        """Up to `limit` events not yet dispatched and due at `at`, oldest first; on a
        database that can, rows another dispatcher holds are skipped."""

    async def has_pending(self, at: datetime) -> bool: ...

    async def mark_dispatched(self, event_id: UUID, at: datetime) -> None: ...

    async def postpone(
        self, event_id: UUID, *, attempts: int, not_before: datetime, error: str
    ) -> None:
        """Record a failed dispatch, to be tried again after `not_before`."""

    async def give_up(self, event_id: UUID, *, attempts: int, at: datetime, error: str) -> None:
        """Stop trying the event (kept with the last error, as dispatched at `at`)."""

    async def prune(self, dispatched_before: datetime) -> int:
        """Delete the events dispatched (or given up) before then; how many."""
