"""Attachments over HTTP on both backends, with a worker on the test's event loop and the fake
RCRAInfo: POST /api/manifest/emanifest as JSON or multipart (manifest + attachment), and a
manifest's documents listed, downloaded and fetched."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar

from haztrak.application.ports.rcrainfo import RcrainfoFile
from haztrak.entrypoints.http.app import create_app
from haztrak.entrypoints.settings import Settings
from tests.fakes_rcrainfo import FakeRcrainfo
from tests.http.conftest import DEMO_CREDENTIALS, Browser, _logged_in, store_from_rcrainfo
from tests.http.test_tasks_api import started, task_done
from tests.integration.tasks.support import background_container, running_worker, seeded
from tests.manifest_documents import a_manifest, manifest_document

PRINTED = "100000321JJK"
PDF = b"%PDF-1.4\n(Uniform Hazardous Waste Manifest 100000321JJK)\n%%EOF\n"


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


def zipped(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def image_manifest() -> bytes:
    return json.dumps(manifest_document(mtn=PRINTED, submission_type="Image", status=None)).encode()


def multipart(manifest: bytes, attachment: bytes | None, name: str = "attachments.zip") -> Any:
    files: dict[str, Any] = {"manifest": ("manifest.json", manifest, "application/json")}
    if attachment is not None:
        files["attachment"] = (name, attachment, "application/zip")
    return files


async def test_a_paper_manifest_goes_with_its_scan_as_epas_service_takes_it(
    testuser1: Browser, rcrainfo: FakeRcrainfo
) -> None:
    archive = zipped("scan.pdf", PDF)
    response = await testuser1.post(
        "/api/manifest/emanifest", files=multipart(image_manifest(), archive)
    )
    task = await task_done(testuser1, await started(response))
    assert task["status"] == "SUCCESS", task
    assert rcrainfo.uploads[PRINTED] == archive
    printed = rcrainfo.manifests[PRINTED].printed_document
    assert printed is not None
    assert (printed.name, printed.size) == ("scan.pdf", len(PDF))

    listed = await testuser1.get(f"/api/manifest/{PRINTED}/attachments")
    assert listed.status_code == 200, listed.text
    assert [(d["name"], d["size"], d["kind"]) for d in listed.json()] == [
        ("scan.pdf", len(PDF), "scan")
    ]
    download = await testuser1.get(f"/api/manifest/{PRINTED}/attachments/scan.pdf")
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == 'attachment; filename="scan.pdf"'
    assert "sandbox" in download.headers["content-security-policy"]


async def test_json_submissions_still_work_without_an_attachment(testuser1: Browser) -> None:
    response = await testuser1.post("/api/manifest/emanifest", json=manifest_document())
    task = await task_done(testuser1, await started(response))
    assert task["status"] == "SUCCESS", task


@pytest.mark.parametrize(
    ("files", "field", "says"),
    [
        (
            multipart(json.dumps(manifest_document()).encode(), zipped("scan.pdf", PDF)),
            "attachment",
            "only for Image and DataImage5Copy",
        ),
        (multipart(image_manifest(), b"not a zip"), "attachment", "neither a zip file nor a PDF"),
        (
            multipart(image_manifest(), zipped("notes.txt", b"hello")),
            "attachment",
            "not a PDF",
        ),
        ({"attachment": ("a.zip", zipped("scan.pdf", PDF), "application/zip")}, "manifest", ""),
    ],
)
async def test_a_bad_multipart_submission_is_a_422_naming_the_field(
    testuser1: Browser, files: Any, field: str, says: str
) -> None:
    response = await testuser1.post("/api/manifest/emanifest", files=files)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == [field]
    assert says in problem["errors"][0]["message"]


async def test_a_body_over_the_limit_is_refused_with_413(testuser1: Browser) -> None:
    huge = b"%PDF-" + b"\0" * (34 * 1024 * 1024)
    response = await testuser1.post(
        "/api/manifest/emanifest", files=multipart(image_manifest(), huge)
    )
    assert response.status_code == 413
    assert response.json()["status"] == 413  # a problem document, as the API docs say


async def test_documents_are_fetched_from_rcrainfo_and_kept_for_who_may_see_them(
    app: Litestar, testuser1: Browser, transporter1: Browser, rcrainfo: FakeRcrainfo
) -> None:
    mtn = "100000555ELC"
    manifest = a_manifest(mtn=mtn, status="Signed")
    rcrainfo.store(manifest)
    await store_from_rcrainfo(app, manifest)
    rcrainfo.files[mtn] = [
        RcrainfoFile(name="cor-g.html", data=b"<html><script>alert(1)</script></html>"),
        RcrainfoFile(name="form-8700-22.pdf", data=b"%PDF-1.4 form"),
    ]
    assert (await testuser1.get(f"/api/manifest/{mtn}/attachments")).json() == []
    task = await task_done(
        testuser1, await started(await testuser1.post(f"/api/manifest/{mtn}/attachments/fetch"))
    )
    assert task["status"] == "SUCCESS", task
    assert task["result"]["documents"] == ["cor-g.html", "form-8700-22.pdf"]
    for browser in (testuser1, transporter1):  # every party on the manifest
        listed = await browser.get(f"/api/manifest/{mtn}/attachments")
        assert [d["kind"] for d in listed.json()] == ["copyOfRecord", "form"]
    html = await transporter1.get(f"/api/manifest/{mtn}/attachments/cor-g.html")
    assert html.headers["content-type"].startswith("text/html")
    assert html.headers["content-security-policy"].startswith("sandbox")
    assert html.headers["x-content-type-options"] == "nosniff"
    missing = await testuser1.get(f"/api/manifest/{mtn}/attachments/..%2Fsecret")
    assert missing.status_code == 404
