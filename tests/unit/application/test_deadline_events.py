"""The daily deadline check on in-memory fakes: clocks near or late become deadline events,
the same clock seen again is the same event (told once), a clock that is fine tells nothing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import msgspec

from haztrak.application.notices.deadlines import CheckDeadlines, ScheduleDeadlineCheck
from haztrak.application.ports.manifests import StoredManifest
from haztrak.application.tasks.launch import TaskLauncher
from haztrak.domain.events import EventKind
from haztrak.domain.notices import notice_title
from haztrak.domain.tasks import TaskName
from tests import fakes
from tests.fakes_deadlines import MemoryDeadlineStore
from tests.fakes_events import MemoryEventOutbox
from tests.fakes_manifests import MemoryManifestRepository
from tests.fakes_tasks import MemoryTaskRepository, RecordingQueue
from tests.unit.application.test_deadline_use_cases import GEN, NOW, TRANS, TSDF, shipment


class Sites:
    async def all_site_ids(self) -> Sequence[str]:
        return [GEN, TRANS, TSDF]


async def _world() -> tuple[CheckDeadlines, MemoryEventOutbox, MemoryManifestRepository]:
    manifests = MemoryManifestRepository()
    outbox = MemoryEventOutbox()
    check = CheckDeadlines(
        Sites(),  # type: ignore[arg-type]
        manifests,
        MemoryDeadlineStore(),
        outbox,
        fakes.FixedClock(NOW),
        fakes.MemoryUnitOfWork(fakes.MemoryData()),
    )
    return check, outbox, manifests


async def _keep(manifests: MemoryManifestRepository, *shipments: object) -> None:
    for manifest in shipments:
        await manifests.add(
            StoredManifest(
                id=uuid.uuid4(),
                manifest=manifest,  # type: ignore[arg-type]
                version=1,
                created_at=NOW,
                updated_at=NOW,
            )
        )


async def test_clocks_near_and_late_become_events_once() -> None:
    check, outbox, manifests = await _world()
    await _keep(
        manifests,
        shipment("100000001ELC", picked_up_days_ago=2),  # fine
        shipment("100000002ELC", picked_up_days_ago=40),  # exception report near
        shipment("100000003ELC", picked_up_days_ago=50),  # exception report late
    )
    # the generator's exception reports, and the facility's receipt signatures (late)
    assert await check() == {"events": 4}
    generator = {e.mtn: e for e in outbox.events if e.site_ids == (GEN,)}
    assert set(generator) == {"100000002ELC", "100000003ELC"}
    near, late = generator["100000002ELC"], generator["100000003ELC"]
    facility = [e for e in outbox.events if e.site_ids == (TSDF,)]
    assert {e.detail["deadline"] for e in facility} == {"receiptSignature"}
    assert near.kind is EventKind.DEADLINE_NEAR
    assert late.kind is EventKind.DEADLINE_PASSED
    assert near.site_ids == (GEN,)
    assert near.detail["deadline"] == "exceptionReport"
    assert notice_title(near.kind, near.mtn, near.detail).startswith(
        "Manifest 100000002ELC: Exception report is due on 2026-"
    )
    assert "was due on" in notice_title(late.kind, late.mtn, late.detail)
    # the next day's check sees the same clocks: the same events, nothing new
    assert await check() == {"events": 4}
    assert len(outbox.events) == 4


async def test_a_check_is_started_once_a_day_unless_one_runs() -> None:
    tasks = MemoryTaskRepository()
    data = fakes.MemoryData()
    launcher = TaskLauncher(
        tasks, RecordingQueue(), fakes.FixedClock(NOW), fakes.MemoryUnitOfWork(data)
    )
    schedule = ScheduleDeadlineCheck(tasks, launcher)
    task = await schedule()
    assert task is not None
    assert task.name is TaskName.CHECK_DEADLINES
    assert await schedule() is None
    assert msgspec.to_builtins(task.payload) == {}
