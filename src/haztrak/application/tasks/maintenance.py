"""Keeping the task table and the queue honest: lost messages, dead workers, old records."""

from __future__ import annotations

import logging
from typing import Any

from haztrak.application.ports.persistence import UnitOfWork
from haztrak.application.ports.security import Clock
from haztrak.application.ports.tasks import TaskQueue, TaskRepository
from haztrak.application.tasks.policy import TaskPolicy
from haztrak.application.tasks.run import TaskRun

log = logging.getLogger("haztrak.tasks")

SWEEP_BATCH = 200


class RequeueStaleTasks:
    """Send again every task whose message never reached a worker, or whose worker died
    holding it. Several workers may sweep at once: each task is sent again by one of them,
    and a task delivered twice still runs once."""

    def __init__(
        self,
        tasks: TaskRepository,
        queue: TaskQueue,
        policy: TaskPolicy,
        clock: Clock,
        uow: UnitOfWork,
    ) -> None:
        self._tasks = tasks
        self._queue = queue
        self._policy = policy
        self._clock = clock
        self._uow = uow

    async def __call__(self) -> int:
        now = self._clock.now()
        grace = int(self._policy.lease.total_seconds())
        stale = await self._tasks.due_for_requeue(at=now, grace_seconds=grace, limit=SWEEP_BATCH)
        sent = 0
        for task in stale:
            if not await self._tasks.mark_enqueued(task.id, at=now, previous=task.enqueued_at):
                continue
            await self._uow.commit()
            await self._queue.enqueue(task)
            sent += 1
        await self._uow.rollback()
        if sent:
            log.info("sent %d stale task(s) to the queue again", sent)
        return sent


class ReleaseOrphanedTasks:
    """At the start of the embedded server, the only worker on its database: tasks left
    STARTED by the previous run have no worker, and the in-process queue lost their messages."""

    def __init__(self, tasks: TaskRepository, uow: UnitOfWork) -> None:
        self._tasks = tasks
        self._uow = uow

    async def __call__(self) -> int:
        released = await self._tasks.release_started()
        await self._uow.commit()
        return released


class PruneTasks:
    """The task that deletes finished task records older than the retention time."""

    def __init__(self, tasks: TaskRepository, policy: TaskPolicy, clock: Clock) -> None:
        self._tasks = tasks
        self._policy = policy
        self._clock = clock

    async def __call__(self, run: TaskRun) -> dict[str, Any]:
        cutoff = self._clock.now() - self._policy.retention
        deleted = await self._tasks.prune(finished_before=cutoff)
        return {"deleted": deleted, "finishedBefore": cutoff}
