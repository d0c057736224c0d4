"""Demo data: users, orgs, sites and roles to try Haztrak with. Safe to run again."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import msgspec

from haztrak.application.ports.persistence import (
    MembershipRepository,
    OrgRepository,
    RcraSiteRepository,
    SiteRepository,
    UnitOfWork,
    UserRepository,
)
from haztrak.application.ports.security import Clock, PasswordHasher, SecretBox
from haztrak.domain.handlers import RcraSite
from haztrak.domain.identity import Org, OrgRole, Site, SiteRole, User
from haztrak.domain.secrets import Secret


class DemoUser(msgspec.Struct, frozen=True, kw_only=True):
    username: str
    first_name: str
    last_name: str
    is_staff: bool = False


class DemoOrg(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    slug: str
    sites: tuple[RcraSite, ...]
    admins: tuple[str, ...] = ()
    signers: tuple[str, ...] = ()
    rcrainfo_api_id: str | None = None
    rcrainfo_api_key: str | None = None


class DemoData(msgspec.Struct, frozen=True, kw_only=True):
    users: tuple[DemoUser, ...]
    orgs: tuple[DemoOrg, ...]


class SeedDemoData:
    """Create what is missing; existing users keep their passwords, orgs their settings."""

    def __init__(
        self,
        users: UserRepository,
        orgs: OrgRepository,
        sites: SiteRepository,
        memberships: MembershipRepository,
        handlers: RcraSiteRepository,
        hasher: PasswordHasher,
        box: SecretBox,
        clock: Clock,
        uow: UnitOfWork,
    ) -> None:
        self._users = users
        self._orgs = orgs
        self._sites = sites
        self._memberships = memberships
        self._handlers = handlers
        self._hasher = hasher
        self._box = box
        self._clock = clock
        self._uow = uow

    async def __call__(self, demo: DemoData, password: Secret) -> list[str]:
        """Returns the usernames created now."""
        created: list[str] = []
        users: dict[str, User] = {}
        password_hash = await asyncio.to_thread(self._hasher.hash, password)
        for spec in demo.users:
            user = await self._users.by_username(spec.username)
            if user is None:
                user = User(
                    id=uuid4(),
                    username=spec.username,
                    email=f"{spec.username}@haztrak.example",
                    first_name=spec.first_name,
                    last_name=spec.last_name,
                    is_staff=spec.is_staff,
                    created_at=self._clock.now(),
                )
                await self._users.add(user, password_hash)
                created.append(spec.username)
            users[spec.username] = user
        for org_spec in demo.orgs:
            org = await self._orgs.by_slug(org_spec.slug)
            if org is None:
                org = Org(
                    id=uuid4(),
                    name=org_spec.name,
                    slug=org_spec.slug,
                    rcrainfo_api_id=org_spec.rcrainfo_api_id,
                )
                await self._orgs.add(org)
                if org_spec.rcrainfo_api_key:
                    encrypted = self._box.encrypt(Secret(org_spec.rcrainfo_api_key))
                    await self._orgs.set_api_key(org.id, encrypted)
            for handler in org_spec.sites:
                if await self._handlers.get(handler.epa_site_id) is None:
                    await self._handlers.upsert(handler)
                site = await self._sites.by_epa_id(handler.epa_site_id)
                if site is None:
                    site = Site(
                        id=uuid4(),
                        epa_id=handler.epa_site_id,
                        name=handler.name,
                        site_type=handler.site_type,
                        org_id=org.id,
                    )
                    await self._sites.add(site)
                for username in org_spec.signers:
                    await self._memberships.set_site_role(
                        site.id, users[username].id, SiteRole.SIGNER
                    )
            for username in org_spec.signers:
                await self._memberships.set_org_role(org.id, users[username].id, OrgRole.MEMBER)
            for username in org_spec.admins:
                await self._memberships.set_org_role(org.id, users[username].id, OrgRole.ADMIN)
        await self._uow.commit()
        return created
