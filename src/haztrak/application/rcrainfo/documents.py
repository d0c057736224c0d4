"""A manifest's documents from RCRAInfo: the scanned form, the copies of record and EPA's form
PDF, downloaded from e-Manifest's attachments service in a task and kept with the manifest.

Anyone who may see a manifest may fetch its documents, through a site of the manifest on which
they hold a role and whose org has RCRAInfo credentials. A draft is not in e-Manifest: there is
nothing to fetch. Run twice, the task stores the same files again.
"""

from __future__ import annotations

from typing import Any

from haztrak.application.audit import Auditor
from haztrak.application.manifests.access import visible_manifest
from haztrak.application.manifests.files import ManifestFiles
from haztrak.application.ports.manifests import ManifestReader
from haztrak.application.ports.persistence import MembershipRepository, UnitOfWork
from haztrak.application.ports.rcrainfo import Rcrainfo
from haztrak.application.ports.tasks import TaskRepository
from haztrak.application.rcrainfo.accounts import RcrainfoAccounts, RcrainfoNotConfigured
from haztrak.application.tasks.launch import TaskLauncher
from haztrak.application.tasks.run import TaskRun
from haztrak.domain.access import Grants
from haztrak.domain.errors import Conflict, NotFound
from haztrak.domain.identity import User
from haztrak.domain.manifest import Manifest
from haztrak.domain.tasks import Task, TaskName

FETCH_TASK = TaskName.FETCH_MANIFEST_DOCUMENTS


class FetchManifestDocuments:
    """Start the download of a manifest's documents from RCRAInfo."""

    def __init__(
        self,
        memberships: MembershipRepository,
        manifests: ManifestReader,
        accounts: RcrainfoAccounts,
        tasks: TaskRepository,
        launcher: TaskLauncher,
        auditor: Auditor,
        uow: UnitOfWork,
    ) -> None:
        self._memberships = memberships
        self._manifests = manifests
        self._accounts = accounts
        self._tasks = tasks
        self._launcher = launcher
        self._auditor = auditor
        self._uow = uow

    async def __call__(self, user: User, mtn: str) -> Task:
        grants = await self._memberships.grants(user.id)
        stored = await visible_manifest(self._manifests, grants, mtn)
        if stored.manifest.is_draft():
            raise Conflict(
                f"manifest {mtn} is a draft: it is not in e-Manifest, so RCRAInfo has no "
                "documents of it"
            )
        site_id = await self._fetching_site(grants, stored.manifest)
        active = await self._tasks.active(FETCH_TASK, mtn)
        if active is not None and active.owner_id == user.id:
            return active
        task = await self._launcher.launch(
            FETCH_TASK, owner=user, payload={"mtn": mtn, "siteId": site_id}, subject=mtn
        )
        await self._auditor.record(user, "fetch_documents", "manifest", mtn, task=str(task.id))
        await self._uow.commit()
        return task

    async def _fetching_site(self, grants: Grants, manifest: Manifest) -> str:
        """The first party, in signing order, at a site of the user whose org has working
        RCRAInfo credentials."""
        candidates = [
            handler.epa_site_id
            for _, handler in manifest.handlers()
            if handler.epa_site_id and grants.role_on(handler.epa_site_id) is not None
        ]
        refusal: RcrainfoNotConfigured | NotFound | None = None
        for site_id in dict.fromkeys(candidates):
            try:
                await self._accounts.site_ready(site_id)
            except (RcrainfoNotConfigured, NotFound) as error:
                refusal = refusal or error
                continue
            return site_id
        raise refusal or RcrainfoNotConfigured("none of your sites on this manifest is set up")


class PullManifestDocuments:
    """The task of FetchManifestDocuments."""

    def __init__(
        self, rcrainfo: Rcrainfo, accounts: RcrainfoAccounts, files: ManifestFiles
    ) -> None:
        self._rcrainfo = rcrainfo
        self._accounts = accounts
        self._files = files

    async def __call__(self, run: TaskRun) -> dict[str, Any]:
        mtn: str = run.payload["mtn"]
        site_id: str = run.payload["siteId"]
        await self._accounts.site_ready(site_id)
        credentials = await self._accounts.for_site(site_id)
        await run.checkpoint(progress={"total": 2, "done": 0})
        got = await self._rcrainfo.get_manifest_attachments(credentials, mtn)
        await run.checkpoint(progress={"total": 2, "done": 1})
        names = await self._files.keep_downloaded(mtn, got.files)
        return {"manifestTrackingNumber": mtn, "documents": names}
