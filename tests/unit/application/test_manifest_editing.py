"""What the manifest form needs before the user types: the sites a draft may start from, and
the manifest to edit if the user may change it."""

from __future__ import annotations

from uuid import uuid4

import msgspec
import pytest

from haztrak.application.manifests.editing import GetManifestToEdit, ListDraftSites
from haztrak.domain.errors import Forbidden, NotFound
from haztrak.domain.identity import SiteRole
from haztrak.domain.manifest import OperationNotAllowed, Status
from tests import fakes
from tests.unit.application.test_manifest_use_cases import GEN, TRANS, World, body


@pytest.fixture
def world() -> World:
    return World()


def sites(world: World) -> ListDraftSites:
    return ListDraftSites(
        world.memberships, world.sites, fakes.MemoryRcraSiteRepository(world.data)
    )


def to_edit(world: World) -> GetManifestToEdit:
    return GetManifestToEdit(world.manifests, world.memberships)


async def test_draft_sites_are_those_where_the_user_prepares(world: World) -> None:
    preparer = world.user(SiteRole.PREPARER)
    site = next(s for s in world.data.sites.values() if s.epa_id == TRANS)
    world.data.site_roles[(site.id, preparer.id)] = SiteRole.VIEWER
    found = await sites(world)(preparer)
    assert [(s.view.site.epa_id, s.role) for s in found] == [(GEN, SiteRole.PREPARER)]
    assert found[0].view.handler.epa_site_id == GEN


async def test_a_viewer_has_no_site_to_draft_for(world: World) -> None:
    with pytest.raises(Forbidden):
        await sites(world)(world.user(SiteRole.VIEWER))


async def test_a_draft_is_edited_by_its_sites_preparers_only(world: World) -> None:
    preparer = world.user(SiteRole.PREPARER)
    saved = await world.create()(preparer, body())
    stored = await to_edit(world)(preparer, saved.stored.mtn)
    assert stored.tag == saved.stored.tag
    with pytest.raises(NotFound):
        await to_edit(world)(world.user(SiteRole.VIEWER), saved.stored.mtn)
    with pytest.raises(NotFound):
        await to_edit(world)(world.user(SiteRole.SIGNER, TRANS), saved.stored.mtn)


async def test_a_manifest_past_updating_is_not_edited(world: World) -> None:
    preparer = world.user(SiteRole.PREPARER)
    saved = await world.create()(preparer, body())
    signed = msgspec.structs.replace(
        saved.stored.manifest, status=Status.SIGNED, manifest_tracking_number="123456789ELC"
    )
    await world.manifests.add(msgspec.structs.replace(saved.stored, manifest=signed, id=uuid4()))
    with pytest.raises(OperationNotAllowed):
        await to_edit(world)(preparer, "123456789ELC")
