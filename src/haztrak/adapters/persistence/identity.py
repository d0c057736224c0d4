"""SQL repositories for users, orgs, sites, memberships, profiles, tokens and the audit log."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from haztrak.adapters.persistence.pg_driver import driver_in_transaction, flush_held, hold
from haztrak.adapters.persistence.tables import (
    ApiTokenRow,
    AuditEntryRow,
    OrgMembershipRow,
    OrgRow,
    RcrainfoProfileRow,
    RcraSitePermissionRow,
    RcraSiteRow,
    SitePermissionRow,
    SiteRow,
    UserRow,
    cast_table,
)
from haztrak.domain.access import Grants
from haztrak.domain.audit import AuditEntry
from haztrak.domain.errors import Conflict
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


async def _add_or_conflict(session: AsyncSession, row: object, message: str) -> None:
    """Insert one row in a savepoint: a duplicate is a Conflict and the transaction goes on."""
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError as exc:
        raise Conflict(message) from exc


class SqlUnitOfWork:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def commit(self) -> None:
        await flush_held(self._session)  # on the driver: cheaper than the commit's listener
        await self._session.commit()

    async def rollback(self) -> None:
        await self._session.rollback()


def _user(row: UserRow) -> User:
    return User(
        id=row.id,
        username=row.username,
        email=row.email,
        first_name=row.first_name,
        last_name=row.last_name,
        is_active=row.is_active,
        is_staff=row.is_staff,
        created_at=row.created_at,
    )


class SqlUserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: UUID) -> User | None:
        row = await self._session.get(UserRow, user_id)
        return _user(row) if row else None

    async def by_username(self, username: str) -> User | None:
        row = await self._session.scalar(select(UserRow).where(UserRow.username == username))
        return _user(row) if row else None

    async def password_hash(self, user_id: UUID) -> str | None:
        return await self._session.scalar(
            select(UserRow.password_hash).where(UserRow.id == user_id)
        )

    async def add(self, user: User, password_hash: str | None) -> None:
        await _add_or_conflict(
            self._session,
            UserRow(
                id=user.id,
                username=user.username,
                email=user.email,
                first_name=user.first_name,
                last_name=user.last_name,
                password_hash=password_hash,
                is_active=user.is_active,
                is_staff=user.is_staff,
                created_at=user.created_at,
            ),
            f"a user called {user.username!r} exists",
        )

    async def update(self, user: User) -> None:
        await self._session.execute(
            update(UserRow)
            .where(UserRow.id == user.id)
            .values(
                email=user.email,
                first_name=user.first_name,
                last_name=user.last_name,
                is_active=user.is_active,
                is_staff=user.is_staff,
            )
        )

    async def set_password_hash(self, user_id: UUID, password_hash: str) -> None:
        await self._session.execute(
            update(UserRow).where(UserRow.id == user_id).values(password_hash=password_hash)
        )

    async def list(self, *, limit: int = 100, offset: int = 0) -> Sequence[User]:
        rows = await self._session.scalars(
            select(UserRow).order_by(UserRow.username).limit(limit).offset(offset)
        )
        return [_user(r) for r in rows]


def _org(row: OrgRow) -> Org:
    return Org(
        id=row.id,
        name=row.name,
        slug=row.slug,
        rcrainfo_api_id=row.rcrainfo_api_id,
        has_rcrainfo_api_key=row.rcrainfo_api_key_encrypted is not None,
        rcrainfo_credentials_failing=row.rcrainfo_credentials_failing,
    )


class SqlOrgRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, org_id: UUID) -> Org | None:
        row = await self._session.get(OrgRow, org_id)
        return _org(row) if row else None

    async def by_slug(self, slug: str) -> Org | None:
        row = await self._session.scalar(select(OrgRow).where(OrgRow.slug == slug))
        return _org(row) if row else None

    async def list_by_ids(self, org_ids: Sequence[UUID]) -> Sequence[Org]:
        if not org_ids:
            return []
        rows = await self._session.scalars(select(OrgRow).where(OrgRow.id.in_(org_ids)))
        return [_org(r) for r in rows]

    async def add(self, org: Org) -> None:
        await _add_or_conflict(
            self._session,
            OrgRow(
                id=org.id,
                name=org.name,
                slug=org.slug,
                rcrainfo_api_id=org.rcrainfo_api_id,
                rcrainfo_credentials_failing=org.rcrainfo_credentials_failing,
            ),
            f"an org with slug {org.slug!r} exists",
        )

    async def update(self, org: Org) -> None:
        await self._session.execute(
            update(OrgRow)
            .where(OrgRow.id == org.id)
            .values(
                name=org.name,
                rcrainfo_api_id=org.rcrainfo_api_id,
                rcrainfo_credentials_failing=org.rcrainfo_credentials_failing,
            )
        )

    async def set_api_key(self, org_id: UUID, encrypted_key: bytes | None) -> None:
        await self._session.execute(
            update(OrgRow)
            .where(OrgRow.id == org_id)
            .values(rcrainfo_api_key_encrypted=encrypted_key)
        )

    async def encrypted_api_key(self, org_id: UUID) -> bytes | None:
        return await self._session.scalar(
            select(OrgRow.rcrainfo_api_key_encrypted).where(OrgRow.id == org_id)
        )


def _site(row: Any) -> Site:
    """A Site from a SiteRow or a Core row of the sites table."""
    return Site(
        id=row.id,
        epa_id=row.epa_id,
        name=row.name,
        site_type=SiteType(row.site_type),
        org_id=row.org_id,
        last_manifest_sync=row.last_manifest_sync,
    )


_sites = cast_table(SiteRow)
_SITE_BY_EPA_ID = select(*_sites.c).where(_sites.c.epa_id == bindparam("epa_id"))


class SqlSiteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_epa_id(self, epa_id: str) -> Site | None:
        row = (await self._session.execute(_SITE_BY_EPA_ID, {"epa_id": epa_id})).first()
        return _site(row) if row else None

    async def list_by_epa_ids(self, epa_ids: Sequence[str]) -> Sequence[Site]:
        if not epa_ids:
            return []
        rows = await self._session.scalars(
            select(SiteRow).where(SiteRow.epa_id.in_(epa_ids)).order_by(SiteRow.epa_id)
        )
        return [_site(r) for r in rows]

    async def list_for_org(self, org_id: UUID) -> Sequence[Site]:
        rows = await self._session.scalars(
            select(SiteRow).where(SiteRow.org_id == org_id).order_by(SiteRow.epa_id)
        )
        return [_site(r) for r in rows]

    async def add(self, site: Site) -> None:
        await _add_or_conflict(
            self._session,
            SiteRow(
                id=site.id,
                epa_id=site.epa_id,
                name=site.name,
                site_type=site.site_type.value,
                org_id=site.org_id,
                last_manifest_sync=site.last_manifest_sync,
            ),
            f"site {site.epa_id} already belongs to an org",
        )

    async def set_last_manifest_sync(self, site_id: UUID, at: datetime) -> None:
        await self._session.execute(
            update(SiteRow).where(SiteRow.id == site_id).values(last_manifest_sync=at)
        )


class SqlMembershipRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def grants(self, user_id: UUID) -> Grants:
        org_roles = {
            org_id: OrgRole(role)
            for org_id, role in await self._session.execute(
                select(OrgMembershipRow.org_id, OrgMembershipRow.role).where(
                    OrgMembershipRow.user_id == user_id
                )
            )
        }
        site_orgs: dict[str, UUID] = {}
        explicit = []
        for epa_id, role, org_id in await self._session.execute(
            select(SiteRow.epa_id, SitePermissionRow.role, SiteRow.org_id)
            .join(SitePermissionRow, SitePermissionRow.site_id == SiteRow.id)
            .where(SitePermissionRow.user_id == user_id)
        ):
            explicit.append((epa_id, SiteRole(role)))
            site_orgs[epa_id] = org_id
        admin_orgs = [o for o, r in org_roles.items() if r is OrgRole.ADMIN]
        org_sites: list[tuple[UUID, str]] = []
        if admin_orgs:
            org_sites = [
                (org_id, epa_id)
                for org_id, epa_id in await self._session.execute(
                    select(SiteRow.org_id, SiteRow.epa_id).where(SiteRow.org_id.in_(admin_orgs))
                )
            ]
        return Grants.build(user_id, org_roles, explicit, org_sites, site_orgs)

    async def org_memberships(self, user_id: UUID) -> Sequence[OrgMembership]:
        rows = await self._session.scalars(
            select(OrgMembershipRow).where(OrgMembershipRow.user_id == user_id)
        )
        return [
            OrgMembership(org_id=r.org_id, user_id=r.user_id, role=OrgRole(r.role)) for r in rows
        ]

    async def org_members(self, org_id: UUID) -> Sequence[tuple[User, OrgRole]]:
        rows = await self._session.execute(
            select(UserRow, OrgMembershipRow.role)
            .join(OrgMembershipRow, OrgMembershipRow.user_id == UserRow.id)
            .where(OrgMembershipRow.org_id == org_id)
            .order_by(UserRow.username)
        )
        return [(_user(u), OrgRole(role)) for u, role in rows]

    async def site_permissions_in_org(self, org_id: UUID) -> Sequence[tuple[str, SitePermission]]:
        rows = await self._session.execute(
            select(SiteRow.epa_id, SitePermissionRow)
            .join(SitePermissionRow, SitePermissionRow.site_id == SiteRow.id)
            .where(SiteRow.org_id == org_id)
        )
        return [
            (epa_id, SitePermission(site_id=p.site_id, user_id=p.user_id, role=SiteRole(p.role)))
            for epa_id, p in rows
        ]

    async def set_org_role(self, org_id: UUID, user_id: UUID, role: OrgRole) -> None:
        row = await self._session.get(OrgMembershipRow, (org_id, user_id))
        if row is None:
            self._session.add(OrgMembershipRow(org_id=org_id, user_id=user_id, role=role.value))
        else:
            row.role = role.value
        await self._session.flush()

    async def remove_from_org(self, org_id: UUID, user_id: UUID) -> None:
        org_site_ids = select(SiteRow.id).where(SiteRow.org_id == org_id)
        await self._session.execute(
            delete(SitePermissionRow).where(
                SitePermissionRow.user_id == user_id,
                SitePermissionRow.site_id.in_(org_site_ids),
            )
        )
        await self._session.execute(
            delete(OrgMembershipRow).where(
                OrgMembershipRow.org_id == org_id, OrgMembershipRow.user_id == user_id
            )
        )

    async def set_site_role(self, site_id: UUID, user_id: UUID, role: SiteRole | None) -> None:
        row = await self._session.get(SitePermissionRow, (site_id, user_id))
        if role is None:
            if row is not None:
                await self._session.delete(row)
        elif row is None:
            self._session.add(SitePermissionRow(site_id=site_id, user_id=user_id, role=role.value))
        else:
            row.role = role.value
        await self._session.flush()


GENERATOR_STATUS = "federalGeneratorStatus"
"""Kept in a handler's document from RCRAInfo's site details (RcraSiteDetails) for the
deadlines; a handler record without it (a site search's) leaves it as it was."""


class SqlRcraSiteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, epa_id: str) -> RcraSite | None:
        doc = await self._session.scalar(
            select(RcraSiteRow.document).where(RcraSiteRow.epa_id == epa_id)
        )
        return msgspec.convert(doc, RcraSite) if doc is not None else None

    async def upsert(self, site: RcraSite) -> None:
        document = msgspec.to_builtins(site)
        row = await self._session.get(RcraSiteRow, site.epa_site_id)
        if row is None:
            self._session.add(
                RcraSiteRow(
                    epa_id=site.epa_site_id,
                    site_type=site.site_type.value,
                    name=site.name,
                    document=document,
                )
            )
        else:
            row.site_type = site.site_type.value
            row.name = site.name
            kept = (row.document or {}).get(GENERATOR_STATUS)
            if kept is not None and GENERATOR_STATUS not in document:  # a search's record
                document[GENERATOR_STATUS] = kept
            row.document = document
        await self._session.flush()

    async def search(
        self,
        *,
        epa_id: str | None = None,
        name: str | None = None,
        site_type: SiteType | None = None,
        limit: int = 20,
    ) -> Sequence[RcraSite]:
        query = select(RcraSiteRow.document)
        if epa_id:
            query = query.where(func.upper(RcraSiteRow.epa_id).contains(epa_id.upper()))
        if name:
            query = query.where(or_(func.lower(RcraSiteRow.name).contains(name.lower())))
        if site_type:
            query = query.where(RcraSiteRow.site_type == site_type.value)
        docs = await self._session.scalars(query.order_by(RcraSiteRow.epa_id).limit(limit))
        return [msgspec.convert(d, RcraSite) for d in docs]


class SqlProfileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: UUID) -> RcrainfoProfile | None:
        row = await self._session.get(RcrainfoProfileRow, user_id)
        if row is None:
            return None
        return RcrainfoProfile(
            user_id=row.user_id,
            rcra_username=row.rcra_username,
            api_id=row.api_id,
            has_api_key=row.api_key_encrypted is not None,
            phone_number=row.phone_number,
        )

    async def save(self, profile: RcrainfoProfile) -> None:
        row = await self._session.get(RcrainfoProfileRow, profile.user_id)
        if row is None:
            row = RcrainfoProfileRow(user_id=profile.user_id)
            self._session.add(row)
        row.rcra_username = profile.rcra_username
        row.api_id = profile.api_id
        row.phone_number = profile.phone_number
        await self._session.flush()

    async def set_api_key(self, user_id: UUID, encrypted_key: bytes | None) -> None:
        await self._session.execute(
            update(RcrainfoProfileRow)
            .where(RcrainfoProfileRow.user_id == user_id)
            .values(api_key_encrypted=encrypted_key)
        )

    async def encrypted_api_key(self, user_id: UUID) -> bytes | None:
        return await self._session.scalar(
            select(RcrainfoProfileRow.api_key_encrypted).where(
                RcrainfoProfileRow.user_id == user_id
            )
        )

    async def rcra_permissions(self, user_id: UUID) -> Sequence[RcraSitePermission]:
        rows = await self._session.scalars(
            select(RcraSitePermissionRow)
            .where(RcraSitePermissionRow.user_id == user_id)
            .order_by(RcraSitePermissionRow.epa_site_id)
        )
        return [
            RcraSitePermission(
                epa_site_id=r.epa_site_id,
                site_management=r.site_management,
                annual_report=r.annual_report,
                biennial_report=r.biennial_report,
                emanifest=r.emanifest,
                wiets=r.wiets,
                my_rcra_id=r.my_rcra_id,
            )
            for r in rows
        ]

    async def replace_rcra_permissions(
        self, user_id: UUID, permissions: Sequence[RcraSitePermission]
    ) -> None:
        await self._session.execute(
            delete(RcraSitePermissionRow).where(RcraSitePermissionRow.user_id == user_id)
        )
        self._session.add_all(
            RcraSitePermissionRow(user_id=user_id, **msgspec.structs.asdict(p)) for p in permissions
        )
        await self._session.flush()


