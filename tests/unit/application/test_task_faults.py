"""Background work under faults, on fakes: the check before a save is sent again resumes where
it stopped, and a failed task's owner runs it again."""

from __future__ import annotations

import uuid
from datetime import timedelta

import msgspec
import pytest

from haztrak.application.ports.manifests import StoredManifest
from haztrak.application.ports.rcrainfo import RcrainfoUser
from haztrak.application.ports.tasks import QueueUnavailable
from haztrak.application.tasks.retry import RetryTask
from haztrak.domain.errors import Conflict, NotFound
from haztrak.domain.identity import SiteRole, User
from haztrak.domain.tasks import Task, TaskStatus
from tests.fakes_rcrainfo import transient
from tests.manifest_documents import a_manifest, encoded
from tests.unit.application.task_world import GEN, World


@pytest.fixture
def world() -> World:
    return World()


async def _draft(world: World) -> StoredManifest:
    number = await world.manifests.next_draft_number()
    now = world.clock.now()
    stored = StoredManifest(
        id=uuid.uuid4(),
        manifest=a_manifest(mtn=f"{number:09d}DFT"),
        version=1,
        created_at=now,
        updated_at=now,
        owner_org_id=world.org_of[GEN].id,
        owner_site=GEN,
    )
    await world.manifests.add(stored)
    return stored


async def _submit(world: World, draft: StoredManifest) -> Task:
    document = msgspec.to_builtins(draft.manifest)
    document["status"] = "Scheduled"
    return await world.submit()(world.user(SiteRole.PREPARER), encoded(document))


def _others_in_rcrainfo(world: World, count: int) -> list[str]:
    """Manifests of the same site that other work saved in e-Manifest meanwhile."""
    numbers = [f"{900_000_001 + n:09d}ELC" for n in range(count)]
    for mtn in numbers:
        world.rcrainfo.store(a_manifest(mtn=mtn, status="Scheduled"))
    return numbers


async def _attempt(world: World, task: Task) -> float | None:
    outcome = await world.run(task.id)
    if outcome.retry_in is not None:
        world.clock.advance(outcome.retry_in)
    return outcome.retry_in


async def test_a_reconcile_that_meets_an_error_goes_on_where_it_stopped(world: World) -> None:
    draft = await _draft(world)
    _others_in_rcrainfo(world, 6)
    world.rcrainfo.lose_save_answers = 1  # saved in e-Manifest; the answer was lost
    task = await _submit(world, draft)
    assert await _attempt(world, task) is not None
    world.rcrainfo.fail_after("get_manifest", 2, transient())
    assert await _attempt(world, task) is not None  # two manifests checked, then a 503
    checked = (await world.task(task.id)).state["notSaved"]
    assert len(checked) == 2
    assert await _attempt(world, task) is None
    done = await world.task(task.id)
    assert done.status is TaskStatus.SUCCESS, done.error
    # 2 + the failed one; then the 4 left and ours; then ours to store it: none twice
    assert world.rcrainfo.count("get_manifest") == 3 + 5 + 1
    assert world.rcrainfo.count("save_manifest") == 1
    assert done.result["manifestTrackingNumber"].startswith("100")


async def test_a_reconcile_reads_manifests_stored_here_from_their_local_copy(
    world: World,
) -> None:
    for mtn in _others_in_rcrainfo(world, 5):
        await world.manifests.upsert_by_mtn(
            world.rcrainfo.manifests[mtn], owner_org_id=world.org_of[GEN].id, at=world.clock.now()
        )
    draft = await _draft(world)
    world.rcrainfo.lose_save_answers = 1
    task = await _submit(world, draft)
    await world.drain()
    done = await world.task(task.id)
    assert done.status is TaskStatus.SUCCESS, done.error
    assert world.rcrainfo.count("get_manifest") == 2  # ours, found; ours, stored
    assert world.rcrainfo.count("save_manifest") == 1


