"""Corrections over HTTP on both backends (SQLite and PostgreSQL), with a worker on the test's
event loop and the fake RCRAInfo: the version history is stored and read back, each version's
content served; bad input is a 4xx naming the field, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from litestar import Litestar

from haztrak.entrypoints.http.app import create_app
from haztrak.entrypoints.settings import Settings
from tests.fakes_rcrainfo import FakeRcrainfo
from tests.http.conftest import DEMO_CREDENTIALS, Browser, _logged_in, store_from_rcrainfo
from tests.http.test_tasks_api import started, task_done
from tests.integration.tasks.support import background_container, running_worker, seeded
from tests.manifest_documents import a_manifest

MTN = "100000042ELC"


@pytest.fixture
def rcrainfo() -> FakeRcrainfo:
    fake = FakeRcrainfo()
    for api_id, api_key in DEMO_CREDENTIALS.values():
        fake.account(api_id, api_key)
    return fake


@pytest.fixture
async def app(settings: Settings, rcrainfo: FakeRcrainfo) -> AsyncIterator[Litestar]:
    container = background_container(settings, rcrainfo)
    await seeded(settings, container)
    async with running_worker(container):
        yield create_app(settings, container=container)
    await container.close()


@pytest.fixture
async def testuser1(app: Litestar) -> AsyncIterator[Browser]:
    async for browser in _logged_in(app, "testuser1"):
        yield browser


@pytest.fixture
async def transporter1(app: Litestar) -> AsyncIterator[Browser]:
    async for browser in _logged_in(app, "transporter1"):
        yield browser


async def _signed(app: Litestar, rcrainfo: FakeRcrainfo) -> dict[str, Any]:
    manifest = a_manifest(mtn=MTN, status="Signed")
    rcrainfo.store(manifest)
    await store_from_rcrainfo(app, manifest)
    return msgspec.to_builtins(manifest)  # type: ignore[no-any-return]


async def test_the_history_is_stored_and_each_version_served(
    app: Litestar, testuser1: Browser, transporter1: Browser, rcrainfo: FakeRcrainfo
) -> None:
    document = await _signed(app, rcrainfo)
    document["wastes"][0]["quantity"]["quantity"] = 4321
    task = await task_done(
        testuser1,
        await started(await testuser1.post(f"/api/manifest/{MTN}/correction", json=document)),
    )
    assert task["status"] == "SUCCESS", task
    assert task["result"]["operationStatus"] == "CorrectionCreated"
    listed = (await transporter1.get(f"/api/manifest/{MTN}/versions")).json()
    assert listed["manifestTrackingNumber"] == MTN
    assert listed["pulledAt"]
    assert [(v["versionNumber"], v["status"], v["active"]) for v in listed["versions"]] == [
        (2, "UnderCorrection", True),
        (1, "Signed", False),
    ]
    second = (await transporter1.get(f"/api/manifest/{MTN}/versions/2")).json()
    assert second["wastes"][0]["quantity"]["quantity"] == 4321
    first = (await transporter1.get(f"/api/manifest/{MTN}/versions/1")).json()
    assert first["wastes"][0]["quantity"]["quantity"] != 4321

    reverted = await task_done(
        testuser1, await started(await testuser1.post(f"/api/manifest/{MTN}/correction/revert"))
    )
    assert reverted["status"] == "SUCCESS", reverted
    listed = (await transporter1.get(f"/api/manifest/{MTN}/versions")).json()
    assert [v["versionNumber"] for v in listed["versions"]] == [1]
    assert (await transporter1.get(f"/api/manifest/{MTN}/versions/2")).status_code == 404


async def test_bad_input_is_a_4xx_naming_the_field(
    app: Litestar, testuser1: Browser, rcrainfo: FakeRcrainfo
) -> None:
    document = await _signed(app, rcrainfo)
    cases: list[tuple[str, Any, int, str]] = [
        (f"/api/manifest/{MTN}/correction", {**document, "wastes": "many"}, 422, "wastes"),
        (
            f"/api/manifest/{MTN}/correction",
            {**document, "manifestTrackingNumber": "100000043ELC"},
            422,
            "manifestTrackingNumber",
        ),
        (
            f"/api/manifest/{MTN}/correction/sign",
            {"siteId": "VATESTGEN001", "printedSignatureName": "Pat", "printedSignatureDate": "x"},
            422,
            "printedSignatureDate",
        ),
        (
            f"/api/manifest/{MTN}/correction/sign",
            {"siteId": "VATESTGEN001", "printedSignatureName": "Pat", "extra": 1},
            422,
            "extra",
        ),
    ]
    for path, body, status, field in cases:
        answer = await testuser1.post(path, json=body)
        assert answer.status_code == status, (path, answer.text)
        assert field in answer.text, (path, answer.text)
    for path in (f"/api/manifest/{MTN}/versions/0", f"/api/manifest/{MTN}/versions/x"):
        answer = await testuser1.get(path)
        assert 400 <= answer.status_code < 500, (path, answer.text)
    assert (await testuser1.get("/api/manifest/nope/versions")).status_code == 404
