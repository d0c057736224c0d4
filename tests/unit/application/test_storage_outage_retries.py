"""A document storage outage is transient: the task waits and tries again with backoff (as for
RCRAInfo's 503s) instead of failing at once, and succeeds when the storage is back."""

from __future__ import annotations

import pytest

from haztrak.application.ports.storage import DocumentStoreUnavailable
from haztrak.application.tasks.run import problem_for
from haztrak.domain.identity import SiteRole
from haztrak.domain.tasks import TaskStatus
from tests.unit.application.task_world import GEN, World
from tests.unit.application.test_manifest_attachments import COR, stored_signed


@pytest.fixture
def world() -> World:
    return World()


def an_outage(world: World, times: int) -> None:
    put = world.documents.put
    left = [times]

    async def failing(key: str, data: bytes, content_type: str) -> None:
        if left[0]:
            left[0] -= 1
            raise DocumentStoreUnavailable("object storage refused a write (503)")
        await put(key, data, content_type)

    world.documents.put = failing  # type: ignore[method-assign]


async def test_a_storage_outage_is_retried_with_backoff_then_succeeds(world: World) -> None:
    stored = await stored_signed(world)
    world.rcrainfo.files[stored.mtn] = [COR]
    an_outage(world, times=2)
    task = await world.fetch_documents()(world.user(SiteRole.VIEWER, site=GEN), stored.mtn)

    first = await world.run(task.id)
    assert first.retry_in is not None
    assert 5 <= first.retry_in <= 10
    waiting = await world.task(task.id)
    assert waiting.status is TaskStatus.PENDING
    assert waiting.error is not None
    assert (waiting.error.kind, waiting.error.title) == ("transient", "Service unavailable")
    assert "refused a write" in waiting.error.detail
    world.clock.advance(first.retry_in)
    second = await world.run(task.id)
    assert second.retry_in is not None
    world.clock.advance(second.retry_in)
    assert (await world.run(task.id)).retry_in is None
    done = await world.task(task.id)
    assert (done.status, done.attempts) == (TaskStatus.SUCCESS, 3), done.error
    assert done.result["documents"] == ["cor-g.html"]


async def test_a_storage_outage_that_lasts_gives_up_saying_why(world: World) -> None:
    stored = await stored_signed(world)
    world.rcrainfo.files[stored.mtn] = [COR]
    an_outage(world, times=1000)
    task = await world.fetch_documents()(world.user(SiteRole.VIEWER, site=GEN), stored.mtn)
    await world.drain()
    done = await world.task(task.id)
    assert done.status is TaskStatus.FAILURE
    assert done.attempts > 1
    assert done.error is not None
    assert done.error.kind == "transient"
    assert "gave up after" in done.error.detail
    assert "refused a write" in done.error.detail


def test_the_problem_names_the_outage_as_transient() -> None:
    problem = problem_for(DocumentStoreUnavailable("object storage did not answer"))
    assert (problem.kind, problem.detail) == ("transient", "object storage did not answer")