async def test_a_save_sent_again_still_finds_the_save_of_any_earlier_attempt(
    world: World,
) -> None:
    draft = await _draft(world)
    world.rcrainfo.fail_next("save_manifest", transient())  # never reached e-Manifest
    task = await _submit(world, draft)
    assert await _attempt(world, task) is not None
    first = (await world.task(task.id)).state["saveStartedAt"]
    world.clock.advance(1800)
    world.rcrainfo.lose_save_answers = 1  # the second save lands, its answer is lost
    assert await _attempt(world, task) is not None
    assert (await world.task(task.id)).state["saveStartedAt"] == first
    await world.drain()
    done = await world.task(task.id)
    assert done.status is TaskStatus.SUCCESS, done.error
    assert world.rcrainfo.count("save_manifest") == 2
    assert len(world.rcrainfo.manifests) == 1


async def test_a_draft_submitted_meanwhile_is_not_sent_again(world: World) -> None:
    draft = await _draft(world)
    world.rcrainfo.fail_next("save_manifest", transient())
    task = await _submit(world, draft)
    assert await _attempt(world, task) is not None
    await world.manifests.delete(draft.id, expected_version=draft.version)
    await world.drain()
    done = await world.task(task.id)
    assert done.status is TaskStatus.FAILURE
    assert done.error is not None
    assert done.error.kind == "conflict"
    assert "submitted or deleted since this task began" in done.error.detail
    assert not world.rcrainfo.manifests
    assert world.clock.now() - done.created_at < timedelta(hours=1)


# --- an owner's retry -----------------------------------------------------------------------


def _retry(world: World) -> RetryTask:
    return RetryTask(world.tasks, world.queue, world.auditor, world.clock, world.uow)


async def _failed_profile_sync(world: World) -> tuple[User, Task]:
    user = world.user()
    world.rcra_user(user)
    world.rcrainfo.users["rcra-user"] = RcrainfoUser(user_id="rcra-user", permissions=[])
    task = await world.sync_profile()(user)
    world.rcrainfo.fail_next("search_users", transient(), times=3)  # the World's cap is 3
    await world.drain()
    failed = await world.task(task.id)
    assert (failed.status, failed.attempts) == (TaskStatus.FAILURE, 3)
    return user, failed


async def test_the_owner_runs_a_failed_task_again_as_a_new_run(world: World) -> None:
    user, failed = await _failed_profile_sync(world)
    reopened = await _retry(world)(user, failed.id)
    assert (reopened.id, reopened.status) == (failed.id, TaskStatus.PENDING)
    assert reopened.error == failed.error  # the last error shows until the new run ends
    assert world.queue.ids == [failed.id]
    assert world.data.audit[-1].action == "retry_task"
    # asked twice (a double click): the same task, sent once
    assert (await _retry(world)(user, failed.id)).id == failed.id
    assert world.queue.ids == [failed.id]
    await world.drain()
    done = await world.task(failed.id)
    assert (done.status, done.attempts, done.run_attempts) == (TaskStatus.SUCCESS, 4, 1)


async def test_only_the_owner_retries_and_only_a_failed_task(world: World) -> None:
    user, failed = await _failed_profile_sync(world)
    with pytest.raises(NotFound):
        await _retry(world)(world.user(), failed.id)
    with pytest.raises(NotFound):
        await _retry(world)(user, uuid.uuid4())
    await _retry(world)(user, failed.id)
    await world.drain()
    with pytest.raises(Conflict, match="only a failed task can be retried"):
        await _retry(world)(user, failed.id)


async def test_a_new_run_has_the_policys_attempts_afresh(world: World) -> None:
    user, failed = await _failed_profile_sync(world)
    world.rcrainfo.fail_next("search_users", transient(), times=3)
    await _retry(world)(user, failed.id)
    await world.drain()
    again = await world.task(failed.id)
    assert (again.status, again.attempts, again.run_attempts) == (TaskStatus.FAILURE, 6, 3)
    assert again.error is not None
    assert again.error.detail.startswith("gave up after 3 attempts")


async def test_a_retry_the_queue_refuses_fails_again_at_once(world: World) -> None:
    user, failed = await _failed_profile_sync(world)
    world.queue.down = True
    with pytest.raises(QueueUnavailable):
        await _retry(world)(user, failed.id)
    task = await world.task(failed.id)
    assert task.status is TaskStatus.FAILURE
    assert task.error is not None
    assert task.error.title == "Queue unavailable"
