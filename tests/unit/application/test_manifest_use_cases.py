"""Manifest use cases on in-memory fakes: drafts, edits, deletion, reading, listing, checking."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import msgspec
import pytest

from haztrak.application.audit import Auditor
from haztrak.application.manifests.drafts import (
    CreateDraftManifest,
    DeleteManifest,
    UpdateManifest,
)
from haztrak.application.manifests.errors import PreconditionFailed
from haztrak.application.manifests.queries import (
    GetManifest,
    ListManifests,
    ListTrackingNumbers,
    ManifestFilters,
)
from haztrak.application.manifests.validation import ValidateManifest
from haztrak.domain.errors import Forbidden, InvalidValue, NotFound
from haztrak.domain.handlers import SiteType
from haztrak.domain.identity import Org, Site, SiteRole, User
from haztrak.domain.manifest import (
    IGNORED_FIELD,
    CheckPurpose,
    ManifestShapeError,
    OperationNotAllowed,
    Status,
)
from tests import fakes
from tests.fakes_manifests import MemoryManifestRepository
from tests.manifest_documents import a_manifest, encoded, manifest_document

GEN, TRANS, TSDF, ELSEWHERE = "VATESTGEN001", "MOCKTRANS001", "MOCKTSDFS001", "VAELSEWHERE1"


class World:
    def __init__(self) -> None:
        self.data = fakes.MemoryData()
        self.sites = fakes.MemorySiteRepository(self.data)
        self.memberships = fakes.MemoryMembershipRepository(self.data)
        self.principals = fakes.MemoryPrincipals(self.data)
        self.uow = fakes.MemoryUnitOfWork(self.data)
        self.clock = fakes.FixedClock()
        self.auditor = Auditor(fakes.MemoryAuditLog(self.data), self.clock)
        self.manifests = MemoryManifestRepository()
        self.org_of: dict[str, uuid.UUID] = {}
        for epa_id, kind in [
            (GEN, SiteType.GENERATOR),
            (TRANS, SiteType.TRANSPORTER),
            (TSDF, SiteType.TSDF),
            (ELSEWHERE, SiteType.GENERATOR),
        ]:
            org = Org(id=uuid.uuid4(), name=epa_id, slug=epa_id.lower())
            self.data.orgs[org.id] = org
            site = Site(id=uuid.uuid4(), epa_id=epa_id, name=epa_id, site_type=kind, org_id=org.id)
            self.data.sites[site.id] = site
            self.org_of[epa_id] = org.id

    def user(self, role: SiteRole, site: str = GEN) -> User:
        user = User(id=uuid.uuid4(), username=f"{role.value}-{site}".lower())
        self.data.users[user.id] = user
        site_id = next(s.id for s in self.data.sites.values() if s.epa_id == site)
        self.data.site_roles[(site_id, user.id)] = role
        return user

    def create(self) -> CreateDraftManifest:
        return CreateDraftManifest(
            self.manifests, self.memberships, self.sites, self.clock, self.auditor, self.uow
        )

    def update(self) -> UpdateManifest:
        return UpdateManifest(self.manifests, self.memberships, self.clock, self.auditor, self.uow)

    def delete(self) -> DeleteManifest:
        return DeleteManifest(self.manifests, self.memberships, self.auditor, self.uow)

    def get(self) -> GetManifest:
        return GetManifest(self.manifests, self.principals)

    def list(self) -> ListManifests:
        return ListManifests(self.manifests, self.principals)

    def numbers(self) -> ListTrackingNumbers:
        return ListTrackingNumbers(self.manifests, self.principals)


@pytest.fixture
def world() -> World:
    return World()


def body(**changes: Any) -> bytes:
    return encoded(manifest_document(**changes))


async def test_a_draft_gets_the_next_number_its_owner_and_an_audit_entry(world: World) -> None:
    preparer = world.user(SiteRole.PREPARER)
    first = await world.create()(preparer, body())
    second = await world.create()(preparer, body(status=None))
    assert (first.stored.mtn, second.stored.mtn) == ("000000001DFT", "000000002DFT")
    assert first.stored.manifest.status is Status.NOT_ASSIGNED
    assert second.stored.manifest.status is Status.NOT_ASSIGNED
    assert first.stored.version == 1
    assert first.stored.owner_org_id == world.org_of[GEN]
    assert first.stored.owner_site == GEN
    assert first.stored.manifest.generator.signed is False
    assert first.warnings == []
    assert world.data.commits == 2
    entry = world.data.audit[0]
    assert (entry.actor, entry.action, entry.object_type, entry.object_id) == (
        preparer.username,
        "create",
        "manifest",
        "000000001DFT",
    )
    assert await world.manifests.by_mtn("000000002DFT") == second.stored


async def test_an_incomplete_draft_is_saved_with_warnings(world: World) -> None:
    saved = await world.create()(
        world.user(SiteRole.PREPARER), encoded({"generator": {"epaSiteId": GEN}})
    )
    assert {(p.field, p.message) for p in saved.warnings} >= {
        ("transporters", "must list at least one transporter"),
        ("designatedFacility", "is required"),
        ("generator.emergencyPhone", "is required"),
    }
    assert await world.manifests.by_mtn(saved.stored.mtn) is not None


async def test_keys_epa_does_not_define_are_dropped_with_a_warning(world: World) -> None:
    """The original Haztrak client puts a `clientKey` (and a `manifest` id) on each transporter."""
    document = manifest_document()
    for order, transporter in enumerate(document["transporters"]):
        transporter.update(clientKey=f"key-{order}", manifest=7)
    document["generator"]["contact"]["nickname"] = "Gen"
    preparer = world.user(SiteRole.PREPARER)
    saved = await world.create()(preparer, encoded(document))
    ignored = {p.field for p in saved.warnings if p.message == IGNORED_FIELD}
    assert ignored == {
        "transporters.0.clientKey",
        "transporters.0.manifest",
        "transporters.1.clientKey",
        "transporters.1.manifest",
        "generator.contact.nickname",
    }
    stored = msgspec.json.encode(saved.stored.manifest)
    assert b"clientKey" not in stored
    assert b"nickname" not in stored
    assert b"clientKey" not in msgspec.json.encode(saved.stored.manifest.for_emanifest())

    updated = await world.update()(preparer, saved.stored.mtn, encoded(document))
    assert {p.field for p in updated.warnings if p.message == IGNORED_FIELD} == ignored
    report = await ValidateManifest(world.clock)(encoded(document))
    assert report.valid
    assert {p.field for p in report.warnings if p.message == IGNORED_FIELD} == ignored
    strict = await ValidateManifest(world.clock)(encoded(document), CheckPurpose.EMANIFEST_SAVE)
    assert {p.field for p in strict.warnings} == ignored
    assert all(p.message != IGNORED_FIELD for p in strict.errors)


async def test_a_malformed_draft_names_every_faulty_field(world: World) -> None:
    raw = encoded({"generator": {"epaSiteId": 5}, "wastes": [{"lineNumber": "x"}], "foo": 1})
    with pytest.raises(ManifestShapeError) as caught:
        await world.create()(world.user(SiteRole.PREPARER), raw)
    fields = {p.field for p in caught.value.problems}
    assert fields >= {"generator.epaSiteId", "wastes.0.lineNumber", "wastes.0.dotHazardous"}
    assert "foo" not in fields  # an unknown key is a warning, never a refusal
    with pytest.raises(ManifestShapeError) as caught:
        await world.create()(world.user(SiteRole.PREPARER), b"{not json")
    assert caught.value.problems[0].field == ""
    assert world.manifests.manifests == {}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mtn": "100000001ELC"}, "manifestTrackingNumber"),
        ({"mtn": "000000001DFT"}, "manifestTrackingNumber"),
        ({"status": "Scheduled"}, "status"),
        ({"generator": None, "transporters": (), "tsdf": None}, "generator.epaSiteId"),
    ],
)
async def test_a_new_draft_brings_no_number_or_status_and_names_a_site(
    world: World, changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValue) as caught:
        await world.create()(world.user(SiteRole.PREPARER), body(**changes))
    assert caught.value.field == field


async def test_an_empty_tracking_number_is_none(world: World) -> None:
    saved = await world.create()(world.user(SiteRole.PREPARER), body(mtn=""))
    assert saved.stored.mtn == "000000001DFT"


async def test_drafts_are_made_by_preparers_of_one_of_its_sites(world: World) -> None:
    with pytest.raises(Forbidden):
        await world.create()(world.user(SiteRole.VIEWER), body())
    with pytest.raises(NotFound):  # none of the sites is the user's: as if they did not exist
        await world.create()(world.user(SiteRole.SITE_MANAGER, ELSEWHERE), body())
    # a transporter's signer may prepare the draft: the transporter's org owns it
    saved = await world.create()(world.user(SiteRole.SIGNER, TRANS), body())
    assert saved.stored.owner_org_id == world.org_of[TRANS]
    assert saved.stored.owner_site == TRANS
    assert world.manifests.draft_numbers == 1


async def test_a_draft_is_seen_by_preparers_of_its_owner_site_only(world: World) -> None:
    saved = await world.create()(world.user(SiteRole.PREPARER), body())
    for reader in (world.user(SiteRole.PREPARER), world.user(SiteRole.SITE_MANAGER)):
        assert (await world.get()(reader, saved.stored.mtn)).id == saved.stored.id
    # a viewer of the owner site, and every role of the other sites named on it: not found
    outsiders = [world.user(SiteRole.VIEWER), world.user(SiteRole.SITE_MANAGER, ELSEWHERE)]
    outsiders += [world.user(role, site) for role in SiteRole for site in (TRANS, TSDF)]
    for outsider in outsiders:
        for mtn in (saved.stored.mtn, "000000099DFT", "not-an-mtn"):
            with pytest.raises(NotFound):
                await world.get()(outsider, mtn)


async def test_a_manifest_in_emanifest_is_seen_by_roles_on_any_of_its_sites(
    world: World,
) -> None:
    await world.manifests.upsert_by_mtn(
        a_manifest(mtn="100000001ELC", status="Scheduled"), owner_org_id=None, at=world.clock.now()
    )
    for reader in (world.user(SiteRole.VIEWER), world.user(SiteRole.VIEWER, TSDF)):
        assert (await world.get()(reader, "100000001ELC")).status is Status.SCHEDULED
    with pytest.raises(NotFound):
        await world.get()(world.user(SiteRole.SITE_MANAGER, ELSEWHERE), "100000001ELC")


async def test_an_update_replaces_the_draft_and_keeps_number_and_status(world: World) -> None:
    preparer = world.user(SiteRole.PREPARER)
    saved = await world.create()(preparer, body())
    world.clock.advance(60)
    changed = await world.update()(
        preparer, saved.stored.mtn, body(status=None, wastes=1), [saved.stored.tag]
    )
    assert changed.stored.version == 2
    assert changed.stored.updated_at == world.clock.now()
    assert changed.stored.created_at == saved.stored.created_at
    assert changed.stored.manifest.status is Status.NOT_ASSIGNED
    assert changed.stored.mtn == saved.stored.mtn
    assert len(changed.stored.manifest.wastes) == 1
    assert world.data.audit[-1].action == "update"
    assert world.data.audit[-1].detail == {"id": str(saved.stored.id), "version": "2"}
    # "*" matches any version; no If-Match at all is allowed too
    await world.update()(preparer, saved.stored.mtn, body(), ["*"])
    again = await world.update()(preparer, saved.stored.mtn, body(tsdf=None))
    assert again.stored.version == 4
    assert {p.field for p in again.warnings} == {"designatedFacility"}


async def test_a_stale_update_changes_nothing(world: World) -> None:
    preparer = world.user(SiteRole.PREPARER)
    saved = await world.create()(preparer, body())
    await world.update()(preparer, saved.stored.mtn, body(wastes=2), [saved.stored.tag])
    commits = world.data.commits
    with pytest.raises(PreconditionFailed):
        await world.update()(preparer, saved.stored.mtn, body(wastes=1), [saved.stored.tag])
    current = await world.manifests.by_mtn(saved.stored.mtn)
    assert current.version == 2
    assert len(current.manifest.wastes) == 2
    assert world.data.commits == commits


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mtn": "000000777DFT"}, "manifestTrackingNumber"),
        ({"status": "Scheduled"}, "status"),
    ],
)
async def test_an_update_does_not_renumber_or_move_the_status(
    world: World, changes: dict[str, Any], field: str
) -> None:
    preparer = world.user(SiteRole.PREPARER)
    saved = await world.create()(preparer, body())
    with pytest.raises(InvalidValue) as caught:
        await world.update()(preparer, saved.stored.mtn, body(**changes))
    assert caught.value.field == field


async def test_who_may_update(world: World) -> None:
    preparer = world.user(SiteRole.PREPARER)
    saved = await world.create()(preparer, body())
    mtn = saved.stored.mtn
    # a draft is its owner site's: no one else even finds it, not a viewer of that site, not
    # the other sites named on it
    for other in (
        world.user(SiteRole.VIEWER),
        world.user(SiteRole.SIGNER, ELSEWHERE),
        world.user(SiteRole.SIGNER, TRANS),
        world.user(SiteRole.SITE_MANAGER, TSDF),
    ):
        with pytest.raises(NotFound):
            await world.update()(other, mtn, body(generator=ELSEWHERE))
    # no edit moves it away from its owner site
    for changes, field in [
        ({"generator": TRANS}, "generator.epaSiteId"),
        ({"generator": None}, "generator.epaSiteId"),
    ]:
        with pytest.raises(InvalidValue) as caught:
            await world.update()(preparer, mtn, body(**changes))
        assert caught.value.field == field
        assert GEN in caught.value.message
    current = await world.manifests.by_mtn(mtn)
    assert (current.version, current.owner_site) == (1, GEN)
    # the owner site may play another part, as long as it is on the draft
    moved = await world.update()(preparer, mtn, body(generator=ELSEWHERE, tsdf=GEN))
    assert (moved.stored.owner_site, moved.stored.manifest.generator.epa_site_id) == (
        GEN,
        ELSEWHERE,
    )
    assert (await world.get()(preparer, mtn)).version == 2


async def test_a_site_named_on_a_draft_cannot_take_it(world: World) -> None:
    """The attack of issue 11: transporter1 replaced the generator of a generator's draft."""
    owner = world.user(SiteRole.SIGNER)
    saved = await world.create()(owner, body())
    transporter = world.user(SiteRole.SIGNER, TRANS)
    with pytest.raises(NotFound):
        await world.update()(transporter, saved.stored.mtn, body(generator=TRANS))
    with pytest.raises(NotFound):
        await world.delete()(world.user(SiteRole.SIGNER, TSDF), saved.stored.mtn)
    assert (await world.get()(owner, saved.stored.mtn)).version == 1


