"""Running a failed task again, at its owner's request."""

from __future__ import annotations

from uuid import UUID

from haztrak.application.audit import Auditor
from haztrak.application.ports.persistence import UnitOfWork
from haztrak.application.ports.security import Clock
from haztrak.application.ports.tasks import QueueUnavailable, TaskQueue, TaskRepository
from haztrak.domain.errors import Conflict, NotFound
from haztrak.domain.identity import User
from haztrak.domain.tasks import Task, TaskName, TaskProblem, TaskStatus

ONE_AT_A_TIME = frozenset({TaskName.SUBMIT_MANIFEST})
"""Work of which one task per subject may run at once (two saves of a draft would make two
manifests in e-Manifest)."""


class RetryTask:
    """The owner of a task that ended FAILURE runs it again: a new run of the same task, with
    the policy's time and attempts afresh, that resumes where the last one stopped (a save whose
    outcome was unknown is looked for before it is sent again). To anyone else the task does
    not exist; a task that succeeded is not run again; a task already running again is
    answered as it is."""

    def __init__(
        self,
        tasks: TaskRepository,
        queue: TaskQueue,
        auditor: Auditor,
        clock: Clock,
        uow: UnitOfWork,
    ) -> None:
        self._tasks = tasks
        self._queue = queue
        self._auditor = auditor
        self._clock = clock
        self._uow = uow

    async def __call__(self, user: User, task_id: UUID) -> Task:
        task = await self._tasks.get(task_id)
        if task is None or task.owner_id != user.id:
            raise NotFound("task", str(task_id))
        if not task.finished:
            return task
        if task.status is TaskStatus.SUCCESS:
            raise Conflict(f"task {task_id} succeeded; only a failed task can be retried")
        if task.name in ONE_AT_A_TIME and task.subject:
            other = await self._tasks.active(task.name, task.subject)
            if other is not None:
                raise Conflict(
                    f"another task (id {other.id}) is working on {task.subject}; "
                    "follow that one instead"
                )
        now = self._clock.now()
        if not await self._tasks.reopen(
            task.id, attempt=task.attempts, at=now, state=task.reopened()
        ):
            await self._uow.rollback()
            current = await self._tasks.get(task.id)
            if current is not None and not current.finished:
                return current  # another retry was first
            raise Conflict(f"task {task_id} changed meanwhile; look at it again")
        await self._auditor.record(user, "retry_task", "task", str(task.id), name=task.name.value)
        await self._uow.commit()
        reopened = await self._tasks.get(task.id)
        assert reopened is not None, "reopened in this very unit of work"
        try:
            await self._queue.enqueue(reopened)
        except QueueUnavailable as exc:
            await self._tasks.finish(
                task.id,
                attempt=task.attempts,
                status=TaskStatus.FAILURE,
                at=self._clock.now(),
                error=TaskProblem(title="Queue unavailable", detail=str(exc), kind="transient"),
            )
            await self._uow.commit()
            raise
        return reopened
