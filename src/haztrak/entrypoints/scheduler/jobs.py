"""The scheduled jobs, and how several schedulers agree to run each of them once.

Every job fires at instants counted from the Unix epoch (every 15 minutes: :00, :15, ...), so
all schedulers fire together, and once when a scheduler starts. Before running, a scheduler
takes the job lock for the job's current time window (Redis `SET NX` with an expiry); of
schedulers firing in the same window, one gets it and the others skip. Each job only starts
tasks: workers do the work.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from dishka import AsyncContainer

from haztrak.application.events.schedule import ScheduleEventDispatch
from haztrak.application.notices.deadlines import ScheduleDeadlineCheck
from haztrak.application.notices.mail import ScheduleNoticeDigests
from haztrak.application.ports.security import Clock
from haztrak.application.ports.tasks import JobLock
from haztrak.application.tasks.schedule import (
    ScheduleLookupRefresh,
    ScheduleSiteSyncs,
    ScheduleTaskPruning,
)
from haztrak.domain.tasks import window_key
from haztrak.entrypoints.settings import Settings
from haztrak.entrypoints.telemetry.providers import observed_job

log = logging.getLogger("haztrak.scheduler")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ScheduledUseCase(Protocol):
    async def __call__(self) -> Any: ...


@dataclass(frozen=True)
class Job:
    name: str
    interval: timedelta
    use_case: type[ScheduledUseCase]


def scheduled_jobs(settings: Settings) -> list[Job]:
    return [
        Job(
            "sync-sites", timedelta(seconds=settings.tasks.sync_interval_seconds), ScheduleSiteSyncs
        ),
        Job("refresh-lookups", timedelta(days=1), ScheduleLookupRefresh),
        Job("prune-tasks", timedelta(days=1), ScheduleTaskPruning),
        Job("dispatch-events", timedelta(seconds=30), ScheduleEventDispatch),
        Job("notice-digests", timedelta(days=1), ScheduleNoticeDigests),
        Job("check-deadlines", timedelta(days=1), ScheduleDeadlineCheck),
    ]


class Scheduler:
    def __init__(
        self, container: AsyncContainer, lock: JobLock, clock: Clock, jobs: Sequence[Job]
    ) -> None:
        self._container = container
        self._lock = lock
        self._clock = clock
        self._jobs = list(jobs)
        self._scheduler: AsyncIOScheduler | None = None
        self._running: set[asyncio.Task[Any]] = set()

    async def run_job(self, job: Job) -> bool:
        """Run the job unless another scheduler has run it in this time window."""
        current = asyncio.current_task()
        if current is not None:
            self._running.add(current)
            current.add_done_callback(self._running.discard)
        key = window_key(job.name, job.interval, self._clock.now())
        ttl = max(int(job.interval.total_seconds()) * 2, 60)
        with observed_job(job.name) as run:
            if not await self._lock.acquire(f"scheduler:{key}", ttl):
                log.info("job %s: another scheduler has run it in this window", job.name)
                run.outcome = "skipped"
                return False
            async with self._container() as scope:
                use_case = await scope.get(job.use_case)
                started = await use_case()
        log.info("job %s: %s", job.name, _describe(started))
        return True

    def start(self) -> None:
        """Start on the running event loop; every job also runs once now."""
        scheduler = AsyncIOScheduler(timezone=UTC)
        now = self._clock.now()
        for job in self._jobs:
            scheduler.add_job(
                self.run_job,
                IntervalTrigger(seconds=int(job.interval.total_seconds()), start_date=EPOCH),
                args=[job],
                id=job.name,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=max(int(job.interval.total_seconds()) // 2, 1),
            )
            scheduler.add_job(
                self.run_job,
                "date",
                run_date=now,
                args=[job],
                id=f"{job.name}@start",
                misfire_grace_time=60,  # a slow start still runs it
            )
        scheduler.start()
        self._scheduler = scheduler
        log.info("scheduler started: %s", ", ".join(j.name for j in self._jobs))

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Start no more jobs; let those running finish (they only enqueue: quick), cancel
        any still running after `grace_seconds`, and wait for them, so nothing is left
        half-way on a database connection when the container closes."""
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        here = asyncio.current_task()  # a caller that ran a job itself does not wait for itself
        running = {task for task in self._running if task is not here and not task.done()}
        if not running:
            return
        _, late = await asyncio.wait(running, timeout=grace_seconds)
        for task in late:
            task.cancel()
        if late:
            await asyncio.wait(late)


def _describe(started: Any) -> str:
    if isinstance(started, list):
        return f"started {len(started)} task(s)"
    return "started a task" if started is not None else "nothing to start"
