"""The access policy as a table: (role held, action, object) -> allowed."""

from __future__ import annotations

import uuid

import pytest

from haztrak.domain.access import (
    Action,
    Grants,
    ManifestTarget,
    OrgTarget,
    SiteTarget,
    may,
    require,
)
from haztrak.domain.errors import Forbidden, NotFound
from haztrak.domain.identity import OrgRole, SiteRole

ORG = uuid.uuid4()
OTHER_ORG = uuid.uuid4()
SITE = "VATESTGEN001"
OTHER_SITE = "MOCKTSDFS001"


def grants_with(role: SiteRole | None = None, org_role: OrgRole | None = None) -> Grants:
    org_roles = {ORG: org_role} if org_role else {}
    explicit = [(SITE, role)] if role else []
    return Grants.build(uuid.uuid4(), org_roles, explicit, [(ORG, SITE)])


SITE_TABLE = [
    # role, action, allowed
    (None, Action.VIEW_SITE, False),
    (SiteRole.VIEWER, Action.VIEW_SITE, True),
    (SiteRole.VIEWER, Action.SYNC_SITE, True),
    (SiteRole.VIEWER, Action.VIEW_MANIFEST, True),
    (SiteRole.VIEWER, Action.EDIT_MANIFEST, False),
    (SiteRole.VIEWER, Action.SUBMIT_MANIFEST, False),
    (SiteRole.VIEWER, Action.SIGN_MANIFEST, False),
    (SiteRole.VIEWER, Action.MANAGE_SITE, False),
    (SiteRole.PREPARER, Action.EDIT_MANIFEST, True),
    (SiteRole.PREPARER, Action.SUBMIT_MANIFEST, True),
    (SiteRole.PREPARER, Action.SIGN_MANIFEST, False),
    (SiteRole.PREPARER, Action.MANAGE_SITE, False),
    (SiteRole.SIGNER, Action.EDIT_MANIFEST, True),
    (SiteRole.SIGNER, Action.SIGN_MANIFEST, True),
    (SiteRole.SIGNER, Action.MANAGE_SITE, False),
    (SiteRole.SITE_MANAGER, Action.SIGN_MANIFEST, True),
    (SiteRole.SITE_MANAGER, Action.MANAGE_SITE, True),
    # org-level actions never follow from a site role
    (SiteRole.SITE_MANAGER, Action.VIEW_ORG, False),
    (SiteRole.SITE_MANAGER, Action.MANAGE_ORG, False),
]


@pytest.mark.parametrize(("role", "action", "allowed"), SITE_TABLE)
def test_site_roles(role: SiteRole | None, action: Action, allowed: bool) -> None:
    grants = grants_with(role)
    assert may(grants, action, SiteTarget(SITE)) is allowed
    # the same role never reaches another site
    assert may(grants, action, SiteTarget(OTHER_SITE)) is False


@pytest.mark.parametrize(("role", "action", "allowed"), SITE_TABLE)
def test_manifest_is_reached_through_any_of_its_sites(
    role: SiteRole | None, action: Action, allowed: bool
) -> None:
    manifest = ManifestTarget(frozenset({SITE, OTHER_SITE}))
    assert may(grants_with(role), action, manifest) is allowed
    assert may(grants_with(role), action, ManifestTarget(frozenset({OTHER_SITE}))) is False


ORG_TABLE = [
    (None, Action.VIEW_ORG, False),
    (None, Action.MANAGE_ORG, False),
    (OrgRole.MEMBER, Action.VIEW_ORG, True),
    (OrgRole.MEMBER, Action.MANAGE_ORG, False),
    (OrgRole.ADMIN, Action.VIEW_ORG, True),
    (OrgRole.ADMIN, Action.MANAGE_ORG, True),
    (OrgRole.ADMIN, Action.VIEW_SITE, False),  # a site action on an org object
]


@pytest.mark.parametrize(("org_role", "action", "allowed"), ORG_TABLE)
def test_org_roles(org_role: OrgRole | None, action: Action, allowed: bool) -> None:
    grants = grants_with(org_role=org_role)
    assert may(grants, action, OrgTarget(ORG)) is allowed
    assert may(grants, action, OrgTarget(OTHER_ORG)) is False


def test_org_admin_manages_every_site_of_its_org() -> None:
    grants = grants_with(org_role=OrgRole.ADMIN)
    assert grants.role_on(SITE) is SiteRole.SITE_MANAGER
    assert may(grants, Action.SIGN_MANIFEST, SiteTarget(SITE))
    assert grants.role_on(OTHER_SITE) is None


def test_org_member_gets_no_site_role_from_membership() -> None:
    assert grants_with(org_role=OrgRole.MEMBER).role_on(SITE) is None


def test_higher_of_two_explicit_roles_wins() -> None:
    grants = Grants.build(uuid.uuid4(), {}, [(SITE, SiteRole.SIGNER), (SITE, SiteRole.VIEWER)], [])
    assert grants.role_on(SITE) is SiteRole.SIGNER


def test_require_hides_what_the_user_cannot_see() -> None:
    with pytest.raises(NotFound):
        require(grants_with(None), Action.VIEW_SITE, SiteTarget(SITE), kind="site", key=SITE)


def test_require_forbids_what_the_user_sees_but_may_not_do() -> None:
    with pytest.raises(Forbidden):
        require(
            grants_with(SiteRole.VIEWER),
            Action.SIGN_MANIFEST,
            SiteTarget(SITE),
            kind="site",
            key=SITE,
        )


def test_require_allows() -> None:
    require(
        grants_with(SiteRole.SIGNER), Action.SIGN_MANIFEST, SiteTarget(SITE), kind="site", key=SITE
    )
