"""A worker inside a process: Dramatiq worker threads whose actors run the task runner on the
process's event loop, and a sweeper that sends lost tasks again.

`haztrak worker` runs one against Redis; the embedded server runs one against the in-memory
broker; tests run one against either.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from uuid import UUID

import dramatiq
from dishka import AsyncContainer

from haztrak.application.tasks.maintenance import RequeueStaleTasks
from haztrak.application.tasks.run import RunTask
from haztrak.entrypoints.worker.actors import declare_actors
from haztrak.entrypoints.worker.loop import LoopRunner

log = logging.getLogger("haztrak.worker")

STOP_TIMEOUT_MS = 30_000


class BackgroundWorker:
    def __init__(
        self,
        container: AsyncContainer,
        broker: dramatiq.Broker,
        *,
        threads: int,
        sweep_every: float,
        idle_poll_ms: int = 1000,
    ) -> None:
        self._container = container
        self._broker = broker
        self._threads = threads
        self._sweep_every = sweep_every
        self._idle_poll_ms = idle_poll_ms
        self._worker: dramatiq.Worker | None = None
        self._runner: LoopRunner | None = None
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start on the running event loop: actors run their use cases on it."""
        self._runner = LoopRunner(asyncio.get_running_loop())
        declare_actors(self._broker, self._execute)
        self._worker = dramatiq.Worker(
            self._broker, worker_threads=self._threads, worker_timeout=self._idle_poll_ms
        )
        await asyncio.to_thread(self._worker.start)
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="haztrak-task-sweeper")
        log.info("worker started: %d thread(s)", self._threads)

    async def stop(self, timeout_ms: int = STOP_TIMEOUT_MS) -> None:
        """Let running tasks finish (their coroutines need this loop meanwhile), then stop."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        if self._worker is not None:
            await asyncio.to_thread(self._worker.stop, timeout_ms)
            self._worker = None
        log.info("worker stopped")

    async def sweep(self) -> int:
        """Send again the tasks whose message was lost or whose worker died."""
        async with self._container() as scope:
            requeue = await scope.get(RequeueStaleTasks)
            return await requeue()

    def _execute(self, task_id: str) -> float | None:
        assert self._runner is not None, "started"
        return self._runner.run(self._run(task_id))

    async def _run(self, task_id: str) -> float | None:
        try:
            parsed = UUID(task_id)
        except ValueError:
            log.error("dropped a message that names no task: %r", task_id[:64])
            return None
        async with self._container() as scope:
            run = await scope.get(RunTask)
            outcome = await run(parsed)
        return outcome.retry_in

    async def _sweep_forever(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:  # the sweeper outlives a database or broker outage
                log.warning("task sweep failed; trying again later", exc_info=True)
            await asyncio.sleep(self._sweep_every)
