"""Writing to the audit log, the same way from every use case."""

from __future__ import annotations

from haztrak.application.ports.persistence import AuditLog
from haztrak.application.ports.security import Clock
from haztrak.domain.audit import AuditEntry
from haztrak.domain.identity import User


class Auditor:
    def __init__(self, log: AuditLog, clock: Clock) -> None:
        self._log = log
        self._clock = clock

    async def record(
        self,
        actor: User | None,
        action: str,
        object_type: str,
        object_id: str,
        **detail: str,
    ) -> None:
        await self._log.append(
            AuditEntry(
                at=self._clock.now(),
                actor_id=actor.id if actor else None,
                actor=actor.username if actor else "system",
                action=action,
                object_type=object_type,
                object_id=object_id,
                detail=detail,
            )
        )
