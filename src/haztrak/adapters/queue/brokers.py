"""Dramatiq brokers: Redis in production, dramatiq's in-memory broker inside the embedded
server. Messages carry a task id and nothing else; the task record holds the arguments.

Two queues: interactive work (a person is waiting for it) and bulk work (site syncs, lookup
refreshes, pruning), whose actor has a lower priority so a worker busy with a long sync still
takes a Quicker Sign first.
"""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import (
    AgeLimit,
    Callbacks,
    Middleware,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)

from haztrak.domain.tasks import RetryPolicy, TaskName

QUEUE = "haztrak"
BULK_QUEUE = "haztrak-bulk"
ACTOR = "run_task"
BULK_ACTOR = "run_bulk_task"
REDIS_NAMESPACE = "haztrak-queue"
INTERACTIVE_TIME_LIMIT_MS = 10 * 60 * 1000
BULK_TIME_LIMIT_MS = 2 * 60 * 60 * 1000


def route(name: TaskName) -> tuple[str, str]:
    """The queue and actor a task of this name goes to."""
    return (BULK_QUEUE, BULK_ACTOR) if name.bulk else (QUEUE, ACTOR)


def _middleware(retry: RetryPolicy) -> list[Middleware]:
    limit = retry.max_attempts

    def retry_when(retries: int, exception: BaseException) -> bool:
        # A task asks for its own retries (dramatiq.Retry) and counts attempts itself; other
        # errors reached the actor before any task was claimed (the database was down).
        return isinstance(exception, dramatiq.Retry) or retries < limit

    return [
        AgeLimit(),
        TimeLimit(time_limit=INTERACTIVE_TIME_LIMIT_MS),
        ShutdownNotifications(),
        Callbacks(),
        Pipelines(),
        Retries(
            min_backoff=max(int(retry.first_delay * 1000), 100),
            max_backoff=max(int(retry.max_delay * 1000), 100),
            retry_when=retry_when,
        ),
    ]


def create_broker(redis_url: str | None, retry: RetryPolicy) -> dramatiq.Broker:
    """A Redis broker when a URL is given, else an in-memory one for a single process."""
    broker: dramatiq.Broker
    if redis_url:
        broker = RedisBroker(  # type: ignore[no-untyped-call]
            url=redis_url, middleware=_middleware(retry), namespace=REDIS_NAMESPACE
        )
    else:
        broker = StubBroker(middleware=_middleware(retry))
    broker.declare_queue(QUEUE)
    broker.declare_queue(BULK_QUEUE)
    return broker
