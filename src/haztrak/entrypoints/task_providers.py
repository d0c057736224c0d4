"""dishka providers for background tasks: records, the queue, the job lock, and the use cases
that start and follow tasks. What runs tasks (and talks to RCRAInfo) is in worker.providers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import dramatiq
from dishka import Provider, Scope, provide, provide_all

from haztrak.adapters.persistence.lookup_writer import SqlLookupWriter
from haztrak.adapters.persistence.tasks import SqlSyncTargets, SqlTaskLeases, SqlTaskRepository
from haztrak.adapters.queue.brokers import create_broker
from haztrak.adapters.queue.dramatiq_queue import DramatiqTaskQueue
from haztrak.adapters.queue.locks import MemoryJobLock, RedisJobLock
from haztrak.application.ports.lookup_writer import LookupWriter
from haztrak.application.ports.tasks import (
    JobLock,
    SyncTargets,
    TaskLeases,
    TaskQueue,
    TaskRepository,
)
from haztrak.application.rcrainfo.accounts import RcrainfoAccounts
from haztrak.application.rcrainfo.manifests import (
    QuickSignManifests,
    SubmitManifest,
    SyncSiteManifests,
)
from haztrak.application.rcrainfo.profile import SyncRcrainfoProfile
from haztrak.application.rcrainfo.sites import GetRcraSite, SearchRcrainfoSites, SearchRcraSites
from haztrak.application.tasks.launch import TaskLauncher, TaskWaiter
from haztrak.application.tasks.maintenance import ReleaseOrphanedTasks, RequeueStaleTasks
from haztrak.application.tasks.policy import TaskPolicy
from haztrak.application.tasks.queries import GetTask, ListMyTasks
from haztrak.application.tasks.retry import RetryTask
from haztrak.application.tasks.schedule import (
    ScheduleLookupRefresh,
    ScheduleSiteSyncs,
    ScheduleTaskPruning,
)
from haztrak.domain.tasks import RetryPolicy, TaskName
from haztrak.entrypoints.settings import Settings
from haztrak.entrypoints.webhook_providers import webhook_retry


def task_policy(settings: Settings) -> TaskPolicy:
    tasks = settings.tasks
    return TaskPolicy(
        retry=RetryPolicy(
            max_attempts=tasks.max_attempts,
            max_seconds=float(tasks.max_seconds),
            first_delay=float(tasks.retry_delay_seconds),
            max_delay=float(tasks.retry_max_delay_seconds),
        ),
        lease=timedelta(seconds=tasks.lease_seconds),
        retention=timedelta(days=tasks.retention_days),
        wait=timedelta(seconds=tasks.wait_seconds),
        retries={TaskName.DELIVER_WEBHOOK: webhook_retry(settings)},
    )


class TaskProvider(Provider):
    @provide(scope=Scope.APP)
    def policy(self, settings: Settings) -> TaskPolicy:
        return task_policy(settings)

    @provide(scope=Scope.APP)
    def broker(self, settings: Settings, policy: TaskPolicy) -> Iterator[dramatiq.Broker]:
        url = settings.redis_url.reveal() if settings.redis_url else None
        broker = create_broker(url, policy.retry)
        yield broker
        broker.close()

    queue = provide(DramatiqTaskQueue, provides=TaskQueue, scope=Scope.APP)
    leases = provide(SqlTaskLeases, provides=TaskLeases, scope=Scope.APP)

    @provide(scope=Scope.APP)
    async def job_lock(self, settings: Settings) -> AsyncIterator[JobLock]:
        if settings.redis_url is None:
            yield MemoryJobLock()
            return
        lock = RedisJobLock.from_url(settings.redis_url.reveal())
        yield lock
        await lock.close()

    tasks = provide(SqlTaskRepository, provides=TaskRepository, scope=Scope.REQUEST)
    targets = provide(SqlSyncTargets, provides=SyncTargets, scope=Scope.REQUEST)
    lookup_writer = provide(SqlLookupWriter, provides=LookupWriter, scope=Scope.REQUEST)

    services = provide_all(RcrainfoAccounts, TaskLauncher, TaskWaiter, scope=Scope.REQUEST)
    use_cases = provide_all(
        GetTask,
        ListMyTasks,
        RetryTask,
        SubmitManifest,
        QuickSignManifests,
        SyncSiteManifests,
        SyncRcrainfoProfile,
        SearchRcrainfoSites,
        SearchRcraSites,
        GetRcraSite,
        ScheduleSiteSyncs,
        ScheduleLookupRefresh,
        ScheduleTaskPruning,
        RequeueStaleTasks,
        ReleaseOrphanedTasks,
        scope=Scope.REQUEST,
    )
