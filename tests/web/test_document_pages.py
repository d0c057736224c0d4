"""A manifest's documents on its page: listed with links to the API's downloads, fetched from
RCRAInfo with a task button, and the scanned form of a paper manifest uploaded with a plain
multipart form (CSRF token) that starts the submission task."""

from __future__ import annotations

from uuid import UUID

from dishka import AsyncContainer
from litestar import Litestar

from haztrak.application.manifests.files import ManifestFiles
from tests.manifest_documents import a_manifest
from tests.web.conftest import WebUser
from tests.web.test_manifest_pages import draft, keep

SIGNED = "100000061ELC"
PRINTED = "100000062JJK"
PDF = b"%PDF-1.4\n(Manifest 100000062JJK)\n%%EOF\n"


async def keep_document(app: Litestar, mtn: str, name: str, data: bytes) -> None:
    container: AsyncContainer = app.state.dishka_container
    files = await container.get(ManifestFiles)
    await files.keep(mtn, name, data)


async def test_documents_are_listed_with_downloads_and_a_fetch_button(
    app: Litestar, generator_user: WebUser
) -> None:
    await keep(app, a_manifest(mtn=SIGNED, status="Signed"))
    page = await generator_user.get(f"/manifests/{SIGNED}")
    section = page.one("section#documents")
    assert "No documents are kept for this manifest yet" in section.get_text()

    await keep_document(app, SIGNED, "cor-g.html", b"<html>copy of record</html>")
    await keep_document(app, SIGNED, "form-8700-22.pdf", b"%PDF-1.4 form")
    page = await generator_user.get(f"/manifests/{SIGNED}")
    rows = [
        [cell.get_text(strip=True) for cell in row.select("td")[:3]]
        for row in page.all("section#documents tbody tr")
    ]
    assert rows == [
        ["cor-g.html", "Copy of record", "27 bytes"],
        ["form-8700-22.pdf", "EPA form 8700-22", "13 bytes"],
    ]
    link = page.all("section#documents tbody a")[0]["href"]
    assert link == f"/api/manifest/{SIGNED}/attachments/cor-g.html"
    download = await generator_user.client.get(link)  # the session serves the API
    assert download.status_code == 200
    assert download.content == b"<html>copy of record</html>"

    fetch = page.one(f"section#documents form[action='/manifests/{SIGNED}/documents/fetch']")
    assert fetch["method"] == "post"
    assert fetch.select_one("input[name=csrf_token]")["value"] == generator_user.csrf
    assert page.all("section#documents form[enctype]") == []  # not a paper manifest
    started = await generator_user.post(f"/manifests/{SIGNED}/documents/fetch")
    assert started.status == 303, started.response.text
    location = started.response.headers["location"]
    assert UUID(location.split("task=")[1].split("#")[0])
    progress = await generator_user.get(location)
    box = progress.one("#manifest-task-box")
    assert box["data-task-status"] == "PENDING"
    assert "Fetch documents from RCRAInfo" in box.get_text()


async def test_a_draft_offers_no_fetch_and_a_foreign_manifest_is_a_404(
    app: Litestar, generator_user: WebUser, transporter_user: WebUser
) -> None:
    mtn = await draft(generator_user)
    page = await generator_user.get(f"/manifests/{mtn}")
    assert page.all("section#documents form") == []
    paper = await draft(generator_user, submission_type="Image")
    assert (await generator_user.get(f"/manifests/{paper}")).all("section#documents form") == []
    refused = await generator_user.post(f"/manifests/{mtn}/documents/fetch")
    assert refused.status == 303
    flashed = await generator_user.follow(refused.response.headers["location"])
    assert "is a draft" in flashed.text(".alert")
    foreign = a_manifest(
        mtn="100000063ELC",
        status="Signed",
        generator="VAOTHERGEN01",
        transporters=("VAOTHERTRN01",),
        tsdf="VAOTHERTSD01",
    )
    await keep(app, foreign)
    assert (await transporter_user.post("/manifests/100000063ELC/documents/fetch")).status == 404


async def test_the_scanned_form_of_a_paper_manifest_is_uploaded_and_sent(
    app: Litestar, generator_user: WebUser
) -> None:
    await keep(app, a_manifest(mtn=PRINTED, submission_type="Image", status="ReadyForSignature"))
    page = await generator_user.get(f"/manifests/{PRINTED}")
    form = page.one("section#documents form[enctype='multipart/form-data']")
    assert form["action"] == f"/manifests/{PRINTED}/documents/upload"
    assert form.select_one("input[name=csrf_token]")["value"] == generator_user.csrf
    scan = form.select_one("input[type=file][name=scan]")
    assert scan.has_attr("required")
    assert page.one(f"label[for={scan['id']}]").get_text(strip=True) == "Scanned manifest"

    bad = await generator_user.client.post(
        f"/manifests/{PRINTED}/documents/upload",
        data={"csrf_token": generator_user.csrf},
        files={"scan": ("notes.txt", b"not a scan", "text/plain")},
    )
    assert bad.status_code == 303, bad.text
    flashed = await generator_user.follow(bad.headers["location"])
    assert "The scan is neither a zip file nor a PDF" in flashed.text(".alert")

    sent = await generator_user.client.post(
        f"/manifests/{PRINTED}/documents/upload",
        data={"csrf_token": generator_user.csrf},
        files={"scan": ("scan.pdf", PDF, "application/pdf")},
    )
    assert sent.status_code == 303, sent.text
    progress = await generator_user.get(sent.headers["location"])
    assert "Submit to e-Manifest" in progress.text("#manifest-task-box")


async def test_an_upload_without_the_csrf_token_is_refused(
    app: Litestar, generator_user: WebUser
) -> None:
    await keep(app, a_manifest(mtn=PRINTED, submission_type="Image", status="ReadyForSignature"))
    forged = await generator_user.client.post(
        f"/manifests/{PRINTED}/documents/upload",
        files={"scan": ("scan.pdf", PDF, "application/pdf")},
    )
    assert forged.status_code == 403