async def test_in_emanifest_a_change_must_keep_a_site_of_the_user(world: World) -> None:
    await world.manifests.upsert_by_mtn(
        a_manifest(mtn="100000001ELC", status="Scheduled"), owner_org_id=None, at=world.clock.now()
    )
    with pytest.raises(Forbidden):  # handing it to sites that are not the user's
        await world.update()(
            world.user(SiteRole.PREPARER, TSDF),
            "100000001ELC",
            body(generator=ELSEWHERE, tsdf=ELSEWHERE, status=None),
        )
    with pytest.raises(Forbidden):
        await world.update()(world.user(SiteRole.VIEWER, TSDF), "100000001ELC", body())


async def test_manifests_in_emanifest_change_only_as_their_status_allows(world: World) -> None:
    preparer = world.user(SiteRole.PREPARER)
    scheduled = a_manifest(mtn="100000001ELC", status="Scheduled")
    signed = a_manifest(mtn="100000002ELC", status="Signed")
    for manifest in (scheduled, signed):
        await world.manifests.upsert_by_mtn(manifest, owner_org_id=None, at=world.clock.now())
    changed = await world.update()(preparer, "100000001ELC", body(status=None, wastes=2))
    assert changed.stored.manifest.status is Status.SCHEDULED
    with pytest.raises(OperationNotAllowed):
        await world.update()(preparer, "100000002ELC", body(status="Signed"))
    with pytest.raises(OperationNotAllowed):  # deleted in e-Manifest, not here
        await world.delete()(preparer, "100000001ELC")


