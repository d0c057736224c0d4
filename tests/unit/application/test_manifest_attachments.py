"""Attachments on fakes: a paper manifest's scan sent with its save and kept; a manifest's
documents fetched from RCRAInfo in a task (and during a sync), listed and read back."""

from __future__ import annotations

import io
import uuid
import zipfile
from typing import Any

import msgspec
import pytest

from haztrak.application.manifests.files import GetManifestDocument, ListManifestDocuments
from haztrak.application.ports.manifests import StoredManifest
from haztrak.application.ports.rcrainfo import RcrainfoFile
from haztrak.domain.errors import Conflict, InvalidValue, NotFound
from haztrak.domain.identity import SiteRole
from haztrak.domain.manifest import Document, ElectronicSignature, MimeType
from haztrak.domain.tasks import Task, TaskName, TaskStatus
from tests.fakes import MemoryPrincipals
from tests.manifest_documents import a_manifest, encoded, manifest_document
from tests.unit.application.task_world import GEN, TSDF, World

PRINTED = "100000123JJK"
PDF = b"%PDF-1.4\n(Uniform Hazardous Waste Manifest 100000123JJK)\n%%EOF\n"


def zipped(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def world() -> World:
    return World()


def image_manifest(**changes: Any) -> bytes:
    document = manifest_document(mtn=PRINTED, submission_type="Image", status=None)
    document.update(changes)
    return encoded(document)


async def finished(world: World, task: Task) -> Task:
    await world.drain()
    return await world.task(task.id)


def list_documents(world: World) -> ListManifestDocuments:
    return ListManifestDocuments(world.manifests, MemoryPrincipals(world.data), world.files)


def get_document(world: World) -> GetManifestDocument:
    return GetManifestDocument(world.manifests, MemoryPrincipals(world.data), world.files)


# --- the scan goes with the save -----------------------------------------------------------


async def test_a_paper_manifest_is_saved_with_its_scan_which_is_then_kept(world: World) -> None:
    preparer = world.user(SiteRole.PREPARER, site=TSDF)
    archive = zipped("scan.pdf", PDF)
    task = await world.submit()(preparer, image_manifest(), archive, "upload.zip")
    staged = [key for key in world.documents.blobs if key.startswith("outbox/")]
    assert len(staged) == 1
    assert task.payload["manifest"]["printedDocument"] == {
        "name": "scan.pdf",
        "size": len(PDF),
        "mimeType": "APPLICATION_PDF",
    }

    done = await finished(world, task)
    assert done.status is TaskStatus.SUCCESS, done.error
    assert world.rcrainfo.uploads[PRINTED] == archive  # the zip as it came
    sent = world.rcrainfo.manifests[PRINTED]
    assert sent.printed_document == Document(
        name="scan.pdf", size=len(PDF), mime_type=MimeType.APPLICATION_PDF
    )
    assert world.documents.blobs[f"manifests/{PRINTED}/scan.pdf"] == PDF
    assert not [key for key in world.documents.blobs if key.startswith("outbox/")]
    listed = await list_documents(world)(preparer, PRINTED)
    assert [(d.name, d.size, d.kind.value) for d in listed] == [("scan.pdf", len(PDF), "scan")]


async def test_a_scan_is_refused_for_an_electronic_manifest_before_any_task(
    world: World,
) -> None:
    preparer = world.user(SiteRole.PREPARER, site=GEN)
    electronic = encoded(manifest_document(status="Pending"))
    with pytest.raises(InvalidValue) as caught:
        await world.submit()(preparer, electronic, zipped("scan.pdf", PDF))
    assert caught.value.field == "attachment"
    assert await world.tasks.active(TaskName.SUBMIT_MANIFEST, "") is None
    assert not world.documents.blobs
    assert not world.queue.sent


async def test_a_scan_that_is_not_one_pdf_in_a_zip_is_refused(world: World) -> None:
    preparer = world.user(SiteRole.PREPARER, site=TSDF)
    with pytest.raises(InvalidValue) as caught:
        await world.submit()(preparer, image_manifest(), zipped("scan.txt", b"text"))
    assert caught.value.field == "attachment"
    assert not world.queue.sent


# --- documents from RCRAInfo ---------------------------------------------------------------


async def stored_signed(world: World, mtn: str = "100000777ELC") -> StoredManifest:
    manifest = a_manifest(mtn=mtn, status="Signed")
    world.rcrainfo.store(manifest)
    now = world.clock.now()
    stored = StoredManifest(
        id=uuid.uuid4(),
        manifest=manifest,
        version=1,
        created_at=now,
        updated_at=now,
        owner_org_id=world.org_of[GEN].id,
    )
    await world.manifests.add(stored)
    return stored


COR = RcrainfoFile(name="cor-g.html", data=b"<html>copy of record</html>")
FORM = RcrainfoFile(name="form-8700-22.pdf", data=b"%PDF-1.4 form")


async def test_documents_are_fetched_in_a_task_kept_listed_and_read(world: World) -> None:
    stored = await stored_signed(world)
    world.rcrainfo.files[stored.mtn] = [COR, FORM]
    viewer = world.user(SiteRole.VIEWER, site=GEN)
    task = await world.fetch_documents()(viewer, stored.mtn)
    assert task.name is TaskName.FETCH_MANIFEST_DOCUMENTS
    done = await finished(world, task)
    assert done.status is TaskStatus.SUCCESS, done.error
    assert done.result == {
        "manifestTrackingNumber": stored.mtn,
        "documents": ["cor-g.html", "form-8700-22.pdf"],
    }
    listed = await list_documents(world)(viewer, stored.mtn)
    assert [(d.name, d.content_type, d.kind.value) for d in listed] == [
        ("cor-g.html", "text/html", "copyOfRecord"),
        ("form-8700-22.pdf", "application/pdf", "form"),
    ]
    got = await get_document(world)(viewer, stored.mtn, "cor-g.html")
    assert (got.data, got.content_type) == (COR.data, "text/html")
    with pytest.raises(NotFound):
        await get_document(world)(viewer, stored.mtn, "missing.pdf")
    with pytest.raises(NotFound):
        await get_document(world)(viewer, stored.mtn, "../secret")


async def test_someone_without_a_role_on_the_manifest_is_told_it_does_not_exist(
    world: World,
) -> None:
    stored = await stored_signed(world)
    world.rcrainfo.files[stored.mtn] = [COR]
    stranger = world.user(None)  # no role on any site
    for call in (
        world.fetch_documents()(stranger, stored.mtn),
        list_documents(world)(stranger, stored.mtn),
        get_document(world)(stranger, stored.mtn, "cor-g.html"),
    ):
        with pytest.raises(NotFound):
            await call


async def test_a_draft_has_no_documents_in_rcrainfo(world: World) -> None:
    now = world.clock.now()
    draft = StoredManifest(
        id=uuid.uuid4(),
        manifest=a_manifest(mtn="000000001DFT"),
        version=1,
        created_at=now,
        updated_at=now,
        owner_org_id=world.org_of[GEN].id,
        owner_site=GEN,
    )
    await world.manifests.add(draft)
    with pytest.raises(Conflict, match="draft"):
        await world.fetch_documents()(world.user(SiteRole.PREPARER, site=GEN), draft.mtn)


async def test_a_sync_keeps_the_documents_of_the_manifests_it_pulls(world: World) -> None:
    signed = a_manifest(mtn="100000778ELC", status="Signed")
    generator = signed.generator
    assert generator is not None
    signature = ElectronicSignature(signature_date="2026-01-02T10:00:00.000+0000")
    signed = msgspec.structs.replace(
        signed,
        generator=msgspec.structs.replace(generator, electronic_signatures_info=[signature]),
    )
    world.rcrainfo.store(signed)
    world.rcrainfo.store(a_manifest(mtn="100000779ELC", status="Pending"))  # none kept there
    world.rcrainfo.files["100000778ELC"] = [COR]
    task = await world.sync()(world.user(SiteRole.VIEWER, site=GEN), GEN)
    done = await finished(world, task)
    assert done.status is TaskStatus.SUCCESS, done.error
    assert world.documents.blobs["manifests/100000778ELC/cor-g.html"] == COR.data
    assert world.rcrainfo.count("get_manifest_attachments") == 1  # not for the Pending one
