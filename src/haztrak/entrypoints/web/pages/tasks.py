"""The user's tasks: the list, each task's page, its progress (polled by htmx), retrying a
failed one."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from dishka import FromDishka
from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from haztrak.application.tasks.queries import GetTask, ListMyTasks
from haztrak.application.tasks.retry import RetryTask
from haztrak.domain.identity import User
from haztrak.entrypoints.web.flash import redirect
from haztrak.entrypoints.web.templating import page
from haztrak.entrypoints.web.views.tasks import task_view

PAGE = 25


class TaskPagesController(Controller):
    include_in_schema = False

    @get("/tasks")
    async def tasks(
        self,
        request: Request[Any, Any, Any],
        user: User,
        list_tasks: FromDishka[ListMyTasks],
    ) -> Template:
        cursor = request.query_params.get("cursor")
        listing = await list_tasks(user, limit=PAGE, cursor=cursor or None)
        return page(
            request,
            "tasks/list.html",
            {
                "tasks": [task_view(t) for t in listing.items],
                "next_url": f"/tasks?cursor={listing.next}" if listing.next else None,
                "first_page": not cursor,
            },
        )

    @get("/tasks/{task_id:uuid}/progress")
    async def progress(
        self,
        request: Request[Any, Any, Any],
        user: User,
        task_id: UUID,
        get_task: FromDishka[GetTask],
    ) -> Template:
        """The task's progress box alone: it polls itself while the task runs."""
        task = task_view(await get_task(user, task_id))
        target = request.query_params.get("target")
        return page(
            request,
            "partials/task_progress.html",
            {"task": task, "target_id": _target_id(target)},
        )

    @get("/tasks/{task_id:uuid}")
    async def task_page(
        self,
        request: Request[Any, Any, Any],
        user: User,
        task_id: UUID,
        get_task: FromDishka[GetTask],
    ) -> Template:
        return page(request, "tasks/task.html", {"task": task_view(await get_task(user, task_id))})

    @post("/tasks/{task_id:uuid}/retry")
    async def retry(
        self,
        request: Request[Any, Any, Any],
        user: User,
        task_id: UUID,
        retry_task: FromDishka[RetryTask],
    ) -> Response[Any]:
        task = task_view(await retry_task(user, task_id))
        if request.headers.get("hx-request"):
            target = _target_id(request.query_params.get("target"))
            return page(
                request,
                "partials/task_progress.html",
                {"task": task, "target_id": target, "announce_start": True},
            )
        return redirect(f"/tasks/{task.id}", "success", f"{task.label}: running again.")


def _target_id(value: str | None) -> str | None:
    """An element id the caller asked the box to keep (letters, digits, dashes only)."""
    if value and len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value):
        return value
    return None
