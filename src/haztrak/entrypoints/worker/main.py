"""`haztrak worker`: Dramatiq workers against Redis, as many processes as work needs."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import dramatiq
from dishka import make_async_container

from haztrak.entrypoints.heartbeat import beating
from haztrak.entrypoints.process import until_stopped
from haztrak.entrypoints.providers import core_providers
from haztrak.entrypoints.settings import Settings
from haztrak.entrypoints.telemetry import install, telemetry_providers
from haztrak.entrypoints.worker.providers import worker_providers
from haztrak.entrypoints.worker.runtime import BackgroundWorker

log = logging.getLogger("haztrak.worker")


def sweep_interval(settings: Settings) -> float:
    """How often a worker looks for lost tasks: half a lease, between a second and a minute."""
    return min(max(settings.tasks.lease_seconds / 2, 1.0), 60.0)


async def serve_worker(
    settings: Settings, *, threads: int | None = None, heartbeat: Path | None = None
) -> None:
    container = make_async_container(
        *core_providers(), *worker_providers(), *telemetry_providers(), context={Settings: settings}
    )
    try:
        worker = BackgroundWorker(
            container,
            await container.get(dramatiq.Broker),
            threads=threads or settings.tasks.worker_threads,
            sweep_every=sweep_interval(settings),
        )
        await worker.start()
        try:
            async with beating(heartbeat):
                await until_stopped()
        finally:
            await worker.stop()
    finally:
        await container.close()


def run_worker(
    settings: Settings, *, threads: int | None = None, heartbeat: Path | None = None
) -> None:
    install(settings.telemetry, process="worker")
    asyncio.run(serve_worker(settings, threads=threads, heartbeat=heartbeat))
