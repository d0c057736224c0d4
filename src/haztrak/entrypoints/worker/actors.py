"""The actors: thin drivers that hand a task id to the process's task runner.

There is no module-level broker: `declare_actors` binds the actors to the broker the process
built from its settings, so the broker is configured before any actor exists.
"""

from __future__ import annotations

from collections.abc import Callable

import dramatiq

from haztrak.adapters.queue.brokers import (
    ACTOR,
    BULK_ACTOR,
    BULK_QUEUE,
    BULK_TIME_LIMIT_MS,
    INTERACTIVE_TIME_LIMIT_MS,
    QUEUE,
)

Execute = Callable[[str], float | None]
"""Runs the task with this id; returns seconds after which to deliver it again, or None."""


def declare_actors(broker: dramatiq.Broker, execute: Execute) -> None:
    def run_task(task_id: str) -> None:
        retry_in = execute(task_id)
        if retry_in is not None:
            raise dramatiq.Retry(delay=max(int(retry_in * 1000), 1))

    dramatiq.actor(
        broker=broker,
        actor_name=ACTOR,
        queue_name=QUEUE,
        priority=0,
        time_limit=INTERACTIVE_TIME_LIMIT_MS,
    )(run_task)
    dramatiq.actor(
        broker=broker,
        actor_name=BULK_ACTOR,
        queue_name=BULK_QUEUE,
        priority=10,  # lower runs first: interactive work overtakes a long sync
        time_limit=BULK_TIME_LIMIT_MS,
    )(run_task)
