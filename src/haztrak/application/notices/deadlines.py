"""Deadlines near or passed, as events: a daily task looks at every site's running clocks
(application.deadlines, domain.manifest.deadlines) and records deadline.near and
deadline.passed. An event's id is derived from the clock and its due date, so the same clock
seen day after day is told once for each state."""

from __future__ import annotations

from datetime import UTC, datetime, time

import msgspec

from haztrak.application.deadlines import deadline_searches, owed_deadlines, walk
from haztrak.application.ports.deadlines import DeadlineStore
from haztrak.application.ports.events import EventOutbox
from haztrak.application.ports.manifests import ManifestReader
from haztrak.application.ports.notices import NoticeAudience
from haztrak.application.ports.persistence import UnitOfWork
from haztrak.application.ports.security import Clock
from haztrak.application.ports.tasks import TaskRepository
from haztrak.application.tasks.launch import TaskLauncher
from haztrak.application.tasks.run import TaskRun
from haztrak.domain.events import DomainEvent, EventKind, deadline_event
from haztrak.domain.manifest import Manifest
from haztrak.domain.manifest.deadlines import Deadline, DeadlineState
from haztrak.domain.tasks import Task, TaskName

DEADLINES_SUBJECT = "deadlines"
_decoder = msgspec.json.Decoder(Manifest)

_KINDS = {
    DeadlineState.NEAR: EventKind.DEADLINE_NEAR,
    DeadlineState.LATE: EventKind.DEADLINE_PASSED,
}


def deadline_events(deadlines: list[Deadline], at: datetime) -> list[DomainEvent]:
    events = []
    for d in deadlines:
        kind = _KINDS.get(d.state)
        if kind is None:
            continue
        event = deadline_event(
            kind,
            d.mtn,
            at,
            site_ids=[d.site_id],
            deadline=d.kind.value,
            due=datetime.combine(d.due, time(), tzinfo=UTC),
        )
        events.append(
            msgspec.structs.replace(event, detail={**event.detail, "label": d.kind.label})
        )
    return events


class CheckDeadlines:
    """The daily task: record the events of every site's clocks that are near or late."""

    def __init__(
        self,
        audience: NoticeAudience,
        manifests: ManifestReader,
        store: DeadlineStore,
        outbox: EventOutbox,
        clock: Clock,
        uow: UnitOfWork,
    ) -> None:
        self._audience = audience
        self._manifests = manifests
        self._store = store
        self._outbox = outbox
        self._clock = clock
        self._uow = uow

    async def __call__(self, run: TaskRun | None = None) -> dict[str, int]:
        now = self._clock.now()
        sites = frozenset(await self._audience.all_site_ids())
        if not sites:
            return {"events": 0}
        manifests: dict[str, Manifest] = {}
        for search in deadline_searches(sites, now):
            async for manifest in walk(self._manifests, search):
                if manifest.manifest_tracking_number:
                    manifests[manifest.manifest_tracking_number] = manifest
        deadlines = await owed_deadlines(
            self._store, manifests.values(), sites=sites, today=now.date()
        )
        events = deadline_events(deadlines, now)
        await self._outbox.add(events)
        await self._uow.commit()
        return {"events": len(events)}


class ScheduleDeadlineCheck:
    """Once a day: start the deadline check, unless one is under way."""

    def __init__(self, tasks: TaskRepository, launcher: TaskLauncher) -> None:
        self._tasks = tasks
        self._launcher = launcher

    async def __call__(self) -> Task | None:
        if await self._tasks.active(TaskName.CHECK_DEADLINES, DEADLINES_SUBJECT):
            return None
        return await self._launcher.launch(
            TaskName.CHECK_DEADLINES, owner=None, payload={}, subject=DEADLINES_SUBJECT
        )
