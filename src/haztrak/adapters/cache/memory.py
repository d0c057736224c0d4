"""An in-process cache for the embedded default (one process; nothing shared)."""

from __future__ import annotations

import time
from collections import OrderedDict


class MemoryCache:
    def __init__(self, max_entries: int = 100_000) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._max = max_entries

    def _live(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires <= time.monotonic():
            del self._entries[key]
            return None
        return value

    async def get(self, key: str, *, strict: bool = False) -> bytes | None:
        return self._live(key)

    async def set(self, key: str, value: bytes, ttl_seconds: int, *, strict: bool = False) -> None:
        self._entries[key] = (time.monotonic() + ttl_seconds, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    async def delete(self, key: str, *, strict: bool = False) -> None:
        self._entries.pop(key, None)

    async def incr(self, key: str, ttl_seconds: int) -> int:
        current = self._live(key)
        if current is None:
            await self.set(key, b"1", ttl_seconds)
            return 1
        value = int(current) + 1
        expires, _ = self._entries[key]
        self._entries[key] = (expires, str(value).encode())
        return value

    async def ping(self) -> bool:
        return True
