"""The audit trail: who did what to which object, and when. Entries are never changed."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class AuditEntry(msgspec.Struct, kw_only=True, frozen=True):
    at: datetime
    actor_id: UUID | None
    actor: str
    action: str
    object_type: str
    object_id: str
    detail: dict[str, str] = msgspec.field(default_factory=dict)
