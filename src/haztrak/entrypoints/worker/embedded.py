"""The worker and the scheduler inside `haztrak serve` on embedded defaults (no Redis), so
one process shows the whole system. The in-memory queue loses its messages when the process
stops; on start, tasks left STARTED are released and every unfinished task is sent again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import dramatiq
from dishka import AsyncContainer

from haztrak.application.ports.security import Clock
from haztrak.application.ports.tasks import JobLock
from haztrak.application.tasks.maintenance import ReleaseOrphanedTasks
from haztrak.entrypoints.settings import Settings
from haztrak.entrypoints.worker.main import sweep_interval
from haztrak.entrypoints.worker.runtime import BackgroundWorker


@asynccontextmanager
async def embedded_background(
    container: AsyncContainer, settings: Settings, *, schedule: bool = True
) -> AsyncIterator[BackgroundWorker]:
    async with container() as scope:
        release = await scope.get(ReleaseOrphanedTasks)
        await release()
    worker = BackgroundWorker(
        container,
        await container.get(dramatiq.Broker),
        threads=settings.tasks.worker_threads,
        sweep_every=sweep_interval(settings),
    )
    await worker.start()  # its first sweep sends the unfinished tasks again
    scheduler = None
    if schedule:
        # APScheduler loads only in a process that runs the embedded scheduler.
        from haztrak.entrypoints.scheduler.jobs import Scheduler, scheduled_jobs

        scheduler = Scheduler(
            container,
            await container.get(JobLock),
            await container.get(Clock),
            scheduled_jobs(settings),
        )
        scheduler.start()
    try:
        yield worker
    finally:
        if scheduler is not None:
            await scheduler.stop()
        await worker.stop()
