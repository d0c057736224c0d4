"""What the scheduler starts: it only records and enqueues tasks; workers do the work."""

from __future__ import annotations

from haztrak.application.ports.tasks import SyncTargets, TaskRepository
from haztrak.application.tasks.launch import TaskLauncher
from haztrak.domain.tasks import Task, TaskName

LOOKUPS_SUBJECT = "lookups"
TASKS_SUBJECT = "tasks"


class ScheduleSiteSyncs:
    """Sync every site of every org with working RCRAInfo credentials, except sites whose last
    sync has not finished yet."""

    def __init__(self, targets: SyncTargets, tasks: TaskRepository, launcher: TaskLauncher) -> None:
        self._targets = targets
        self._tasks = tasks
        self._launcher = launcher

    async def __call__(self) -> list[Task]:
        started = []
        for site in await self._targets.sites_to_sync():
            if await self._tasks.active(TaskName.SYNC_SITE_MANIFESTS, site.epa_id):
                continue
            started.append(
                await self._launcher.launch(
                    TaskName.SYNC_SITE_MANIFESTS,
                    owner=None,
                    payload={"siteId": site.epa_id},
                    subject=site.epa_id,
                )
            )
        return started


class ScheduleLookupRefresh:
    """Refresh RCRAInfo's code lists with the credentials of a site that has working ones."""

    def __init__(self, targets: SyncTargets, tasks: TaskRepository, launcher: TaskLauncher) -> None:
        self._targets = targets
        self._tasks = tasks
        self._launcher = launcher

    async def __call__(self) -> Task | None:
        sites = await self._targets.sites_to_sync()
        if not sites or await self._tasks.active(TaskName.REFRESH_LOOKUPS, LOOKUPS_SUBJECT):
            return None
        return await self._launcher.launch(
            TaskName.REFRESH_LOOKUPS,
            owner=None,
            payload={"siteId": sites[0].epa_id},
            subject=LOOKUPS_SUBJECT,
        )


class ScheduleTaskPruning:
    def __init__(self, tasks: TaskRepository, launcher: TaskLauncher) -> None:
        self._tasks = tasks
        self._launcher = launcher

    async def __call__(self) -> Task | None:
        if await self._tasks.active(TaskName.PRUNE_TASKS, TASKS_SUBJECT):
            return None
        return await self._launcher.launch(
            TaskName.PRUNE_TASKS, owner=None, payload={}, subject=TASKS_SUBJECT
        )
