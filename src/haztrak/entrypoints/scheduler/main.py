"""`haztrak scheduler`: enqueues the periodic work. Run one or several; each job still runs
once per window."""

from __future__ import annotations

import asyncio
from pathlib import Path

from dishka import make_async_container

from haztrak.application.ports.security import Clock
from haztrak.application.ports.tasks import JobLock
from haztrak.entrypoints.heartbeat import beating
from haztrak.entrypoints.process import until_stopped
from haztrak.entrypoints.providers import core_providers
from haztrak.entrypoints.scheduler.jobs import Scheduler, scheduled_jobs
from haztrak.entrypoints.settings import Settings
from haztrak.entrypoints.telemetry import install, telemetry_providers


async def serve_scheduler(settings: Settings, *, heartbeat: Path | None = None) -> None:
    container = make_async_container(
        *core_providers(), *telemetry_providers(), context={Settings: settings}
    )
    try:
        scheduler = Scheduler(
            container,
            await container.get(JobLock),
            await container.get(Clock),
            scheduled_jobs(settings),
        )
        scheduler.start()
        try:
            async with beating(heartbeat):
                await until_stopped()
        finally:
            await scheduler.stop()
    finally:
        await container.close()


def run_scheduler(settings: Settings, *, heartbeat: Path | None = None) -> None:
    install(settings.telemetry, process="scheduler")
    asyncio.run(serve_scheduler(settings, heartbeat=heartbeat))
