"""The cache: sessions, rate-limit counters, RCRAInfo look-ups. A failing cache is a miss.

Unless `strict`: then a cache that does not answer raises ServiceUnavailable, for data that
lives nowhere else (a session), where a miss or a dropped write would be a lie.
"""

from __future__ import annotations

from typing import Protocol


class Cache(Protocol):
    async def get(self, key: str, *, strict: bool = False) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl_seconds: int, *, strict: bool = False) -> None:
        """Store; a failed write is dropped, or with `strict` raises ServiceUnavailable."""

    async def delete(self, key: str, *, strict: bool = False) -> None: ...

    async def incr(self, key: str, ttl_seconds: int) -> int:
        """Add one to a counter that lives ttl_seconds from its first increment."""

    async def ping(self) -> bool: ...
