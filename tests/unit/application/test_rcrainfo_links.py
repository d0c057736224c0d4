"""GetRcrainfoLink and its task on fakes: EPA's rules for a link, the user's role on the site,
the manifest named; RCRAInfo asked in a task with the site's credentials."""

from __future__ import annotations

import uuid

import pytest

from haztrak.application.ports.manifests import StoredManifest
from haztrak.application.rcrainfo.accounts import RcrainfoAccounts
from haztrak.application.rcrainfo.links import GetRcrainfoLink, LinkRequest, MakeRcrainfoLink
from haztrak.application.tasks.errors import TaskStillRunning
from haztrak.application.tasks.run import TaskHandler
from haztrak.domain.errors import Conflict, Forbidden, InvalidValue, NotFound
from haztrak.domain.identity import SiteRole
from haztrak.domain.rcrainfo_links import UiLink, UiPage
from haztrak.domain.tasks import TaskName
from tests.manifest_documents import a_manifest
from tests.unit.application.task_world import GEN, TSDF, World

MTN = "100000001ELC"


class LinkWorld(World):
    def handler(self, name: TaskName, accounts: RcrainfoAccounts) -> TaskHandler:
        if name is TaskName.RCRAINFO_LINK:
            return MakeRcrainfoLink(self.rcrainfo, accounts)
        return super().handler(name, accounts)

    def get_link(self) -> GetRcrainfoLink:
        return GetRcrainfoLink(
            self.memberships, self.manifests, self.accounts(), self.launcher(), self.waiter()
        )

    async def keep(self, mtn: str = MTN, status: str = "Scheduled") -> None:
        now = self.clock.now()
        await self.manifests.add(
            StoredManifest(
                id=uuid.uuid4(),
                manifest=a_manifest(mtn=mtn, status=status),
                version=1,
                created_at=now,
                updated_at=now,
                owner_org_id=self.org_of[GEN].id,
            )
        )

    async def link(self, user: object, request: LinkRequest) -> str:
        """Ask, run the task, and ask again: the address comes from the finished task."""
        with pytest.raises(TaskStillRunning) as running:
            await self.get_link()(user, request)  # type: ignore[arg-type]
        await self.drain()
        task = await self.task(running.value.task_id)
        assert task.result is not None, task.error
        url: str = task.result["url"]
        return url


@pytest.fixture
def world() -> LinkWorld:
    return LinkWorld()


async def test_a_view_link_is_asked_with_the_sites_credentials(world: LinkWorld) -> None:
    await world.keep()
    user = world.user(SiteRole.VIEWER)
    url = await world.link(
        user, LinkRequest(page="View", site_id=GEN, manifest_tracking_number=MTN)
    )
    assert url == f"https://rcrainfo.test/links/{GEN}/view/{MTN}"
    assert world.rcrainfo.links == [
        UiLink(page=UiPage.VIEW, epa_site_id=GEN, manifest_tracking_number=MTN)
    ]
    assert world.rcrainfo.count("ui_link") == 1


async def test_a_dashboard_link_takes_a_filter_and_view(world: LinkWorld) -> None:
    user = world.user(SiteRole.SIGNER)
    request = LinkRequest(
        page="BulkQuickSign", site_id=GEN, filter=(MTN, "100000002ELC"), view="Outgoing"
    )
    await world.link(user, request)
    assert world.rcrainfo.links[0].filter == (MTN, "100000002ELC")
    assert world.rcrainfo.links[0].view == "Outgoing"


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (LinkRequest(page="Home", site_id=GEN), "page"),
        (LinkRequest(page="View", site_id=GEN), "manifestTrackingNumber"),
        (
            LinkRequest(page="Dashboard", site_id=GEN, manifest_tracking_number=MTN),
            "manifestTrackingNumber",
        ),
        (
            LinkRequest(page="View", site_id=GEN, manifest_tracking_number=MTN, filter=(MTN,)),
            "filter",
        ),
        (LinkRequest(page="BulkSign", site_id=GEN, view="Incoming"), "view"),
        (LinkRequest(page="Dashboard", site_id=GEN, filter=("nope",)), "filter.0"),
        (LinkRequest(page="Dashboard", site_id="x"), "epaSiteId"),
    ],
)
async def test_epas_rules_are_checked_before_any_task(
    world: LinkWorld, request_: LinkRequest, field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        await world.get_link()(world.user(SiteRole.SIGNER), request_)
    assert refused.value.field == field
    assert world.queue.sent == []


async def test_roles_and_the_manifest_decide(world: LinkWorld) -> None:
    await world.keep()
    viewer = world.user(SiteRole.VIEWER)
    with pytest.raises(Forbidden):
        await world.get_link()(
            viewer, LinkRequest(page="Sign", site_id=GEN, manifest_tracking_number=MTN)
        )
    with pytest.raises(Forbidden):
        await world.get_link()(
            viewer, LinkRequest(page="Edit", site_id=GEN, manifest_tracking_number=MTN)
        )
    with pytest.raises(NotFound):  # not the user's site
        await world.get_link()(viewer, LinkRequest(page="Dashboard", site_id=TSDF))
    with pytest.raises(NotFound):
        await world.get_link()(
            viewer, LinkRequest(page="View", site_id=GEN, manifest_tracking_number="100000009ELC")
        )
    tsdf_viewer = world.user(SiteRole.VIEWER, TSDF)
    other = a_manifest(mtn="100000003ELC", status="Scheduled", tsdf="VAOTHERTSD01")
    now = world.clock.now()
    await world.manifests.add(
        StoredManifest(id=uuid.uuid4(), manifest=other, version=1, created_at=now, updated_at=now)
    )
    gen_viewer = world.user(SiteRole.VIEWER)
    with pytest.raises(NotFound):
        await world.get_link()(
            tsdf_viewer,
            LinkRequest(page="View", site_id=TSDF, manifest_tracking_number="100000003ELC"),
        )
    assert await world.link(
        gen_viewer, LinkRequest(page="View", site_id=GEN, manifest_tracking_number="100000003ELC")
    )


async def test_a_draft_has_no_rcrainfo_page(world: LinkWorld) -> None:
    await world.keep("000000001DFT", status="NotAssigned")
    now = world.clock.now()
    draft = await world.manifests.by_mtn("000000001DFT")
    assert draft is not None
    await world.manifests.delete(draft.id, expected_version=1)
    await world.manifests.add(
        StoredManifest(
            id=uuid.uuid4(),
            manifest=a_manifest(mtn="000000001DFT"),
            version=1,
            created_at=now,
            updated_at=now,
            owner_site=GEN,
        )
    )
    with pytest.raises(Conflict):
        await world.get_link()(
            world.user(SiteRole.PREPARER),
            LinkRequest(page="View", site_id=GEN, manifest_tracking_number="000000001DFT"),
        )


async def test_epas_refusal_fails_the_task_with_its_reason(world: LinkWorld) -> None:
    await world.keep()
    world.rcrainfo.refuse_links["Sign"] = "Manifest is not ready to be signed"
    user = world.user(SiteRole.SIGNER)
    request = LinkRequest(page="Sign", site_id=GEN, manifest_tracking_number=MTN)
    with pytest.raises(TaskStillRunning) as running:
        await world.get_link()(user, request)
    await world.drain()
    task = await world.task(running.value.task_id)
    assert task.error is not None
    assert "not ready" in task.error.detail
