"""Task records in SQL. Every state change is one conditional UPDATE, so the database decides
which of two racing workers holds a task."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import ColumnElement, Update, and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from haztrak.adapters.persistence.tables import OrgRow, SiteRow, TaskRow
from haztrak.domain.handlers import SiteType
from haztrak.domain.identity import Site
from haztrak.domain.tasks import Task, TaskName, TaskProblem, TaskStatus

_UNFINISHED = (TaskStatus.PENDING.value, TaskStatus.STARTED.value)
_FINISHED = (TaskStatus.SUCCESS.value, TaskStatus.FAILURE.value)


def _task(row: TaskRow) -> Task:
    return Task(
        id=row.id,
        name=TaskName(row.name),
        owner_id=row.owner_id,
        created_at=row.created_at,
        payload=dict(row.payload or {}),
        subject=row.subject,
        status=TaskStatus(row.status),
        attempts=row.attempts,
        progress=dict(row.progress or {}),
        state=dict(row.state or {}),
        result=row.result,
        error=msgspec.convert(row.error, TaskProblem) if row.error else None,
        started_at=row.started_at,
        done_at=row.done_at,
        not_before=row.not_before,
        lease_until=row.lease_until,
        enqueued_at=row.enqueued_at,
    )


def _claimable(at: datetime) -> ColumnElement[bool]:
    return or_(
        and_(
            TaskRow.status == TaskStatus.PENDING.value,
            or_(TaskRow.not_before.is_(None), TaskRow.not_before <= at),
        ),
        and_(
            TaskRow.status == TaskStatus.STARTED.value,
            or_(TaskRow.lease_until.is_(None), TaskRow.lease_until <= at),
        ),
    )


class SqlTaskRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _changed(self, statement: Update) -> bool:
        result = await self._session.execute(statement.execution_options(synchronize_session=False))
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def add(self, task: Task) -> None:
        self._session.add(
            TaskRow(
                id=task.id,
                name=task.name.value,
                owner_id=task.owner_id,
                subject=task.subject,
                status=task.status.value,
                attempts=task.attempts,
                payload=task.payload,
                progress=task.progress,
                state=task.state,
                result=task.result,
                error=msgspec.to_builtins(task.error) if task.error else None,
                created_at=task.created_at,
                started_at=task.started_at,
                done_at=task.done_at,
                not_before=task.not_before,
                lease_until=task.lease_until,
                enqueued_at=task.enqueued_at,
            )
        )
        await self._session.flush()

    async def get(self, task_id: UUID) -> Task | None:
        row = await self._session.scalar(
            select(TaskRow).where(TaskRow.id == task_id).execution_options(populate_existing=True)
        )
        return _task(row) if row else None

    async def claim(self, task_id: UUID, *, at: datetime, lease_until: datetime) -> Task | None:
        claimed = await self._changed(
            update(TaskRow)
            .where(TaskRow.id == task_id, _claimable(at))
            .values(
                status=TaskStatus.STARTED.value,
                attempts=TaskRow.attempts + 1,
                started_at=func.coalesce(TaskRow.started_at, at),
                lease_until=lease_until,
                not_before=None,
            )
        )
        return await self.get(task_id) if claimed else None

    def _held(self, task_id: UUID, attempt: int) -> Update:
        return update(TaskRow).where(
            TaskRow.id == task_id,
            TaskRow.attempts == attempt,
            TaskRow.status == TaskStatus.STARTED.value,
        )

    async def checkpoint(
        self,
        task_id: UUID,
        *,
        attempt: int,
        progress: dict[str, Any],
        state: dict[str, Any],
        lease_until: datetime,
    ) -> bool:
        return await self._changed(
            self._held(task_id, attempt).values(
                progress=progress, state=state, lease_until=lease_until
            )
        )

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
        if not status.finished:
            raise ValueError(f"a task finishes as SUCCESS or FAILURE, not {status}")
        return await self._changed(
            update(TaskRow)
            .where(
                TaskRow.id == task_id,
                TaskRow.attempts == attempt,
                TaskRow.status.in_(_UNFINISHED),
            )
            .values(
                status=status.value,
                done_at=at,
                result=result,
                error=msgspec.to_builtins(error) if error else None,
                lease_until=None,
                not_before=None,
            )
        )

    async def retry_later(
        self, task_id: UUID, *, attempt: int, not_before: datetime, error: TaskProblem
    ) -> bool:
        return await self._changed(
            self._held(task_id, attempt).values(
                status=TaskStatus.PENDING.value,
                not_before=not_before,
                lease_until=None,
                error=msgspec.to_builtins(error),
                # the queue delivers the retry then: a sweep before it would send it twice
                enqueued_at=not_before,
            )
        )

    async def reopen(
        self, task_id: UUID, *, attempt: int, at: datetime, state: dict[str, Any]
    ) -> bool:
        return await self._changed(
            update(TaskRow)
            .where(
                TaskRow.id == task_id,
                TaskRow.attempts == attempt,
                TaskRow.status == TaskStatus.FAILURE.value,
            )
            .values(
                status=TaskStatus.PENDING.value,
                state=state,
                result=None,
                started_at=None,
                done_at=None,
                not_before=None,
                lease_until=None,
                enqueued_at=at,
            )
        )

    async def active(self, name: TaskName, subject: str) -> Task | None:
        row = await self._session.scalar(
            select(TaskRow)
            .where(
                TaskRow.name == name.value,
                TaskRow.subject == subject,
                TaskRow.status.in_(_UNFINISHED),
            )
            .order_by(TaskRow.created_at)
            .limit(1)
            .execution_options(populate_existing=True)
        )
        return _task(row) if row else None

    async def for_owner(
        self,
        owner_id: UUID,
        *,
        limit: int,
        before: tuple[datetime, UUID] | None = None,
        unfinished_or_failed_since: datetime | None = None,
    ) -> list[Task]:
        statement = select(TaskRow).where(TaskRow.owner_id == owner_id)
        if before is not None:
            at, key = before
            statement = statement.where(
                or_(TaskRow.created_at < at, and_(TaskRow.created_at == at, TaskRow.id < key))
            )
        if unfinished_or_failed_since is not None:
            statement = statement.where(
                or_(
                    TaskRow.status.in_(_UNFINISHED),
                    and_(
                        TaskRow.status == TaskStatus.FAILURE.value,
                        TaskRow.done_at >= unfinished_or_failed_since,
                    ),
                )
            )
        rows = await self._session.scalars(
            statement.order_by(TaskRow.created_at.desc(), TaskRow.id.desc())
            .limit(limit)
            .execution_options(populate_existing=True)
        )
        return [_task(row) for row in rows]

    async def due_for_requeue(self, *, at: datetime, grace_seconds: int, limit: int) -> list[Task]:
        cutoff = at - timedelta(seconds=grace_seconds)
        rows = await self._session.scalars(
            select(TaskRow)
            .where(
                TaskRow.status.in_(_UNFINISHED),
                _claimable(at),
                or_(TaskRow.enqueued_at.is_(None), TaskRow.enqueued_at < cutoff),
            )
            .order_by(TaskRow.created_at)
            .limit(limit)
            .execution_options(populate_existing=True)
        )
        return [_task(row) for row in rows]

    async def mark_enqueued(
        self, task_id: UUID, *, at: datetime, previous: datetime | None
    ) -> bool:
        unchanged = (
            TaskRow.enqueued_at.is_(None) if previous is None else TaskRow.enqueued_at == previous
        )
        return await self._changed(
            update(TaskRow)
            .where(TaskRow.id == task_id, TaskRow.status.in_(_UNFINISHED), unchanged)
            .values(enqueued_at=at)
        )

    async def release_started(self) -> int:
        result = await self._session.execute(
            update(TaskRow)
            .where(TaskRow.status == TaskStatus.STARTED.value)
            .values(status=TaskStatus.PENDING.value, lease_until=None, enqueued_at=None)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def prune(self, *, finished_before: datetime) -> int:
        result = await self._session.execute(
            delete(TaskRow)
            .where(TaskRow.status.in_(_FINISHED), TaskRow.done_at < finished_before)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


class SqlTaskLeases:
    """Lease renewals in short transactions of their own, beside the work's session."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def renew(self, task_id: UUID, *, attempt: int, lease_until: datetime) -> bool:
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(TaskRow)
                .where(
                    TaskRow.id == task_id,
                    TaskRow.attempts == attempt,
                    TaskRow.status == TaskStatus.STARTED.value,
                )
                .values(lease_until=lease_until)
                .execution_options(synchronize_session=False)
            )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


class SqlSyncTargets:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def sites_to_sync(self) -> Sequence[Site]:
        rows = await self._session.scalars(
            select(SiteRow)
            .join(OrgRow, OrgRow.id == SiteRow.org_id)
            .where(
                OrgRow.rcrainfo_api_id.is_not(None),
                OrgRow.rcrainfo_api_id != "",
                OrgRow.rcrainfo_api_key_encrypted.is_not(None),
                OrgRow.rcrainfo_credentials_failing.is_(False),
            )
            .order_by(SiteRow.epa_id)
        )
        return [
            Site(
                id=row.id,
                epa_id=row.epa_id,
                name=row.name,
                site_type=SiteType(row.site_type),
                org_id=row.org_id,
                last_manifest_sync=row.last_manifest_sync,
            )
            for row in rows
        ]
