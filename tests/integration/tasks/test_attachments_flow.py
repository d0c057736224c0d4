"""A paper manifest's scan from the API to e-Manifest and back, with nothing faked: the HTTP
app, a worker on this event loop, the real adapter and EPA's client, the e-Manifest sandbox
embedded in the process, and the folder storage. tsdf1 (a signer of the designated facility,
whose org has the sandbox's demo credentials) saves an Image manifest with its scan as
multipart, then fetches the manifest's documents from RCRAInfo's attachments service."""

from __future__ import annotations

import io
import json
import secrets
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from dishka import AsyncContainer, make_async_container
from litestar import Litestar

from haztrak.adapters.persistence import database
from haztrak.application.identity.demo import SeedDemoData
from haztrak.domain.secrets import Secret
from haztrak.entrypoints.cli.demo import demo_data
from haztrak.entrypoints.http.app import create_app
from haztrak.entrypoints.sandbox.documents import minimal_pdf
from haztrak.entrypoints.sandbox.seed import DEMO_ORG_CREDENTIALS
from haztrak.entrypoints.settings import Settings
from haztrak.entrypoints.worker.providers import worker_providers
from tests.http.conftest import PASSWORD, Browser, _logged_in, providers_for_tests
from tests.http.test_tasks_api import started, task_done
from tests.integration.tasks.support import running_worker, task_settings
from tests.manifest_documents import manifest_document


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
async def tsdf1(app: Litestar) -> AsyncIterator[Browser]:
    async for browser in _logged_in(app, "tsdf1"):
        yield browser


def printed_number() -> str:
    return f"{secrets.randbelow(80_000_000) + 710_000_000:09d}JJK"


def scan_of(mtn: str) -> tuple[bytes, bytes]:
    pdf = minimal_pdf([f"Uniform Hazardous Waste Manifest {mtn}", "Signed on paper"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{mtn}.pdf", pdf)
    return pdf, buffer.getvalue()


async def test_an_image_manifest_goes_with_its_scan_and_its_documents_come_back(
    tsdf1: Browser,
) -> None:
    mtn = printed_number()
    pdf, archive = scan_of(mtn)
    manifest = manifest_document(mtn=mtn, submission_type="Image", status=None)
    files: dict[str, Any] = {
        "manifest": ("manifest.json", json.dumps(manifest).encode(), "application/json"),
        "attachment": ("attachments.zip", archive, "application/zip"),
    }
    task = await task_done(
        tsdf1, await started(await tsdf1.post("/api/manifest/emanifest", files=files))
    )
    assert task["status"] == "SUCCESS", task
    assert task["result"]["manifestTrackingNumber"] == mtn
    assert task["result"]["status"] == "ReadyForSignature"  # the sandbox read the MTN

    kept = await tsdf1.get(f"/api/manifest/{mtn}")
    assert kept.json()["printedDocument"]["size"] == len(pdf)
    assert kept.json()["mtnValidationInfo"]["mtnsMatch"] is True
    listed = (await tsdf1.get(f"/api/manifest/{mtn}/attachments")).json()
    assert [(d["name"], d["kind"]) for d in listed] == [(f"{mtn}.pdf", "scan")]

    fetched = await task_done(
        tsdf1, await started(await tsdf1.post(f"/api/manifest/{mtn}/attachments/fetch"))
    )
    assert fetched["status"] == "SUCCESS", fetched
    assert fetched["result"]["documents"] == [f"{mtn}.pdf"]
    download = await tsdf1.get(f"/api/manifest/{mtn}/attachments/{mtn}.pdf")
    assert download.content == pdf  # RCRAInfo's copy of the scan, byte for byte
