"""The TaskQueue port on a Dramatiq broker."""

from __future__ import annotations

import asyncio

import dramatiq
from dramatiq.errors import BrokerError
from redis.exceptions import RedisError

from haztrak.adapters.cache.redis import redis_problem
from haztrak.adapters.queue.brokers import route
from haztrak.application.ports.tasks import QueueUnavailable
from haztrak.domain.tasks import Task


class DramatiqTaskQueue:
    def __init__(self, broker: dramatiq.Broker) -> None:
        self._broker = broker

    async def enqueue(self, task: Task, *, delay_seconds: float = 0) -> None:
        queue_name, actor_name = route(task.name)
        message: dramatiq.Message[None] = dramatiq.Message(
            queue_name=queue_name,
            actor_name=actor_name,
            args=(str(task.id),),
            kwargs={},
            options={"task_name": task.name.value},  # for traces and metrics of its run
        )
        delay = int(delay_seconds * 1000) or None
        try:
            # A Redis round trip: off the event loop.
            await asyncio.to_thread(self._broker.enqueue, message, delay=delay)
        except (RedisError, BrokerError) as exc:
            raise QueueUnavailable(
                "the task queue is not available; try again in a moment"
            ) from exc

    async def ping(self) -> bool:
        client = getattr(self._broker, "client", None)  # the Redis broker's; in-memory: none
        if client is None:
            return True
        try:
            return bool(await asyncio.to_thread(client.ping))
        except RedisError:
            return False

    async def why_not(self) -> str | None:
        """None when the broker answers; else what went wrong (see `RedisCache.why_not`)."""
        client = getattr(self._broker, "client", None)
        if client is None:
            return None
        try:
            await asyncio.to_thread(client.ping)
        except RedisError as exc:
            return redis_problem(exc)
        return None
