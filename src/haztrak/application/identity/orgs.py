"""Reading orgs and sites, and administering an org: members, sites, roles, credentials.

Each change to an org is one use case with two doors: the API's, where the org's admins make it,
and the admin site's (`Staff...`), where active staff make it on any org. The door decides only
who may ask; the rules of the change are the same code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar
from uuid import uuid4

from haztrak.application.audit import Auditor
from haztrak.application.identity.views import MyProfile, OrgMember, SiteAccess, SiteView
from haztrak.application.ports.persistence import (
    MembershipRepository,
    OrgRepository,
    Principals,
    ProfileRepository,
    RcraSiteRepository,
    SiteRepository,
    UnitOfWork,
    UserRepository,
)
from haztrak.application.ports.security import SecretBox
from haztrak.application.ports.site_views import SiteHandlerReader
from haztrak.domain.access import Action, Grants, OrgTarget, SiteTarget, require
from haztrak.domain.errors import Conflict, InvalidValue, NotFound
from haztrak.domain.handlers import RcraSite, SiteType
from haztrak.domain.identity import (
    Org,
    OrgRole,
    Site,
    SiteRole,
    User,
    check_epa_id,
    check_org_keeps_an_admin,
    require_staff,
)
from haztrak.domain.secrets import Secret


async def _site_views(sites: Sequence[Site], handlers: RcraSiteRepository) -> list[SiteView]:
    views = []
    for site in sites:
        handler = await handlers.get(site.epa_id) or RcraSite(
            epa_site_id=site.epa_id, site_type=site.site_type, name=site.name
        )
        views.append(SiteView(site=site, handler=handler))
    return views


async def _visible_org(
    orgs: OrgRepository, grants: Grants, slug: str, action: Action = Action.VIEW_ORG
) -> Org:
    org = await orgs.by_slug(slug)
    if org is None:
        raise NotFound("org", slug)
    require(grants, action, OrgTarget(org.id), kind="org", key=slug)
    return org


class ListMyOrgs:
    def __init__(self, memberships: MembershipRepository, orgs: OrgRepository) -> None:
        self._memberships = memberships
        self._orgs = orgs

    async def __call__(self, user: User) -> list[Org]:
        grants = await self._memberships.grants(user.id)
        found = await self._orgs.list_by_ids(list(grants.org_roles))
        return sorted(found, key=lambda o: o.name.lower())


class GetOrg:
    def __init__(self, memberships: MembershipRepository, orgs: OrgRepository) -> None:
        self._memberships = memberships
        self._orgs = orgs

    async def __call__(self, user: User, slug: str) -> Org:
        return await _visible_org(self._orgs, await self._memberships.grants(user.id), slug)


class ListOrgSites:
    """The org's sites the user holds a role on (all of them, for an org admin)."""

    def __init__(
        self,
        memberships: MembershipRepository,
        orgs: OrgRepository,
        sites: SiteRepository,
        handlers: RcraSiteRepository,
    ) -> None:
        self._memberships = memberships
        self._orgs = orgs
        self._sites = sites
        self._handlers = handlers

    async def __call__(self, user: User, slug: str) -> list[SiteView]:
        grants = await self._memberships.grants(user.id)
        org = await _visible_org(self._orgs, grants, slug)
        sites = [s for s in await self._sites.list_for_org(org.id) if grants.role_on(s.epa_id)]
        return await _site_views(sorted(sites, key=lambda s: s.epa_id), self._handlers)


class ListMySites:
    """The user's sites by EPA ID, with their handlers: the grants as the process keeps them
    (Principals) and one read for the sites (SiteHandlerReader), no session."""

    def __init__(self, principals: Principals, sites: SiteHandlerReader) -> None:
        self._principals = principals
        self._sites = sites

    async def __call__(self, user: User) -> list[SiteView]:
        grants = await self._principals.grants(user.id)
        found = await self._sites.sites_with_handlers(sorted(grants.site_roles))
        return [
            SiteView(
                site=site,
                handler=handler
                or RcraSite(epa_site_id=site.epa_id, site_type=site.site_type, name=site.name),
            )
            for site, handler in found
        ]


class GetSite:
    def __init__(
        self,
        memberships: MembershipRepository,
        sites: SiteRepository,
        handlers: RcraSiteRepository,
    ) -> None:
        self._memberships = memberships
        self._sites = sites
        self._handlers = handlers

    async def __call__(self, user: User, epa_id: str) -> SiteView:
        grants = await self._memberships.grants(user.id)
        site = await self._sites.by_epa_id(epa_id)
        if site is None:
            raise NotFound("site", epa_id)
        require(grants, Action.VIEW_SITE, SiteTarget(epa_id), kind="site", key=epa_id)
        return (await _site_views([site], self._handlers))[0]


