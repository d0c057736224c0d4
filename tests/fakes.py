"""In-memory fakes of the application's ports, for unit tests. The contract suite in
tests/integration/persistence runs the same assertions on these and on the SQL adapters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from uuid import UUID

import msgspec

from haztrak.application.ports.persistence import (
    AuditLog,
    AuditReader,
    MembershipRepository,
    OrgRepository,
    Principals,
    ProfileRepository,
    RcraSiteRepository,
    SiteRepository,
    TokenRepository,
    UnitOfWork,
    UserRepository,
)
from haztrak.domain.access import Grants
from haztrak.domain.audit import AuditEntry
from haztrak.domain.errors import Conflict
from haztrak.domain.handlers import RcraSite, RcraSiteDetails, SiteType
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
from haztrak.domain.secrets import Secret
from haztrak.domain.tokens import ApiToken

T = TypeVar("T")


def _copy(value: T) -> T:
    return msgspec.structs.replace(value)  # type: ignore[type-var]


class MemoryData:
    """The state shared by the fake repositories of one test."""

    def __init__(self) -> None:
        self.users: dict[UUID, User] = {}
        self.password_hashes: dict[UUID, str | None] = {}
        self.orgs: dict[UUID, Org] = {}
        self.org_keys: dict[UUID, bytes | None] = {}
        self.sites: dict[UUID, Site] = {}
        self.memberships: dict[tuple[UUID, UUID], OrgRole] = {}
        self.site_roles: dict[tuple[UUID, UUID], SiteRole] = {}
        self.handlers: dict[str, RcraSite] = {}
        self.profiles: dict[UUID, RcrainfoProfile] = {}
        self.profile_keys: dict[UUID, bytes | None] = {}
        self.rcra_permissions: dict[UUID, list[RcraSitePermission]] = {}
        self.tokens: dict[UUID, ApiToken] = {}
        self.audit: list[AuditEntry] = []
        self.commits = 0


class MemoryUnitOfWork(UnitOfWork):
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    async def commit(self) -> None:
        self.data.commits += 1

    async def rollback(self) -> None:
        return None


class MemoryUserRepository(UserRepository):
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    async def get(self, user_id: UUID) -> User | None:
        user = self.data.users.get(user_id)
        return _copy(user) if user else None

    async def by_username(self, username: str) -> User | None:
        for user in self.data.users.values():
            if user.username == username:
                return _copy(user)
        return None

    async def password_hash(self, user_id: UUID) -> str | None:
        return self.data.password_hashes.get(user_id)

    async def add(self, user: User, password_hash: str | None) -> None:
        if await self.by_username(user.username):
            raise Conflict(f"a user called {user.username!r} exists")
        self.data.users[user.id] = _copy(user)
        self.data.password_hashes[user.id] = password_hash

    async def update(self, user: User) -> None:
        self.data.users[user.id] = _copy(user)

    async def set_password_hash(self, user_id: UUID, password_hash: str) -> None:
        self.data.password_hashes[user_id] = password_hash

    async def list(self, *, limit: int = 100, offset: int = 0) -> Sequence[User]:
        users = sorted(self.data.users.values(), key=lambda u: u.username)
        return [_copy(u) for u in users[offset : offset + limit]]


class MemoryOrgRepository(OrgRepository):
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    def _out(self, org: Org) -> Org:
        return msgspec.structs.replace(
            org, has_rcrainfo_api_key=self.data.org_keys.get(org.id) is not None
        )

    async def get(self, org_id: UUID) -> Org | None:
        org = self.data.orgs.get(org_id)
        return self._out(org) if org else None

    async def by_slug(self, slug: str) -> Org | None:
        for org in self.data.orgs.values():
            if org.slug == slug:
                return self._out(org)
        return None

    async def list_by_ids(self, org_ids: Sequence[UUID]) -> Sequence[Org]:
        return [self._out(self.data.orgs[i]) for i in org_ids if i in self.data.orgs]

    async def add(self, org: Org) -> None:
        if await self.by_slug(org.slug):
            raise Conflict(f"an org with slug {org.slug!r} exists")
        self.data.orgs[org.id] = _copy(org)

    async def update(self, org: Org) -> None:
        self.data.orgs[org.id] = _copy(org)

    async def set_api_key(self, org_id: UUID, encrypted_key: bytes | None) -> None:
        self.data.org_keys[org_id] = encrypted_key

    async def encrypted_api_key(self, org_id: UUID) -> bytes | None:
        return self.data.org_keys.get(org_id)


class MemorySiteRepository(SiteRepository):
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    async def by_epa_id(self, epa_id: str) -> Site | None:
        for site in self.data.sites.values():
            if site.epa_id == epa_id:
                return _copy(site)
        return None

    async def list_by_epa_ids(self, epa_ids: Sequence[str]) -> Sequence[Site]:
        wanted = set(epa_ids)
        found = [s for s in self.data.sites.values() if s.epa_id in wanted]
        return [_copy(s) for s in sorted(found, key=lambda s: s.epa_id)]

    async def list_for_org(self, org_id: UUID) -> Sequence[Site]:
        found = [s for s in self.data.sites.values() if s.org_id == org_id]
        return [_copy(s) for s in sorted(found, key=lambda s: s.epa_id)]

    async def add(self, site: Site) -> None:
        if await self.by_epa_id(site.epa_id):
            raise Conflict(f"site {site.epa_id} already belongs to an org")
        self.data.sites[site.id] = _copy(site)

    async def set_last_manifest_sync(self, site_id: UUID, at: datetime) -> None:
        self.data.sites[site_id].last_manifest_sync = at


class MemoryMembershipRepository(MembershipRepository):
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    async def grants(self, user_id: UUID) -> Grants:
        org_roles = {o: r for (o, u), r in self.data.memberships.items() if u == user_id}
        explicit = [
            (self.data.sites[s].epa_id, r)
            for (s, u), r in self.data.site_roles.items()
            if u == user_id
        ]
        org_sites = [(s.org_id, s.epa_id) for s in self.data.sites.values()]
        site_orgs = {s.epa_id: s.org_id for s in self.data.sites.values()}
        return Grants.build(user_id, org_roles, explicit, org_sites, site_orgs)

    async def org_memberships(self, user_id: UUID) -> Sequence[OrgMembership]:
        return [
            OrgMembership(org_id=o, user_id=u, role=r)
            for (o, u), r in self.data.memberships.items()
            if u == user_id
        ]

    async def org_members(self, org_id: UUID) -> Sequence[tuple[User, OrgRole]]:
        members = [
            (_copy(self.data.users[u]), r)
            for (o, u), r in self.data.memberships.items()
            if o == org_id
        ]
        return sorted(members, key=lambda m: m[0].username)

    async def site_permissions_in_org(self, org_id: UUID) -> Sequence[tuple[str, SitePermission]]:
        return [
            (self.data.sites[s].epa_id, SitePermission(site_id=s, user_id=u, role=r))
            for (s, u), r in self.data.site_roles.items()
            if self.data.sites[s].org_id == org_id
        ]

    async def set_org_role(self, org_id: UUID, user_id: UUID, role: OrgRole) -> None:
        self.data.memberships[(org_id, user_id)] = role

    async def remove_from_org(self, org_id: UUID, user_id: UUID) -> None:
        self.data.memberships.pop((org_id, user_id), None)
        for site_id, site in self.data.sites.items():
            if site.org_id == org_id:
                self.data.site_roles.pop((site_id, user_id), None)

    async def set_site_role(self, site_id: UUID, user_id: UUID, role: SiteRole | None) -> None:
        if role is None:
            self.data.site_roles.pop((site_id, user_id), None)
        else:
            self.data.site_roles[(site_id, user_id)] = role


class MemoryRcraSiteRepository(RcraSiteRepository):
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    async def get(self, epa_id: str) -> RcraSite | None:
        return self.data.handlers.get(epa_id)

    async def upsert(self, site: RcraSite) -> None:
        # As the SQL repository, read back as an RcraSite: RCRAInfo's category is the
        # deadline store's (MemoryDeadlineStore.handlers).
        if isinstance(site, RcraSiteDetails):
            site = msgspec.convert(msgspec.to_builtins(site), RcraSite)
        self.data.handlers[site.epa_site_id] = site

    async def search(
        self,
        *,
        epa_id: str | None = None,
        name: str | None = None,
        site_type: SiteType | None = None,
        limit: int = 20,
    ) -> Sequence[RcraSite]:
        found = [
            h
            for h in self.data.handlers.values()
            if (not epa_id or epa_id.upper() in h.epa_site_id.upper())
            and (not name or name.lower() in h.name.lower())
            and (not site_type or h.site_type is site_type)
        ]
        return sorted(found, key=lambda h: h.epa_site_id)[:limit]


class MemoryProfileRepository(ProfileRepository):
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    async def get(self, user_id: UUID) -> RcrainfoProfile | None:
        profile = self.data.profiles.get(user_id)
        if profile is None:
            return None
        return msgspec.structs.replace(
            profile, has_api_key=self.data.profile_keys.get(user_id) is not None
        )

    async def save(self, profile: RcrainfoProfile) -> None:
        self.data.profiles[profile.user_id] = _copy(profile)

    async def set_api_key(self, user_id: UUID, encrypted_key: bytes | None) -> None:
        if user_id in self.data.profiles:
            self.data.profile_keys[user_id] = encrypted_key

    async def encrypted_api_key(self, user_id: UUID) -> bytes | None:
        return self.data.profile_keys.get(user_id)

    async def rcra_permissions(self, user_id: UUID) -> Sequence[RcraSitePermission]:
        return sorted(self.data.rcra_permissions.get(user_id, []), key=lambda p: p.epa_site_id)

    async def replace_rcra_permissions(
        self, user_id: UUID, permissions: Sequence[RcraSitePermission]
    ) -> None:
        self.data.rcra_permissions[user_id] = list(permissions)


class MemoryTokenRepository(TokenRepository):
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    async def add(self, token: ApiToken) -> None:
        self.data.tokens[token.id] = token

    async def by_hash(self, token_hash: str) -> ApiToken | None:
        return next((t for t in self.data.tokens.values() if t.token_hash == token_hash), None)

    async def list_for_user(self, user_id: UUID) -> Sequence[ApiToken]:
        found = [t for t in self.data.tokens.values() if t.user_id == user_id]
        return sorted(found, key=lambda t: t.created_at)

    async def revoke(self, token_id: UUID, at: datetime) -> None:
        self.data.tokens[token_id] = msgspec.structs.replace(
            self.data.tokens[token_id], revoked_at=at
        )

    async def touch(self, token_id: UUID, at: datetime) -> None:
        self.data.tokens[token_id] = msgspec.structs.replace(
            self.data.tokens[token_id], last_used_at=at
        )


class MemoryPrincipals(Principals):
    """Principals over the same data as the repositories above."""

    def __init__(self, data: MemoryData) -> None:
        self._tokens = MemoryTokenRepository(data)
        self._users = MemoryUserRepository(data)
        self._memberships = MemoryMembershipRepository(data)

    async def token_by_hash(self, token_hash: str) -> ApiToken | None:
        return await self._tokens.by_hash(token_hash)

    async def user(self, user_id: UUID) -> User | None:
        return await self._users.get(user_id)

    async def grants(self, user_id: UUID) -> Grants:
        return await self._memberships.grants(user_id)

    async def touch_token(self, token_id: UUID, at: datetime) -> None:
        await self._tokens.touch(token_id, at)


class MemoryAuditLog(AuditLog, AuditReader):
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    async def append(self, entry: AuditEntry) -> None:
        self.data.audit.append(entry)

    async def list(
        self, *, object_type: str | None = None, object_id: str | None = None, limit: int = 100
    ) -> Sequence[AuditEntry]:
        found = [
            e
            for e in reversed(self.data.audit)
            if (not object_type or e.object_type == object_type)
            and (not object_id or e.object_id == object_id)
        ]
        return found[:limit]

    async def entries(self, object_type: str, object_id: str, limit: int) -> Sequence[AuditEntry]:
        return await self.list(object_type=object_type, object_id=object_id, limit=limit)


class FixedClock:
    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


class PlainHasher:
    """A password 'hasher' for unit tests: fast, and obviously not for production."""

    def hash(self, password: Secret) -> str:
        return "plain$" + password.reveal()

    def verify(self, password_hash: str, password: Secret) -> bool:
        return password_hash == "plain$" + password.reveal()

    def needs_rehash(self, password_hash: str) -> bool:
        return False


class PlainStamps:
    """Password stamps for unit tests: the hash itself, reversed (keyed HMAC in production)."""

    def stamp(self, password_hash: str | None) -> str:
        return (password_hash or "")[::-1]


class ReversingBox:
    def encrypt(self, secret: Secret) -> bytes:
        return secret.reveal()[::-1].encode()

    def decrypt(self, ciphertext: bytes) -> Secret:
        return Secret(ciphertext.decode()[::-1])
