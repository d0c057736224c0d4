"""The user's tasks in the browser: the list, a task's page, its progress box (polled with
htmx until it ends), retrying a failed one; another user's task is a 404 page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from dishka import AsyncContainer
from litestar import Litestar

from haztrak.application.ports.persistence import UnitOfWork, UserRepository
from haztrak.application.ports.tasks import TaskRepository
from haztrak.domain.tasks import Task, TaskName, TaskProblem, TaskStatus
from tests.web.conftest import WebUser


async def a_task(
    app: Litestar,
    username: str,
    name: TaskName = TaskName.SYNC_SITE_MANIFESTS,
    *,
    status: TaskStatus = TaskStatus.PENDING,
    result: Any = None,
    error: TaskProblem | None = None,
    subject: str | None = "VATESTGEN001",
    payload: dict[str, Any] | None = None,
) -> UUID:
    """A task of `username`, recorded as the request that starts it records it, then ended
    as a worker ends it."""
    container: AsyncContainer = app.state.dishka_container
    async with container() as scope:
        user = await (await scope.get(UserRepository)).by_username(username)
        assert user is not None
        tasks = await scope.get(TaskRepository)
        uow = await scope.get(UnitOfWork)
        now = datetime.now(UTC)
        task = Task(
            id=uuid4(),
            name=name,
            owner_id=user.id,
            created_at=now,
            payload=payload or {"siteId": subject},
            subject=subject,
        )
        await tasks.add(task)
        await uow.commit()
        if status is not TaskStatus.PENDING:
            claimed = await tasks.claim(task.id, at=now, lease_until=now)
            assert claimed is not None
            if status.finished:
                ended = await tasks.finish(
                    task.id,
                    attempt=claimed.attempts,
                    status=status,
                    at=now,
                    result=result,
                    error=error,
                )
                assert ended
            await uow.commit()
        return task.id


async def test_progress_box_polls_while_the_task_runs(
    app: Litestar, generator_user: WebUser
) -> None:
    task_id = await a_task(app, "testuser1")
    page = await generator_user.htmx("GET", f"/tasks/{task_id}/progress")
    assert page.status == 200
    box = page.one(f"#task-{task_id}")
    assert box["hx-get"] == f"/tasks/{task_id}/progress"
    assert box["data-task-status"] == "PENDING"
    assert "Sync with RCRAInfo" in page.text(f"#task-{task_id}")