async def test_deleting_a_draft(world: World) -> None:
    preparer = world.user(SiteRole.PREPARER)
    saved = await world.create()(preparer, body())
    for other in (
        world.user(SiteRole.VIEWER),
        world.user(SiteRole.PREPARER, ELSEWHERE),
        world.user(SiteRole.SITE_MANAGER, TSDF),
    ):
        with pytest.raises(NotFound):
            await world.delete()(other, saved.stored.mtn)
    with pytest.raises(PreconditionFailed):
        await world.delete()(preparer, saved.stored.mtn, ['"stale"', "W/x"])
    await world.delete()(preparer, saved.stored.mtn, [saved.stored.tag])
    assert await world.manifests.by_mtn(saved.stored.mtn) is None
    assert world.data.audit[-1].action == "delete"
    with pytest.raises(NotFound):
        await world.delete()(preparer, saved.stored.mtn)
    # the number is not given out again
    assert (await world.create()(preparer, body())).stored.mtn == "000000002DFT"


async def test_lists_filter_page_and_hide_other_sites(world: World) -> None:
    preparer = world.user(SiteRole.PREPARER)
    mtns = []
    for n in range(5):
        world.clock.advance(1)
        tsdf = TSDF if n % 2 else GEN  # odd drafts go to MOCKTSDFS001
        mtns.append((await world.create()(preparer, body(tsdf=tsdf))).stored.mtn)
    await world.create()(world.user(SiteRole.PREPARER, ELSEWHERE), body(generator=ELSEWHERE))
    listing = await world.list()(preparer, ManifestFilters(), limit=2)
    assert [s.mtn for s in listing.items] == mtns[::-1][:2]
    assert listing.total == 5
    rest = await world.list()(preparer, ManifestFilters(), limit=10, cursor=listing.next)
    assert [s.mtn for s in rest.items] == mtns[::-1][2:]
    assert rest.next is None

    as_tsdf = await world.list()(preparer, ManifestFilters(site=GEN, site_type="tsdf"))
    assert [s.mtn for s in as_tsdf.items] == [mtns[4], mtns[2], mtns[0]]
    since = world.clock.now() - timedelta(seconds=1)
    recent = await world.list()(
        preparer, ManifestFilters(updated_since=since.replace(tzinfo=None).isoformat(), q="5dft")
    )
    assert [s.mtn for s in recent.items] == [mtns[4]]

    with pytest.raises(InvalidValue) as caught:
        await world.list()(preparer, ManifestFilters(), cursor="garbage")
    assert caught.value.field == "cursor"
    with pytest.raises(InvalidValue) as caught:
        await world.list()(preparer, ManifestFilters(site_type="shipper"))
    assert caught.value.field == "siteType"
    with pytest.raises(InvalidValue) as caught:
        await world.list()(preparer, ManifestFilters(), limit=0)
    assert caught.value.field == "limit"
    with pytest.raises(NotFound):
        await world.list()(preparer, ManifestFilters(site=ELSEWHERE))
    for filters, field in [
        (ManifestFilters(status="Lost"), "status"),
        (ManifestFilters(submission_type="Paper"), "submissionType"),
        (ManifestFilters(updated_since="yesterday"), "updatedSince"),
        # no instant in UTC: a 500 from the database driver before
        (ManifestFilters(updated_since="0001-01-01T00:00:00+23:00"), "updatedSince"),
        (ManifestFilters(updated_since="9999-12-31T23:59:59-23:00"), "updatedSince"),
    ]:
        with pytest.raises(InvalidValue) as caught:
            await world.list()(preparer, filters)
        assert caught.value.field == field


