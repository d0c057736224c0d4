"""Issue 13 end to end, as the parties live it, through the REST API, a worker, the real adapter
and EPA's client against the e-Manifest sandbox over HTTPS:

a generator ships; the designated facility (TSDF) receives the shipment two drums short on its
line and rejects part of it (the transporter gone); while the shipment travels the generator's
exception-report clock runs, and it stops at the TSDF's signature; the rejected waste leaves on
a new manifest to an alternate facility, which signs it; the TSDF then corrects the received
manifest and signs the correction; and the manifest's PDF prints the corrected data.
"""

from __future__ import annotations

import copy
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec
import pytest
from dishka import AsyncContainer, make_async_container
from litestar import Litestar
from pypdf import PdfReader

from haztrak.adapters.persistence import database
from haztrak.adapters.rcrainfo import RcrainfoEndpoint
from haztrak.application.identity.demo import DemoData, DemoOrg, DemoUser, SeedDemoData
from haztrak.application.ports.tasks import TaskRepository
from haztrak.domain.handlers import RcraSite
from haztrak.domain.secrets import Secret
from haztrak.domain.tasks import Task, TaskStatus
from haztrak.entrypoints.cli.demo import demo_data
from haztrak.entrypoints.http.app import create_app
from haztrak.entrypoints.sandbox import SandboxServer
from haztrak.entrypoints.sandbox.seed import DEMO_ORG_CREDENTIALS, EXAMPLE_USER_CREDENTIALS
from haztrak.entrypoints.sandbox.sites import site_json
from haztrak.entrypoints.settings import Settings
from haztrak.entrypoints.worker.providers import worker_providers
from tests.http.conftest import PASSWORD, Browser, _logged_in, providers_for_tests
from tests.integration.rcrainfo.test_wiring import OwnEndpoint
from tests.integration.tasks.support import running_worker, task_settings
from tests.polling import eventually

GEN, TRANS1, TRANS2, TSDF = "VATESTGEN001", "MOCKTRANS001", "MOCKTRANS002", "MOCKTSDFS001"
ALTERNATE = "VATEST000003"
DEMO_MANIFEST = Path(__file__).parents[3] / "docs" / "demo-manifest.json"
SHORT = "2 drums short on arrival"
CORRECTED = "3 drums short on arrival (recounted)"


def _alternate_site(sandbox: SandboxServer) -> RcraSite:
    record = sandbox.state.site(ALTERNATE)
    assert record is not None
    return msgspec.convert(site_json(record, sandbox.state.esign(ALTERNATE)), RcraSite)


@pytest.fixture
async def app(
    tmp_path: Path, sandbox: SandboxServer, sandbox_endpoint: RcrainfoEndpoint
) -> AsyncIterator[Litestar]:
    settings = task_settings(tmp_path)
    container: AsyncContainer = make_async_container(
        *providers_for_tests(),
        *worker_providers(),
        OwnEndpoint(sandbox_endpoint),
        context={Settings: settings},
    )
    engine = database.create_engine(settings.database.url.reveal())
    await database.upgrade(engine)
    await engine.dispose()
    demo = demo_data(DEMO_ORG_CREDENTIALS)
    # The alternate facility: EPA's test TSDF 3, whose RCRAInfo user is the example user.
    data = DemoData(
        users=(*demo.users, DemoUser(username="alt1", first_name="Alex", last_name="Alternate")),
        orgs=(
            *demo.orgs,
            DemoOrg(
                name="Alternate TSDF",
                slug="alternate-tsdf",
                sites=(_alternate_site(sandbox),),
                signers=("alt1",),
                rcrainfo_api_id=EXAMPLE_USER_CREDENTIALS[0],
                rcrainfo_api_key=EXAMPLE_USER_CREDENTIALS[1],
            ),
        ),
    )
    async with container() as scope:
        await (await scope.get(SeedDemoData))(data, Secret(PASSWORD))
    async with running_worker(container):
        yield create_app(settings, container=container)
    await container.close()


async def _user(app: Litestar, username: str) -> AsyncIterator[Browser]:
    async for browser in _logged_in(app, username):
        yield browser


@pytest.fixture
async def generator(app: Litestar) -> AsyncIterator[Browser]:
    async for browser in _user(app, "testuser1"):
        yield browser


@pytest.fixture
async def transporter(app: Litestar) -> AsyncIterator[Browser]:
    async for browser in _user(app, "transporter1"):
        yield browser


@pytest.fixture
async def facility(app: Litestar) -> AsyncIterator[Browser]:
    async for browser in _user(app, "tsdf1"):
        yield browser


@pytest.fixture
async def alternate(app: Litestar) -> AsyncIterator[Browser]:
    async for browser in _user(app, "alt1"):
        yield browser


async def _done(app: Litestar, answer: Any) -> Task:
    assert answer.status_code == 202, answer.text
    task_id = UUID(answer.json()["taskId"])

    async def finished() -> Task | None:
        async with app.state.dishka_container() as scope:
            task = await (await scope.get(TaskRepository)).get(task_id)
        return task if task is not None and task.finished else None

    task = await eventually(finished, 60.0)
    assert task.status is TaskStatus.SUCCESS, task.error
    return task


async def _sign(
    app: Litestar, who: Browser, mtn: str, site: str, role: str, order: int | None = None
) -> str:
    body: dict[str, Any] = {
        "manifestTrackingNumbers": [mtn],
        "siteId": site,
        "siteType": role,
        "printedSignatureName": "Story Signer",
    }
    if order is not None:
        body["transporterOrder"] = order
    await _done(app, await who.post("/api/manifest/emanifest/sign", json=body))
    status: str = (await who.get(f"/api/manifest/{mtn}")).json()["status"]
    return status


