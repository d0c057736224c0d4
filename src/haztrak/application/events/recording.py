"""Recording domain events where the changes they report are written, so that every path
records them without remembering to: decorators of the repositories, adding the events to the
outbox in the writer's own unit of work (one INSERT with the change, or none).

- Manifests: every write records what it tells (domain.events.manifest_events), from use cases
  here and copies pulled from RCRAInfo alike. The decorator keeps the manifests read in this
  unit of work, so an update knows what it replaces without reading it again (every writer
  reads before it writes, for the version); an update of one it did not read reads it once.
- Orgs: credentials flagged failing (by a task RCRAInfo refused) record credentials.failing.
- Tasks: a task of a user's that ends in FAILURE records task.failed (scheduled work has no
  owner to tell, and a failing notice task must not tell about itself).

Methods they do not intercept reach the inner repository unchanged (`__getattr__`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from haztrak.application.ports.events import EventOutbox
from haztrak.application.ports.manifests import ManifestRepository, StoredManifest
from haztrak.application.ports.persistence import OrgRepository
from haztrak.application.ports.security import Clock
from haztrak.application.ports.tasks import TaskRepository
from haztrak.domain.events import credentials_failing, manifest_events, task_failed
from haztrak.domain.identity import Org
from haztrak.domain.manifest import Manifest
from haztrak.domain.tasks import TaskProblem, TaskStatus

READ_KEPT = 64
"""How many manifests read the decorator remembers: a writer writes what it read just before,
and a long unit of work (a site sync of 10,000 manifests) must not keep every one."""


class EventRecordingManifests:
    """A ManifestRepository that also writes the events of each change to the outbox."""

    def __init__(self, inner: ManifestRepository, outbox: EventOutbox) -> None:
        self._inner = inner
        self._outbox = outbox
        self._read: dict[UUID, StoredManifest] = {}

    def _remember(self, stored: StoredManifest) -> None:
        """Keep the newest READ_KEPT manifests read or written (the oldest goes first)."""
        self._read.pop(stored.id, None)
        self._read[stored.id] = stored
        while len(self._read) > READ_KEPT:
            del self._read[next(iter(self._read))]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def _record(self, before: Manifest | None, stored: StoredManifest) -> None:
        orgs = (stored.owner_org_id,) if stored.owner_org_id else ()
        events = manifest_events(before, stored.manifest, stored.updated_at, org_ids=orgs)
        if events:
            await self._outbox.add(events)

    async def by_mtn(self, mtn: str) -> StoredManifest | None:
        stored = await self._inner.by_mtn(mtn)
        if stored is not None:
            self._remember(stored)
        return stored

    async def add(self, stored: StoredManifest) -> None:
        await self._inner.add(stored)
        self._remember(stored)
        await self._record(None, stored)

    async def update(self, stored: StoredManifest, *, expected_version: int) -> StoredManifest:
        known = self._read.get(stored.id)
        if known is None or known.version != expected_version:
            known = await self._inner.by_mtn(stored.mtn)
            if known is not None and known.id != stored.id:
                known = None
        saved = await self._inner.update(stored, expected_version=expected_version)
        self._remember(saved)
        await self._record(known.manifest if known else None, saved)
        return saved

    async def delete(self, manifest_id: UUID, *, expected_version: int) -> None:
        await self._inner.delete(manifest_id, expected_version=expected_version)
        self._read.pop(manifest_id, None)

    async def upsert_by_mtn(
        self, manifest: Manifest, *, owner_org_id: UUID | None, at: datetime
    ) -> StoredManifest:
        mtn = manifest.manifest_tracking_number
        known = await self._inner.by_mtn(mtn) if mtn else None
        saved = await self._inner.upsert_by_mtn(manifest, owner_org_id=owner_org_id, at=at)
        self._remember(saved)
        await self._record(known.manifest if known else None, saved)
        return saved


class EventRecordingOrgs:
    """An OrgRepository that records credentials.failing when an update flags them."""

    def __init__(self, inner: OrgRepository, outbox: EventOutbox, clock: Clock) -> None:
        self._inner = inner
        self._outbox = outbox
        self._clock = clock
        self._failing: dict[UUID, bool] = {}
        """The flag as read (Org is mutable: the caller may change the very object read)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def _seen(self, org: Org | None) -> Org | None:
        if org is not None:
            self._failing[org.id] = org.rcrainfo_credentials_failing
        return org

    async def get(self, org_id: UUID) -> Org | None:
        return self._seen(await self._inner.get(org_id))

    async def by_slug(self, slug: str) -> Org | None:
        return self._seen(await self._inner.by_slug(slug))

    async def list_by_ids(self, org_ids: Any) -> Any:
        orgs = await self._inner.list_by_ids(org_ids)
        for org in orgs:
            self._seen(org)
        return orgs

    async def update(self, org: Org) -> None:
        was = self._failing.get(org.id)
        if was is None:
            current = await self._inner.get(org.id)
            was = current.rcrainfo_credentials_failing if current else False
        await self._inner.update(org)
        self._failing[org.id] = org.rcrainfo_credentials_failing
        if org.rcrainfo_credentials_failing and not was:
            await self._outbox.add([credentials_failing(org.id, self._clock.now())])


class EventRecordingTasks:
    """A TaskRepository that records task.failed when a user's task ends in FAILURE."""

    def __init__(self, inner: TaskRepository, outbox: EventOutbox) -> None:
        self._inner = inner
        self._outbox = outbox

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

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
        done = await self._inner.finish(
            task_id, attempt=attempt, status=status, at=at, result=result, error=error
        )
        if done and status is TaskStatus.FAILURE:
            task = await self._inner.get(task_id)
            if task is not None and task.owner_id is not None:
                title = error.title if error else "Failed"
                event = task_failed(
                    task.id, task.name.value, task.owner_id, at, title=title, subject=task.subject
                )
                await self._outbox.add([event])
        return done
