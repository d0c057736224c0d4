"""Errors of following a task from the request that started it."""

from __future__ import annotations

from uuid import UUID

from haztrak.domain.errors import DomainError
from haztrak.domain.tasks import TaskProblem


class TaskStillRunning(DomainError):
    """The answer is not ready within the time a request waits; follow the task instead
    (HTTP 202 with the task id)."""

    def __init__(self, task_id: UUID) -> None:
        super().__init__(f"the work goes on in task {task_id}")
        self.task_id = task_id


class TaskFailed(DomainError):
    """The task a request waited for failed; `problem` says why."""

    def __init__(self, task_id: UUID, problem: TaskProblem) -> None:
        super().__init__(problem.detail)
        self.task_id = task_id
        self.problem = problem


class RetryLater(DomainError):
    """The task's work failed in a way worth trying again (its handler recorded why); the
    task is retried with its name's retry policy (TaskPolicy.retry_for)."""


class ConcurrentUpdate(DomainError):
    """Another task or request wrote the same record at the same moment; the task is retried
    and reads it again."""