class GetMyProfile:
    """The user's orgs and sites, with its role on each and its RCRAInfo permissions there."""

    def __init__(
        self,
        memberships: MembershipRepository,
        orgs: OrgRepository,
        sites: SiteRepository,
        handlers: RcraSiteRepository,
        profiles: ProfileRepository,
    ) -> None:
        self._memberships = memberships
        self._orgs = orgs
        self._sites = sites
        self._handlers = handlers
        self._profiles = profiles

    async def __call__(self, user: User) -> MyProfile:
        grants = await self._memberships.grants(user.id)
        orgs = sorted(
            await self._orgs.list_by_ids(list(grants.org_roles)), key=lambda o: o.name.lower()
        )
        sites = await self._sites.list_by_epa_ids(sorted(grants.site_roles))
        views = await _site_views(sorted(sites, key=lambda s: s.epa_id), self._handlers)
        rcrainfo = {p.epa_site_id: p for p in await self._profiles.rcra_permissions(user.id)}
        return MyProfile(
            user=user,
            orgs=orgs,
            sites=[
                SiteAccess(
                    view=v,
                    role=grants.site_roles[v.site.epa_id],
                    rcrainfo=rcrainfo.get(v.site.epa_id),
                )
                for v in views
            ],
        )


class _OrgAdminUseCase:
    #: False: the org's admins, on the API. True: active staff, on any org (the admin site).
    staff_door: ClassVar[bool] = False

    def __init__(
        self,
        memberships: MembershipRepository,
        orgs: OrgRepository,
        users: UserRepository,
        sites: SiteRepository,
        auditor: Auditor,
        uow: UnitOfWork,
    ) -> None:
        self._memberships = memberships
        self._orgs = orgs
        self._users = users
        self._sites = sites
        self._auditor = auditor
        self._uow = uow

    async def _managed_org(self, user: User, slug: str) -> Org:
        if self.staff_door:
            require_staff(user)
            org = await self._orgs.by_slug(slug)
            if org is None:
                raise NotFound("org", slug)
            return org
        grants = await self._memberships.grants(user.id)
        return await _visible_org(self._orgs, grants, slug, Action.MANAGE_ORG)

    async def _audit(
        self, user: User, action: str, object_type: str, object_id: str, **detail: str
    ) -> None:
        if self.staff_door:
            detail["via"] = "admin"
        await self._auditor.record(user, action, object_type, object_id, **detail)

    async def _keeps_an_admin(self, org: Org, member: User, role: OrgRole | None) -> None:
        members = [(u.id, r) for u, r in await self._memberships.org_members(org.id)]
        check_org_keeps_an_admin(members, member.id, role)

    async def _user(self, username: str) -> User:
        found = await self._users.by_username(username)
        if found is None:
            raise InvalidValue("username", f"no user is called {username!r}")
        return found

    async def _member(self, org: Org, username: str) -> User:
        member = await self._users.by_username(username)
        members = {u.id for u, _ in await self._memberships.org_members(org.id)}
        if member is None or member.id not in members:
            raise NotFound("member", username)
        return member

    async def _org_site(self, org: Org, epa_id: str) -> Site:
        site = await self._sites.by_epa_id(epa_id)
        if site is None or site.org_id != org.id:
            raise InvalidValue("epaId", f"{epa_id!r} is not a site of org {org.slug!r}")
        return site


class ListOrgMembers(_OrgAdminUseCase):
    async def __call__(self, user: User, slug: str) -> list[OrgMember]:
        org = await self._managed_org(user, slug)
        by_user: dict[str, dict[str, SiteRole]] = {}
        for epa_id, permission in await self._memberships.site_permissions_in_org(org.id):
            by_user.setdefault(str(permission.user_id), {})[epa_id] = permission.role
        members = await self._memberships.org_members(org.id)
        return [
            OrgMember(user=u, role=role, site_roles=by_user.get(str(u.id), {}))
            for u, role in sorted(members, key=lambda m: m[0].username)
        ]


class AddOrgMember(_OrgAdminUseCase):
    """Add a user to the org, or change the org role of a member."""

    async def __call__(self, user: User, slug: str, username: str, role: OrgRole) -> None:
        org = await self._managed_org(user, slug)
        member = await self._user(username)
        await self._keeps_an_admin(org, member, role)
        await self._memberships.set_org_role(org.id, member.id, role)
        await self._audit(
            user, "set_org_role", "org", org.slug, member=member.username, role=role.value
        )
        await self._uow.commit()