def _token(row: ApiTokenRow) -> ApiToken:
    return ApiToken(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        token_hash=row.token_hash,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


class SqlTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, token: ApiToken) -> None:
        await _add_or_conflict(
            self._session, ApiTokenRow(**msgspec.structs.asdict(token)), "the token exists"
        )

    async def by_hash(self, token_hash: str) -> ApiToken | None:
        row = await self._session.scalar(
            select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash)
        )
        return _token(row) if row else None

    async def list_for_user(self, user_id: UUID) -> Sequence[ApiToken]:
        rows = await self._session.scalars(
            select(ApiTokenRow)
            .where(ApiTokenRow.user_id == user_id)
            .order_by(ApiTokenRow.created_at)
        )
        return [_token(r) for r in rows]

    async def revoke(self, token_id: UUID, at: datetime) -> None:
        await self._session.execute(
            update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(revoked_at=at)
        )

    async def touch(self, token_id: UUID, at: datetime) -> None:
        await self._session.execute(
            update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(last_used_at=at)
        )


_INSERT_AUDIT_ENTRY = insert(cast_table(AuditEntryRow))
_PG_INSERT_AUDIT_ENTRY = (
    "INSERT INTO audit_log (at, actor_id, actor, action, object_type, object_id, detail) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)"
)


class SqlAuditLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def append(self, entry: AuditEntry) -> None:
        driver = await driver_in_transaction(self._session)
        if driver is not None:  # the same INSERT, on the transaction's asyncpg connection
            values = (
                entry.at,
                entry.actor_id,
                entry.actor,
                entry.action,
                entry.object_type,
                entry.object_id,
                msgspec.json.encode(dict(entry.detail)).decode(),
            )
            # held for the transaction's next statement or its commit: no round trip of its own
            if not hold(self._session, _PG_INSERT_AUDIT_ENTRY, *values):
                await driver.execute(_PG_INSERT_AUDIT_ENTRY, *values)
            return
        # A Core INSERT in the caller's transaction: no ORM object to flush at commit.
        await self._session.execute(
            _INSERT_AUDIT_ENTRY,
            {
                "at": entry.at,
                "actor_id": entry.actor_id,
                "actor": entry.actor,
                "action": entry.action,
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "detail": dict(entry.detail),
            },
        )

    async def list(
        self, *, object_type: str | None = None, object_id: str | None = None, limit: int = 100
    ) -> Sequence[AuditEntry]:
        query = select(AuditEntryRow).order_by(AuditEntryRow.id.desc()).limit(limit)
        if object_type:
            query = query.where(AuditEntryRow.object_type == object_type)
        if object_id:
            query = query.where(AuditEntryRow.object_id == object_id)
        return [
            AuditEntry(
                at=r.at,
                actor_id=r.actor_id,
                actor=r.actor,
                action=r.action,
                object_type=r.object_type,
                object_id=r.object_id,
                detail=dict(r.detail),
            )
            for r in await self._session.scalars(query)
        ]


class SessionPrincipals:
    """Implements Principals with the repositories above, on a short session per call."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def token_by_hash(self, token_hash: str) -> ApiToken | None:
        async with self._sessions() as session:
            return await SqlTokenRepository(session).by_hash(token_hash)

    async def user(self, user_id: UUID) -> User | None:
        async with self._sessions() as session:
            return await SqlUserRepository(session).get(user_id)

    async def grants(self, user_id: UUID) -> Grants:
        async with self._sessions() as session:
            return await SqlMembershipRepository(session).grants(user_id)

    async def touch_token(self, token_id: UUID, at: datetime) -> None:
        async with self._sessions() as session:
            await SqlTokenRepository(session).touch(token_id, at)
            await session.commit()
