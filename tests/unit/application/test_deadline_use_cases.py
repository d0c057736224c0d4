"""ListDeadlines, RecordDeadlineReported and the generator category on in-memory fakes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import msgspec
import pytest

from haztrak.application.audit import Auditor
from haztrak.application.deadlines import (
    DeadlineQuery,
    GetGeneratorCategory,
    ListDeadlines,
    RecordDeadlineReported,
    ReportDeadline,
    SetGeneratorCategory,
)
from haztrak.application.ports.manifests import StoredManifest
from haztrak.domain.errors import Conflict, Forbidden, InvalidValue, NotFound
from haztrak.domain.handlers import SiteType
from haztrak.domain.identity import Org, OrgRole, Site, SiteRole, User
from haztrak.domain.manifest import (
    ElectronicSignature,
    Manifest,
    ManifestHandlerSite,
    Status,
)
from haztrak.domain.manifest.deadlines import DeadlineKind, DeadlineState, GeneratorCategory
from tests import fakes
from tests.fakes_deadlines import MemoryDeadlineStore
from tests.fakes_manifests import MemoryManifestRepository

GEN, TRANS, TSDF, OTHER = "VATESTGEN001", "MOCKTRANS001", "MOCKTSDFS001", "VAOTHERGEN01"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def _party(
    epa_id: str, signed: date | None = None, order: int | None = None
) -> ManifestHandlerSite:
    signatures = (
        [ElectronicSignature(signature_date=f"{signed.isoformat()}T12:00:00Z")] if signed else None
    )
    return ManifestHandlerSite(
        epa_site_id=epa_id, electronic_signatures_info=signatures, order=order
    )


def shipment(
    mtn: str,
    *,
    picked_up_days_ago: int,
    delivered: bool = False,
    signed: bool = False,
    rejection: bool | None = None,
    generator: str = GEN,
) -> Manifest:
    picked = TODAY - timedelta(days=picked_up_days_ago)
    status = (
        Status.SIGNED if signed else Status.READY_FOR_SIGNATURE if delivered else Status.IN_TRANSIT
    )
    return Manifest(
        manifest_tracking_number=mtn,
        status=status,
        generator=_party(generator, picked),
        transporters=[_party(TRANS, picked, order=1)],
        designated_facility=_party(TSDF, picked if signed else None),
        received_date=f"{picked.isoformat()}T12:00:00Z" if delivered or signed else None,
        rejection=rejection,
    )


class World:
    def __init__(self) -> None:
        self.data = fakes.MemoryData()
        self.manifests = MemoryManifestRepository()
        self.store = MemoryDeadlineStore()
        self.clock = fakes.FixedClock(NOW)
        self.orgs: dict[str, Org] = {}
        for epa_id, kind in [
            (GEN, SiteType.GENERATOR),
            (TRANS, SiteType.TRANSPORTER),
            (TSDF, SiteType.TSDF),
            (OTHER, SiteType.GENERATOR),
        ]:
            org = Org(id=uuid.uuid4(), name=f"Org of {epa_id}", slug=epa_id.lower())
            self.data.orgs[org.id] = org
            self.orgs[epa_id] = org
            site = Site(id=uuid.uuid4(), epa_id=epa_id, name=epa_id, site_type=kind, org_id=org.id)
            self.data.sites[site.id] = site
        self.memberships = fakes.MemoryMembershipRepository(self.data)
        self.auditor = Auditor(fakes.MemoryAuditLog(self.data), self.clock)
        self.uow = fakes.MemoryUnitOfWork(self.data)

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

    async def keep(self, *manifests: Manifest, days_ago: int = 0) -> None:
        at = NOW - timedelta(days=days_ago)
        for manifest in manifests:
            await self.manifests.add(
                StoredManifest(
                    id=uuid.uuid4(),
                    manifest=manifest,
                    version=1,
                    created_at=at,
                    updated_at=at,
                )
            )

    def listing(self) -> ListDeadlines:
        return ListDeadlines(self.memberships, self.manifests, self.store, self.clock)

    def recording(self) -> RecordDeadlineReported:
        return RecordDeadlineReported(
            self.memberships, self.manifests, self.store, self.auditor, self.clock, self.uow
        )


@pytest.fixture
def world() -> World:
    return World()


async def test_a_generator_sees_its_late_and_near_exception_reports(world: World) -> None:
    await world.keep(
        shipment("100000001ELC", picked_up_days_ago=50),
        shipment("100000002ELC", picked_up_days_ago=36),
        shipment("100000003ELC", picked_up_days_ago=3),
        shipment("100000004ELC", picked_up_days_ago=80, signed=True),
        shipment("100000005ELC", picked_up_days_ago=80, generator=OTHER),
    )
    found = await world.listing()(world.user(SiteRole.VIEWER, GEN))
    assert [(d.mtn, d.state) for d in found.items] == [
        ("100000001ELC", DeadlineState.LATE),
        ("100000002ELC", DeadlineState.NEAR),
        ("100000003ELC", DeadlineState.OK),
    ]
    assert found.today == TODAY
    assert {d.kind for d in found.items} == {DeadlineKind.EXCEPTION_REPORT}


async def test_the_site_setting_gives_the_sqg_clock(world: World) -> None:
    await world.keep(shipment("100000001ELC", picked_up_days_ago=50))
    world.store.handlers[GEN] = GeneratorCategory.LQG
    user = world.user(SiteRole.VIEWER, GEN)
    assert (await world.listing()(user)).items[0].state is DeadlineState.LATE
    world.store.settings[GEN] = GeneratorCategory.SQG
    deadline = (await world.listing()(user)).items[0]
    assert deadline.state is DeadlineState.NEAR  # day 50 of 60
    assert deadline.due == TODAY + timedelta(days=10)


async def test_the_handler_record_gives_the_category_when_no_setting(world: World) -> None:
    await world.keep(shipment("100000001ELC", picked_up_days_ago=50))
    world.store.handlers[GEN] = GeneratorCategory.VSQG
    assert (await world.listing()(world.user(SiteRole.VIEWER, GEN))).items == []


async def test_a_facility_sees_receipts_and_discrepancies(world: World) -> None:
    await world.keep(
        shipment("100000001ELC", picked_up_days_ago=28, delivered=True),
        shipment("100000002ELC", picked_up_days_ago=20, signed=True, rejection=True),
        shipment("100000003ELC", picked_up_days_ago=20, signed=True),
    )
    found = await world.listing()(world.user(SiteRole.VIEWER, TSDF))
    assert [(d.mtn, d.kind, d.state) for d in found.items] == [
        ("100000002ELC", DeadlineKind.DISCREPANCY, DeadlineState.LATE),
        ("100000001ELC", DeadlineKind.RECEIPT_SIGNATURE, DeadlineState.NEAR),
    ]
    assert all(d.site_id == TSDF for d in found.items)


async def test_old_received_manifests_are_not_read(world: World) -> None:
    await world.keep(
        shipment("100000002ELC", picked_up_days_ago=200, signed=True, rejection=True),
        days_ago=200,
    )
    assert (await world.listing()(world.user(SiteRole.VIEWER, TSDF))).items == []


async def test_filters(world: World) -> None:
    await world.keep(
        shipment("100000001ELC", picked_up_days_ago=50),
        shipment("100000002ELC", picked_up_days_ago=3),
    )
    user = world.user(SiteRole.VIEWER, GEN)
    late = await world.listing()(user, DeadlineQuery(states=frozenset({DeadlineState.LATE})))
    assert [d.mtn for d in late.items] == ["100000001ELC"]
    receipts = await world.listing()(
        user, DeadlineQuery(kinds=frozenset({DeadlineKind.RECEIPT_SIGNATURE}))
    )
    assert receipts.items == []
    with pytest.raises(NotFound):
        await world.listing()(user, DeadlineQuery(site_id=TSDF))


async def test_paging_walks_every_candidate(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("haztrak.application.deadlines.PAGE", 2)
    await world.keep(*(shipment(f"10000000{i}ELC", picked_up_days_ago=40 + i) for i in range(5)))
    found = await world.listing()(world.user(SiteRole.VIEWER, GEN))
    assert len(found.items) == 5


async def test_recording_a_report_is_audited_and_shown(world: World) -> None:
    await world.keep(shipment("100000001ELC", picked_up_days_ago=50))
    user = world.user(SiteRole.PREPARER, GEN)
    deadline = await world.recording()(
        user,
        ReportDeadline(
            mtn="100000001ELC",
            kind=DeadlineKind.EXCEPTION_REPORT,
            reported_on=TODAY - timedelta(days=2),
            note="Filed with the region",
        ),
    )
    assert deadline.state is DeadlineState.REPORTED
    assert deadline.reported_on == TODAY - timedelta(days=2)
    assert world.data.commits == 1
    entry = world.data.audit[-1]
    assert (entry.action, entry.object_id, entry.detail["kind"]) == (
        "deadline_reported",
        "100000001ELC",
        "exceptionReport",
    )
    listed = await world.listing()(user)
    assert listed.items[0].state is DeadlineState.REPORTED
    report = world.store.reports[("100000001ELC", DeadlineKind.EXCEPTION_REPORT)]
    assert report.note == "Filed with the region"
    assert report.recorded_by == user.id


async def test_a_viewer_may_not_record(world: World) -> None:
    await world.keep(shipment("100000001ELC", picked_up_days_ago=50))
    with pytest.raises(Forbidden):
        await world.recording()(
            world.user(SiteRole.VIEWER, GEN),
            ReportDeadline(mtn="100000001ELC", kind=DeadlineKind.EXCEPTION_REPORT),
        )
    assert world.store.reports == {}


async def test_the_facility_may_not_record_the_generators_report(world: World) -> None:
    await world.keep(shipment("100000001ELC", picked_up_days_ago=50))
    with pytest.raises(Conflict):
        await world.recording()(
            world.user(SiteRole.SITE_MANAGER, TSDF),
            ReportDeadline(mtn="100000001ELC", kind=DeadlineKind.EXCEPTION_REPORT),
        )


async def test_a_manifest_of_others_is_not_found(world: World) -> None:
    await world.keep(shipment("100000001ELC", picked_up_days_ago=50, generator=OTHER))
    with pytest.raises(NotFound):
        await world.recording()(
            world.user(SiteRole.SITE_MANAGER, GEN),
            ReportDeadline(mtn="100000001ELC", kind=DeadlineKind.EXCEPTION_REPORT),
        )


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (ReportDeadline(mtn="100000001ELC", kind=DeadlineKind.RECEIPT_SIGNATURE), "kind"),
        (
            ReportDeadline(
                mtn="100000001ELC",
                kind=DeadlineKind.EXCEPTION_REPORT,
                reported_on=TODAY + timedelta(days=1),
            ),
            "reportedOn",
        ),
        (
            ReportDeadline(
                mtn="100000001ELC",
                kind=DeadlineKind.EXCEPTION_REPORT,
                reported_on=TODAY - timedelta(days=60),
            ),
            "reportedOn",
        ),
        (
            ReportDeadline(mtn="100000001ELC", kind=DeadlineKind.EXCEPTION_REPORT, note="x" * 501),
            "note",
        ),
    ],
)
async def test_refusals_name_the_field(world: World, command: ReportDeadline, field: str) -> None:
    await world.keep(shipment("100000001ELC", picked_up_days_ago=50))
    with pytest.raises(InvalidValue) as refused:
        await world.recording()(world.user(SiteRole.PREPARER, GEN), command)
    assert refused.value.field == field


async def test_a_site_manager_sets_the_category(world: World) -> None:
    manager = world.admin(GEN)
    setting = SetGeneratorCategory(
        world.memberships, world.store, world.auditor, world.clock, world.uow
    )
    found = await setting(manager, GEN, GeneratorCategory.SQG)
    assert found.category is GeneratorCategory.SQG
    assert world.data.audit[-1].action == "set_generator_category"
    world.store.handlers[GEN] = GeneratorCategory.LQG
    reading = GetGeneratorCategory(world.memberships, world.store)
    assert (await reading(manager, GEN)).category is GeneratorCategory.SQG
    await setting(manager, GEN, None)
    assert (await reading(manager, GEN)).category is GeneratorCategory.LQG
    with pytest.raises(Forbidden):
        await setting(world.user(SiteRole.SIGNER, GEN), GEN, GeneratorCategory.LQG)
    with pytest.raises(NotFound):
        await reading(world.user(SiteRole.SIGNER, GEN), TSDF)


def test_deadline_encodes_in_camel_case() -> None:
    manifest = shipment("100000001ELC", picked_up_days_ago=50)
    from haztrak.domain.manifest.deadlines import manifest_deadlines

    encoded = msgspec.to_builtins(manifest_deadlines(manifest, today=TODAY)[0])
    assert {"kind", "mtn", "siteId", "nearOn", "due", "state"} <= set(encoded)