class RemoveOrgMember(_OrgAdminUseCase):
    async def __call__(self, user: User, slug: str, username: str) -> None:
        org = await self._managed_org(user, slug)
        member = await self._member(org, username)
        await self._keeps_an_admin(org, member, None)
        # The membership goes with every role the member held on the org's sites.
        await self._memberships.remove_from_org(org.id, member.id)
        await self._audit(user, "remove_member", "org", org.slug, member=username)
        await self._uow.commit()


class SetSiteRole(_OrgAdminUseCase):
    """Give a member a role on one of the org's sites; None takes it away."""

    async def __call__(
        self, user: User, slug: str, username: str, epa_id: str, role: SiteRole | None
    ) -> None:
        org = await self._managed_org(user, slug)
        member = await self._member(org, username)
        site = await self._org_site(org, epa_id)
        await self._memberships.set_site_role(site.id, member.id, role)
        await self._audit(
            user,
            "set_site_role",
            "site",
            epa_id,
            member=username,
            role=role.value if role else "none",
        )
        await self._uow.commit()


class AddOrgSite(_OrgAdminUseCase):
    def __init__(
        self,
        memberships: MembershipRepository,
        orgs: OrgRepository,
        users: UserRepository,
        sites: SiteRepository,
        auditor: Auditor,
        uow: UnitOfWork,
        handlers: RcraSiteRepository,
    ) -> None:
        super().__init__(memberships, orgs, users, sites, auditor, uow)
        self._handlers = handlers

    async def __call__(
        self, user: User, slug: str, epa_id: str, name: str, site_type: SiteType
    ) -> SiteView:
        org = await self._managed_org(user, slug)
        check_epa_id(epa_id)
        name = name.strip()
        if not 1 <= len(name) <= 200:
            raise InvalidValue("name", "must be 1-200 characters")
        if await self._sites.by_epa_id(epa_id) is not None:
            raise Conflict(f"site {epa_id} already belongs to an org")
        site = Site(id=uuid4(), epa_id=epa_id, name=name, site_type=site_type, org_id=org.id)
        await self._sites.add(site)
        handler = await self._handlers.get(epa_id)
        if handler is None:
            handler = RcraSite(epa_site_id=epa_id, site_type=site_type, name=name)
            await self._handlers.upsert(handler)
        await self._audit(user, "add_site", "org", org.slug, epa_id=epa_id)
        await self._uow.commit()
        return SiteView(site=site, handler=handler)


class GetOrgRcrainfoCredentials:
    """Org admins see the API ID and whether a key is set; nobody sees the key."""

    def __init__(self, memberships: MembershipRepository, orgs: OrgRepository) -> None:
        self._memberships = memberships
        self._orgs = orgs

    async def __call__(self, user: User, slug: str) -> Org:
        grants = await self._memberships.grants(user.id)
        return await _visible_org(self._orgs, grants, slug, Action.MANAGE_ORG)


class SetOrgRcrainfoCredentials(_OrgAdminUseCase):
    """Store the org's RCRAInfo API ID and key. The key is encrypted; a None key keeps it."""

    def __init__(
        self,
        memberships: MembershipRepository,
        orgs: OrgRepository,
        users: UserRepository,
        sites: SiteRepository,
        auditor: Auditor,
        uow: UnitOfWork,
        box: SecretBox,
    ) -> None:
        super().__init__(memberships, orgs, users, sites, auditor, uow)
        self._box = box

    async def __call__(
        self, user: User, slug: str, api_id: str | None, api_key: Secret | None
    ) -> Org:
        org = await self._managed_org(user, slug)
        org.rcrainfo_api_id = (api_id or "").strip() or None
        org.rcrainfo_credentials_failing = False
        if api_key is not None:
            await self._orgs.set_api_key(org.id, self._box.encrypt(api_key) if api_key else None)
            org.has_rcrainfo_api_key = bool(api_key)
        await self._orgs.update(org)
        await self._audit(
            user,
            "set_rcrainfo_credentials",
            "org",
            org.slug,
            api_id=org.rcrainfo_api_id or "",
            api_key="replaced" if api_key is not None else "unchanged",
        )
        await self._uow.commit()
        return org


# The admin site's doors: the same changes, asked by active staff, on any org.


class StaffAddOrgMember(AddOrgMember):
    staff_door = True


class StaffRemoveOrgMember(RemoveOrgMember):
    staff_door = True


class StaffSetSiteRole(SetSiteRole):
    staff_door = True


class StaffAddOrgSite(AddOrgSite):
    staff_door = True


class StaffSetOrgRcrainfoCredentials(SetOrgRcrainfoCredentials):
    staff_door = True
