"""Who may do what to which object.

Every use case asks this policy; object ids from a request are never trusted on their own.
Org admins hold the site manager role on every site of their org. Staff status opens the admin
site only: it grants nothing here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from uuid import UUID

import msgspec

from haztrak.domain.errors import Forbidden, NotFound
from haztrak.domain.identity import OrgRole, SiteRole


class Action(StrEnum):
    VIEW_ORG = "view_org"
    MANAGE_ORG = "manage_org"
    VIEW_SITE = "view_site"
    MANAGE_SITE = "manage_site"
    SYNC_SITE = "sync_site"
    VIEW_MANIFEST = "view_manifest"
    EDIT_MANIFEST = "edit_manifest"
    SUBMIT_MANIFEST = "submit_manifest"
    SIGN_MANIFEST = "sign_manifest"


class OrgTarget(msgspec.Struct, frozen=True):
    org_id: UUID


class SiteTarget(msgspec.Struct, frozen=True):
    epa_id: str


class ManifestTarget(msgspec.Struct, frozen=True):
    """A manifest, known to access control by the sites of its handlers."""

    site_ids: frozenset[str]


Target = OrgTarget | SiteTarget | ManifestTarget

ORG_ACTIONS: Mapping[Action, OrgRole] = {
    Action.VIEW_ORG: OrgRole.MEMBER,
    Action.MANAGE_ORG: OrgRole.ADMIN,
}

SITE_ACTIONS: Mapping[Action, SiteRole] = {
    Action.VIEW_SITE: SiteRole.VIEWER,
    Action.SYNC_SITE: SiteRole.VIEWER,
    Action.MANAGE_SITE: SiteRole.SITE_MANAGER,
    Action.VIEW_MANIFEST: SiteRole.VIEWER,
    Action.EDIT_MANIFEST: SiteRole.PREPARER,
    Action.SUBMIT_MANIFEST: SiteRole.PREPARER,
    Action.SIGN_MANIFEST: SiteRole.SIGNER,
}


class Grants(msgspec.Struct, frozen=True, kw_only=True):
    """Everything one user holds: org roles by org id, effective site roles by EPA ID."""

    user_id: UUID
    org_roles: Mapping[UUID, OrgRole] = msgspec.field(default_factory=dict)
    site_roles: Mapping[str, SiteRole] = msgspec.field(default_factory=dict)
    site_orgs: Mapping[str, UUID] = msgspec.field(default_factory=dict)
    """The org of each site in `site_roles`, where the source knew it."""

    @classmethod
    def build(
        cls,
        user_id: UUID,
        org_roles: Mapping[UUID, OrgRole],
        explicit_site_roles: Iterable[tuple[str, SiteRole]],
        org_sites: Iterable[tuple[UUID, str]],
        site_orgs: Mapping[str, UUID] | None = None,
    ) -> Grants:
        """Combine explicit site roles with the site manager role org admins hold."""
        effective: dict[str, SiteRole] = {}
        for epa_id, role in explicit_site_roles:
            effective[epa_id] = _higher(effective.get(epa_id), role)
        orgs = {epa_id: org for epa_id, org in (site_orgs or {}).items() if epa_id in effective}
        for org_id, epa_id in org_sites:
            if org_roles.get(org_id) is OrgRole.ADMIN:
                effective[epa_id] = SiteRole.SITE_MANAGER
                orgs[epa_id] = org_id
        return cls(user_id=user_id, org_roles=dict(org_roles), site_roles=effective, site_orgs=orgs)

    def role_on(self, epa_id: str) -> SiteRole | None:
        return self.site_roles.get(epa_id)

    def org_of(self, epa_id: str) -> UUID | None:
        """The org a site of this user belongs to, if known."""
        return self.site_orgs.get(epa_id)

    def sites_with(self, minimum: SiteRole) -> frozenset[str]:
        return frozenset(s for s, r in self.site_roles.items() if r.at_least(minimum))


def _higher(a: SiteRole | None, b: SiteRole) -> SiteRole:
    return b if a is None or b.at_least(a) else a


def may(grants: Grants, action: Action, target: Target) -> bool:
    match target:
        case OrgTarget(org_id=org_id):
            needed_org = ORG_ACTIONS.get(action)
            held = grants.org_roles.get(org_id)
            if needed_org is None or held is None:
                return False
            return held is OrgRole.ADMIN or needed_org is OrgRole.MEMBER
        case SiteTarget(epa_id=epa_id):
            return _site_allows(grants, action, epa_id)
        case ManifestTarget(site_ids=site_ids):
            return any(_site_allows(grants, action, s) for s in site_ids)
    return False  # pragma: no cover - exhaustive


def _site_allows(grants: Grants, action: Action, epa_id: str) -> bool:
    needed = SITE_ACTIONS.get(action)
    held = grants.site_roles.get(epa_id)
    return needed is not None and held is not None and held.at_least(needed)


def require(grants: Grants, action: Action, target: Target, *, kind: str, key: str) -> None:
    """Allow, or refuse: 404 when the user may not even see the object, 403 otherwise."""
    if may(grants, action, target):
        return
    if not may(grants, _visibility_action(target), target):
        raise NotFound(kind, key)
    raise Forbidden(f"you may not {action.value.replace('_', ' ')} on {kind} {key!r}")


def _visibility_action(target: Target) -> Action:
    match target:
        case OrgTarget():
            return Action.VIEW_ORG
        case SiteTarget():
            return Action.VIEW_SITE
        case ManifestTarget():
            return Action.VIEW_MANIFEST
    raise AssertionError(target)  # pragma: no cover
