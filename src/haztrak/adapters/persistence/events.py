"""The outbox of domain events in SQL: one row per event, written with the change it reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import Index, Integer, String, delete, exists, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from haztrak.adapters.persistence.column_types import GUID, DateTimeUTC, JsonB
from haztrak.adapters.persistence.tables import Base, cast_table
from haztrak.application.ports.events import PendingEvent
from haztrak.domain.events import DomainEvent

_ERROR_LENGTH = 500


class OutboxEventRow(Base):
    """A domain event; `dispatched_at` is set once every subscriber has it."""

    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_pending", "dispatched_at", "at"),)

    id: Mapped[UUID] = mapped_column(GUID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    mtn: Mapped[str | None] = mapped_column(String(12))
    event: Mapped[dict[str, Any]] = mapped_column(JsonB)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    error: Mapped[str | None] = mapped_column(String(_ERROR_LENGTH))


_outbox = cast_table(OutboxEventRow)


def _due(at: datetime) -> Any:
    return (OutboxEventRow.dispatched_at.is_(None)) & or_(
        OutboxEventRow.not_before.is_(None), OutboxEventRow.not_before <= at
    )


class SqlEventOutbox:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, events: Sequence[DomainEvent]) -> None:
        if not events:
            return
        rows = [
            {
                "id": e.id,
                "kind": e.kind.value,
                "at": e.at,
                "mtn": e.mtn,
                "event": msgspec.to_builtins(e),
                "attempts": 0,
            }
            for e in events
        ]
        postgres = self._session.get_bind().dialect.name == "postgresql"
        statement = (pg_insert(_outbox) if postgres else sqlite_insert(_outbox)).values(rows)
        await self._session.execute(statement.on_conflict_do_nothing(index_elements=["id"]))

    async def pending(self, *, limit: int, at: datetime) -> Sequence[PendingEvent]:
        query = (
            select(OutboxEventRow.event, OutboxEventRow.attempts)
            .where(_due(at))
            .order_by(OutboxEventRow.at, OutboxEventRow.id)
            .limit(limit)
        )
        if self._session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = await self._session.execute(query)
        return [
            PendingEvent(event=msgspec.convert(event, DomainEvent), attempts=attempts)
            for event, attempts in rows
        ]

    async def has_pending(self, at: datetime) -> bool:
        return bool(await self._session.scalar(select(exists().where(_due(at)))))

    async def mark_dispatched(self, event_id: UUID, at: datetime) -> None:
        await self._session.execute(
            update(OutboxEventRow)
            .where(OutboxEventRow.id == event_id)
            .values(dispatched_at=at, error=None)
        )

    async def postpone(
        self, event_id: UUID, *, attempts: int, not_before: datetime, error: str
    ) -> None:
        await self._session.execute(
            update(OutboxEventRow)
            .where(OutboxEventRow.id == event_id)
            .values(attempts=attempts, not_before=not_before, error=error[:_ERROR_LENGTH])
        )

    async def give_up(self, event_id: UUID, *, attempts: int, at: datetime, error: str) -> None:
        await self._session.execute(
            update(OutboxEventRow)
            .where(OutboxEventRow.id == event_id)
            .values(attempts=attempts, dispatched_at=at, error=error[:_ERROR_LENGTH])
        )

    async def prune(self, dispatched_before: datetime) -> int:
        result = await self._session.execute(
            delete(OutboxEventRow).where(OutboxEventRow.dispatched_at < dispatched_before)
        )
        return int(getattr(result, "rowcount", 0) or 0)
