"""The task lifecycle on fakes: claims, retries with backoff, failures, leases, sweeps."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import timedelta
from typing import Any

import pytest

from haztrak.application.ports.rcrainfo import (
    RcrainfoError,
    RcrainfoErrorKind,
    RcrainfoProblem,
    RcrainfoUser,
)
from haztrak.application.ports.tasks import QueueUnavailable
from haztrak.application.rcrainfo.accounts import RcrainfoNotConfigured
from haztrak.application.tasks.policy import TaskPolicy
from haztrak.application.tasks.queries import GetTask
from haztrak.domain.errors import NotFound
from haztrak.domain.handlers import RcraSite, SiteType
from haztrak.domain.identity import RcraSitePermission, SiteRole
from haztrak.domain.tasks import RetryPolicy, TaskName, TaskStatus
from tests.fakes_rcrainfo import transient
from tests.polling import eventually
from tests.unit.application.task_world import GEN, World


@pytest.fixture
def world() -> World:
    return World()


async def _profile_sync(world: World) -> uuid.UUID:
    user = world.user()
    world.rcra_user(user)
    world.rcrainfo.users["rcra-user"] = RcrainfoUser(
        user_id="rcra-user",
        permissions=[
            RcraSitePermission(epa_site_id=GEN, site_management=True, emanifest="Certifier")
        ],
    )
    task = await world.sync_profile()(user)
    return task.id


async def test_a_task_runs_once_and_records_its_result(world: World) -> None:
    task_id = await _profile_sync(world)
    assert (await world.task(task_id)).status is TaskStatus.PENDING
    await world.drain()
    task = await world.task(task_id)
    assert task.status is TaskStatus.SUCCESS
    assert task.attempts == 1
    assert task.result == {"rcraUsername": "rcra-user", "sites": [GEN]}
    assert task.done_at == world.clock.now()
    # delivered again (at-least-once queues do that): nothing runs twice
    assert (await world.run(task_id)).retry_in is None
    assert world.rcrainfo.count("search_users") == 1


async def test_transient_errors_retry_with_backoff_until_success(world: World) -> None:
    task_id = await _profile_sync(world)
    world.rcrainfo.fail_next("search_users", transient(), times=2)
    first = await world.run(task_id)
    assert first.retry_in is not None
    assert 5 <= first.retry_in <= 10
    waiting = await world.task(task_id)
    assert waiting.status is TaskStatus.PENDING
    assert waiting.error is not None
    assert waiting.error.kind == "transient"
    # too early: the queue is told to come back when it is due
    early = await world.run(task_id)
    assert early.retry_in == pytest.approx(first.retry_in)
    world.clock.advance(first.retry_in)
    second = await world.run(task_id)
    assert second.retry_in is not None
    assert 10 <= second.retry_in <= 20
    world.clock.advance(second.retry_in)
    assert (await world.run(task_id)).retry_in is None
    done = await world.task(task_id)
    assert (done.status, done.attempts) == (TaskStatus.SUCCESS, 3)


async def test_a_task_that_exhausts_its_retries_stays_a_failure_with_the_reason(
    world: World,
) -> None:
    task_id = await _profile_sync(world)
    world.rcrainfo.fail_next("search_users", transient("RCRAInfo answered 503"), times=5)
    await world.drain()
    task = await world.task(task_id)
    assert (task.status, task.attempts) == (TaskStatus.FAILURE, 3)
    assert task.error is not None
    assert task.error.kind == "transient"
    assert re.fullmatch(
        r"gave up after 3 attempts in \d+ s \(the most attempts a task makes\); the last "
        r"error: RCRAInfo answered 503\. Nothing done so far is lost: retry the task and it "
        r"resumes where it stopped\.",
        task.error.detail,
    )


async def test_a_run_is_bounded_by_time_not_by_a_small_count_of_attempts() -> None:
    world = World(
        TaskPolicy(
            retry=RetryPolicy(max_attempts=100, max_seconds=600, first_delay=10, max_delay=60),
            lease=timedelta(minutes=5),
            wait=timedelta(0),
        )
    )
    task_id = await _profile_sync(world)
    world.rcrainfo.fail_next("search_users", transient("RCRAInfo answered 503"), times=1000)
    started = world.clock.now()
    await world.drain()
    task = await world.task(task_id)
    assert task.status is TaskStatus.FAILURE
    assert task.attempts > 10
    assert world.clock.now() - started == timedelta(seconds=600)  # the last try at the limit
    assert task.error is not None
    assert "(the time a task keeps trying)" in task.error.detail
    assert "in 10 min" in task.error.detail


async def test_a_validation_error_fails_at_once_with_epas_field_errors(world: World) -> None:
    task_id = await _profile_sync(world)
    world.rcrainfo.fail_next(
        "search_users",
        RcrainfoError(
            RcrainfoErrorKind.VALIDATION,
            "invalid criteria",
            code="E_InvalidUserId",
            field_errors=[RcrainfoProblem(message="bad", field="Emanifest.userId", value="x")],
        ),
    )
    await world.drain()
    task = await world.task(task_id)
    assert (task.status, task.attempts) == (TaskStatus.FAILURE, 1)
    assert task.error is not None
    assert (task.error.kind, task.error.code) == ("validation", "E_InvalidUserId")
    assert [(e.field, e.message, e.value) for e in task.error.errors] == [("userId", "bad", "x")]


async def test_a_gateways_bare_401_fails_the_task_but_does_not_flag_the_credentials(
    world: World,
) -> None:
    """EPA refuses a key with E_SecurityApiInvalidCredentials, E_SecurityApiIdLocked or
    E_SecurityApiInvalidStatus (NOTES §1.3); a 401 without one of them says nothing of the key."""
    user = world.user(SiteRole.VIEWER)
    world.rcrainfo.fail_next(
        "search_manifests",
        RcrainfoError(RcrainfoErrorKind.UNAUTHORIZED, "RCRAInfo answered HTTP 401"),
    )
    task = await world.sync()(user, GEN)
    await world.drain()
    failed = await world.task(task.id)
    assert (failed.status, failed.attempts) == (TaskStatus.FAILURE, 1)
    assert not world.data.orgs[world.org_of[GEN].id].rcrainfo_credentials_failing


async def test_refused_org_credentials_fail_at_once_and_are_flagged(world: World) -> None:
    user = world.user(SiteRole.VIEWER)
    world.rcrainfo.accounts["id-" + GEN] = "a-key-rcrainfo-has-now"
    task = await world.sync()(user, GEN)
    await world.drain()
    failed = await world.task(task.id)
    assert (failed.status, failed.attempts) == (TaskStatus.FAILURE, 1)
    assert failed.error is not None
    assert failed.error.kind == "unauthorized"
    org = world.data.orgs[world.org_of[GEN].id]
    assert org.rcrainfo_credentials_failing
    assert world.rcrainfo.count("search_manifests") == 1
    with pytest.raises(RcrainfoNotConfigured, match="refused the credentials"):
        await world.sync()(user, GEN)


async def test_a_task_held_by_a_live_worker_waits_and_a_dead_workers_is_taken_over(
    world: World,
) -> None:
    task_id = await _profile_sync(world)
    now = world.clock.now()
    claimed = await world.tasks.claim(task_id, at=now, lease_until=now + timedelta(minutes=5))
    assert claimed is not None
    assert claimed.attempts == 1
    busy = await world.run(task_id)  # the same message delivered twice
    assert busy.retry_in == pytest.approx(300)
    assert world.rcrainfo.count("search_users") == 0
    world.clock.advance(300)  # the first worker died: its lease ran out
    assert (await world.run(task_id)).retry_in is None
    task = await world.task(task_id)
    assert (task.status, task.attempts) == (TaskStatus.SUCCESS, 2)
    # the first worker wakes up: its writes are fenced off
    assert not await world.tasks.finish(
        task_id, attempt=1, status=TaskStatus.FAILURE, at=world.clock.now()
    )


async def test_unexpected_errors_retry_and_say_nothing_of_their_cause(world: World) -> None:
    task_id = await _profile_sync(world)

    async def broken(*args: object, **kwargs: object) -> list[RcrainfoUser]:
        raise RuntimeError("secret internals")

    world.rcrainfo.search_users = broken  # type: ignore[method-assign]
    await world.drain()
    task = await world.task(task_id)
    assert (task.status, task.attempts) == (TaskStatus.FAILURE, 3)
    assert task.error is not None
    assert task.error.kind == "internal"
    assert "secret" not in task.error.detail


async def test_a_queue_that_refuses_the_message_fails_the_task_at_once(world: World) -> None:
    user = world.user()
    world.rcra_user(user)
    world.queue.down = True
    with pytest.raises(QueueUnavailable):
        await world.sync_profile()(user)
    (task,) = world.tasks.tasks.values()
    assert task.status is TaskStatus.FAILURE
    assert task.error is not None
    assert task.error.title == "Queue unavailable"


async def test_lost_messages_and_dead_workers_tasks_are_sent_again_once(world: World) -> None:
    task_id = await _profile_sync(world)
    world.queue.sent.clear()  # the message is lost
    assert await world.requeue()() == 0  # not yet overdue
    world.clock.advance(301)
    assert await world.requeue()() == 1
    assert await world.requeue()() == 0  # another sweeper right after: not twice
    assert world.queue.ids == [task_id]
    world.queue.sent.clear()
    now = world.clock.now()
    await world.tasks.claim(task_id, at=now, lease_until=now + timedelta(minutes=5))
    world.clock.advance(301)  # its worker died
    assert await world.requeue()() == 1
    await world.drain()
    assert (await world.task(task_id)).status is TaskStatus.SUCCESS


async def test_only_the_owner_reads_a_task(world: World) -> None:
    task_id = await _profile_sync(world)
    owner = world.data.users[next(iter(world.data.profiles))]
    assert (await GetTask(world.tasks)(owner, task_id)).id == task_id
    with pytest.raises(NotFound):
        await GetTask(world.tasks)(world.user(), task_id)
    with pytest.raises(NotFound):
        await GetTask(world.tasks)(owner, uuid.uuid4())


async def test_pruning_deletes_finished_tasks_past_retention(world: World) -> None:
    old = await _profile_sync(world)
    await world.drain()
    world.clock.advance(31 * 24 * 3600)
    world.rcrainfo.sites["VAOTHER00001"] = RcraSite(
        epa_site_id="VAOTHER00001", site_type=SiteType.GENERATOR, name="Other"
    )
    unfinished = (await world.sync()(world.user(SiteRole.VIEWER), GEN)).id
    world.queue.sent.clear()
    prune = await world.schedule_pruning()()
    assert prune is not None
    assert await world.schedule_pruning()() is None  # one at a time
    await world.drain()
    done = await world.task(prune.id)
    assert done.status is TaskStatus.SUCCESS
    assert done.result["deleted"] == 1
    assert await world.tasks.get(old) is None
    assert await world.tasks.get(unfinished) is not None
    assert done.name is TaskName.PRUNE_TASKS


async def test_a_running_worker_keeps_renewing_its_lease(world: World) -> None:
    world.policy = TaskPolicy(
        retry=world.policy.retry, lease=timedelta(milliseconds=60), wait=timedelta(0)
    )
    task_id = await _profile_sync(world)
    release = asyncio.Event()
    answered = world.rcrainfo.search_users

    async def slow(*args: Any, **kwargs: Any) -> list[RcrainfoUser]:
        await release.wait()
        return await answered(*args, **kwargs)

    world.rcrainfo.search_users = slow  # type: ignore[method-assign]
    running = asyncio.create_task(world.run(task_id))
    first = await eventually(lambda: _lease(world, task_id))
    world.clock.advance(10)
    renewed = await eventually(lambda: _lease(world, task_id, after=first))
    assert renewed == world.clock.now() + world.policy.lease
    release.set()
    assert (await running).retry_in is None
    assert (await world.task(task_id)).status is TaskStatus.SUCCESS


async def _lease(world: World, task_id: uuid.UUID, after: Any = None) -> Any:
    task = await world.task(task_id)
    if task.lease_until is None or (after is not None and task.lease_until <= after):
        return None
    return task.lease_until
