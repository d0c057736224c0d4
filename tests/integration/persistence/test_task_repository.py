"""One contract for the task ports, run on the in-memory fakes, SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.identity import (
    SqlOrgRepository,
    SqlSiteRepository,
    SqlUnitOfWork,
    SqlUserRepository,
)
from haztrak.adapters.persistence.lookup_writer import SqlLookupWriter
from haztrak.adapters.persistence.lookups import SqlLookupReader
from haztrak.adapters.persistence.tasks import SqlSyncTargets, SqlTaskRepository
from haztrak.domain.handlers import SiteType
from haztrak.domain.identity import Org, Site, User
from haztrak.domain.manifest import CodeDescription
from haztrak.domain.tasks import FieldProblem, Task, TaskName, TaskProblem, TaskStatus
from tests import fakes
from tests.fakes_tasks import MemoryLookupWriter, MemorySyncTargets, MemoryTaskRepository
from tests.seeded import migrated_postgres

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


@dataclass
class Ports:
    tasks: Any
    targets: Any
    writer: Any
    users: Any
    orgs: Any
    sites: Any
    uow: Any
    reader: Any = None


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def ports(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Ports]:
    if request.param == "memory":
        data = fakes.MemoryData()
        yield Ports(
            tasks=MemoryTaskRepository(),
            targets=MemorySyncTargets(data),
            writer=MemoryLookupWriter(),
            users=fakes.MemoryUserRepository(data),
            orgs=fakes.MemoryOrgRepository(data),
            sites=fakes.MemorySiteRepository(data),
            uow=fakes.MemoryUnitOfWork(data),
        )
        return
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'tasks.sqlite3'}"
    else:
        url = migrated_postgres(request)
    engine = database.create_engine(url)
    await database.upgrade(engine)
    async with database.session_factory(engine)() as session:
        yield Ports(
            tasks=SqlTaskRepository(session),
            targets=SqlSyncTargets(session),
            writer=SqlLookupWriter(session),
            users=SqlUserRepository(session),
            orgs=SqlOrgRepository(session),
            sites=SqlSiteRepository(session),
            uow=SqlUnitOfWork(session),
            reader=SqlLookupReader(session),
        )
    await engine.dispose()


async def a_task(ports: Ports, **changes: Any) -> Task:
    owner = User(id=uuid.uuid4(), username=f"owner-{uuid.uuid4().hex[:8]}")
    await ports.users.add(owner, None)
    task = Task(
        id=uuid.uuid4(),
        name=TaskName.SUBMIT_MANIFEST,
        owner_id=owner.id,
        created_at=NOW,
        payload={"manifest": {"status": "Pending"}, "siteId": "VATESTGEN001"},
        subject="000000001DFT",
        enqueued_at=NOW,
    )
    for key, value in changes.items():
        setattr(task, key, value)
    await ports.tasks.add(task)
    await ports.uow.commit()
    return task


async def test_a_task_round_trips(ports: Ports) -> None:
    task = await a_task(ports)
    assert await ports.tasks.get(task.id) == task
    assert await ports.tasks.get(uuid.uuid4()) is None


async def test_a_claim_starts_a_task_once_and_counts_the_attempt(ports: Ports) -> None:
    task = await a_task(ports)
    claimed = await ports.tasks.claim(task.id, at=NOW, lease_until=NOW + LEASE)
    assert claimed is not None
    assert (claimed.status, claimed.attempts) == (TaskStatus.STARTED, 1)
    assert (claimed.started_at, claimed.lease_until) == (NOW, NOW + LEASE)
    assert await ports.tasks.claim(task.id, at=NOW, lease_until=NOW + LEASE) is None
    # the lease runs out: another worker takes over
    later = NOW + LEASE
    again = await ports.tasks.claim(task.id, at=later, lease_until=later + LEASE)
    assert again is not None
    assert (again.attempts, again.started_at) == (2, NOW)
    assert await ports.tasks.claim(uuid.uuid4(), at=NOW, lease_until=NOW) is None


async def test_writes_are_fenced_by_the_attempt_that_holds_the_task(ports: Ports) -> None:
    task = await a_task(ports)
    await ports.tasks.claim(task.id, at=NOW, lease_until=NOW + LEASE)
    assert await ports.tasks.checkpoint(
        task.id,
        attempt=1,
        progress={"done": 3},
        state={"mtns": ["1", "2"], "at": "x"},
        lease_until=NOW + 2 * LEASE,
    )
    stored = await ports.tasks.get(task.id)
    assert (stored.progress, stored.state) == ({"done": 3}, {"mtns": ["1", "2"], "at": "x"})
    assert stored.lease_until == NOW + 2 * LEASE
    assert not await ports.tasks.checkpoint(
        task.id, attempt=2, progress={}, state={}, lease_until=NOW
    )
    assert not await ports.tasks.finish(task.id, attempt=2, status=TaskStatus.SUCCESS, at=NOW)
    result = {"manifestTrackingNumber": "100000001ELC", "warnings": []}
    assert await ports.tasks.finish(
        task.id, attempt=1, status=TaskStatus.SUCCESS, at=NOW, result=result
    )
    done = await ports.tasks.get(task.id)
    assert (done.status, done.result, done.done_at, done.lease_until) == (
        TaskStatus.SUCCESS,
        result,
        NOW,
        None,
    )
    assert not await ports.tasks.finish(task.id, attempt=1, status=TaskStatus.FAILURE, at=NOW)
    assert await ports.tasks.claim(task.id, at=NOW + LEASE * 10, lease_until=NOW) is None


async def test_a_retry_waits_and_keeps_the_error(ports: Ports) -> None:
    task = await a_task(ports)
    await ports.tasks.claim(task.id, at=NOW, lease_until=NOW + LEASE)
    problem = TaskProblem(
        title="Refused",
        detail="no",
        kind="validation",
        code="E_X",
        errors=(FieldProblem(field="wastes.0", message="bad", value="1"),),
    )
    due = NOW + timedelta(seconds=30)
    assert await ports.tasks.retry_later(task.id, attempt=1, not_before=due, error=problem)
    waiting = await ports.tasks.get(task.id)
    assert (waiting.status, waiting.error, waiting.not_before) == (
        TaskStatus.PENDING,
        problem,
        due,
    )
    assert await ports.tasks.claim(task.id, at=NOW, lease_until=NOW + LEASE) is None
    assert await ports.tasks.claim(task.id, at=due, lease_until=due + LEASE) is not None
    assert await ports.tasks.finish(
        task.id, attempt=2, status=TaskStatus.FAILURE, at=due, error=problem
    )
    assert (await ports.tasks.get(task.id)).error == problem


async def test_a_failed_task_reopens_once_for_a_new_run_keeping_its_attempts(
    ports: Ports,
) -> None:
    task = await a_task(ports)
    await ports.tasks.claim(task.id, at=NOW, lease_until=NOW + LEASE)
    problem = TaskProblem(title="RCRAInfo is unavailable", detail="gave up", kind="transient")
    assert not await ports.tasks.reopen(task.id, attempt=1, at=NOW, state={})  # not failed
    assert await ports.tasks.finish(
        task.id, attempt=1, status=TaskStatus.FAILURE, at=NOW, error=problem
    )
    later = NOW + timedelta(hours=2)
    state = {"saveStartedAt": "x", "runAfterAttempt": 1}
    assert not await ports.tasks.reopen(task.id, attempt=2, at=later, state=state)
    assert await ports.tasks.reopen(task.id, attempt=1, at=later, state=state)
    await ports.uow.commit()
    assert not await ports.tasks.reopen(task.id, attempt=1, at=later, state=state)  # once
    reopened = await ports.tasks.get(task.id)
    assert (reopened.status, reopened.attempts, reopened.state) == (
        TaskStatus.PENDING,
        1,
        state,
    )
    assert (reopened.started_at, reopened.done_at, reopened.result) == (None, None, None)
    assert (reopened.enqueued_at, reopened.error) == (later, problem)
    again = await ports.tasks.claim(task.id, at=later, lease_until=later + LEASE)
    assert again is not None
    assert (again.attempts, again.run_attempts, again.started_at) == (2, 1, later)


async def test_unfinished_tasks_are_found_by_name_and_subject(ports: Ports) -> None:
    first = await a_task(ports)
    await a_task(ports, created_at=NOW + timedelta(seconds=1))
    await a_task(ports, subject="other")
    found = await ports.tasks.active(TaskName.SUBMIT_MANIFEST, "000000001DFT")
    assert found is not None
    assert found.id == first.id
    assert await ports.tasks.active(TaskName.QUICKER_SIGN, "000000001DFT") is None
    await ports.tasks.finish(first.id, attempt=0, status=TaskStatus.FAILURE, at=NOW)
    assert (await ports.tasks.active(TaskName.SUBMIT_MANIFEST, "000000001DFT")).id != first.id


async def test_lost_and_orphaned_tasks_are_found_and_sent_again_once(ports: Ports) -> None:
    lost = await a_task(ports)
    orphan = await a_task(ports, created_at=NOW + timedelta(seconds=1))
    retrying = await a_task(ports, created_at=NOW + timedelta(seconds=2))
    done = await a_task(ports, created_at=NOW + timedelta(seconds=3))
    await ports.tasks.claim(orphan.id, at=NOW, lease_until=NOW + LEASE)
    await ports.tasks.claim(retrying.id, at=NOW, lease_until=NOW + LEASE)
    await ports.tasks.retry_later(
        retrying.id,
        attempt=1,
        not_before=NOW + timedelta(hours=1),
        error=TaskProblem(title="t", detail="d", kind="transient"),
    )
    await ports.tasks.finish(done.id, attempt=0, status=TaskStatus.SUCCESS, at=NOW)
    await ports.uow.commit()
    at = NOW + timedelta(minutes=10)
    due = await ports.tasks.due_for_requeue(at=at, grace_seconds=300, limit=10)
    assert [t.id for t in due] == [lost.id, orphan.id]
    assert await ports.tasks.mark_enqueued(lost.id, at=at, previous=NOW)
    assert not await ports.tasks.mark_enqueued(lost.id, at=at, previous=NOW)
    due = await ports.tasks.due_for_requeue(at=at, grace_seconds=300, limit=10)
    assert [t.id for t in due] == [orphan.id]
    assert await ports.tasks.release_started() == 1
    released = await ports.tasks.get(orphan.id)
    assert (released.status, released.enqueued_at) == (TaskStatus.PENDING, None)


async def test_pruning_deletes_only_old_finished_tasks(ports: Ports) -> None:
    old = await a_task(ports)
    recent = await a_task(ports)
    running = await a_task(ports)
    await ports.tasks.finish(old.id, attempt=0, status=TaskStatus.SUCCESS, at=NOW)
    await ports.tasks.finish(
        recent.id, attempt=0, status=TaskStatus.FAILURE, at=NOW + timedelta(days=2)
    )
    assert await ports.tasks.prune(finished_before=NOW + timedelta(days=1)) == 1
    assert await ports.tasks.get(old.id) is None
    assert await ports.tasks.get(recent.id) is not None
    assert await ports.tasks.get(running.id) is not None


async def test_sync_targets_are_the_sites_of_orgs_with_working_credentials(
    ports: Ports,
) -> None:
    orgs = []
    for slug, api_id, key, failing in [
        ("ready", "id-1", b"key", False),
        ("no-key", "id-2", None, False),
        ("failing", "id-3", b"key", True),
        ("no-id", None, b"key", False),
    ]:
        org = Org(
            id=uuid.uuid4(),
            name=slug,
            slug=slug,
            rcrainfo_api_id=api_id,
            rcrainfo_credentials_failing=failing,
        )
        await ports.orgs.add(org)
        await ports.orgs.set_api_key(org.id, key)
        orgs.append(org)
    for index, org in enumerate(orgs):
        for n in (2, 1):
            await ports.sites.add(
                Site(
                    id=uuid.uuid4(),
                    epa_id=f"VA{index}SITE000{n}",
                    name="site",
                    site_type=SiteType.GENERATOR,
                    org_id=org.id,
                )
            )
    await ports.uow.commit()
    targets = await ports.targets.sites_to_sync()
    assert [s.epa_id for s in targets] == ["VA0SITE0001", "VA0SITE0002"]


async def test_refreshed_codes_are_added_and_corrected_never_deleted(ports: Ports) -> None:
    first = [CodeDescription(code="X901", description="one"), CodeDescription(code="X902")]
    assert await ports.writer.upsert_federal_waste_codes(first) == 2
    assert await ports.writer.upsert_federal_waste_codes(first) == 0
    changed = [CodeDescription(code="X901", description="ONE")]
    assert await ports.writer.upsert_federal_waste_codes(changed) == 1
    assert await ports.writer.upsert_state_waste_codes("VA", changed) == 1
    assert await ports.writer.upsert_state_waste_codes("VA", changed) == 0
    if ports.reader is not None:
        await ports.uow.commit()
        codes = {c.code: c.description for c in await ports.reader.federal_waste_codes()}
        assert (codes["X901"], codes["X902"]) == ("ONE", "")
        assert "D001" in codes  # the seeded codes stay
        state = await ports.reader.state_waste_codes("VA")
        assert ("X901", "ONE") in {(c.code, c.description) for c in state}


async def test_an_owner_s_tasks_newest_first_a_page_at_a_time(ports: Ports) -> None:
    first = await a_task(ports)
    owner = first.owner_id
    assert owner is not None
    made = [first]
    for minutes in (1, 2, 3):
        task = Task(
            id=uuid.uuid4(),
            name=TaskName.SYNC_SITE_MANIFESTS,
            owner_id=owner,
            created_at=NOW + timedelta(minutes=minutes),
            subject="VATESTGEN001",
        )
        await ports.tasks.add(task)
        made.append(task)
    await ports.uow.commit()
    await a_task(ports, created_at=NOW + timedelta(minutes=9))  # someone else's

    newest = [t.id for t in reversed(made)]
    page = await ports.tasks.for_owner(owner, limit=3)
    assert [t.id for t in page] == newest[:3]
    last = page[-1]
    rest = await ports.tasks.for_owner(owner, limit=3, before=(last.created_at, last.id))
    assert [t.id for t in rest] == newest[3:]

    # still running, or failed since a time
    done = await ports.tasks.claim(made[1].id, at=NOW, lease_until=NOW + LEASE)
    assert done is not None
    problem = TaskProblem(title="Refused", detail="no", kind="unauthorized")
    await ports.tasks.finish(
        made[1].id, attempt=1, status=TaskStatus.FAILURE, at=NOW + timedelta(hours=1), error=problem
    )
    old = await ports.tasks.claim(made[2].id, at=NOW, lease_until=NOW + LEASE)
    assert old is not None
    await ports.tasks.finish(
        made[2].id, attempt=1, status=TaskStatus.FAILURE, at=NOW, error=problem
    )
    ok = await ports.tasks.claim(made[3].id, at=NOW, lease_until=NOW + LEASE)
    assert ok is not None
    await ports.tasks.finish(made[3].id, attempt=1, status=TaskStatus.SUCCESS, at=NOW)
    await ports.uow.commit()
    attention = await ports.tasks.for_owner(
        owner, limit=10, unfinished_or_failed_since=NOW + timedelta(minutes=30)
    )
    assert [t.id for t in attention] == [made[1].id, made[0].id]
    assert attention[0].error == problem
