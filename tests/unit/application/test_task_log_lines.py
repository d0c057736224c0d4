"""What a task's log line says when it meets a concurrent write: why, and that nothing is lost."""

from __future__ import annotations

import logging

import pytest

from haztrak.application.tasks.errors import ConcurrentUpdate
from tests.unit.application.task_world import World
from tests.unit.application.test_task_runner import _profile_sync


async def test_a_concurrent_update_is_explained(caplog: pytest.LogCaptureFixture) -> None:
    world = World()
    task_id = await _profile_sync(world)
    clash = ConcurrentUpdate("manifest 123456789ELC was written by another task")
    world.rcrainfo.fail_next("search_users", clash)  # type: ignore[arg-type]
    with caplog.at_level(logging.INFO):
        outcome = await world.run(task_id)
    assert outcome.retry_in is not None
    (line,) = [r.getMessage() for r in caplog.records if "123456789ELC" in r.getMessage()]
    assert "at the same moment (sites that share a manifest sync at once)" in line
    assert f"nothing is lost: retry in {outcome.retry_in:.1f}s" in line
    assert "Concurrent update" not in line
