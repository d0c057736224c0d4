"""Corrections through the whole service (issue 13 §2): the REST API starts each task, a worker
runs it with the real adapter and EPA's client against the e-Manifest sandbox over HTTPS, and
the local copy and the version history follow e-Manifest. A lock in e-Manifest makes the task
wait, saying why, until it is lifted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from dishka import AsyncContainer, make_async_container
from litestar import Litestar

from haztrak.adapters.persistence import database
from haztrak.adapters.rcrainfo import RcrainfoEndpoint
from haztrak.application.identity.demo import SeedDemoData
from haztrak.application.ports.manifests import ManifestRepository
from haztrak.application.ports.persistence import UnitOfWork
from haztrak.application.ports.tasks import TaskRepository
from haztrak.domain.manifest import manifest_from_document
from haztrak.domain.secrets import Secret
from haztrak.domain.tasks import Task, TaskStatus
from haztrak.entrypoints.cli.demo import demo_data
from haztrak.entrypoints.http.app import create_app
from haztrak.entrypoints.sandbox import SandboxServer
from haztrak.entrypoints.sandbox.seed import DEMO_ORG_CREDENTIALS
from haztrak.entrypoints.settings import Settings
from haztrak.entrypoints.worker.providers import worker_providers
from tests.http.conftest import PASSWORD, Browser, _logged_in, providers_for_tests
from tests.integration.rcrainfo.test_wiring import OwnEndpoint
from tests.integration.sandbox.support import Control
from tests.integration.tasks.support import running_worker, task_settings
from tests.polling import eventually

GEN = "VATESTGEN001"


@pytest.fixture
async def container(
    tmp_path: Path, sandbox_endpoint: RcrainfoEndpoint
) -> AsyncIterator[tuple[Settings, AsyncContainer]]:
    settings = task_settings(tmp_path)
    container = make_async_container(
        *providers_for_tests(),
        *worker_providers(),
        OwnEndpoint(sandbox_endpoint),
        context={Settings: settings},
    )
    engine = database.create_engine(settings.database.url.reveal())
    await database.upgrade(engine)
    await engine.dispose()
    async with container() as scope:
        seed = await scope.get(SeedDemoData)
        await seed(demo_data(DEMO_ORG_CREDENTIALS), Secret(PASSWORD))
    yield settings, container
    await container.close()


@pytest.fixture
async def app(container: tuple[Settings, AsyncContainer]) -> AsyncIterator[Litestar]:
    settings, dishka = container
    async with running_worker(dishka):
        yield create_app(settings, container=dishka)


@pytest.fixture
async def testuser1(app: Litestar) -> AsyncIterator[Browser]:
    async for browser in _logged_in(app, "testuser1"):
        yield browser


def _signed_in_sandbox(sandbox: SandboxServer) -> dict[str, Any]:
    """One of the sandbox's seeded manifests that its facility signed, from the demo
    generator, with no correction yet."""
    for document in sandbox.state.manifests.values():
        if (
            document.get("status") == "Signed"
            and (document.get("generator") or {}).get("epaSiteId") == GEN
            and document.get("submissionType") == "FullElectronic"
            and document["manifestTrackingNumber"] not in sandbox.state.versions
            and not document.get("locked")
        ):
            return dict(document)
    raise AssertionError("the sandbox seed has no Signed manifest of the demo generator")


async def _keep_here(app: Litestar, document: dict[str, Any]) -> str:
    """The local copy, as a sync from RCRAInfo keeps it."""
    manifest = manifest_from_document(document)
    async with app.state.dishka_container() as scope:
        manifests = await scope.get(ManifestRepository)
        await manifests.upsert_by_mtn(manifest, owner_org_id=None, at=datetime.now(UTC))
        await (await scope.get(UnitOfWork)).commit()
    return str(manifest.manifest_tracking_number)


async def _task(app: Litestar, task_id: str, *, finished: bool = True) -> Task:
    async def check() -> Task | None:
        async with app.state.dishka_container() as scope:
            task = await (await scope.get(TaskRepository)).get(UUID(task_id))
        if task is None:
            return None
        return task if task.finished or not finished else None

    return await eventually(check, 30.0)


async def _done(app: Litestar, answer: Any) -> Task:
    assert answer.status_code == 202, answer.text
    task = await _task(app, answer.json()["taskId"])
    assert task.status is TaskStatus.SUCCESS, task.error
    return task


async def test_correct_sign_and_revert_through_the_api_a_worker_and_the_sandbox(
    app: Litestar, testuser1: Browser, sandbox: SandboxServer
) -> None:
    document = _signed_in_sandbox(sandbox)
    mtn = await _keep_here(app, document)
    corrected = {**document, "wastes": [dict(w) for w in document["wastes"]]}
    corrected["wastes"][0]["quantity"] = {**corrected["wastes"][0]["quantity"], "quantity": 777}

    task = await _done(app, await testuser1.post(f"/api/manifest/{mtn}/correction", json=corrected))
    assert task.result["operationStatus"] == "CorrectionCreated"
    assert task.result["status"] == "UnderCorrection"
    local = (await testuser1.get(f"/api/manifest/{mtn}")).json()
    assert local["status"] == "UnderCorrection"
    assert local["wastes"][0]["quantity"]["quantity"] == 777
    versions = (await testuser1.get(f"/api/manifest/{mtn}/versions")).json()
    assert [(v["versionNumber"], v["status"], v["active"]) for v in versions["versions"]] == [
        (2, "UnderCorrection", True),
        (1, "Signed", False),
    ]
    assert all(v["contentAvailable"] for v in versions["versions"])
    first = (await testuser1.get(f"/api/manifest/{mtn}/versions/1")).json()
    assert (
        first["wastes"][0]["quantity"]["quantity"] == document["wastes"][0]["quantity"]["quantity"]
    )

    signature = {"siteId": GEN, "printedSignatureName": "Terry Tester"}
    task = await _done(
        app, await testuser1.post(f"/api/manifest/{mtn}/correction/sign", json=signature)
    )
    assert task.result["status"] == "Corrected"
    versions = (await testuser1.get(f"/api/manifest/{mtn}/versions")).json()
    active = next(v for v in versions["versions"] if v["active"])
    assert (active["versionNumber"], active["status"], active["epaSiteId"]) == (
        2,
        "Corrected",
        GEN,
    )

    again = {**local, "wastes": [dict(w) for w in local["wastes"]]}
    again["wastes"][0]["quantity"] = {**again["wastes"][0]["quantity"], "quantity": 778}
    task = await _done(app, await testuser1.post(f"/api/manifest/{mtn}/correction", json=again))
    assert task.result["activeVersion"] == 3
    task = await _done(app, await testuser1.post(f"/api/manifest/{mtn}/correction/revert"))
    assert task.result["operationStatus"] == "Reverted"
    local = (await testuser1.get(f"/api/manifest/{mtn}")).json()
    assert local["status"] == "Corrected"
    assert local["wastes"][0]["quantity"]["quantity"] == 777
    versions = (await testuser1.get(f"/api/manifest/{mtn}/versions")).json()
    assert [v["versionNumber"] for v in versions["versions"]] == [2, 1]


async def test_a_correction_waits_while_e_manifest_holds_the_manifest_locked(
    app: Litestar, testuser1: Browser, sandbox: SandboxServer, control: Control
) -> None:
    document = _signed_in_sandbox(sandbox)
    mtn = await _keep_here(app, document)
    assert control.post(f"manifests/{mtn}/lock", {"lockReason": "AsyncSign"}).status_code == 200
    answer = await testuser1.post(f"/api/manifest/{mtn}/correction", json=document)
    assert answer.status_code == 202, answer.text
    task_id = answer.json()["taskId"]

    async def waiting() -> Task | None:
        task = await _task(app, task_id, finished=False)
        return task if task.error is not None else None

    task = await eventually(waiting, 30.0)
    assert not task.finished
    assert task.error is not None
    assert "signing queue" in task.error.detail
    shown = (await testuser1.get(f"/api/task/{task_id}")).json()
    assert shown["status"] in ("PENDING", "STARTED")
    assert sandbox.state.manifests[mtn].get("status") == "Signed"  # nothing was sent

    assert control.delete(f"manifests/{mtn}/lock").status_code == 200  # e-Manifest lets go
    done = await _task(app, task_id)
    assert done.status is TaskStatus.SUCCESS, done.error
    assert sandbox.state.manifests[mtn]["status"] == "UnderCorrection"
