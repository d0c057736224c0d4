"""Events come from every path that changes a manifest, written to the outbox with the change:
use cases on fakes (save, update, submit, sign, sync), credentials refused, a task that gave
up; and the dispatcher hands each to every subscriber once, a failing one not holding back
the rest."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import msgspec
import pytest

from haztrak.application.events.dispatch import (
    MAX_ATTEMPTS,
    DispatchEvents,
    EventSubscribers,
)
from haztrak.application.events.recording import (
    EventRecordingManifests,
    EventRecordingOrgs,
    EventRecordingTasks,
)
from haztrak.application.events.schedule import ScheduleEventDispatch
from haztrak.application.manifests.drafts import CreateDraftManifest, UpdateManifest
from haztrak.application.ports.manifests import StoredManifest
from haztrak.application.ports.rcrainfo import RcrainfoError, RcrainfoErrorKind
from haztrak.application.tasks.run import TaskRun
from haztrak.domain.events import DomainEvent, EventKind, task_failed
from haztrak.domain.identity import SiteRole
from haztrak.domain.manifest import HandlerRole, Status
from haztrak.domain.tasks import TaskName, TaskStatus
from tests.fakes_events import MemoryEventOutbox
from tests.fakes_manifests import MemoryManifestRepository
from tests.manifest_documents import a_manifest, encoded, manifest_document
from tests.unit.application.task_world import GEN, TRANS, World
from tests.unit.application.test_rcrainfo_use_cases import _signing

SIGNED_MTN = "100000001ELC"


class EventWorld(World):
    def __init__(self) -> None:
        super().__init__()
        self.outbox = MemoryEventOutbox()
        self.memory_manifests = self.manifests
        self.manifests = EventRecordingManifests(self.memory_manifests, self.outbox)  # type: ignore[assignment]
        self.orgs = EventRecordingOrgs(self.orgs, self.outbox, self.clock)  # type: ignore[assignment]
        self.tasks = EventRecordingTasks(self.tasks, self.outbox)  # type: ignore[assignment]

    def create(self) -> CreateDraftManifest:
        return CreateDraftManifest(
            self.manifests, self.memberships, self.sites, self.clock, self.auditor, self.uow
        )

    def update(self) -> UpdateManifest:
        return UpdateManifest(self.manifests, self.memberships, self.clock, self.auditor, self.uow)


@pytest.fixture
def world() -> EventWorld:
    return EventWorld()


async def _submitted(world: EventWorld) -> StoredManifest:
    preparer = world.user(SiteRole.PREPARER)
    saved = await world.create()(preparer, encoded(manifest_document()))
    document = msgspec.to_builtins(saved.stored.manifest)
    document["status"] = "Scheduled"
    task = await world.submit()(preparer, encoded(document))
    await world.drain()
    done = await world.task(task.id)
    assert done.status is TaskStatus.SUCCESS, done.error
    stored = await world.manifests.by_mtn(SIGNED_MTN)
    assert stored is not None
    return stored


async def test_saving_and_changing_a_draft_tells_nothing(world: EventWorld) -> None:
    preparer = world.user(SiteRole.PREPARER)
    saved = await world.create()(preparer, encoded(manifest_document()))
    await world.update()(preparer, saved.stored.mtn, encoded(manifest_document(wastes=1)))
    assert world.outbox.events == []


async def test_submitting_tells_the_generator_it_is_its_turn(world: EventWorld) -> None:
    stored = await _submitted(world)
    (event,) = world.outbox.events
    assert event.kind is EventKind.MANIFEST_AWAITING_SIGNATURE
    assert (event.mtn, event.site_ids) == (SIGNED_MTN, (GEN,))
    assert event.org_ids == (stored.owner_org_id,)


async def test_signing_tells_the_signature_and_whose_turn_is_next(world: EventWorld) -> None:
    await _submitted(world)
    world.outbox.clear()
    signer = world.user(SiteRole.SIGNER, GEN)
    await world.sign()(signer, _signing(SIGNED_MTN, GEN, HandlerRole.GENERATOR))
    await world.drain()
    kinds = world.outbox.kinds(SIGNED_MTN)
    assert sorted(kinds) == sorted(
        [EventKind.MANIFEST_SIGNED, EventKind.MANIFEST_AWAITING_SIGNATURE]
    )
    waiting = next(
        e for e in world.outbox.events if e.kind is EventKind.MANIFEST_AWAITING_SIGNATURE
    )
    assert waiting.site_ids == (TRANS,)


async def test_a_sync_tells_what_changed_in_rcrainfo(world: EventWorld) -> None:
    mtn = "200000001ELC"
    world.rcrainfo.store(a_manifest(mtn=mtn, status="Scheduled"))
    viewer = world.user(SiteRole.VIEWER)
    world.clock.advance(60)
    await world.sync()(viewer, GEN)
    await world.drain()
    assert world.outbox.kinds(mtn) == [EventKind.MANIFEST_AWAITING_SIGNATURE]
    world.outbox.clear()
    remote = msgspec.to_builtins(a_manifest(mtn=mtn, status="UnderCorrection"))
    world.rcrainfo.store(msgspec.convert(remote, type(a_manifest())))
    world.clock.advance(3600)
    await world.sync()(viewer, GEN)
    await world.drain()
    assert EventKind.MANIFEST_CORRECTION_OPENED in world.outbox.kinds(mtn)


async def test_an_update_of_a_manifest_not_read_first_reads_it(world: EventWorld) -> None:
    await _submitted(world)
    world.outbox.clear()
    fresh = EventRecordingManifests(world.memory_manifests, world.outbox)  # a new unit of work
    stored = await world.memory_manifests.by_mtn(SIGNED_MTN)
    assert stored is not None
    under = msgspec.structs.replace(stored.manifest, status=Status.UNDER_CORRECTION)
    await fresh.update(
        msgspec.structs.replace(stored, manifest=under), expected_version=stored.version
    )
    assert EventKind.MANIFEST_CORRECTION_OPENED in world.outbox.kinds()  # it knew the before


async def test_credentials_refused_tell_the_org_once(world: EventWorld) -> None:
    await _submitted(world)
    world.outbox.clear()
    world.rcrainfo.failures["quicker_sign"] = [
        RcrainfoError(RcrainfoErrorKind.UNAUTHORIZED, "refused", credentials_refused=True)
    ]
    signer = world.user(SiteRole.SIGNER, GEN)
    await world.sign()(signer, _signing(SIGNED_MTN, GEN, HandlerRole.GENERATOR))
    await world.drain()
    failing = [e for e in world.outbox.events if e.kind is EventKind.CREDENTIALS_FAILING]
    assert [e.org_ids for e in failing] == [(world.org_of[GEN].id,)]


async def test_a_users_task_that_gives_up_tells_its_owner(world: EventWorld) -> None:
    await _submitted(world)
    world.outbox.clear()
    world.rcrainfo.failures["quicker_sign"] = [
        RcrainfoError(RcrainfoErrorKind.VALIDATION, "E_SignatureDate")
    ]
    signer = world.user(SiteRole.SIGNER, GEN)
    task = await world.sign()(signer, _signing(SIGNED_MTN, GEN, HandlerRole.GENERATOR))
    await world.drain()
    assert (await world.task(task.id)).status is TaskStatus.FAILURE
    (event,) = [e for e in world.outbox.events if e.kind is EventKind.TASK_FAILED]
    assert event.user_ids == (signer.id,)
    assert event.detail["taskName"] == TaskName.QUICKER_SIGN.value


async def test_scheduled_work_that_fails_tells_no_one(world: EventWorld) -> None:
    task = await world.launcher().launch(TaskName.PRUNE_TASKS, owner=None, payload={})
    await world.tasks.finish(task.id, attempt=0, status=TaskStatus.FAILURE, at=world.clock.now())
    assert world.outbox.events == []


# --- the dispatcher ---


class Recorder:
    def __init__(self, name: str, fail: set[uuid.UUID] | None = None) -> None:
        self.name = name
        self.seen: list[uuid.UUID] = []
        self.fail = fail or set()

    async def __call__(self, event: DomainEvent) -> None:
        if event.id in self.fail:
            raise RuntimeError("subscriber down")
        self.seen.append(event.id)


def _events(world: EventWorld, n: int) -> list[DomainEvent]:
    return [
        task_failed(
            uuid.uuid4(), "x", uuid.uuid4(), world.clock.now() + timedelta(seconds=i), title="t"
        )
        for i in range(n)
    ]


async def test_the_dispatcher_hands_each_event_to_every_subscriber_once(
    world: EventWorld,
) -> None:
    events = _events(world, 3)
    await world.outbox.add(events)
    notices, hooks = Recorder("notices"), Recorder("webhooks")
    dispatch = DispatchEvents(
        world.outbox, EventSubscribers([notices, hooks]), world.clock, world.uow
    )
    assert await dispatch() == {"dispatched": 3, "failed": 0, "pruned": 0}
    assert notices.seen == hooks.seen == [e.id for e in events]
    assert await dispatch() == {"dispatched": 0, "failed": 0, "pruned": 0}
    assert notices.seen == [e.id for e in events]


async def test_a_failing_event_is_retried_later_and_holds_back_no_other(
    world: EventWorld,
) -> None:
    events = _events(world, 3)
    await world.outbox.add(events)
    subscriber = Recorder("notices", fail={events[1].id})
    dispatch = DispatchEvents(world.outbox, EventSubscribers([subscriber]), world.clock, world.uow)
    assert await dispatch() == {"dispatched": 2, "failed": 1, "pruned": 0}
    entry = world.outbox.entries[events[1].id]
    assert (entry.attempts, entry.error) == (1, "RuntimeError")
    assert await dispatch() == {"dispatched": 0, "failed": 0, "pruned": 0}  # not due yet
    subscriber.fail.clear()
    world.clock.advance(3600)
    assert await dispatch() == {"dispatched": 1, "failed": 0, "pruned": 0}
    assert subscriber.seen == [events[0].id, events[2].id, events[1].id]


async def test_an_event_that_keeps_failing_is_given_up(world: EventWorld) -> None:
    (event,) = _events(world, 1)
    await world.outbox.add([event])
    dispatch = DispatchEvents(
        world.outbox, EventSubscribers([Recorder("n", fail={event.id})]), world.clock, world.uow
    )
    for _ in range(MAX_ATTEMPTS):
        await dispatch()
        world.clock.advance(86400 * 7)
    entry = world.outbox.entries[event.id]
    assert entry.dispatched_at is not None
    assert entry.attempts == MAX_ATTEMPTS
    assert not await world.outbox.has_pending(world.clock.now())


async def test_the_scheduler_starts_a_dispatch_only_when_events_wait(world: EventWorld) -> None:
    schedule = ScheduleEventDispatch(world.outbox, world.tasks, world.launcher(), world.clock)
    assert await schedule() is None
    await world.outbox.add(_events(world, 1))
    task = await schedule()
    assert task is not None
    assert task.name is TaskName.DISPATCH_EVENTS
    assert await schedule() is None  # one under way


class CountingReads:
    """Between the decorator and the fake: counts the reads the decorator makes."""

    def __init__(self, inner: MemoryManifestRepository) -> None:
        self.inner = inner
        self.reads = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def by_mtn(self, mtn: str) -> StoredManifest | None:
        self.reads += 1
        return await self.inner.by_mtn(mtn)


async def test_a_write_costs_one_outbox_insert_and_no_extra_read() -> None:
    inner = CountingReads(MemoryManifestRepository())
    outbox = MemoryEventOutbox()
    manifests = EventRecordingManifests(inner, outbox)  # type: ignore[arg-type]
    scheduled = a_manifest(mtn=SIGNED_MTN, status="Scheduled")
    now = World().clock.now()
    stored = StoredManifest(
        id=uuid.uuid4(), manifest=scheduled, version=1, created_at=now, updated_at=now
    )
    await manifests.add(stored)
    assert (outbox.inserts, inner.reads) == (1, 0)
    read = await manifests.by_mtn(SIGNED_MTN)  # a writer reads for the version
    assert read is not None
    under = msgspec.structs.replace(scheduled, status=Status.UNDER_CORRECTION)
    await manifests.update(
        msgspec.structs.replace(read, manifest=under), expected_version=read.version
    )
    assert (outbox.inserts, inner.reads) == (2, 1)  # its own read only


async def test_dispatched_events_are_deleted_after_a_month(world: EventWorld) -> None:
    await world.outbox.add(_events(world, 2))
    dispatch = DispatchEvents(world.outbox, EventSubscribers([]), world.clock, world.uow)
    assert await dispatch() == {"dispatched": 2, "failed": 0, "pruned": 0}
    world.clock.advance(29 * 86400)
    assert (await dispatch())["pruned"] == 0
    world.clock.advance(2 * 86400)
    assert (await dispatch())["pruned"] == 2
    assert world.outbox.entries == {}


async def test_a_receipt_copied_from_rcrainfo_tells_receipt_and_discrepancy(
    world: EventWorld,
) -> None:
    """Receiving (and correcting) reach e-Manifest in a task whose copy is kept here: the same
    path as a sync, so the same events."""
    stored = await _submitted(world)
    world.outbox.clear()
    document = msgspec.to_builtins(stored.manifest)
    signature = [{"signatureDate": "2026-01-15T10:00:00Z"}]
    for party in [document["generator"], *document["transporters"]]:
        party["electronicSignaturesInfo"] = signature
    document["designatedFacility"]["electronicSignaturesInfo"] = signature
    document["status"] = "Signed"
    document["receivedDate"] = "2026-01-15T10:00:00Z"
    document["wastes"][0]["discrepancyResidueInfo"] = {"wasteQuantity": True}
    remote = msgspec.convert(document, type(stored.manifest))
    task = await world.launcher().launch(TaskName.SYNC_SITE_MANIFESTS, owner=None, payload={})
    run = TaskRun(task, world.tasks, world.clock, world.uow, timedelta(minutes=1))
    await world.copies().keep(run, remote, owner_org_id=stored.owner_org_id, at=world.clock.now())
    kinds = world.outbox.kinds(SIGNED_MTN)
    assert EventKind.MANIFEST_RECEIVED in kinds
    assert EventKind.MANIFEST_DISCREPANCY in kinds
    signed = [e.detail["role"] for e in world.outbox.events if e.kind is EventKind.MANIFEST_SIGNED]
    assert sorted(signed) == ["Generator", "Transporter", "Transporter", "Tsdf"]
