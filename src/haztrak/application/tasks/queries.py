"""Following a task."""

from __future__ import annotations

from uuid import UUID

from haztrak.application.ports.tasks import TaskRepository
from haztrak.domain.errors import NotFound
from haztrak.domain.identity import User
from haztrak.domain.tasks import Task


class GetTask:
    """Only the user who started a task may read it; to anyone else it does not exist."""

    def __init__(self, tasks: TaskRepository) -> None:
        self._tasks = tasks

    async def __call__(self, user: User, task_id: UUID) -> Task:
        task = await self._tasks.get(task_id)
        if task is None or task.owner_id != user.id:
            raise NotFound("task", str(task_id))
        return task
