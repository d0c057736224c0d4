"""The JobLock port: Redis `SET NX` with an expiry, or a dictionary in one process."""

from __future__ import annotations

import logging
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class RedisJobLock:
    def __init__(self, client: Redis, prefix: str = "haztrak:lock:") -> None:
        self._client = client
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str) -> RedisJobLock:
        return cls(Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2))

    async def acquire(self, key: str, ttl_seconds: int) -> bool:
        try:
            return bool(await self._client.set(self._prefix + key, b"1", nx=True, ex=ttl_seconds))
        except RedisError as exc:
            log.warning("job lock unavailable, the job is skipped: %s", type(exc).__name__)
            return False

    async def close(self) -> None:
        await self._client.aclose()


class MemoryJobLock:
    """For the embedded server, the only scheduler on its database."""

    def __init__(self) -> None:
        self._held: dict[str, float] = {}

    async def acquire(self, key: str, ttl_seconds: int) -> bool:
        now = time.monotonic()
        self._held = {k: until for k, until in self._held.items() if until > now}
        if key in self._held:
            return False
        self._held[key] = now + ttl_seconds
        return True
