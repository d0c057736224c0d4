"""Bulk Quicker Sign and links into RCRAInfo with nothing faked: the HTTP app and its web UI, a
worker on this event loop, the real adapter and EPA's client, and the e-Manifest sandbox
embedded in the process. testuser1 (a signer of the generator, whose org has the sandbox's
demo credentials) sends two manifests to e-Manifest, signs both at once from the review page,
reads each one's outcome, and asks for RCRAInfo's pages of one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from dishka import AsyncContainer, make_async_container
from litestar import Litestar

from haztrak.adapters.persistence import database
from haztrak.application.identity.demo import SeedDemoData
from haztrak.domain.secrets import Secret
from haztrak.entrypoints.cli.demo import demo_data
from haztrak.entrypoints.http.app import create_app
from haztrak.entrypoints.sandbox.seed import DEMO_ORG_CREDENTIALS
from haztrak.entrypoints.settings import Settings
from haztrak.entrypoints.worker.providers import worker_providers
from tests.http.conftest import PASSWORD, Browser, _logged_in, providers_for_tests
from tests.http.test_tasks_api import started, task_done
from tests.integration.tasks.support import running_worker, task_settings
from tests.manifest_documents import manifest_document

GEN = "VATESTGEN001"


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[Litestar]:
    settings: Settings = task_settings(tmp_path, HT_SANDBOX_STATE="memory")
    container: AsyncContainer = make_async_container(
        *providers_for_tests(), *worker_providers(), context={Settings: settings}
    )
    engine = database.create_engine(settings.database.url.reveal())
    await database.upgrade(engine)
    await engine.dispose()
    async with container() as scope:
        seed = await scope.get(SeedDemoData)
        await seed(demo_data(DEMO_ORG_CREDENTIALS), Secret(PASSWORD))
    async with running_worker(container):
        yield create_app(settings, container=container)
    await container.close()


@pytest.fixture
async def testuser1(app: Litestar) -> AsyncIterator[Browser]:
    async for browser in _logged_in(app, "testuser1"):
        yield browser


async def in_emanifest(browser: Browser) -> str:
    document = manifest_document(status="Scheduled", transporters=("MOCKTRANS001",))
    task = await task_done(
        browser, await started(await browser.post("/api/manifest/emanifest", json=document))
    )
    assert task["status"] == "SUCCESS", task
    assert task["result"]["status"] == "Scheduled"
    mtn: str = task["result"]["manifestTrackingNumber"]
    return mtn


async def test_two_manifests_signed_at_once_then_opened_in_rcrainfo(testuser1: Browser) -> None:
    first, second = await in_emanifest(testuser1), await in_emanifest(testuser1)

    review = await testuser1.get(f"/sign?mtn={first}&mtn={second}")
    assert review.status_code == 200, review.text
    html = BeautifulSoup(review.text, "html.parser")
    form = html.select_one(".sign-group form")
    assert form is not None
    fields = {
        "csrf_token": testuser1.client.cookies.get("csrftoken") or "",
        "group": form.select_one("input[name=group]")["value"],  # type: ignore[index]
        "mtn": [first, second],
        "printed_name": "Terry Tester",
        "confirm": "yes",
    }
    signed = await testuser1.post("/sign", data=fields)
    assert signed.status_code == 303, signed.text
    task_id = signed.headers["location"].removeprefix("/sign/")
    task = await task_done(testuser1, task_id)
    assert task["status"] == "SUCCESS", task
    reports = {r["manifestTrackingNumber"]: r["signed"] for r in task["result"]["manifestReports"]}
    assert reports == {first: True, second: True}
    # signed by the generator: the transporter's turn (Scheduled until it picks up)
    assert task["result"]["statuses"] == {first: "Scheduled", second: "Scheduled"}

    outcome = BeautifulSoup((await testuser1.get(f"/sign/{task_id}")).text, "html.parser")
    for mtn in (first, second):
        item = outcome.select_one(f"#outcome-{mtn}")
        assert item is not None
        assert "Signed." in item.get_text(" ", strip=True)

    asked = await testuser1.post(
        "/api/rcrainfo/links",
        json={"page": "View", "epaSiteId": GEN, "manifestTrackingNumber": first},
    )
    if asked.status_code == 202:  # RCRAInfo (the sandbox) was slower than the wait
        link_task = await task_done(testuser1, asked.json()["taskId"])
        url = link_task["result"]["url"]
    else:
        assert asked.status_code == 200, asked.text
        url = asked.json()["url"]
    assert url.startswith("https://")
    assert f"/{GEN}/view/{first}" in url

    # The generator has signed: the Sign page is the transporter's now, not the generator's.
    refused = await testuser1.post(
        "/api/rcrainfo/links",
        json={"page": "Sign", "epaSiteId": GEN, "manifestTrackingNumber": first},
    )
    if refused.status_code == 202:
        failed = await task_done(testuser1, refused.json()["taskId"])
        assert failed["status"] == "FAILURE"
        assert "not ready" in failed["error"]["detail"]
    else:
        assert refused.status_code == 422, refused.text
        assert "not ready" in refused.text
