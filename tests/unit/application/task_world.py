"""A world of in-memory fakes for the task use cases: three demo orgs with RCRAInfo
credentials, a fake RCRAInfo that knows them, and a queue drained by the real task runner."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from haztrak.adapters.cache.memory import MemoryCache
from haztrak.application.audit import Auditor
from haztrak.application.manifests.files import ManifestFiles
from haztrak.application.rcrainfo.accounts import RcrainfoAccounts
from haztrak.application.rcrainfo.copies import RcrainfoCopies
from haztrak.application.rcrainfo.documents import FetchManifestDocuments, PullManifestDocuments
from haztrak.application.rcrainfo.lookups import RefreshLookups
from haztrak.application.rcrainfo.manifests import (
    PullSiteManifests,
    QuickSignManifests,
    SaveToEmanifest,
    SignInEmanifest,
    SubmitManifest,
    SyncSiteManifests,
)
from haztrak.application.rcrainfo.profile import PullRcrainfoPermissions, SyncRcrainfoProfile
from haztrak.application.rcrainfo.sites import (
    GetRcraSite,
    PullRcraSite,
    SearchRcrainfoSites,
    SearchSitesInRcrainfo,
)
from haztrak.application.tasks.launch import TaskLauncher, TaskWaiter
from haztrak.application.tasks.maintenance import PruneTasks, RequeueStaleTasks
from haztrak.application.tasks.policy import TaskPolicy
from haztrak.application.tasks.run import RunOutcome, RunTask, TaskHandler, TaskHandlers
from haztrak.application.tasks.schedule import (
    ScheduleLookupRefresh,
    ScheduleSiteSyncs,
    ScheduleTaskPruning,
)
from haztrak.domain.handlers import SiteType
from haztrak.domain.identity import Org, RcrainfoProfile, Site, SiteRole, User
from haztrak.domain.secrets import Secret
from haztrak.domain.tasks import RetryPolicy, Task, TaskName
from tests import fakes
from tests.fakes_manifests import MemoryManifestRepository
from tests.fakes_rcrainfo import FakeRcrainfo
from tests.fakes_storage import MemoryDocumentStore
from tests.fakes_tasks import (
    MemoryLookupWriter,
    MemorySyncTargets,
    MemoryTaskLeases,
    MemoryTaskRepository,
    RecordingQueue,
)

GEN, TRANS, TSDF = "VATESTGEN001", "MOCKTRANS001", "MOCKTSDFS001"
SITE_TYPES = {GEN: SiteType.GENERATOR, TRANS: SiteType.TRANSPORTER, TSDF: SiteType.TSDF}


class World:
    def __init__(self, policy: TaskPolicy | None = None) -> None:
        self.data = fakes.MemoryData()
        self.users = fakes.MemoryUserRepository(self.data)
        self.orgs = fakes.MemoryOrgRepository(self.data)
        self.sites = fakes.MemorySiteRepository(self.data)
        self.memberships = fakes.MemoryMembershipRepository(self.data)
        self.handlers = fakes.MemoryRcraSiteRepository(self.data)
        self.profiles = fakes.MemoryProfileRepository(self.data)
        self.uow = fakes.MemoryUnitOfWork(self.data)
        self.clock = fakes.FixedClock()
        self.box = fakes.ReversingBox()
        self.cache = MemoryCache()
        self.manifests = MemoryManifestRepository()
        self.tasks = MemoryTaskRepository()
        self.queue = RecordingQueue()
        self.targets = MemorySyncTargets(self.data)
        self.writer = MemoryLookupWriter()
        self.rcrainfo = FakeRcrainfo(self.clock)
        self.documents = MemoryDocumentStore()
        self.files = ManifestFiles(self.documents)
        self.auditor = Auditor(fakes.MemoryAuditLog(self.data), self.clock)
        self.policy = policy or TaskPolicy(
            retry=RetryPolicy(max_attempts=3, first_delay=10, max_delay=60),
            lease=timedelta(minutes=5),
            wait=timedelta(0),
        )
        self.org_of: dict[str, Org] = {}
        for epa_id, kind in SITE_TYPES.items():
            org = Org(
                id=uuid.uuid4(),
                name=f"Org of {epa_id}",
                slug=epa_id.lower(),
                rcrainfo_api_id=f"id-{epa_id}",
            )
            self.data.orgs[org.id] = org
            self.data.org_keys[org.id] = self.box.encrypt(Secret(f"key-{epa_id}"))
            self.rcrainfo.account(f"id-{epa_id}", f"key-{epa_id}")
            site = Site(id=uuid.uuid4(), epa_id=epa_id, name=epa_id, site_type=kind, org_id=org.id)
            self.data.sites[site.id] = site
            self.org_of[epa_id] = org

    # --- people ---

    def user(self, role: SiteRole | None = SiteRole.SIGNER, site: str = GEN) -> User:
        user = User(id=uuid.uuid4(), username=f"user-{len(self.data.users)}")
        self.data.users[user.id] = user
        if role is not None:
            site_id = next(s.id for s in self.data.sites.values() if s.epa_id == site)
            self.data.site_roles[(site_id, user.id)] = role
        return user

    def rcra_user(self, user: User, username: str = "rcra-user") -> None:
        self.data.profiles[user.id] = RcrainfoProfile(
            user_id=user.id, rcra_username=username, api_id=f"user-id-{username}"
        )
        self.data.profile_keys[user.id] = self.box.encrypt(Secret(f"user-key-{username}"))
        self.rcrainfo.account(f"user-id-{username}", f"user-key-{username}")

    def site(self, epa_id: str) -> Site:
        return next(s for s in self.data.sites.values() if s.epa_id == epa_id)

    # --- use cases ---

    def accounts(self) -> RcrainfoAccounts:
        return RcrainfoAccounts(self.orgs, self.sites, self.profiles, self.memberships, self.box)

    def copies(self) -> RcrainfoCopies:
        return RcrainfoCopies(self.manifests, self.users, self.auditor)

    def launcher(self) -> TaskLauncher:
        return TaskLauncher(self.tasks, self.queue, self.clock, self.uow)

    def waiter(self) -> TaskWaiter:
        return TaskWaiter(self.tasks, self.policy, self.uow)

    def submit(self) -> SubmitManifest:
        return SubmitManifest(
            self.memberships,
            self.manifests,
            self.accounts(),
            self.tasks,
            self.launcher(),
            self.auditor,
            self.clock,
            self.uow,
            self.files,
        )

    def fetch_documents(self) -> FetchManifestDocuments:
        return FetchManifestDocuments(
            self.memberships,
            self.manifests,
            self.accounts(),
            self.tasks,
            self.launcher(),
            self.auditor,
            self.uow,
        )

    def sign(self) -> QuickSignManifests:
        return QuickSignManifests(
            self.memberships,
            self.manifests,
            self.accounts(),
            self.launcher(),
            self.auditor,
            self.clock,
            self.uow,
        )

    def sync(self) -> SyncSiteManifests:
        return SyncSiteManifests(self.memberships, self.accounts(), self.launcher())

    def sync_profile(self) -> SyncRcrainfoProfile:
        return SyncRcrainfoProfile(self.profiles, self.accounts(), self.launcher())

    def search(self) -> SearchRcrainfoSites:
        return SearchRcrainfoSites(self.accounts(), self.cache, self.launcher(), self.waiter())

    def get_site(self) -> GetRcraSite:
        return GetRcraSite(
            self.handlers, self.accounts(), self.cache, self.launcher(), self.waiter()
        )

    def schedule_syncs(self) -> ScheduleSiteSyncs:
        return ScheduleSiteSyncs(self.targets, self.tasks, self.launcher())

    def schedule_lookups(self) -> ScheduleLookupRefresh:
        return ScheduleLookupRefresh(self.targets, self.tasks, self.launcher())

    def schedule_pruning(self) -> ScheduleTaskPruning:
        return ScheduleTaskPruning(self.tasks, self.launcher())

    def requeue(self) -> RequeueStaleTasks:
        return RequeueStaleTasks(self.tasks, self.queue, self.policy, self.clock, self.uow)

    def handler(self, name: TaskName, accounts: RcrainfoAccounts) -> TaskHandler:
        handlers: dict[TaskName, Any] = {
            TaskName.SUBMIT_MANIFEST: SaveToEmanifest(
                self.rcrainfo,
                accounts,
                self.manifests,
                self.sites,
                self.clock,
                self.copies(),
                self.files,
            ),
            TaskName.QUICKER_SIGN: SignInEmanifest(
                self.rcrainfo, accounts, self.copies(), self.clock
            ),
            TaskName.SYNC_SITE_MANIFESTS: PullSiteManifests(
                self.rcrainfo,
                accounts,
                self.manifests,
                self.sites,
                self.clock,
                self.copies(),
                self.files,
            ),
            TaskName.SYNC_RCRAINFO_PROFILE: PullRcrainfoPermissions(
                self.rcrainfo, accounts, self.profiles
            ),
            TaskName.SEARCH_RCRA_SITES: SearchSitesInRcrainfo(
                self.rcrainfo, accounts, self.handlers, self.cache
            ),
            TaskName.PULL_RCRA_SITE: PullRcraSite(
                self.rcrainfo, accounts, self.handlers, self.cache
            ),
            TaskName.REFRESH_LOOKUPS: RefreshLookups(
                self.rcrainfo, accounts, self.targets, self.writer, self.cache
            ),
            TaskName.PRUNE_TASKS: PruneTasks(self.tasks, self.policy, self.clock),
            TaskName.FETCH_MANIFEST_DOCUMENTS: PullManifestDocuments(
                self.rcrainfo, accounts, self.files
            ),
        }
        handler: TaskHandler = handlers[name]
        return handler

    def runner(self) -> RunTask:
        world = self
        accounts = self.accounts()

        class Handlers(TaskHandlers):
            async def handler_for(self, name: TaskName) -> TaskHandler:
                return world.handler(name, accounts)

        return RunTask(
            self.tasks,
            MemoryTaskLeases(self.tasks),
            Handlers(),
            accounts,
            self.policy,
            self.clock,
            self.uow,
        )

    async def run(self, task_id: uuid.UUID) -> RunOutcome:
        return await self.runner()(task_id)

    async def drain(self, limit: int = 100) -> None:
        """Deliver every queued task, waiting out the retry delays the runner asks for."""
        for _ in range(limit):
            if not self.queue.sent:
                return
            task_id, delay = self.queue.sent.pop(0)
            self.clock.advance(delay)
            outcome = await self.run(task_id)
            if outcome.retry_in is not None:
                self.queue.sent.append((task_id, outcome.retry_in))
        raise AssertionError("the queue did not drain")

    async def task(self, task_id: uuid.UUID) -> Task:
        task = await self.tasks.get(task_id)
        assert task is not None
        return task
