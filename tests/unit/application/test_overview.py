"""GetDashboard and GetSiteOverview on in-memory fakes: whose turn it is decides what waits
for a signature, drafts only for their preparers, failed tasks of the week, failing orgs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from haztrak.application.overview import GetDashboard, GetSiteOverview, signer_turn
from haztrak.application.ports.manifests import StoredManifest
from haztrak.domain.errors import NotFound
from haztrak.domain.handlers import SiteType
from haztrak.domain.identity import Org, OrgRole, Site, SiteRole, User
from haztrak.domain.manifest import (
    HandlerRole,
    Manifest,
    QuickerSignature,
    Status,
    apply_quicker_signature,
    locked_for_signing,
)
from haztrak.domain.tasks import Task, TaskName, TaskProblem, TaskStatus
from tests import fakes
from tests.fakes_deadlines import MemoryDeadlineStore
from tests.fakes_manifests import MemoryManifestRepository
from tests.fakes_tasks import MemoryOverviewReader, MemoryTaskRepository
from tests.manifest_documents import a_manifest

GEN, TRANS1, TRANS2, TSDF = "VATESTGEN001", "MOCKTRANS001", "MOCKTRANS002", "MOCKTSDFS001"
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


class World:
    def __init__(self) -> None:
        self.data = fakes.MemoryData()
        self.manifests = MemoryManifestRepository()
        self.tasks = MemoryTaskRepository()
        self.clock = fakes.FixedClock(NOW)
        self.orgs: dict[str, Org] = {}
        for epa_id, kind in [
            (GEN, SiteType.GENERATOR),
            (TRANS1, SiteType.TRANSPORTER),
            (TRANS2, SiteType.TRANSPORTER),
            (TSDF, SiteType.TSDF),
        ]:
            org = Org(id=uuid.uuid4(), name=f"Org of {epa_id}", slug=epa_id.lower())
            self.data.orgs[org.id] = org
            self.orgs[epa_id] = org
            site = Site(id=uuid.uuid4(), epa_id=epa_id, name=epa_id, site_type=kind, org_id=org.id)
            self.data.sites[site.id] = site

    def user(self, role: SiteRole, *sites: str) -> User:
        user = User(id=uuid.uuid4(), username=f"u{len(self.data.users)}")
        self.data.users[user.id] = user
        for epa_id in sites:
            site = next(s for s in self.data.sites.values() if s.epa_id == epa_id)
            self.data.site_roles[(site.id, user.id)] = role
        return user

    def admin(self, epa_id: str) -> User:
        user = User(id=uuid.uuid4(), username=f"admin{len(self.data.users)}")
        self.data.users[user.id] = user
        self.data.memberships[(self.orgs[epa_id].id, user.id)] = OrgRole.ADMIN
        return user

    async def keep(self, manifest: Manifest, mtn: str, minutes: int = 0) -> None:
        at = NOW - timedelta(minutes=minutes)
        await self.manifests.add(
            StoredManifest(
                id=uuid.uuid4(),
                manifest=msgspec.structs.replace(manifest, manifest_tracking_number=mtn),
                version=1,
                created_at=at,
                updated_at=at,
                owner_site=GEN,
            )
        )

    def dashboard(self) -> GetDashboard:
        return GetDashboard(
            fakes.MemoryPrincipals(self.data),
            MemoryOverviewReader(self.data, self.tasks, self.manifests),
            self.manifests,
            MemoryDeadlineStore(),
            self.clock,
        )

    def site(self) -> GetSiteOverview:
        return GetSiteOverview(
            fakes.MemoryPrincipals(self.data),
            fakes.MemorySiteRepository(self.data),
            fakes.MemoryOrgRepository(self.data),
            fakes.MemoryRcraSiteRepository(self.data),
            self.manifests,
        )


@pytest.fixture
def world() -> World:
    return World()


def sign(manifest: Manifest, role: HandlerRole, site: str, order: int | None = None) -> Manifest:
    return apply_quicker_signature(
        manifest,
        QuickerSignature(
            site_id=site,
            site_type=role,
            transporter_order=order,
            printed_name="Pat Signer",
            signed_at=NOW,
        ),
        now=NOW,
    )


def test_the_turn_is_the_lifecycle_s_and_the_site_must_be_the_user_s() -> None:
    scheduled = a_manifest(mtn="100000001ELC", status="Scheduled")
    assert signer_turn(scheduled, frozenset({GEN})) == GEN
    assert signer_turn(scheduled, frozenset({TRANS1, TSDF})) is None
    by_generator = sign(scheduled, HandlerRole.GENERATOR, GEN)
    assert signer_turn(by_generator, frozenset({GEN, TRANS1})) == TRANS1
    in_transit = sign(by_generator, HandlerRole.TRANSPORTER, TRANS1, 1)
    assert in_transit.status is Status.IN_TRANSIT
    assert signer_turn(in_transit, frozenset({TRANS1})) is None
    assert signer_turn(in_transit, frozenset({TRANS2})) == TRANS2
    ready = sign(in_transit, HandlerRole.TRANSPORTER, TRANS2, 2)
    assert signer_turn(ready, frozenset({TSDF})) == TSDF
    assert signer_turn(locked_for_signing(ready), frozenset({TSDF})) is None
    hybrid = a_manifest(status="Scheduled", submission_type="Hybrid")
    assert signer_turn(hybrid, frozenset({GEN})) is None


async def test_waiting_for_signature_needs_the_signer_role(world: World) -> None:
    await world.keep(a_manifest(status="Scheduled"), "100000001ELC")
    signer = world.user(SiteRole.SIGNER, GEN)
    preparer = world.user(SiteRole.PREPARER, GEN)
    assert [m.mtn for m in (await world.dashboard()(signer)).to_sign] == ["100000001ELC"]
    board = await world.dashboard()(signer)
    assert (board.to_sign[0].site_id, board.to_sign[0].turn) == (GEN, "generator")
    assert (await world.dashboard()(preparer)).to_sign == []


async def test_drafts_and_counts_for_the_owner_site_s_preparers(world: World) -> None:
    await world.keep(a_manifest(status=None), "000000001DFT")
    await world.keep(a_manifest(status="Signed"), "100000002ELC", minutes=1)
    preparer = world.user(SiteRole.PREPARER, GEN)
    viewer = world.user(SiteRole.VIEWER, GEN)
    transporter = world.user(SiteRole.SIGNER, TRANS1)

    board = await world.dashboard()(preparer)
    assert [m.mtn for m in board.drafts] == ["000000001DFT"]
    assert board.drafts_total == 1
    assert board.sites[0].counts == {Status.NOT_ASSIGNED: 1, Status.SIGNED: 1}
    assert board.sites[0].total == 2

    assert (await world.dashboard()(viewer)).drafts == []
    assert (await world.dashboard()(viewer)).sites[0].counts == {Status.SIGNED: 1}
    moving = await world.dashboard()(transporter)
    assert moving.drafts == []
    assert moving.sites[0].counts == {Status.SIGNED: 1}


async def test_received_with_a_discrepancy_or_a_rejection(world: World) -> None:
    received = a_manifest(status="Signed")
    await world.keep(msgspec.structs.replace(received, rejection=True), "100000001ELC")
    await world.keep(received, "100000002ELC", minutes=1)
    board = await world.dashboard()(world.user(SiteRole.VIEWER, TSDF))
    assert [(m.mtn, m.rejection, m.discrepancy) for m in board.received] == [
        ("100000001ELC", True, False)
    ]


async def test_tasks_running_or_failed_this_week(world: World) -> None:
    user = world.user(SiteRole.SIGNER, GEN)
    other = world.user(SiteRole.SIGNER, GEN)

    def task(owner: User, status: TaskStatus, days_ago: float, name: TaskName) -> Task:
        at = NOW - timedelta(days=days_ago)
        made = Task(
            id=uuid.uuid4(),
            name=name,
            owner_id=owner.id,
            created_at=at,
            status=status,
            done_at=at if status.finished else None,
            error=TaskProblem(title="x", detail="x", kind="transient")
            if status is TaskStatus.FAILURE
            else None,
        )
        world.tasks.tasks[made.id] = made
        return made

    running = task(user, TaskStatus.STARTED, 10, TaskName.SYNC_SITE_MANIFESTS)
    failed = task(user, TaskStatus.FAILURE, 1, TaskName.SUBMIT_MANIFEST)
    task(user, TaskStatus.FAILURE, 8, TaskName.QUICKER_SIGN)  # failed long ago
    task(user, TaskStatus.SUCCESS, 0, TaskName.QUICKER_SIGN)
    task(other, TaskStatus.FAILURE, 0, TaskName.QUICKER_SIGN)
    board = await world.dashboard()(user)
    assert [t.id for t in board.tasks] == [failed.id, running.id]


async def test_failing_org_credentials_with_who_may_set_them(world: World) -> None:
    world.orgs[GEN].rcrainfo_credentials_failing = True
    member = await world.dashboard()(world.user(SiteRole.SIGNER, GEN))
    assert [(a.org.slug, a.admin) for a in member.failing_orgs] == [(GEN.lower(), False)]
    admin = await world.dashboard()(world.admin(GEN))
    assert [(a.org.slug, a.admin) for a in admin.failing_orgs] == [(GEN.lower(), True)]
    assert (await world.dashboard()(world.user(SiteRole.SIGNER, TSDF))).failing_orgs == []


async def test_a_site_overview_says_why_a_sync_cannot_start(world: World) -> None:
    user = world.user(SiteRole.VIEWER, GEN)
    overview = await world.site()(user, GEN)
    assert overview.role is SiteRole.VIEWER
    assert overview.may_sync
    assert overview.sync_blocked == (
        "Org of VATESTGEN001 has no RCRAInfo API ID and key yet. "
        "Ask an admin of the org to set them."
    )
    org = world.orgs[GEN]
    org.rcrainfo_api_id = "id"
    world.data.org_keys[org.id] = b"an encrypted key"
    assert (await world.site()(user, GEN)).sync_blocked is None
    org.rcrainfo_credentials_failing = True
    assert "refused" in ((await world.site()(user, GEN)).sync_blocked or "")
    with pytest.raises(NotFound):
        await world.site()(user, TSDF)
    with pytest.raises(NotFound):
        await world.site()(user, "VANOSUCHSITE")
