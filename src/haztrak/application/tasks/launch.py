"""Starting a task from a request, and waiting a little for one whose answer a request needs."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from uuid import uuid4

from haztrak.application.ports.persistence import UnitOfWork
from haztrak.application.ports.security import Clock
from haztrak.application.ports.tasks import QueueUnavailable, TaskQueue, TaskRepository
from haztrak.application.tasks.errors import TaskFailed, TaskStillRunning
from haztrak.application.tasks.policy import TaskPolicy
from haztrak.domain.identity import User
from haztrak.domain.tasks import Task, TaskName, TaskProblem, TaskStatus

_FIRST_POLL = 0.02
_LONGEST_POLL = 0.5


class TaskLauncher:
    """Records a task, commits, then sends its id to the queue: a worker always finds the
    record it is sent. A queue that refuses the message fails the task at once, so nothing
    waits for a message that was never sent."""

    def __init__(
        self, tasks: TaskRepository, queue: TaskQueue, clock: Clock, uow: UnitOfWork
    ) -> None:
        self._tasks = tasks
        self._queue = queue
        self._clock = clock
        self._uow = uow

    async def launch(
        self,
        name: TaskName,
        *,
        owner: User | None,
        payload: dict[str, Any],
        subject: str | None = None,
    ) -> Task:
        now = self._clock.now()
        task = Task(
            id=uuid4(),
            name=name,
            owner_id=owner.id if owner else None,
            created_at=now,
            payload=payload,
            subject=subject,
            enqueued_at=now,
        )
        await self._tasks.add(task)
        await self._uow.commit()
        try:
            await self._queue.enqueue(task)
        except QueueUnavailable as exc:
            await self._tasks.finish(
                task.id,
                attempt=0,
                status=TaskStatus.FAILURE,
                at=self._clock.now(),
                error=TaskProblem(title="Queue unavailable", detail=str(exc), kind="transient"),
            )
            await self._uow.commit()
            raise
        return task

    async def refuse(
        self,
        name: TaskName,
        *,
        owner: User,
        problem: TaskProblem,
        subject: str | None = None,
    ) -> Task:
        """Record a task that failed before it could start, with the reason, and commit.

        For clients that follow every such request as a task and show only what a task
        reports (the original Haztrak client): the reason reaches the person through the task,
        as its error and, as Celery reported a failure, as its result."""
        now = self._clock.now()
        task = Task(
            id=uuid4(),
            name=name,
            owner_id=owner.id,
            created_at=now,
            subject=subject,
            status=TaskStatus.FAILURE,
            result=problem.detail,
            error=problem,
            done_at=now,
        )
        await self._tasks.add(task)
        await self._uow.commit()
        return task


class TaskWaiter:
    """Waits up to the policy's time for a task to finish, for requests that answer with its
    result (handler look-ups); after that the caller follows the task (TaskStillRunning)."""

    def __init__(self, tasks: TaskRepository, policy: TaskPolicy, uow: UnitOfWork) -> None:
        self._tasks = tasks
        self._policy = policy
        self._uow = uow

    async def result(self, task: Task) -> Any:
        """The task's result; raises TaskFailed with its problem, or TaskStillRunning."""
        deadline = time.monotonic() + self._policy.wait.total_seconds()
        pause = _FIRST_POLL
        current: Task | None = task
        while True:
            # End the read transaction: on SQLite a transaction keeps reading the snapshot it
            # started with and would never see the worker's commit.
            await self._uow.rollback()
            current = await self._tasks.get(task.id)
            if current is None or current.finished or time.monotonic() >= deadline:
                break
            await asyncio.sleep(pause)
            pause = min(pause * 1.5, _LONGEST_POLL)
        if current is None or not current.finished:
            raise TaskStillRunning(task.id)
        if current.status is TaskStatus.FAILURE:
            problem = current.error or TaskProblem(title="Failed", detail="failed", kind="failed")
            raise TaskFailed(task.id, problem)
        return current.result
