"""Following a task: `GET /api/task/{taskId}` answers its owner, and nobody else; the owner
of a failed task may run it again (`POST /api/task/{taskId}/retry`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from dishka import FromDishka
from litestar import Controller, get, post

from haztrak.application.tasks.queries import GetTask
from haztrak.application.tasks.retry import RetryTask
from haztrak.domain.identity import User
from haztrak.domain.tasks import FieldProblem, Task, TaskName, TaskProblem, TaskStatus
from haztrak.entrypoints.http.openapi import answers


class TaskAccepted(msgspec.Struct, kw_only=True, rename="camel"):
    """The answer of every call that starts a task (202)."""

    task_id: UUID

    @classmethod
    def of(cls, task: Task) -> TaskAccepted:
        return cls(task_id=task.id)


class FieldProblemOut(msgspec.Struct, kw_only=True, omit_defaults=True):
    field: str
    message: str
    value: str | None = None

    @classmethod
    def of(cls, problem: FieldProblem) -> FieldProblemOut:
        return cls(field=problem.field, message=problem.message, value=problem.value)


class TaskErrorOut(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A problem document's content: what failed, and EPA's field errors when it gave any."""

    title: str
    detail: str
    kind: str
    code: str | None = None
    errors: list[FieldProblemOut] = msgspec.field(default_factory=list)
    warnings: list[FieldProblemOut] = msgspec.field(default_factory=list)

    @classmethod
    def of(cls, problem: TaskProblem) -> TaskErrorOut:
        return cls(
            title=problem.title,
            detail=problem.detail,
            kind=problem.kind,
            code=problem.code,
            errors=[FieldProblemOut.of(p) for p in problem.errors],
            warnings=[FieldProblemOut.of(p) for p in problem.warnings],
        )


class TaskOut(msgspec.Struct, kw_only=True, rename="camel"):
    task_id: UUID
    task_name: TaskName
    status: TaskStatus
    created_date: datetime
    done_date: datetime | None
    result: Any
    error: TaskErrorOut | None
    attempts: int
    progress: dict[str, Any]

    @classmethod
    def of(cls, task: Task) -> TaskOut:
        return cls(
            task_id=task.id,
            task_name=task.name,
            status=task.status,
            created_date=task.created_at,
            done_date=task.done_at,
            result=task.result,
            error=TaskErrorOut.of(task.error) if task.error else None,
            attempts=task.attempts,
            progress=task.progress,
        )


class TaskController(Controller):
    tags = ["tasks"]

    @get(
        "/task/{task_id:uuid}",
        responses=answers(400, 404, 422),
        summary="A task you started: status, result or error",
        description=(
            "`{taskId, taskName, status, createdDate, doneDate, result, error, attempts, "
            "progress}`; status is PENDING, STARTED, SUCCESS or FAILURE. A task waiting to be "
            "retried is PENDING and shows the error of its last attempt. Tasks of other users "
            "answer 404."
        ),
    )
    async def get_task(self, user: User, task_id: UUID, get_task: FromDishka[GetTask]) -> TaskOut:
        return TaskOut.of(await get_task(user, task_id))

    @post(
        "/task/{task_id:uuid}/retry",
        responses=answers(400, 403, 404, 409, 422),
        status_code=202,
        summary="Run a failed task of yours again",
        description=(
            "A new run of the same task: it resumes where the last one stopped (a manifest "
            "save whose outcome was unknown is looked for in e-Manifest before it is sent "
            "again) and retries transient RCRAInfo failures for the configured time again. "
            "Answers 202 `{taskId}` (the same id; follow it at `GET /api/task/{taskId}`), also "
            "when the task is already running again. A task that succeeded, or a submission "
            "whose manifest another task is sending, is 409; tasks of other users answer 404."
        ),
    )
    async def retry_task(
        self, user: User, task_id: UUID, retry_task: FromDishka[RetryTask]
    ) -> TaskAccepted:
        return TaskAccepted.of(await retry_task(user, task_id))