async def test_tracking_numbers_of_a_site_in_each_part(world: World) -> None:
    mtn = "100000001ELC"
    await world.manifests.upsert_by_mtn(
        a_manifest(mtn=mtn, status="Scheduled"), owner_org_id=None, at=world.clock.now()
    )
    transporter = world.user(SiteRole.VIEWER, TRANS)
    assert [s.mtn for s in await world.numbers()(transporter)] == [mtn]
    assert [s.mtn for s in await world.numbers()(transporter, TRANS, "Transporter")] == [mtn]
    assert await world.numbers()(transporter, TRANS, "Generator") == []
    tsdf = world.user(SiteRole.VIEWER, TSDF)
    summary = (await world.numbers()(tsdf, TSDF, "designatedFacility"))[0]
    assert (summary.mtn, summary.status) == (mtn, Status.SCHEDULED)
    with pytest.raises(NotFound):
        await world.numbers()(tsdf, GEN)


async def test_lists_show_a_draft_to_its_owner_sites_preparers_only(world: World) -> None:
    preparer = world.user(SiteRole.PREPARER)
    draft = (await world.create()(preparer, body())).stored.mtn
    world.clock.advance(1)
    await world.manifests.upsert_by_mtn(
        a_manifest(mtn="100000001ELC", status="Pending"), owner_org_id=None, at=world.clock.now()
    )
    sent = ["100000001ELC"]
    owner_view = ["100000001ELC", draft]
    for user, expected in [
        (preparer, owner_view),
        (world.user(SiteRole.SITE_MANAGER), owner_view),
        (world.user(SiteRole.VIEWER), sent),
        (world.user(SiteRole.SIGNER, TRANS), sent),
        (world.user(SiteRole.SITE_MANAGER, TSDF), sent),
    ]:
        listing = await world.list()(user, ManifestFilters())
        assert ([m.mtn for m in listing.items], listing.total) == (expected, len(expected))
        assert [s.mtn for s in await world.numbers()(user)] == expected
        drafts = await world.list()(user, ManifestFilters(status="NotAssigned"))
        assert drafts.total == len(expected) - 1
    # a preparer of the owner site sees it through the other sites named on it too
    preparer_of_tsdf = world.user(SiteRole.PREPARER, TSDF)
    world.data.site_roles[(_site_id(world, GEN), preparer_of_tsdf.id)] = SiteRole.PREPARER
    through_tsdf = await world.list()(preparer_of_tsdf, ManifestFilters(site=TSDF))
    assert [m.mtn for m in through_tsdf.items] == owner_view


def _site_id(world: World, epa_id: str) -> uuid.UUID:
    return next(s.id for s in world.data.sites.values() if s.epa_id == epa_id)


async def test_validation_reports_both_levels(world: World) -> None:
    validate = ValidateManifest(world.clock)
    shape = await validate(encoded({"wastes": [{"lineNumber": 1}]}))
    assert not shape.valid
    assert "wastes.0.dotHazardous" in {p.field for p in shape.errors}
    assert (await validate(b"")).errors[0].field == ""

    incomplete = encoded({"generator": {"epaSiteId": GEN}})
    local = await validate(incomplete)
    assert local.valid
    assert "designatedFacility" in {p.field for p in local.warnings}
    for_emanifest = await validate(incomplete, CheckPurpose.EMANIFEST_SAVE)
    assert not for_emanifest.valid
    assert for_emanifest.warnings == []
    assert "designatedFacility" in {p.field for p in for_emanifest.errors}

    complete = await validate(body(status="Scheduled"), CheckPurpose.EMANIFEST_SAVE)
    assert complete.valid, complete.errors