async def _clocks(who: Browser, site: str, mtn: str) -> set[str]:
    answer = await who.get(f"/api/deadlines?site={site}")
    assert answer.status_code == 200, answer.text
    return {i["kind"] for i in answer.json()["items"] if i["manifestTrackingNumber"] == mtn}


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


async def test_receive_reject_sign_elsewhere_correct_and_print(
    app: Litestar,
    generator: Browser,
    transporter: Browser,
    facility: Browser,
    alternate: Browser,
) -> None:
    # The generator ships.
    shipment = json.loads(DEMO_MANIFEST.read_text()) | {"status": "Scheduled"}
    saved = await _done(app, await generator.post("/api/manifest/emanifest", json=shipment))
    mtn: str = saved.result["manifestTrackingNumber"]
    assert await _sign(app, generator, mtn, GEN, "Generator") == "Scheduled"
    assert await _sign(app, transporter, mtn, TRANS1, "Transporter", 1) == "InTransit"
    assert await _sign(app, transporter, mtn, TRANS2, "Transporter", 2) == "ReadyForSignature"
    assert "exceptionReport" in await _clocks(generator, GEN, mtn)  # picked up, not yet signed

    # The facility receives it two drums short and rejects part of it, the transporter gone.
    receipt = {
        "wastes": [
            {
                "lineNumber": 1,
                "discrepancyResidueInfo": {"wasteQuantity": True, "discrepancyComments": SHORT},
            }
        ],
        "rejection": True,
        "rejectionInfo": {
            "transporterOnSite": False,
            "rejectionType": "PartialReject",
            "rejectionComments": "Part of the load is not what the profile describes",
        },
    }
    await _done(app, await facility.post(f"/api/manifest/{mtn}/receipt", json=receipt))
    assert await _sign(app, facility, mtn, TSDF, "Tsdf") == "Signed"
    # The facility's signature stops the generator's exception clock; its own clock runs.
    assert "exceptionReport" not in await _clocks(generator, GEN, mtn)
    assert "discrepancy" in await _clocks(facility, TSDF, mtn)

    # The rejected waste leaves on a new manifest to the alternate facility, which signs it.
    started = await facility.post(f"/api/manifest/{mtn}/rejected-waste")
    assert started.status_code == 201, started.text
    draft_mtn = started.headers["location"].rsplit("/", 1)[1]
    original = (await facility.get(f"/api/manifest/{mtn}")).json()
    onward = (await facility.get(f"/api/manifest/{draft_mtn}")).json()
    onward["status"] = "Scheduled"
    onward["transporters"] = [copy.deepcopy(original["transporters"][0]) | {"order": 1}]
    for key in ("electronicSignaturesInfo", "signatureType", "signed"):
        onward["transporters"][0].pop(key, None)
    alternate_site = (await alternate.get(f"/api/rcrasite/{ALTERNATE}")).json()
    onward["designatedFacility"] = {
        key: alternate_site[key]
        for key in ("epaSiteId", "name", "siteAddress", "mailingAddress", "contact")
        if key in alternate_site
    } | {"siteType": "Tsdf"}
    sent = await _done(app, await facility.post("/api/manifest/emanifest", json=onward))
    onward_mtn: str = sent.result["manifestTrackingNumber"]
    assert await _sign(app, facility, onward_mtn, TSDF, "Generator") == "Scheduled"
    assert await _sign(app, transporter, onward_mtn, TRANS1, "Transporter", 1) == (
        "ReadyForSignature"
    )
    assert await _sign(app, alternate, onward_mtn, ALTERNATE, "Tsdf") == "Signed"
    links = (await facility.get(f"/api/manifest/{mtn}/links")).json()
    assert onward_mtn in {link["manifestTrackingNumber"] for link in links["carriedOn"]}

    # The facility corrects the received manifest and signs the correction.
    corrected = (await facility.get(f"/api/manifest/{mtn}")).json()
    corrected["wastes"][0]["discrepancyResidueInfo"]["discrepancyComments"] = CORRECTED
    task = await _done(app, await facility.post(f"/api/manifest/{mtn}/correction", json=corrected))
    assert task.result["status"] == "UnderCorrection"
    signature = {"siteId": TSDF, "printedSignatureName": "Tess Tsdf"}
    task = await _done(
        app, await facility.post(f"/api/manifest/{mtn}/correction/sign", json=signature)
    )
    assert task.result["status"] == "Corrected"
    versions = (await generator.get(f"/api/manifest/{mtn}/versions")).json()["versions"]
    assert [(v["versionNumber"], v["status"], v["active"]) for v in versions] == [
        (2, "Corrected", True),
        (1, "Signed", False),
    ]
    first = (await generator.get(f"/api/manifest/{mtn}/versions/1")).json()
    assert first["wastes"][0]["discrepancyResidueInfo"]["discrepancyComments"] == SHORT

    # The PDF prints the corrected manifest; the generator's clock stays stopped.
    pdf = await generator.get(f"/api/manifest/{mtn}/pdf")
    assert pdf.status_code == 200, pdf.text
    text = _pdf_text(pdf.content)
    assert mtn in text
    assert "recounted" in text
    assert "2 drums short on arrival" not in text
    assert "exceptionReport" not in await _clocks(generator, GEN, mtn)
