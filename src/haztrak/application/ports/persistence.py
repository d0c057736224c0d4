"""Storage ports: repositories take and return domain types, the unit of work commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from haztrak.domain.access import Grants
from haztrak.domain.audit import AuditEntry
from haztrak.domain.handlers import RcraSite, SiteType
from haztrak.domain.identity import (
    Org,
    OrgMembership,
    OrgRole,
    RcrainfoProfile,
    RcraSitePermission,
    Site,
    SitePermission,
    SiteRole,
    User,
)
from haztrak.domain.tokens import ApiToken


class UnitOfWork(Protocol):
    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class UserRepository(Protocol):
    async def get(self, user_id: UUID) -> User | None: ...

    async def by_username(self, username: str) -> User | None: ...

    async def password_hash(self, user_id: UUID) -> str | None: ...

    async def add(self, user: User, password_hash: str | None) -> None:
        """Add a user; raises Conflict when the username is taken."""

    async def update(self, user: User) -> None: ...

    async def set_password_hash(self, user_id: UUID, password_hash: str) -> None: ...

    async def list(self, *, limit: int = 100, offset: int = 0) -> Sequence[User]: ...


class OrgRepository(Protocol):
    async def get(self, org_id: UUID) -> Org | None: ...

    async def by_slug(self, slug: str) -> Org | None: ...

    async def list_by_ids(self, org_ids: Sequence[UUID]) -> Sequence[Org]: ...

    async def add(self, org: Org) -> None:
        """Add an org; raises Conflict when the slug is taken."""

    async def update(self, org: Org) -> None:
        """Store name, API ID and the credentials-failing flag (never the key)."""

    async def set_api_key(self, org_id: UUID, encrypted_key: bytes | None) -> None: ...

    async def encrypted_api_key(self, org_id: UUID) -> bytes | None: ...


class SiteRepository(Protocol):
    async def by_epa_id(self, epa_id: str) -> Site | None: ...

    async def list_by_epa_ids(self, epa_ids: Sequence[str]) -> Sequence[Site]: ...

    async def list_for_org(self, org_id: UUID) -> Sequence[Site]: ...

    async def add(self, site: Site) -> None:
        """Add a site; raises Conflict when the EPA ID already belongs to a site."""

    async def set_last_manifest_sync(self, site_id: UUID, at: datetime) -> None: ...


class MembershipRepository(Protocol):
    """Org memberships and site roles, and the grants they add up to."""

    async def grants(self, user_id: UUID) -> Grants: ...

    async def org_memberships(self, user_id: UUID) -> Sequence[OrgMembership]: ...

    async def org_members(self, org_id: UUID) -> Sequence[tuple[User, OrgRole]]: ...

    async def site_permissions_in_org(self, org_id: UUID) -> Sequence[tuple[str, SitePermission]]:
        """Every explicit site role on the org's sites, with the site's EPA ID."""

    async def set_org_role(self, org_id: UUID, user_id: UUID, role: OrgRole) -> None: ...

    async def remove_from_org(self, org_id: UUID, user_id: UUID) -> None:
        """Remove the membership and every role the user holds on the org's sites."""

    async def set_site_role(self, site_id: UUID, user_id: UUID, role: SiteRole | None) -> None:
        """Give the user this role on the site; None removes it."""


class RcraSiteRepository(Protocol):
    """Handlers as RCRAInfo describes them, kept locally."""

    async def get(self, epa_id: str) -> RcraSite | None: ...

    async def upsert(self, site: RcraSite) -> None: ...

    async def search(
        self,
        *,
        epa_id: str | None = None,
        name: str | None = None,
        site_type: SiteType | None = None,
        limit: int = 20,
    ) -> Sequence[RcraSite]: ...


class ProfileRepository(Protocol):
    async def get(self, user_id: UUID) -> RcrainfoProfile | None: ...

    async def save(self, profile: RcrainfoProfile) -> None: ...

    async def set_api_key(self, user_id: UUID, encrypted_key: bytes | None) -> None: ...

    async def encrypted_api_key(self, user_id: UUID) -> bytes | None: ...

    async def rcra_permissions(self, user_id: UUID) -> Sequence[RcraSitePermission]: ...

    async def replace_rcra_permissions(
        self, user_id: UUID, permissions: Sequence[RcraSitePermission]
    ) -> None: ...


class TokenRepository(Protocol):
    async def add(self, token: ApiToken) -> None: ...

    async def by_hash(self, token_hash: str) -> ApiToken | None: ...

    async def list_for_user(self, user_id: UUID) -> Sequence[ApiToken]: ...

    async def revoke(self, token_id: UUID, at: datetime) -> None: ...

    async def touch(self, token_id: UUID, at: datetime) -> None: ...


class Principals(Protocol):
    """Who is calling and what they may do: asked on every authenticated request, so it
    lives as long as the process and opens what it needs (a session, a connection) per
    question, or answers from memory."""

    async def token_by_hash(self, token_hash: str) -> ApiToken | None: ...

    async def user(self, user_id: UUID) -> User | None: ...

    async def grants(self, user_id: UUID) -> Grants: ...

    async def touch_token(self, token_id: UUID, at: datetime) -> None:
        """Record the token's last use (committed on its own)."""


class AuditLog(Protocol):
    async def append(self, entry: AuditEntry) -> None: ...

    async def list(
        self, *, object_type: str | None = None, object_id: str | None = None, limit: int = 100
    ) -> Sequence[AuditEntry]: ...


class AuditReader(Protocol):
    """One object's trail, newest first, read outside any unit of work (for the pages)."""

    async def entries(
        self, object_type: str, object_id: str, limit: int
    ) -> Sequence[AuditEntry]: ...
