"""Waiting for something another thread or process does: poll a condition, with a bound."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(check: Callable[[], Awaitable[T | None]], within: float = 20.0) -> T:
    """Poll `check` until it answers something other than None, for at most `within` s."""
    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"no answer within {within}s")
        await asyncio.sleep(0.05)
