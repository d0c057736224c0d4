"""dishka providers of the processes that run tasks: the task runner and each task's work.

They need the `Rcrainfo` port, which the RCRAInfo adapter's provider supplies."""

from __future__ import annotations

from collections.abc import Mapping

from dishka import AsyncContainer, Provider, Scope, provide, provide_all

from haztrak.application.events.dispatch import DispatchEvents
from haztrak.application.notices.deadlines import CheckDeadlines
from haztrak.application.notices.mail import SendNoticeDigests, SendNoticeEmail
from haztrak.application.rcrainfo.copies import RcrainfoCopies
from haztrak.application.rcrainfo.corrections import (
    CorrectInEmanifest,
    PullManifestVersions,
    RevertInEmanifest,
    SignCorrectionInEmanifest,
)
from haztrak.application.rcrainfo.documents import PullManifestDocuments
from haztrak.application.rcrainfo.links import MakeRcrainfoLink
from haztrak.application.rcrainfo.lookups import RefreshLookups
from haztrak.application.rcrainfo.manifests import (
    PullSiteManifests,
    SaveToEmanifest,
    SignInEmanifest,
)
from haztrak.application.rcrainfo.profile import PullRcrainfoPermissions
from haztrak.application.rcrainfo.sites import PullRcraSite, SearchSitesInRcrainfo
from haztrak.application.tasks.maintenance import PruneTasks
from haztrak.application.tasks.run import RunTask, TaskHandler, TaskHandlers
from haztrak.application.webhooks.delivery import DeliverWebhook
from haztrak.domain.tasks import TaskName
from haztrak.entrypoints.correction_providers import CorrectionWorkProvider

HANDLERS: Mapping[TaskName, type[TaskHandler]] = {
    TaskName.SUBMIT_MANIFEST: SaveToEmanifest,
    TaskName.QUICKER_SIGN: SignInEmanifest,
    TaskName.SYNC_SITE_MANIFESTS: PullSiteManifests,
    TaskName.SYNC_RCRAINFO_PROFILE: PullRcrainfoPermissions,
    TaskName.SEARCH_RCRA_SITES: SearchSitesInRcrainfo,
    TaskName.PULL_RCRA_SITE: PullRcraSite,
    TaskName.RCRAINFO_LINK: MakeRcrainfoLink,
    TaskName.REFRESH_LOOKUPS: RefreshLookups,
    TaskName.PRUNE_TASKS: PruneTasks,
    TaskName.DELIVER_WEBHOOK: DeliverWebhook,
    TaskName.FETCH_MANIFEST_DOCUMENTS: PullManifestDocuments,
    TaskName.DISPATCH_EVENTS: DispatchEvents,
    TaskName.SEND_NOTICE_EMAIL: SendNoticeEmail,
    TaskName.SEND_NOTICE_DIGESTS: SendNoticeDigests,
    TaskName.CHECK_DEADLINES: CheckDeadlines,
    TaskName.CORRECT_MANIFEST: CorrectInEmanifest,
    TaskName.REVERT_CORRECTION: RevertInEmanifest,
    TaskName.SIGN_CORRECTION: SignCorrectionInEmanifest,
    TaskName.PULL_MANIFEST_VERSIONS: PullManifestVersions,
}


class DishkaTaskHandlers(TaskHandlers):
    """The handler of a task name, built in the task's request scope."""

    def __init__(self, container: AsyncContainer) -> None:
        self._container = container

    async def handler_for(self, name: TaskName) -> TaskHandler:
        handler: TaskHandler = await self._container.get(HANDLERS[name])
        return handler


class WorkerProvider(Provider):
    scope = Scope.REQUEST

    @provide
    def handlers(self, container: AsyncContainer) -> TaskHandlers:
        return DishkaTaskHandlers(container)

    runner = provide(RunTask)
    copies = provide(RcrainfoCopies)
    work = provide_all(
        SaveToEmanifest,
        SignInEmanifest,
        PullSiteManifests,
        PullRcrainfoPermissions,
        SearchSitesInRcrainfo,
        PullRcraSite,
        RefreshLookups,
        PruneTasks,
        PullManifestDocuments,
    )


def worker_providers() -> list[Provider]:
    """Add to core_providers() in a process that runs tasks."""
    return [WorkerProvider(), CorrectionWorkProvider()]
