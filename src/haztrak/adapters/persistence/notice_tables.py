"""Notices: what a user is told in the app, how each user wants each kind delivered, and the
e-mails sent (one per event, user and channel)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from haztrak.adapters.persistence.column_types import GUID, DateTimeUTC, JsonB
from haztrak.adapters.persistence.tables import Base


class NoticeRow(Base):
    """One event told to one user; (event, user) is unique, so an event told twice is one
    notice. The list pages on (user, at, id); the unread badge counts on (user, read_at)."""

    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_notices_event_user"),
        Index("ix_notices_user_at", "user_id", "at", "id"),
        Index("ix_notices_user_unread", "user_id", "read_at"),
    )

    id: Mapped[UUID] = mapped_column(GUID, primary_key=True)
    user_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("users.id", ondelete="CASCADE"))
    event_id: Mapped[UUID] = mapped_column(GUID)
    kind: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    mtn: Mapped[str | None] = mapped_column(String(12))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonB)
    read_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class NoticePreferenceRow(Base):
    """How a user wants one kind of notice: in the app only (the default, no row), e-mail,
    or the daily digest."""

    __tablename__ = "notice_preferences"

    user_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    delivery: Mapped[str] = mapped_column(String(10))


class NoticeMailRow(Base):
    """A notice to e-mail, alone (`email`) or in the next daily digest (`digest`). (event,
    user, channel) is unique: an event never becomes two e-mails to one person."""

    __tablename__ = "notice_mails"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", "channel", name="uq_notice_mails_key"),
        Index("ix_notice_mails_pending", "channel", "sent_at"),
    )

    id: Mapped[UUID] = mapped_column(GUID, primary_key=True)
    event_id: Mapped[UUID] = mapped_column(GUID)
    user_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("users.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10))
    notice_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("notices.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
