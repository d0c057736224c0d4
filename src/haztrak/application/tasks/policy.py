"""How background tasks are run: retries, leases, how long finished tasks are kept."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import msgspec

from haztrak.domain.tasks import RetryPolicy, TaskName


class TaskPolicy(msgspec.Struct, frozen=True, kw_only=True):
    retry: RetryPolicy = RetryPolicy()
    lease: timedelta = timedelta(minutes=1)
    """How long a worker holds a task without a sign of life before another may take it over
    (a running worker renews it every third of that); a lost message is sent again after the
    same time."""
    retention: timedelta = timedelta(days=30)
    """Finished tasks older than this are deleted."""
    wait: timedelta = timedelta(seconds=10)
    """How long a request that needs an answer from RCRAInfo waits for its task."""
    retries: Mapping[TaskName, RetryPolicy] = msgspec.field(default_factory=dict)
    """Retry policies of the tasks that do not follow `retry` (webhook deliveries: a day)."""

    def retry_for(self, name: TaskName) -> RetryPolicy:
        return self.retries.get(name, self.retry)
