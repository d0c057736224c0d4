"""Running a coroutine on the process's event loop from a Dramatiq worker thread.

Every actor of a process runs its use case on one event loop, so one dishka container, one
database engine and one cache client serve the whole process. An interrupt Dramatiq raises in
the worker thread (time limit, shutdown) cancels the coroutine.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine
from typing import Any, TypeVar

from dramatiq.middleware import Interrupt

T = TypeVar("T")
_POLL_SECONDS = 0.1


class LoopRunner:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            while True:
                try:
                    # A timeout, to notice interrupts Dramatiq raises in this thread.
                    return future.result(timeout=_POLL_SECONDS)
                except concurrent.futures.TimeoutError:
                    if future.done():
                        return future.result(timeout=0)
        except Interrupt:
            future.cancel()
            raise
