"""The cache: sessions, rate-limit counters, RCRAInfo look-ups. A failing cache is a miss."""

from __future__ import annotations

from typing import Protocol


class Cache(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl_seconds: int) -> None: ...

    async def delete(self, key: str) -> None: ...

    async def incr(self, key: str, ttl_seconds: int) -> int:
        """Add one to a counter that lives ttl_seconds from its first increment."""

    async def ping(self) -> bool: ...
