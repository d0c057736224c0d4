"""A liveness signal for the processes that serve no HTTP: the worker and the scheduler.

While it runs, the process touches a heartbeat file from its event loop every BEAT_SECONDS;
`haztrak worker --check` (or `scheduler --check`) exits 0 when that file changed within
MAX_AGE_SECONDS and 1 otherwise, saying why. A container's health check or a Kubernetes exec
probe runs it. A process whose loop hangs or dies stops beating, and the check fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

log = logging.getLogger("haztrak.heartbeat")

BEAT_SECONDS = 10.0
MAX_AGE_SECONDS = 60.0


def default_heartbeat(var_dir: Path, process: str) -> Path:
    return var_dir / f"{process}.heartbeat"


def beat(path: Path) -> None:
    """Write the time now into `path` (atomically: a check never reads half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name(f".{path.name}.{os.getpid()}")
    fresh.write_text(f"{time.time():.3f}\n")
    fresh.replace(path)


@contextlib.asynccontextmanager
async def beating(path: Path | None, every: float = BEAT_SECONDS) -> AsyncIterator[None]:
    """Beat into `path` every `every` seconds while the block runs; remove it after."""
    if path is None:
        yield
        return

    async def loop() -> None:
        while True:
            try:
                beat(path)
            except OSError as exc:  # a full or read-only disk: the check will say so
                log.warning("cannot write the heartbeat %s: %s", path, exc)
            await asyncio.sleep(every)

    task = asyncio.create_task(loop(), name="heartbeat")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        stop_beating(path)


def stop_beating(path: Path) -> None:
    """Remove the heartbeat: a process that stopped is not alive."""
    with contextlib.suppress(OSError):
        path.unlink()


def check(path: Path, max_age: float = MAX_AGE_SECONDS, now: float | None = None) -> str | None:
    """None when `path` was beaten within `max_age` seconds; otherwise what is wrong."""
    try:
        changed = path.stat().st_mtime
    except FileNotFoundError:
        return f"no heartbeat at {path}: the process is not running (or not started yet)"
    age = (time.time() if now is None else now) - changed
    if age > max_age:
        return f"the heartbeat at {path} is {age:.0f}s old (more than {max_age:.0f}s): stuck"
    return None
