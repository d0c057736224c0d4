"""Ports of background work: task records, the queue that carries task ids to workers, and
the lock that keeps several schedulers from doing the same job twice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from haztrak.domain.errors import DomainError
from haztrak.domain.identity import Site
from haztrak.domain.tasks import Task, TaskName, TaskProblem, TaskStatus


class QueueUnavailable(DomainError):
    """The task queue cannot take work now (its broker does not answer)."""


class TaskRepository(Protocol):
    """Task records. Every change after `add` is conditional, so two workers that got the
    same message cannot both run a task, and a worker whose lease ran out cannot overwrite the
    work of the one that took over: the attempt number a claim returned fences the writes."""

    async def add(self, task: Task) -> None: ...

    async def get(self, task_id: UUID) -> Task | None:
        """The task as last committed (not a copy cached earlier in this unit of work)."""

    async def claim(self, task_id: UUID, *, at: datetime, lease_until: datetime) -> Task | None:
        """Mark a claimable task STARTED, count the attempt and lease it until `lease_until`;
        return it, or None when it is not claimable now (finished, leased, not due, gone)."""

    async def checkpoint(
        self,
        task_id: UUID,
        *,
        attempt: int,
        progress: dict[str, Any],
        state: dict[str, Any],
        lease_until: datetime,
    ) -> bool:
        """Record progress and resume state and extend the lease; False when the attempt lost
        the task."""

    async def finish(
        self,
        task_id: UUID,
        *,
        attempt: int,
        status: TaskStatus,
        at: datetime,
        result: Any = None,
        error: TaskProblem | None = None,
    ) -> bool:
        """End the task (SUCCESS or FAILURE); False when the attempt lost the task."""

    async def retry_later(
        self, task_id: UUID, *, attempt: int, not_before: datetime, error: TaskProblem
    ) -> bool:
        """Back to PENDING until `not_before`, keeping the error of this attempt."""

    async def reopen(
        self, task_id: UUID, *, attempt: int, at: datetime, state: dict[str, Any]
    ) -> bool:
        """Make a FAILURE task PENDING again for a new run, with this resume state, enqueued
        `at`; its last error stays visible meanwhile. False when it is not the failed task of
        `attempt` any more (another retry was first)."""

    async def active(self, name: TaskName, subject: str) -> Task | None:
        """An unfinished task of this name about this subject, the oldest first."""

    async def for_owner(
        self,
        owner_id: UUID,
        *,
        limit: int,
        before: tuple[datetime, UUID] | None = None,
        unfinished_or_failed_since: datetime | None = None,
    ) -> list[Task]:
        """The owner's tasks, newest first (by creation, then id), after the keyset `before`
        when given; with `unfinished_or_failed_since`, only those still running and those that
        failed since then."""

    async def due_for_requeue(self, *, at: datetime, grace_seconds: int, limit: int) -> list[Task]:
        """Unfinished tasks no worker holds whose message should have been delivered more than
        `grace_seconds` ago: lost messages, and tasks of workers that died."""

    async def mark_enqueued(
        self, task_id: UUID, *, at: datetime, previous: datetime | None
    ) -> bool:
        """Set when the task was last enqueued, if it still is `previous` (so that of several
        sweepers only one enqueues it again)."""

    async def release_started(self) -> int:
        """Make every STARTED task PENDING again. Only for a process that knows it is the only
        worker on this database and has just started (the embedded server)."""

    async def prune(self, *, finished_before: datetime) -> int:
        """Delete tasks that finished before the time; return how many."""


class TaskLeases(Protocol):
    async def renew(self, task_id: UUID, *, attempt: int, lease_until: datetime) -> bool:
        """Extend the lease of a task this attempt still holds, committed at once and apart
        from the work's unit of work (a running worker's sign of life); False when lost."""


class TaskQueue(Protocol):
    async def enqueue(self, task: Task, *, delay_seconds: float = 0) -> None:
        """Send the task's id to a worker; raises QueueUnavailable when the broker is down."""

    async def ping(self) -> bool:
        """Whether the broker answers (readiness)."""


class JobLock(Protocol):
    async def acquire(self, key: str, ttl_seconds: int) -> bool:
        """True for exactly one caller per key until the key expires; False for the others,
        and when the lock cannot be reached (skipping a run beats running it twice)."""


class SyncTargets(Protocol):
    async def sites_to_sync(self) -> Sequence[Site]:
        """Every site of every org whose RCRAInfo credentials are set and not failing."""
