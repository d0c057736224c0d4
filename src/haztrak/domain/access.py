"""Who may do what to which object.

Every use case asks this policy; object ids from a request are never trusted on their own.
Org admins hold the site manager role on every site of their org. Staff status opens the admin
site only: it grants nothing here.

A draft belongs to the site that prepared it (its owner site), as in e-Manifest: until it is in
e-Manifest, only users with the preparer role or higher on that site see, change or delete it;
the other sites named on it do not see it, and no edit moves it away from its owner site. Once
submitted, a manifest is reached through any of its sites, per status and role (lifecycle).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum
from uuid import UUID

import msgspec

from haztrak.domain.errors import Forbidden, InvalidValue, NotFound
from haztrak.domain.identity import OrgRole, SiteRole
from haztrak.domain.manifest import Manifest


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
    """A manifest, known to access control by the sites of its handlers; a local draft
    (`draft`: status NotAssigned) by its owner site alone. A draft whose owner site is not
    known is no one's to see."""

    site_ids: frozenset[str]
    draft: bool = False
    owner_site: str | None = None


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
        case ManifestTarget(draft=True, owner_site=owner_site):
            return owner_site is not None and _site_allows(
                grants, action, owner_site, at_least=SiteRole.PREPARER
            )
        case ManifestTarget(site_ids=site_ids):
            return any(_site_allows(grants, action, s) for s in site_ids)
    return False  # pragma: no cover - exhaustive


def _site_allows(
    grants: Grants, action: Action, epa_id: str, *, at_least: SiteRole = SiteRole.VIEWER
) -> bool:
    needed = SITE_ACTIONS.get(action)
    held = grants.site_roles.get(epa_id)
    return (
        needed is not None
        and held is not None
        and held.at_least(needed)
        and held.at_least(at_least)
    )


def role_on_manifest(grants: Grants, target: ManifestTarget) -> SiteRole | None:
    """The role that counts for what the user does to the manifest: on a draft, the role on its
    owner site (none below preparer); otherwise the highest role on any of its sites."""
    if target.draft:
        held = grants.role_on(target.owner_site) if target.owner_site else None
        return held if held is not None and held.at_least(SiteRole.PREPARER) else None
    roles = [role for site in target.site_ids if (role := grants.role_on(site)) is not None]
    return max(roles, key=lambda role: role.rank, default=None)


def draft_sites(grants: Grants) -> frozenset[str]:
    """The owner sites of the drafts this user may see: where the user is preparer or above."""
    return grants.sites_with(SiteRole.PREPARER)


def ensure_draft_stays_with_owner(
    owner_site: str | None, before: Manifest, after: Manifest
) -> None:
    """No edit moves a draft away from the site that prepared it: the changed draft must still
    name its owner site as a party. The refusal names the field where the owner site was."""
    if owner_site is not None and owner_site in after.site_ids():
        return
    field = next(
        (path for path, site in _party_fields(before) if site == owner_site),
        "generator.epaSiteId",
    )
    raise InvalidValue(
        field,
        f"must stay {owner_site}: a draft belongs to the site that prepared it until it is "
        "submitted, and every version of it names that site",
    )


def _party_fields(manifest: Manifest) -> Iterator[tuple[str, str | None]]:
    """Each party's EPA ID with the path of its field, as EPA's JSON names it."""
    if manifest.generator is not None:
        yield "generator.epaSiteId", manifest.generator.epa_site_id
    for index, transporter in enumerate(manifest.transporters or ()):
        yield f"transporters.{index}.epaSiteId", transporter.epa_site_id
    if manifest.designated_facility is not None:
        yield "designatedFacility.epaSiteId", manifest.designated_facility.epa_site_id
    rejection = manifest.rejection_info
    if rejection is not None and rejection.alternate_designated_facility is not None:
        yield (
            "rejectionInfo.alternateDesignatedFacility.epaSiteId",
            rejection.alternate_designated_facility.epa_site_id,
        )
    if manifest.broker is not None:
        yield "broker.epaSiteId", manifest.broker.epa_site_id


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
