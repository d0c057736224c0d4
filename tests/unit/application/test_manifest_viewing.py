"""One manifest as a person looks at it (OpenManifest, ListManifestHistory) and the list's
free text, dates and order (ListManifests), on in-memory fakes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from haztrak.application.manifests.queries import ManifestFilters
from haztrak.application.manifests.viewing import ListManifestHistory, OpenManifest
from haztrak.domain.errors import InvalidValue, NotFound
from haztrak.domain.identity import SiteRole
from haztrak.domain.manifest_actions import ManifestAction
from tests import fakes
from tests.unit.application.test_manifest_use_cases import GEN, TRANS, World, body


@pytest.fixture
def world() -> World:
    return World()


def opener(world: World) -> OpenManifest:
    return OpenManifest(world.manifests, world.principals, fakes.MemoryAuditLog(world.data))


def history(world: World) -> ListManifestHistory:
    return ListManifestHistory(world.manifests, world.principals, fakes.MemoryAuditLog(world.data))


async def test_a_manifest_opens_with_the_actions_of_its_reader(world: World) -> None:
    preparer = world.user(SiteRole.PREPARER)
    saved = await world.create()(preparer, body())
    opened = await opener(world)(preparer, saved.stored.mtn)
    assert opened.stored == saved.stored
    assert opened.actions.actions == {
        ManifestAction.EDIT,
        ManifestAction.SUBMIT,
        ManifestAction.DELETE,
    }
    # a site named on the draft does not see it; nor does anyone for an unknown number
    for user, mtn in [
        (world.user(SiteRole.SIGNER, TRANS), saved.stored.mtn),
        (preparer, "999999999DFT"),
        (preparer, "not a number"),
    ]:
        with pytest.raises(NotFound):
            await opener(world)(user, mtn)


async def test_the_history_is_the_audit_log_oldest_first_for_those_who_see_it(
    world: World,
) -> None:
    preparer = world.user(SiteRole.PREPARER)
    saved = await world.create()(preparer, body())
    world.clock.current += timedelta(minutes=5)
    await world.update()(preparer, saved.stored.mtn, body())
    entries = await history(world)(preparer, saved.stored.mtn)
    assert [(e.actor, e.action) for e in entries] == [
        (preparer.username, "create"),
        (preparer.username, "update"),
    ]
    with pytest.raises(NotFound):
        await history(world)(world.user(SiteRole.VIEWER), saved.stored.mtn)
    # the manifest's page asks for both at once, with one read of the manifest
    opened = await opener(world)(preparer, saved.stored.mtn, history=True)
    assert opened.history == entries
    assert (await opener(world)(preparer, saved.stored.mtn)).history == ()


async def test_the_list_finds_free_text_bounds_dates_and_sorts_either_way(world: World) -> None:
    preparer = world.user(SiteRole.PREPARER)
    first = await world.create()(preparer, body())
    world.clock.current += timedelta(days=2)
    second = await world.create()(preparer, body(transporters=("MOCKTRANS002",)))

    async def mtns(**filters: str) -> list[str]:
        listing = await world.list()(preparer, ManifestFilters(**filters))
        return [item.mtn for item in listing.items]

    both = [second.stored.mtn, first.stored.mtn]
    assert await mtns(q="transporter mocktrans001") == [first.stored.mtn]
    assert await mtns(q="mocktrans00") == both
    assert await mtns(q=" d001 ") == both
    assert await mtns(sort="oldest") == both[::-1]
    day = world.clock.current.date()
    assert await mtns(updated_since=day.isoformat()) == [second.stored.mtn]
    assert await mtns(updated_before=day.isoformat()) == [first.stored.mtn]
    for bad, field in [
        (ManifestFilters(sort="sideways"), "sort"),
        (ManifestFilters(updated_before="soon"), "updatedBefore"),
    ]:
        with pytest.raises(InvalidValue) as refused:
            await world.list()(preparer, bad)
        assert refused.value.field == field
    assert GEN in first.stored.manifest.site_ids()
