"""The task lifecycle's rules: who may claim a task when, backoff, scheduler windows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from haztrak.domain.tasks import RetryPolicy, Task, TaskName, TaskStatus, window_key

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def a_task(**changes: object) -> Task:
    task = Task(id=uuid.uuid4(), name=TaskName.SYNC_SITE_MANIFESTS, owner_id=None, created_at=NOW)
    for key, value in changes.items():
        setattr(task, key, value)
    return task


def test_finished_tasks_are_success_and_failure() -> None:
    assert [s for s in TaskStatus if s.finished] == [TaskStatus.SUCCESS, TaskStatus.FAILURE]


def test_a_pending_task_is_claimable_once_it_is_due() -> None:
    assert a_task().claimable(NOW)
    waiting = a_task(not_before=NOW + timedelta(seconds=30))
    assert not waiting.claimable(NOW)
    assert waiting.busy_until(NOW) == NOW + timedelta(seconds=30)
    assert waiting.claimable(NOW + timedelta(seconds=30))


def test_a_started_task_is_claimable_when_its_lease_ran_out() -> None:
    held = a_task(status=TaskStatus.STARTED, lease_until=NOW + timedelta(minutes=5))
    assert not held.claimable(NOW)
    assert held.busy_until(NOW) == NOW + timedelta(minutes=5)
    assert held.claimable(NOW + timedelta(minutes=5))


@pytest.mark.parametrize("status", [TaskStatus.SUCCESS, TaskStatus.FAILURE])
def test_a_finished_task_is_never_claimed_again(status: TaskStatus) -> None:
    done = a_task(status=status)
    assert not done.claimable(NOW + timedelta(days=1))
    assert done.busy_until(NOW) is None
    assert not done.due_for_requeue(NOW + timedelta(days=1), timedelta(0))


def test_a_task_is_sent_again_when_its_message_is_overdue() -> None:
    grace = timedelta(minutes=5)
    sent = a_task(enqueued_at=NOW)
    assert not sent.due_for_requeue(NOW + timedelta(minutes=4), grace)
    assert sent.due_for_requeue(NOW + timedelta(minutes=6), grace)
    retrying = a_task(not_before=NOW + timedelta(hours=1), enqueued_at=NOW + timedelta(hours=1))
    assert not retrying.due_for_requeue(NOW + timedelta(minutes=30), grace)
    orphan = a_task(status=TaskStatus.STARTED, lease_until=NOW, enqueued_at=NOW - grace * 2)
    assert orphan.due_for_requeue(NOW, grace)


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=5, first_delay=10, max_delay=60)
    assert policy.delay(1, 0.0) == 5
    assert policy.delay(1, 0.999) == pytest.approx(10, abs=0.01)
    assert 10 <= policy.delay(2, 0.5) <= 20
    assert 20 <= policy.delay(3, 0.5) <= 40
    assert policy.delay(10, 0.999) <= 60
    assert policy.delay(10, 0.0) == 30
    assert not policy.gives_up_after(4)
    assert policy.gives_up_after(5)


def test_a_run_is_bounded_by_time_and_its_last_retry_comes_at_the_limit() -> None:
    policy = RetryPolicy(max_attempts=100, max_seconds=3600, first_delay=10, max_delay=900)
    assert policy.next_try(1, 0, 0.0) == 5
    assert policy.next_try(8, 3000, 0.999) == pytest.approx(600)  # brought forward
    assert policy.next_try(8, 3600, 0.5) is None
    assert policy.next_try(2, 4000, 0.5) is None
    assert RetryPolicy(max_attempts=3).next_try(3, 0, 0.5) is None


def test_an_owners_retry_starts_a_new_run_that_keeps_the_resume_state() -> None:
    failed = a_task(status=TaskStatus.FAILURE, attempts=7, state={"saveStartedAt": "x"})
    assert failed.run_attempts == 7
    again = a_task(status=TaskStatus.STARTED, attempts=8, state=failed.reopened())
    assert again.run_attempts == 1
    assert again.state["saveStartedAt"] == "x"


def test_schedulers_agree_on_time_windows() -> None:
    quarter = timedelta(minutes=15)
    first = window_key("sync", quarter, datetime(2026, 3, 1, 12, 0, 1, tzinfo=UTC))
    assert first == window_key("sync", quarter, datetime(2026, 3, 1, 12, 14, 59, tzinfo=UTC))
    assert first != window_key("sync", quarter, datetime(2026, 3, 1, 12, 15, tzinfo=UTC))
    assert first != window_key("refresh", quarter, datetime(2026, 3, 1, 12, 0, 1, tzinfo=UTC))
    assert TaskName.SYNC_SITE_MANIFESTS.bulk
    assert not TaskName.QUICKER_SIGN.bulk
