"""The tables of webhooks: an org's endpoints, the deliveries of events to them, and each
attempt of a delivery. Same metadata as `tables` (migration 0007 creates them)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from haztrak.adapters.persistence.column_types import GUID, DateTimeUTC, JsonB
from haztrak.adapters.persistence.tables import Base


class WebhookEndpointRow(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[UUID] = mapped_column(GUID, primary_key=True)
    org_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("orgs.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2000))
    kinds: Mapped[list[str]] = mapped_column(JsonB)
    description: Mapped[str] = mapped_column(String(200), default="")
    secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    paused_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    failing_since: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class WebhookDeliveryRow(Base):
    """One event for one endpoint: the unique pair makes fanning an event out twice harmless."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id"),
        Index("ix_webhook_deliveries_org_created", "org_id", "created_at"),
        Index("ix_webhook_deliveries_endpoint_created", "endpoint_id", "created_at"),
    )

    id: Mapped[UUID] = mapped_column(GUID, primary_key=True)
    endpoint_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    org_id: Mapped[UUID] = mapped_column(GUID, ForeignKey("orgs.id", ondelete="CASCADE"))
    event_id: Mapped[UUID] = mapped_column(GUID)
    kind: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    response_status: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(300))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    task_id: Mapped[UUID | None] = mapped_column(GUID)


class WebhookAttemptRow(Base):
    __tablename__ = "webhook_attempts"

    delivery_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    duration_ms: Mapped[int] = mapped_column(Integer)
    response_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(300))
