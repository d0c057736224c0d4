"""Tasks through the real queue and worker, on each backend: the in-memory broker with SQLite,
and Redis with PostgreSQL. RCRAInfo is the fake; the end-to-end suite runs the sandbox."""

from __future__ import annotations

import asyncio
import socket
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dramatiq
import pytest
from dishka import AsyncContainer

from haztrak.adapters.queue.brokers import create_broker
from haztrak.adapters.queue.dramatiq_queue import DramatiqTaskQueue
from haztrak.adapters.queue.locks import RedisJobLock
from haztrak.application.ports.manifests import ManifestReader
from haztrak.application.ports.persistence import UnitOfWork, UserRepository
from haztrak.application.ports.security import Clock
from haztrak.application.ports.tasks import (
    JobLock,
    QueueUnavailable,
    TaskQueue,
    TaskRepository,
)
from haztrak.application.rcrainfo.manifests import SyncSiteManifests
from haztrak.application.tasks.launch import TaskLauncher
from haztrak.application.tasks.schedule import ScheduleSiteSyncs
from haztrak.domain.identity import User
from haztrak.domain.tasks import RetryPolicy, Task, TaskName, TaskStatus
from haztrak.entrypoints.scheduler.jobs import Job, Scheduler
from haztrak.entrypoints.settings import Settings
from haztrak.entrypoints.worker.embedded import embedded_background
from tests.fakes_rcrainfo import FakeRcrainfo, transient
from tests.integration.tasks.support import (
    background_container,
    fake_rcrainfo,
    finished_task,
    running_worker,
    seeded,
    task_settings,
)
from tests.manifest_documents import a_manifest

GEN = "VATESTGEN001"


async def _user(container: AsyncContainer, username: str = "testuser1") -> User:
    async with container() as scope:
        user = await (await scope.get(UserRepository)).by_username(username)
    assert user is not None
    return user


def _remote_manifests(rcrainfo: FakeRcrainfo, count: int) -> list[str]:
    numbers = [f"{300_000_000 + n:09d}ELC" for n in range(count)]
    for mtn in numbers:
        rcrainfo.store(a_manifest(mtn=mtn, status="Pending"))
    rcrainfo.clock.advance(60)
    return numbers


async def _sync(container: AsyncContainer, user: User) -> Task:
    async with container() as scope:
        sync = await scope.get(SyncSiteManifests)
        return await sync(user, GEN)


async def test_a_task_started_by_a_request_is_run_by_a_worker(
    container: AsyncContainer, rcrainfo: FakeRcrainfo
) -> None:
    numbers = _remote_manifests(rcrainfo, 12)
    user = await _user(container)
    async with running_worker(container):
        task = await _sync(container, user)
        done = await finished_task(container, task.id)
    assert done.status is TaskStatus.SUCCESS, done.error
    assert done.result["manifests"] == 12
    async with container() as scope:
        manifests = await scope.get(ManifestReader)
        for mtn in numbers:
            assert await manifests.by_mtn(mtn) is not None


async def test_transient_failures_are_retried_through_the_queue(
    container: AsyncContainer, rcrainfo: FakeRcrainfo
) -> None:
    _remote_manifests(rcrainfo, 2)
    rcrainfo.fail_next("search_manifests", transient(), times=2)
    async with running_worker(container):
        task = await _sync(container, await _user(container))
        done = await finished_task(container, task.id)
    assert (done.status, done.attempts) == (TaskStatus.SUCCESS, 3)
    assert rcrainfo.count("search_manifests") == 3


async def test_a_task_delivered_twice_runs_once(
    container: AsyncContainer, rcrainfo: FakeRcrainfo
) -> None:
    _remote_manifests(rcrainfo, 1)
    async with running_worker(container, threads=4):
        task = await _sync(container, await _user(container))
        queue = await container.get(TaskQueue)
        for _ in range(3):
            await queue.enqueue(task)
        done = await finished_task(container, task.id)
        # the extra deliveries find it finished (or held) and do nothing
        for _ in range(3):
            await queue.enqueue(task)
        await finished_task(container, task.id)
    assert (done.status, done.attempts) == (TaskStatus.SUCCESS, 1)
    assert rcrainfo.count("search_manifests") == 1


