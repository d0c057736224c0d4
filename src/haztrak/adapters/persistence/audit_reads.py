"""AuditReader: one object's audit trail, for the pages that show it. On PostgreSQL one
statement on the read pool; elsewhere a short session outside a transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from haztrak.adapters.persistence.identity import SqlAuditLog
from haztrak.adapters.persistence.pg_reads import _uuid
from haztrak.adapters.persistence.pgpool import ReadPool
from haztrak.domain.audit import AuditEntry

_ENTRIES = (
    "SELECT at, actor_id, actor, action, object_type, object_id, detail::text FROM audit_log "
    "WHERE object_type = $1 AND object_id = $2 ORDER BY id DESC LIMIT $3"
)
_detail = msgspec.json.Decoder(dict[str, Any])


def _text(detail: str | None) -> dict[str, str]:
    if not detail:
        return {}
    return {k: v if isinstance(v, str) else str(v) for k, v in _detail.decode(detail).items()}


class SessionAuditReader:
    """Implements AuditReader with the SQL audit log on one autocommit session per call."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def entries(self, object_type: str, object_id: str, limit: int) -> Sequence[AuditEntry]:
        async with self._sessions() as session:
            await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            return await SqlAuditLog(session).list(
                object_type=object_type, object_id=object_id, limit=limit
            )


class PgAuditReader:
    """Implements AuditReader with plain SQL on the read pool."""

    def __init__(self, pool: ReadPool) -> None:
        self._pool = pool

    async def entries(self, object_type: str, object_id: str, limit: int) -> Sequence[AuditEntry]:
        rows = await self._pool.fetch(_ENTRIES, object_type, object_id, limit)
        return [
            AuditEntry(
                at=at,
                actor_id=_uuid(actor_id) if actor_id is not None else None,
                actor=actor,
                action=action,
                object_type=kind,
                object_id=key,
                detail=_text(detail),
            )
            for at, actor_id, actor, action, kind, key, detail in rows
        ]
