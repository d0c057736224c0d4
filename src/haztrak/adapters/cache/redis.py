"""The cache on Redis. When Redis fails, a read is a miss and a write is dropped, unless
the caller is `strict` (sessions): then it is ServiceUnavailable."""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from haztrak.application.errors import ServiceUnavailable

log = logging.getLogger(__name__)


def _unavailable(exc: RedisError) -> ServiceUnavailable:
    return ServiceUnavailable(f"the cache (Redis) does not answer ({type(exc).__name__})")


class RedisCache:
    def __init__(self, client: Redis, prefix: str = "haztrak:") -> None:
        self._client = client
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str) -> RedisCache:
        return cls(Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2))

    async def get(self, key: str, *, strict: bool = False) -> bytes | None:
        try:
            value = await self._client.get(self._prefix + key)
        except RedisError as exc:
            if strict:
                raise _unavailable(exc) from exc
            log.warning("cache read failed, treated as a miss: %s", type(exc).__name__)
            return None
        return value.encode() if isinstance(value, str) else value

    async def set(self, key: str, value: bytes, ttl_seconds: int, *, strict: bool = False) -> None:
        try:
            await self._client.set(self._prefix + key, value, ex=ttl_seconds)
        except RedisError as exc:
            if strict:
                raise _unavailable(exc) from exc
            log.warning("cache write failed and was dropped: %s", type(exc).__name__)

    async def delete(self, key: str, *, strict: bool = False) -> None:
        try:
            await self._client.delete(self._prefix + key)
        except RedisError as exc:
            if strict:
                raise _unavailable(exc) from exc
            log.warning("cache delete failed: %s", type(exc).__name__)

    async def incr(self, key: str, ttl_seconds: int) -> int:
        try:
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.incr(self._prefix + key)
                pipe.expire(self._prefix + key, ttl_seconds, nx=True)
                count, _ = await pipe.execute()
        except RedisError as exc:
            log.warning("cache counter failed: %s", type(exc).__name__)
            return 0
        return int(count)

    async def ping(self) -> bool:
        try:
            return bool(await self._client.ping())
        except RedisError:
            return False

    async def why_not(self) -> str | None:
        """None when Redis answers PING; else what went wrong, for a readiness check (redis-py's
        messages name the host and port, never the password)."""
        try:
            await self._client.ping()
        except RedisError as exc:
            return redis_problem(exc)
        return None

    async def close(self) -> None:
        await self._client.aclose()


def redis_problem(exc: RedisError) -> str:
    text = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