async def test_a_task_whose_message_was_lost_is_sent_again(
    container: AsyncContainer, rcrainfo: FakeRcrainfo, settings: Settings
) -> None:
    _remote_manifests(rcrainfo, 1)
    async with container() as scope:
        now = (await scope.get(Clock)).now()
        lost = Task(
            id=uuid.uuid4(),
            name=TaskName.SYNC_SITE_MANIFESTS,
            owner_id=None,
            created_at=now,
            payload={"siteId": GEN},
            subject=GEN,
            enqueued_at=now - timedelta(seconds=settings.tasks.lease_seconds + 1),
        )
        await (await scope.get(TaskRepository)).add(lost)
        await (await scope.get(UnitOfWork)).commit()
    async with running_worker(container):  # its sweeper finds the task
        done = await finished_task(container, lost.id)
    assert done.status is TaskStatus.SUCCESS


async def test_the_embedded_server_picks_up_what_its_last_run_left(tmp_path: Path) -> None:
    settings = task_settings(tmp_path)
    rcrainfo = fake_rcrainfo()
    _remote_manifests(rcrainfo, 1)
    container = background_container(settings, rcrainfo)
    try:
        await seeded(settings, container)
        task = await _sync(container, await _user(container))  # its message dies with the queue
        async with container() as scope:
            tasks = await scope.get(TaskRepository)
            now = (await scope.get(Clock)).now()
            await tasks.claim(task.id, at=now, lease_until=now + timedelta(hours=1))
            await (await scope.get(UnitOfWork)).commit()
        async with embedded_background(container, settings, schedule=False):
            done = await finished_task(container, task.id)
        assert (done.status, done.attempts) == (TaskStatus.SUCCESS, 2)
    finally:
        await container.close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_broker_that_does_not_answer_is_reported_not_hung_on(tmp_path: Path) -> None:
    broker = create_broker(f"redis://127.0.0.1:{_closed_port()}/0", RetryPolicy())
    task = Task(
        id=uuid.uuid4(), name=TaskName.PRUNE_TASKS, owner_id=None, created_at=datetime.now(UTC)
    )
    with pytest.raises(QueueUnavailable):
        await DramatiqTaskQueue(broker).enqueue(task)
    broker.close()


async def test_the_job_lock_is_taken_once_per_key(flushed_redis: str) -> None:
    first, second = RedisJobLock.from_url(flushed_redis), RedisJobLock.from_url(flushed_redis)
    try:
        assert await first.acquire("sync:900:1", 60)
        assert not await second.acquire("sync:900:1", 60)
        assert await second.acquire("sync:900:2", 60)
    finally:
        await first.close()
        await second.close()
    down = RedisJobLock.from_url(f"redis://127.0.0.1:{_closed_port()}/0")
    assert not await down.acquire("sync:900:3", 60)  # unreachable: skip, never run twice
    await down.close()


async def test_two_schedulers_start_each_job_once(
    tmp_path: Path, postgres_databases: object, flushed_redis: str
) -> None:
    settings = task_settings(
        tmp_path,
        HT_DATABASE_URL=postgres_databases.create(),  # type: ignore[attr-defined]
        HT_REDIS_URL=flushed_redis,
    )
    containers = [background_container(settings, fake_rcrainfo()) for _ in range(2)]
    try:
        await seeded(settings, containers[0])
        job = Job("sync-sites", timedelta(days=1), ScheduleSiteSyncs)
        schedulers = [
            Scheduler(c, await c.get(JobLock), await c.get(Clock), [job]) for c in containers
        ]
        ran = await asyncio.gather(*(s.run_job(job) for s in schedulers))
        assert sorted(ran) == [False, True]
        async with containers[0]() as scope:
            tasks = await scope.get(TaskRepository)
            for site in ("VATESTGEN001", "MOCKTRANS001", "MOCKTRANS002"):
                assert await tasks.active(TaskName.SYNC_SITE_MANIFESTS, site) is not None
        broker = await containers[0].get(dramatiq.Broker)
        assert broker.client.llen("haztrak-queue:haztrak-bulk") == 3  # type: ignore[attr-defined]
    finally:
        for c in containers:
            await c.close()


async def test_the_launcher_records_before_it_enqueues(container: AsyncContainer) -> None:
    async with container() as scope:
        launcher = await scope.get(TaskLauncher)
        task = await launcher.launch(TaskName.PRUNE_TASKS, owner=None, payload={})
    async with container() as scope:
        stored = await (await scope.get(TaskRepository)).get(task.id)
    assert stored is not None
    assert stored.status is TaskStatus.PENDING
