"""Starting the dispatcher: the scheduler launches a dispatch task when events wait and none
is under way, so a quiet system records no task at all."""

from __future__ import annotations

from haztrak.application.ports.events import EventOutbox
from haztrak.application.ports.security import Clock
from haztrak.application.ports.tasks import TaskRepository
from haztrak.application.tasks.launch import TaskLauncher
from haztrak.domain.tasks import Task, TaskName

EVENTS_SUBJECT = "events"


class ScheduleEventDispatch:
    def __init__(
        self, outbox: EventOutbox, tasks: TaskRepository, launcher: TaskLauncher, clock: Clock
    ) -> None:
        self._outbox = outbox
        self._tasks = tasks
        self._launcher = launcher
        self._clock = clock

    async def __call__(self) -> Task | None:
        if not await self._outbox.has_pending(self._clock.now()):
            return None
        if await self._tasks.active(TaskName.DISPATCH_EVENTS, EVENTS_SUBJECT):
            return None
        return await self._launcher.launch(
            TaskName.DISPATCH_EVENTS, owner=None, payload={}, subject=EVENTS_SUBJECT
        )
