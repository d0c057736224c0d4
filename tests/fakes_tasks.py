"""In-memory fakes of the task ports. The contract suite in
tests/integration/persistence/test_task_repository.py runs the same assertions on these and on
the SQL adapters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec

from haztrak.application.overview import read_dashboard
from haztrak.application.ports.lookup_writer import LookupWriter
from haztrak.application.ports.manifests import ManifestReader
from haztrak.application.ports.overview import (
    DashboardReads,
    DashboardRequest,
    OverviewBasics,
    OverviewReader,
)
from haztrak.application.ports.tasks import (
    QueueUnavailable,
    SyncTargets,
    TaskLeases,
    TaskQueue,
    TaskRepository,
)
from haztrak.domain.identity import Site
from haztrak.domain.manifest import CodeDescription
from haztrak.domain.tasks import Task, TaskName, TaskProblem, TaskStatus
from tests.fakes import MemoryData


def _copy(task: Task) -> Task:
    return msgspec.convert(msgspec.to_builtins(task), Task)


class MemoryTaskRepository(TaskRepository):
    def __init__(self) -> None:
        self.tasks: dict[UUID, Task] = {}

    def _update(self, task_id: UUID, **changes: Any) -> None:
        self.tasks[task_id] = msgspec.structs.replace(self.tasks[task_id], **changes)

    def _held(self, task_id: UUID, attempt: int) -> bool:
        task = self.tasks.get(task_id)
        return task is not None and task.status is TaskStatus.STARTED and task.attempts == attempt

    async def add(self, task: Task) -> None:
        self.tasks[task.id] = _copy(task)

    async def get(self, task_id: UUID) -> Task | None:
        task = self.tasks.get(task_id)
        return _copy(task) if task else None

    async def claim(self, task_id: UUID, *, at: datetime, lease_until: datetime) -> Task | None:
        task = self.tasks.get(task_id)
        if task is None or not task.claimable(at):
            return None
        self._update(
            task_id,
            status=TaskStatus.STARTED,
            attempts=task.attempts + 1,
            started_at=task.started_at or at,
            lease_until=lease_until,
            not_before=None,
        )
        return await self.get(task_id)

    async def checkpoint(
        self,
        task_id: UUID,
        *,
        attempt: int,
        progress: dict[str, Any],
        state: dict[str, Any],
        lease_until: datetime,
    ) -> bool:
        if not self._held(task_id, attempt):
            return False
        self._update(
            task_id,
            progress=msgspec.to_builtins(progress),
            state=msgspec.to_builtins(state),
            lease_until=lease_until,
        )
        return True

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
            raise ValueError(status)
        task = self.tasks.get(task_id)
        if task is None or task.finished or task.attempts != attempt:
            return False
        self._update(
            task_id,
            status=status,
            done_at=at,
            result=msgspec.to_builtins(result),
            error=error,
            lease_until=None,
            not_before=None,
        )
        return True

    async def retry_later(
        self, task_id: UUID, *, attempt: int, not_before: datetime, error: TaskProblem
    ) -> bool:
        if not self._held(task_id, attempt):
            return False
        self._update(
            task_id,
            status=TaskStatus.PENDING,
            not_before=not_before,
            lease_until=None,
            error=error,
            enqueued_at=not_before,
        )
        return True

    async def reopen(
        self, task_id: UUID, *, attempt: int, at: datetime, state: dict[str, Any]
    ) -> bool:
        task = self.tasks.get(task_id)
        if task is None or task.status is not TaskStatus.FAILURE or task.attempts != attempt:
            return False
        self._update(
            task_id,
            status=TaskStatus.PENDING,
            state=msgspec.to_builtins(state),
            result=None,
            started_at=None,
            done_at=None,
            not_before=None,
            lease_until=None,
            enqueued_at=at,
        )
        return True

    async def active(self, name: TaskName, subject: str) -> Task | None:
        found = [
            t
            for t in self.tasks.values()
            if t.name is name and t.subject == subject and not t.finished
        ]
        return _copy(min(found, key=lambda t: t.created_at)) if found else None

    async def for_owner(
        self,
        owner_id: UUID,
        *,
        limit: int,
        before: tuple[datetime, UUID] | None = None,
        unfinished_or_failed_since: datetime | None = None,
    ) -> list[Task]:
        since = unfinished_or_failed_since
        found = [
            t
            for t in self.tasks.values()
            if t.owner_id == owner_id
            and (before is None or (t.created_at, t.id) < before)
            and (
                since is None
                or not t.finished
                or (t.status is TaskStatus.FAILURE and t.done_at is not None and t.done_at >= since)
            )
        ]
        found.sort(key=lambda t: (t.created_at, t.id), reverse=True)
        return [_copy(t) for t in found[:limit]]

    async def due_for_requeue(self, *, at: datetime, grace_seconds: int, limit: int) -> list[Task]:
        grace = timedelta(seconds=grace_seconds)
        due = [t for t in self.tasks.values() if t.due_for_requeue(at, grace)]
        return [_copy(t) for t in sorted(due, key=lambda t: t.created_at)[:limit]]

    async def mark_enqueued(
        self, task_id: UUID, *, at: datetime, previous: datetime | None
    ) -> bool:
        task = self.tasks.get(task_id)
        if task is None or task.finished or task.enqueued_at != previous:
            return False
        self._update(task_id, enqueued_at=at)
        return True

    async def release_started(self) -> int:
        started = [t.id for t in self.tasks.values() if t.status is TaskStatus.STARTED]
        for task_id in started:
            self._update(task_id, status=TaskStatus.PENDING, lease_until=None, enqueued_at=None)
        return len(started)

    async def prune(self, *, finished_before: datetime) -> int:
        old = [
            t.id
            for t in self.tasks.values()
            if t.finished and t.done_at is not None and t.done_at < finished_before
        ]
        for task_id in old:
            del self.tasks[task_id]
        return len(old)


class MemoryTaskLeases(TaskLeases):
    def __init__(self, tasks: MemoryTaskRepository) -> None:
        self.tasks = tasks

    async def renew(self, task_id: UUID, *, attempt: int, lease_until: datetime) -> bool:
        if not self.tasks._held(task_id, attempt):
            return False
        self.tasks._update(task_id, lease_until=lease_until)
        return True


class RecordingQueue(TaskQueue):
    """Keeps what was enqueued; `down` makes it refuse like a broker that does not answer."""

    def __init__(self) -> None:
        self.sent: list[tuple[UUID, float]] = []
        self.down = False

    async def enqueue(self, task: Task, *, delay_seconds: float = 0) -> None:
        if self.down:
            raise QueueUnavailable("the task queue is not available")
        self.sent.append((task.id, delay_seconds))

    async def ping(self) -> bool:
        return not self.down

    @property
    def ids(self) -> list[UUID]:
        return [task_id for task_id, _ in self.sent]


class MemorySyncTargets(SyncTargets):
    def __init__(self, data: MemoryData) -> None:
        self.data = data

    async def sites_to_sync(self) -> Sequence[Site]:
        sites = []
        for site in self.data.sites.values():
            org = self.data.orgs[site.org_id]
            has_key = self.data.org_keys.get(org.id) is not None
            if org.rcrainfo_api_id and has_key and not org.rcrainfo_credentials_failing:
                sites.append(site)
        return sorted(sites, key=lambda s: s.epa_id)


class MemoryLookupWriter(LookupWriter):
    def __init__(self) -> None:
        self.federal: dict[str, str] = {}
        self.state: dict[tuple[str, str], str] = {}

    async def upsert_federal_waste_codes(self, codes: Sequence[CodeDescription]) -> int:
        changed = 0
        for code in codes:
            if self.federal.get(code.code) != (code.description or ""):
                self.federal[code.code] = code.description or ""
                changed += 1
        return changed

    async def upsert_state_waste_codes(self, state: str, codes: Sequence[CodeDescription]) -> int:
        changed = 0
        for code in codes:
            if self.state.get((state, code.code)) != (code.description or ""):
                self.state[(state, code.code)] = code.description or ""
                changed += 1
        return changed


class MemoryOverviewReader(OverviewReader):
    """OverviewReader over the fakes' data and a MemoryTaskRepository."""

    def __init__(
        self,
        data: MemoryData,
        tasks: MemoryTaskRepository,
        manifests: ManifestReader | None = None,
    ) -> None:
        self._data = data
        self._tasks = tasks
        self._manifests = manifests

    async def dashboard(self, request: DashboardRequest) -> DashboardReads:
        assert self._manifests is not None, "made without manifests"
        return await read_dashboard(self, self._manifests, request)

    async def basics(
        self,
        *,
        epa_ids: Sequence[str],
        org_ids: Sequence[UUID],
        owner_id: UUID,
        tasks_limit: int,
        failed_since: datetime,
    ) -> OverviewBasics:
        sites = sorted(
            (s for s in self._data.sites.values() if s.epa_id in epa_ids), key=lambda s: s.epa_id
        )
        orgs = [
            msgspec.structs.replace(
                o, has_rcrainfo_api_key=self._data.org_keys.get(o.id) is not None
            )
            for o in self._data.orgs.values()
            if o.id in org_ids
        ]
        tasks = await self._tasks.for_owner(
            owner_id, limit=tasks_limit, unfinished_or_failed_since=failed_since
        )
        return OverviewBasics(sites=sites, orgs=orgs, tasks=tasks)
