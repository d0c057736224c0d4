"""Following a task."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from uuid import UUID

import msgspec

from haztrak.application.ports.tasks import TaskRepository
from haztrak.domain.errors import InvalidValue, NotFound
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


MAX_TASK_PAGE = 100


class TaskListing(msgspec.Struct, frozen=True, kw_only=True):
    items: list[Task]
    next: str | None
    """The cursor of the next page; None on the last."""


class ListMyTasks:
    """The tasks the user started, newest first, a page at a time (nobody else's)."""

    def __init__(self, tasks: TaskRepository) -> None:
        self._tasks = tasks

    async def __call__(
        self, user: User, *, limit: int = 50, cursor: str | None = None
    ) -> TaskListing:
        if not 1 <= limit <= MAX_TASK_PAGE:
            raise InvalidValue("limit", f"must be 1-{MAX_TASK_PAGE}")
        before = _decode_cursor(cursor) if cursor else None
        found = await self._tasks.for_owner(user.id, limit=limit + 1, before=before)
        items = found[:limit]
        last = items[-1] if len(found) > limit else None
        return TaskListing(
            items=items, next=_encode_cursor(last.created_at, last.id) if last else None
        )


_cursor_encoder = msgspec.json.Encoder()
_cursor_decoder = msgspec.json.Decoder(tuple[datetime, UUID])


def _encode_cursor(at: datetime, task_id: UUID) -> str:
    return base64.urlsafe_b64encode(_cursor_encoder.encode((at, task_id))).decode().rstrip("=")


def _decode_cursor(text: str) -> tuple[datetime, UUID]:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        at, task_id = _cursor_decoder.decode(raw)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise InvalidValue("cursor", "is not a cursor this service gave out") from None
    if at.tzinfo is None:
        raise InvalidValue("cursor", "is not a cursor this service gave out")
    return at, task_id
