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
    draft_sites,
    ensure_draft_stays_with_owner,
    may,
    require,
    role_on_manifest,
)
from haztrak.domain.errors import Forbidden, InvalidValue, NotFound
from haztrak.domain.identity import OrgRole, SiteRole
from tests.manifest_documents import a_manifest

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


# --- a draft belongs to the site that prepared it --------------------------------------------

MANIFEST_ACTIONS = [
    Action.VIEW_MANIFEST,
    Action.EDIT_MANIFEST,
    Action.SUBMIT_MANIFEST,
    Action.SIGN_MANIFEST,
]
DRAFT_TABLE = [
    # role on the owner site, action, allowed
    (None, action, False)
    for action in MANIFEST_ACTIONS
] + [
    (SiteRole.VIEWER, Action.VIEW_MANIFEST, False),  # viewers see drafts once submitted
    (SiteRole.VIEWER, Action.EDIT_MANIFEST, False),
    (SiteRole.PREPARER, Action.VIEW_MANIFEST, True),
    (SiteRole.PREPARER, Action.EDIT_MANIFEST, True),
    (SiteRole.PREPARER, Action.SUBMIT_MANIFEST, True),
    (SiteRole.PREPARER, Action.SIGN_MANIFEST, False),
    (SiteRole.SIGNER, Action.VIEW_MANIFEST, True),
    (SiteRole.SIGNER, Action.EDIT_MANIFEST, True),
    (SiteRole.SITE_MANAGER, Action.EDIT_MANIFEST, True),
]
DRAFT = ManifestTarget(frozenset({SITE, OTHER_SITE}), draft=True, owner_site=SITE)


@pytest.mark.parametrize(("role", "action", "allowed"), DRAFT_TABLE)
def test_a_draft_is_reached_through_its_owner_site_only(
    role: SiteRole | None, action: Action, allowed: bool
) -> None:
    assert may(grants_with(role), action, DRAFT) is allowed
    # any role on another site named on the draft reaches nothing
    for other_role in SiteRole:
        other = Grants.build(uuid.uuid4(), {}, [(OTHER_SITE, other_role)], [])
        assert may(other, action, DRAFT) is False
    # once submitted, the same manifest is reached through any of its sites again
    submitted = ManifestTarget(DRAFT.site_ids, draft=False, owner_site=SITE)
    assert may(grants_with(role), action, submitted) is (
        role is not None and role.at_least(SITE_ROLE_FOR[action])
    )


SITE_ROLE_FOR = {
    Action.VIEW_MANIFEST: SiteRole.VIEWER,
    Action.EDIT_MANIFEST: SiteRole.PREPARER,
    Action.SUBMIT_MANIFEST: SiteRole.PREPARER,
    Action.SIGN_MANIFEST: SiteRole.SIGNER,
}


def test_an_org_admin_reaches_the_drafts_of_its_orgs_sites() -> None:
    assert may(grants_with(org_role=OrgRole.ADMIN), Action.EDIT_MANIFEST, DRAFT)


def test_a_draft_without_a_known_owner_is_no_ones() -> None:
    ownerless = ManifestTarget(frozenset({SITE}), draft=True)
    assert may(grants_with(SiteRole.SITE_MANAGER), Action.VIEW_MANIFEST, ownerless) is False


def test_require_hides_a_draft_from_everyone_but_its_owner_sites_preparers() -> None:
    for grants in (
        grants_with(SiteRole.VIEWER),
        Grants.build(uuid.uuid4(), {}, [(OTHER_SITE, SiteRole.SITE_MANAGER)], []),
    ):
        with pytest.raises(NotFound):
            require(grants, Action.EDIT_MANIFEST, DRAFT, kind="manifest", key="x")
    with pytest.raises(Forbidden):
        require(
            grants_with(SiteRole.PREPARER), Action.SIGN_MANIFEST, DRAFT, kind="manifest", key="x"
        )


def test_the_role_that_counts_on_a_draft_is_the_one_on_its_owner_site() -> None:
    both = Grants.build(
        uuid.uuid4(), {}, [(SITE, SiteRole.PREPARER), (OTHER_SITE, SiteRole.SITE_MANAGER)], []
    )
    assert role_on_manifest(both, DRAFT) is SiteRole.PREPARER
    assert role_on_manifest(grants_with(SiteRole.VIEWER), DRAFT) is None
    submitted = ManifestTarget(DRAFT.site_ids)
    assert role_on_manifest(both, submitted) is SiteRole.SITE_MANAGER
    assert draft_sites(both) == {SITE, OTHER_SITE}
    assert draft_sites(grants_with(SiteRole.VIEWER)) == frozenset()


def test_no_edit_moves_a_draft_away_from_its_owner_site() -> None:
    before = a_manifest(generator=SITE, tsdf=OTHER_SITE)
    ensure_draft_stays_with_owner(SITE, before, a_manifest(generator=SITE, wastes=1))
    ensure_draft_stays_with_owner(SITE, before, a_manifest(generator=OTHER_SITE, tsdf=SITE))
    for after in (
        a_manifest(generator="MOCKTRANS001"),
        a_manifest(generator=None),
        a_manifest(generator=None, transporters=(), tsdf=None),
    ):
        with pytest.raises(InvalidValue) as caught:
            ensure_draft_stays_with_owner(SITE, before, after)
        assert caught.value.field == "generator.epaSiteId"
        assert SITE in caught.value.message
    # the refusal names the field where the owner site was
    transporter = "MOCKTRANS002"
    with pytest.raises(InvalidValue) as caught:
        ensure_draft_stays_with_owner(transporter, before, a_manifest(transporters=()))
    assert caught.value.field == "transporters.1.epaSiteId"
    with pytest.raises(InvalidValue) as caught:
        ensure_draft_stays_with_owner(OTHER_SITE, before, a_manifest(tsdf=None))
    assert caught.value.field == "designatedFacility.epaSiteId"
