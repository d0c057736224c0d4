"""The admin's database session: what it is about to write goes to the audit log first.

sqladmin writes through this session, so every create, edit and delete made in the admin site is
audited in the same transaction as the change itself, by the same `Auditor` the use cases use,
with the staff user behind the request as the actor. A write with no staff user behind it is
refused rather than left unaudited.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from haztrak.adapters.persistence.identity import SqlAuditLog
from haztrak.adapters.persistence.tables import (
    AuditEntryRow,
    OrgMembershipRow,
    OrgRow,
    RcraSiteRow,
    SitePermissionRow,
    SiteRow,
    UserRow,
)
from haztrak.adapters.security.clock import SystemClock
from haztrak.application.audit import Auditor
from haztrak.application.ports.security import Clock
from haztrak.domain.identity import User

#: The staff user on whose behalf the current admin request writes.
ADMIN_ACTOR: ContextVar[User | None] = ContextVar("haztrak_admin_actor", default=None)

#: Columns that hold secrets or their hashes: never shown, never in an audit entry's detail.
SECRET_COLUMNS = frozenset(
    {"password_hash", "token_hash", "api_key_encrypted", "rcrainfo_api_key_encrypted"}
)

VIA = "admin"


class UnauditedChange(RuntimeError):
    """A change reached the admin's session without a staff user to audit it under."""


class AuditedSession(AsyncSession):
    """An AsyncSession whose flush and commit first record the pending changes."""

    async def flush(self, objects: Sequence[Any] | None = None) -> None:
        await self._audit_pending()
        await super().flush(objects)

    async def commit(self) -> None:
        await self._audit_pending()
        await super().commit()

    async def _audit_pending(self) -> None:
        created = [o for o in self.new if not isinstance(o, AuditEntryRow)]
        deleted = list(self.deleted)
        updated = [o for o in self.dirty if self.is_modified(o) and o not in self.deleted]
        if not (created or deleted or updated):
            return
        actor = ADMIN_ACTOR.get()
        if actor is None:
            raise UnauditedChange("the admin site writes only on behalf of a signed-in staff user")
        clock: Clock = self.info.get("clock") or SystemClock()
        auditor = Auditor(SqlAuditLog(self), clock)
        for obj in created:
            object_type, key = await self._describe(obj)
            await auditor.record(actor, "create", object_type, key, via=VIA)
        for obj in deleted:
            object_type, key = await self._describe(obj)
            await auditor.record(actor, "delete", object_type, key, via=VIA)
        for obj in updated:
            await self._record_update(auditor, actor, obj)

    async def _record_update(self, auditor: Auditor, actor: User, obj: Any) -> None:
        object_type, key = await self._describe(obj)
        changed = _changed_columns(obj)
        plain = [name for name in changed if name not in SECRET_COLUMNS]
        if plain:
            await auditor.record(actor, "update", object_type, key, via=VIA, fields=",".join(plain))
        if "password_hash" in changed:
            await auditor.record(actor, "reset_password", object_type, key, via=VIA)
        for column in ("rcrainfo_api_key_encrypted", "api_key_encrypted"):
            if column in changed:
                # The API's own word for it, so one action names every key change.
                state = "replaced" if getattr(obj, column) else "removed"
                await auditor.record(
                    actor, "set_rcrainfo_credentials", object_type, key, via=VIA, api_key=state
                )

    async def _describe(self, obj: Any) -> tuple[str, str]:
        """The object's type and key in the audit log, named as the API names them."""
        if isinstance(obj, UserRow):
            return "user", obj.username
        if isinstance(obj, OrgRow):
            return "org", obj.slug
        if isinstance(obj, SiteRow):
            return "site", obj.epa_id
        if isinstance(obj, RcraSiteRow):
            return "rcra_site", obj.epa_id
        if isinstance(obj, OrgMembershipRow):
            org = await self.get(OrgRow, obj.org_id)
            return (
                "org_membership",
                f"{org.slug if org else obj.org_id}/{await self._username(obj.user_id)}",
            )
        if isinstance(obj, SitePermissionRow):
            site = await self.get(SiteRow, obj.site_id)
            return (
                "site_role",
                f"{site.epa_id if site else obj.site_id}/{await self._username(obj.user_id)}",
            )
        table: str = obj.__table__.name
        identity = inspect(obj).mapper.primary_key_from_instance(obj)
        return table.removesuffix("s"), "/".join(str(part) for part in identity)

    async def _username(self, user_id: Any) -> str:
        user = await self.get(UserRow, user_id)
        return user.username if user else str(user_id)


def _changed_columns(obj: Any) -> list[str]:
    attrs: Iterable[Any] = inspect(obj).attrs
    return [attr.key for attr in attrs if attr.history.has_changes()]
