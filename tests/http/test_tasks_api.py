"""RCRAInfo work over HTTP on both backends, with a worker on the test's event loop and the
fake RCRAInfo: each call answers 202 `{taskId}`, the task is followed at /api/task/{id} by its
owner only, and handler look-ups answer from here or from RCRAInfo."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from dishka import AsyncContainer, Provider, Scope, make_async_container, provide
from litestar import Litestar

from haztrak.adapters.cache.redis import RedisCache
from haztrak.application.identity.auth import CreateApiToken
from haztrak.application.identity.orgs import SetOrgRcrainfoCredentials
from haztrak.application.ports.cache import Cache
from haztrak.application.ports.persistence import (
    MembershipRepository,
    OrgRepository,
    UserRepository,
)
from haztrak.application.ports.rcrainfo import RcrainfoProblem, RcrainfoUser
from haztrak.domain.handlers import RcraSite, SiteType
from haztrak.domain.identity import OrgRole, RcraSitePermission
from haztrak.domain.manifest import Status
from haztrak.domain.secrets import Secret
from haztrak.entrypoints.http.app import create_app
from haztrak.entrypoints.settings import Settings
from haztrak.entrypoints.worker.providers import worker_providers
from tests.fakes_rcrainfo import FakeRcrainfo
from tests.http.conftest import (
    DEMO_CREDENTIALS,
    Browser,
    _logged_in,
    http_client,
    providers_for_tests,
)
from tests.integration.tasks.support import (
    FakeRcrainfoProvider,
    background_container,
    running_worker,
    seeded,
    task_settings,
)
from tests.manifest_documents import a_manifest, manifest_document
from tests.polling import eventually

GEN, TRANS1, TRANS2, TSDF = "VATESTGEN001", "MOCKTRANS001", "MOCKTRANS002", "MOCKTSDFS001"
TSDF_CREDENTIALS = ("tsdf-api-id", "tsdf-api-key-SECRET-VALUE")


@pytest.fixture
def rcrainfo() -> FakeRcrainfo:
    fake = FakeRcrainfo()
    for api_id, api_key in [*DEMO_CREDENTIALS.values(), TSDF_CREDENTIALS]:
        fake.account(api_id, api_key)
    return fake


@pytest.fixture
async def app(settings: Settings, rcrainfo: FakeRcrainfo) -> AsyncIterator[Litestar]:
    """The app with the worker providers, and a worker running on this event loop."""
    container = background_container(settings, rcrainfo)
    await seeded(settings, container)
    await _give_tsdf_credentials(container)
    async with running_worker(container):
        yield create_app(settings, container=container)
    await container.close()


async def _give_tsdf_credentials(container: AsyncContainer) -> None:
    """mock-tsdf has no credentials in the demo set: orgadmin becomes its admin and sets them."""
    async with container() as scope:
        admin = await (await scope.get(UserRepository)).by_username("orgadmin")
        org = await (await scope.get(OrgRepository)).by_slug("mock-tsdf")
        assert admin is not None
        assert org is not None
        await (await scope.get(MembershipRepository)).set_org_role(org.id, admin.id, OrgRole.ADMIN)
        set_credentials = await scope.get(SetOrgRcrainfoCredentials)
        await set_credentials(admin, "mock-tsdf", TSDF_CREDENTIALS[0], Secret(TSDF_CREDENTIALS[1]))


@pytest.fixture
async def transporter1(app: Litestar) -> AsyncIterator[Browser]:
    async for browser in _logged_in(app, "transporter1"):
        yield browser


async def task_done(browser: Browser, task_id: str) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        response = await browser.get(f"/api/task/{task_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body if body["status"] in ("SUCCESS", "FAILURE") else None

    return await eventually(check)


async def started(response: httpx.Response) -> str:
    assert response.status_code == 202, response.text
    assert set(response.json()) == {"taskId"}
    task_id: str = response.json()["taskId"]
    return task_id


async def test_a_profile_sync_runs_in_a_task_only_its_owner_reads(
    testuser1: Browser, tsdf1: Browser, anonymous: Browser, rcrainfo: FakeRcrainfo
) -> None:
    # Without credentials the task fails at once, with the reason (a client follows the task).
    refused = await task_done(
        testuser1, await started(await testuser1.post("/api/rcrainfo-profile/sync"))
    )
    assert (refused["status"], refused["attempts"]) == ("FAILURE", 0)
    assert "RCRAInfo profile" in refused["error"]["detail"]
    assert refused["result"] == refused["error"]["detail"]
    rcrainfo.account("terry-id", "terry-key")
    rcrainfo.users["terry"] = RcrainfoUser(
        user_id="terry",
        permissions=[RcraSitePermission(epa_site_id=GEN, emanifest="Certifier")],
    )
    profile = {"rcraUsername": "terry", "rcraAPIID": "terry-id", "rcraAPIKey": "terry-key"}
    assert (await testuser1.put("/api/rcrainfo-profile/testuser1", json=profile)).is_success

    task_id = await started(await testuser1.post("/api/rcrainfo-profile/sync"))
    task = await task_done(testuser1, task_id)
    assert task["taskId"] == task_id
    assert (task["taskName"], task["status"], task["attempts"]) == (
        "sync_rcrainfo_profile",
        "SUCCESS",
        1,
    )
    assert task["result"] == {"rcraUsername": "terry", "sites": [GEN]}
    assert task["createdDate"] <= task["doneDate"]
    assert task["error"] is None
    shown = (await testuser1.get("/api/rcrainfo-profile/testuser1")).json()
    assert [s["epaSiteId"] for s in shown["rcraSites"]] == [GEN]
    assert shown["rcraSites"][0]["permissions"]["eManifest"] == "Certifier"
    assert "terry-key" not in str(task)
    # my-profile shows them on the site they belong to
    [site] = (await testuser1.get("/api/my-profile")).json()["sites"].values()
    assert site["handler"]["epaSiteId"] == GEN
    assert site["rcrainfoPermissions"]["eManifest"] == "Certifier"
    assert site["rcrainfoPermissions"]["siteManagement"] is False

    assert (await tsdf1.get(f"/api/task/{task_id}")).status_code == 404
    assert (await anonymous.get(f"/api/task/{task_id}")).status_code == 401
    bad = await testuser1.get("/api/task/not-a-task")
    assert bad.status_code in (400, 404)


async def test_a_site_sync_stores_the_sites_manifests(
    testuser1: Browser, tsdf1: Browser, rcrainfo: FakeRcrainfo
) -> None:
    for n in range(5):
        rcrainfo.store(a_manifest(mtn=f"{400_000_000 + n:09d}ELC", status="Pending"))
    rcrainfo.clock.advance(60)
    assert (
        await tsdf1.post("/api/manifest/emanifest/sync", json={"siteId": GEN})
    ).status_code == 404
    task_id = await started(
        await testuser1.post("/api/manifest/emanifest/sync", json={"siteId": GEN})
    )
    task = await task_done(testuser1, task_id)
    assert task["status"] == "SUCCESS", task
    assert task["progress"] == {"total": 5, "done": 5}
    numbers = await testuser1.get(f"/api/manifest/mtn/{GEN}")
    assert {m["manifestTrackingNumber"] for m in numbers.json()} >= {
        f"{400_000_000 + n:09d}ELC" for n in range(5)
    }
    site = (await testuser1.get(f"/api/sites/{GEN}")).json()
    assert site["lastRcrainfoManifestSync"] is not None


async def test_a_draft_is_submitted_then_signed_by_each_party_in_turn(
    testuser1: Browser, transporter1: Browser, tsdf1: Browser, rcrainfo: FakeRcrainfo
) -> None:
    draft = await testuser1.post(
        "/api/manifest", json=manifest_document(transporters=(TRANS1, TRANS2))
    )
    assert draft.status_code == 201, draft.text
    document = draft.json()
    document.pop("warnings")
    document["status"] = "Scheduled"
    task_id = await started(await testuser1.post("/api/manifest/emanifest", json=document))
    task = await task_done(testuser1, task_id)
    assert task["status"] == "SUCCESS", task
    mtn = task["result"]["manifestTrackingNumber"]
    assert mtn.endswith("ELC")
    assert (
        await testuser1.get(f"/api/manifest/{document['manifestTrackingNumber']}")
    ).status_code == 404
    assert (await testuser1.get(f"/api/manifest/{mtn}")).json()["status"] == "Scheduled"

    out_of_turn = await tsdf1.post(
        "/api/manifest/emanifest/sign",
        json={
            "manifestTrackingNumbers": [mtn],
            "siteId": TSDF,
            "siteType": "Tsdf",
            "printedSignatureName": "Tess Tsdf",
        },
    )
    assert out_of_turn.status_code == 409
    # What RCRAInfo answers after each signature (EPA's signing order, NOTES §3.1).
    rcrainfo.statuses_after_signing = [
        Status.SCHEDULED,
        Status.IN_TRANSIT,
        Status.READY_FOR_SIGNATURE,
        Status.SIGNED,
    ]
    for browser, site, site_type, order, status in [
        (testuser1, GEN, "Generator", None, "Scheduled"),
        (transporter1, TRANS1, "Transporter", 1, "InTransit"),
        (transporter1, TRANS2, "Transporter", 2, "ReadyForSignature"),
        (tsdf1, TSDF, "Tsdf", None, "Signed"),
    ]:
        body: dict[str, Any] = {
            "manifestTrackingNumbers": [mtn],
            "siteId": site,
            "siteType": site_type,
            "printedSignatureName": "A Signer",
        }
        if order:
            body["transporterOrder"] = order
        signed = await task_done(
            browser, await started(await browser.post("/api/manifest/emanifest/sign", json=body))
        )
        assert signed["status"] == "SUCCESS", signed
        assert signed["result"]["statuses"] == {mtn: status}
        assert (await browser.get(f"/api/manifest/{mtn}")).json()["status"] == status


async def test_a_refused_submission_shows_epas_field_errors(
    testuser1: Browser, rcrainfo: FakeRcrainfo
) -> None:
    rcrainfo.refuse_saves = [
        RcrainfoProblem(message="Invalid quantity", field="Emanifest.wastes.0.quantity")
    ]
    document = manifest_document(status="Scheduled")
    task = await task_done(
        testuser1, await started(await testuser1.post("/api/manifest/emanifest", json=document))
    )
    assert (task["status"], task["attempts"]) == ("FAILURE", 1)
    assert task["error"]["kind"] == "validation"
    assert task["error"]["errors"] == [
        {"field": "wastes.0.quantity", "message": "Invalid quantity"}
    ]
    invalid = await testuser1.post("/api/manifest/emanifest", json={"generator": 5})
    assert invalid.status_code == 422


async def test_the_owner_of_a_failed_task_runs_it_again(
    testuser1: Browser, tsdf1: Browser, anonymous: Browser, rcrainfo: FakeRcrainfo
) -> None:
    rcrainfo.refuse_saves = [RcrainfoProblem(message="Invalid quantity", field="wastes.0")]
    document = manifest_document(status="Scheduled")
    task_id = await started(await testuser1.post("/api/manifest/emanifest", json=document))
    assert (await task_done(testuser1, task_id))["status"] == "FAILURE"
    assert (await tsdf1.post(f"/api/task/{task_id}/retry")).status_code == 404
    assert (await anonymous.post(f"/api/task/{task_id}/retry")).status_code == 401
    rcrainfo.refuse_saves = []  # fixed in RCRAInfo meanwhile

    retried = await testuser1.post(f"/api/task/{task_id}/retry")
    assert await started(retried) == task_id
    task = await task_done(testuser1, task_id)
    assert (task["status"], task["attempts"]) == ("SUCCESS", 2), task
    assert task["result"]["manifestTrackingNumber"].endswith("ELC")
    assert len(rcrainfo.manifests) == 1
    again = await testuser1.post(f"/api/task/{task_id}/retry")
    assert again.status_code == 409
    assert "only a failed task can be retried" in again.json()["detail"]


async def test_handler_lookups_answer_from_here_or_from_rcrainfo(
    testuser1: Browser, rcrainfo: FakeRcrainfo
) -> None:
    rcrainfo.sites["VAREMOTE0001"] = RcraSite(
        epa_site_id="VAREMOTE0001", site_type=SiteType.GENERATOR, name="Remote Generator"
    )
    found = await testuser1.post(
        "/api/rcrainfo/rcrasite/search", json={"siteId": "varem", "siteType": "generator"}
    )
    assert found.status_code == 200, found.text
    assert [s["epaSiteId"] for s in found.json()] == ["VAREMOTE0001"]
    again = await testuser1.post(
        "/api/rcrainfo/rcrasite/search", json={"siteId": "VAREM", "siteType": "Generator"}
    )
    assert again.json() == found.json()
    assert rcrainfo.count("search_sites") == 1  # cached
    short = await testuser1.post("/api/rcrainfo/rcrasite/search", json={"siteId": "v"})
    assert short.status_code == 422
    assert short.json()["errors"][0]["field"] == "siteId"
    bad_type = await testuser1.post(
        "/api/rcrainfo/rcrasite/search", json={"siteId": "VA", "siteType": "spaceport"}
    )
    assert bad_type.status_code == 422

    local = await testuser1.get(f"/api/rcrasite/{GEN}")
    assert (local.status_code, local.json()["epaSiteId"]) == (200, GEN)
    rcrainfo.sites["VAPULLED0001"] = RcraSite(
        epa_site_id="VAPULLED0001", site_type=SiteType.TSDF, name="Pulled Facility"
    )
    pulled = await testuser1.get("/api/rcrasite/VAPULLED0001")
    assert (pulled.status_code, pulled.json()["name"]) == (200, "Pulled Facility")
    assert (await testuser1.get("/api/rcrasite/VANOWHERE001")).status_code == 404
    assert (await testuser1.get("/api/rcrasite/VANOWHERE001")).status_code == 404
    assert rcrainfo.count("get_site") == 2

    listed = await testuser1.get(
        "/api/rcrasite/search", params={"epaId": "mock", "siteType": "transporter"}
    )
    assert [s["epaSiteId"] for s in listed.json()] == [TRANS1, TRANS2]
    named = await testuser1.get("/api/rcrasite/search", params={"siteName": "pulled"})
    assert [s["epaSiteId"] for s in named.json()] == ["VAPULLED0001"]
    assert (await testuser1.get("/api/rcrasite/search", params={"limit": 0})).status_code == 422


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DeadRedisCache(Provider):
    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    @provide(scope=Scope.APP, override=True)
    def cache(self) -> Cache:
        return RedisCache.from_url(self.url)


async def test_requests_succeed_when_the_cache_is_down(tmp_path: Path) -> None:
    settings = task_settings(tmp_path)
    rcrainfo = FakeRcrainfo()
    for api_id, api_key in DEMO_CREDENTIALS.values():
        rcrainfo.account(api_id, api_key)
    rcrainfo.sites["VAREMOTE0001"] = RcraSite(
        epa_site_id="VAREMOTE0001", site_type=SiteType.GENERATOR, name="Remote"
    )
    container = make_async_container(
        *providers_for_tests(),
        *worker_providers(),
        FakeRcrainfoProvider(rcrainfo),
        DeadRedisCache(f"redis://127.0.0.1:{_closed_port()}/0"),
        context={Settings: settings},
    )
    try:
        await seeded(settings, container)
        async with container() as scope:
            user = await (await scope.get(UserRepository)).by_username("testuser1")
            assert user is not None
            _, token = await (await scope.get(CreateApiToken))(user, "script")
        async with running_worker(container):
            app = create_app(settings, container=container)
            async with http_client(app) as client:
                headers = {"Authorization": f"Bearer {token.reveal()}"}
                for _ in range(2):  # nothing is cached: RCRAInfo answers both times
                    found = await client.post(
                        "/api/rcrainfo/rcrasite/search",
                        json={"siteId": "VAREM"},
                        headers=headers,
                    )
                    assert found.status_code == 200, found.text
                    assert [s["epaSiteId"] for s in found.json()] == ["VAREMOTE0001"]
                assert rcrainfo.count("search_sites") == 2
                local = await client.get(f"/api/rcrasite/{GEN}", headers=headers)
                assert local.status_code == 200
    finally:
        await container.close()


async def test_readiness_includes_the_task_queue(anonymous: Browser) -> None:
    ready = await anonymous.get("/api/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"]["broker"]["status"] == "ok"


async def test_a_broker_that_does_not_answer_fails_readiness(tmp_path: Path) -> None:
    settings = task_settings(tmp_path, HT_REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0")
    container = make_async_container(*providers_for_tests(), context={Settings: settings})
    try:
        await seeded(settings, container)  # SQLite answers; Redis does not
        async with http_client(create_app(settings, container=container)) as client:
            ready = await client.get("/api/health/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["broker"]["status"] == "failing"
        assert ready.json()["checks"]["cache"]["status"] == "failing"
    finally:
        await container.close()
