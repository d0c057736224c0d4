"""EPA's rule for a paper manifest's scan: a zip holding exactly one PDF, for Image and
DataImage5Copy manifests only; and the names documents are kept under."""

from __future__ import annotations

import io
import zipfile

import msgspec
import pytest
from tests.manifest_documents import a_manifest

from haztrak.domain.errors import InvalidValue
from haztrak.domain.manifest import Document, MimeType
from haztrak.domain.manifest import attachments as rules
from haztrak.domain.manifest.attachments import (
    DocumentKind,
    ensure_takes_attachment,
    has_documents,
    kind_of,
    pdf_tracking_numbers,
    read_scanned_manifest,
    safe_document_name,
    with_scan,
)

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\nBT (Manifest 100000123JJK) Tj ET\n%%EOF\n"


def zipped(*files: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()


def refusal(upload: bytes) -> str:
    with pytest.raises(InvalidValue) as caught:
        read_scanned_manifest(upload)
    assert caught.value.field == "attachment"
    return caught.value.message


def test_a_zip_of_one_pdf_is_taken_as_it_came() -> None:
    archive = zipped(("scans/100000123JJK.pdf", PDF))
    scan = read_scanned_manifest(archive)
    assert scan.archive == archive
    assert scan.pdf == PDF
    assert scan.pdf_name == "100000123JJK.pdf"
    assert scan.describe() == Document(
        name="100000123JJK.pdf", size=len(PDF), mime_type=MimeType.APPLICATION_PDF
    )


def test_a_bare_pdf_is_put_in_a_zip_of_its_own() -> None:
    scan = read_scanned_manifest(PDF, upload_name="my scan.pdf")
    with zipfile.ZipFile(io.BytesIO(scan.archive)) as archive:
        assert archive.namelist() == ["my scan.pdf"]
        assert archive.read("my scan.pdf") == PDF


@pytest.mark.parametrize(
    ("upload", "says"),
    [
        (b"", "is empty"),
        (b"hello", "neither a zip file nor a PDF"),
        (zipped(("a.pdf", PDF), ("b.pdf", PDF)), "exactly one PDF document; it holds 2 files"),
        (zipped(), "it holds 0 files"),
        (zipped(("notes.txt", b"not a pdf")), "which is not a PDF"),
        (b"PK\x03\x04" + b"\0" * 100, "not a readable zip file"),
    ],
)
def test_anything_else_is_refused_naming_the_attachment(upload: bytes, says: str) -> None:
    assert says in refusal(upload)


def test_sizes_are_bounded_before_and_after_unzipping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "MAX_ATTACHMENT_BYTES", 1000)
    assert "the most accepted is 1000 bytes" in refusal(PDF + b"\0" * 1000)
    monkeypatch.setattr(rules, "MAX_ATTACHMENT_BYTES", 10_000_000)
    monkeypatch.setattr(rules, "MAX_PDF_BYTES", 10_000)
    bomb = zipped(("big.pdf", PDF + b"\0" * 1_000_000))  # a few kB that unzip to 1 MB
    assert len(bomb) < 10_000
    assert "holds a file of" in refusal(bomb)


def test_only_paper_manifests_take_a_scan() -> None:
    with pytest.raises(InvalidValue) as caught:
        ensure_takes_attachment(a_manifest(submission_type="FullElectronic"))
    assert caught.value.field == "attachment"
    assert "only for Image and DataImage5Copy" in caught.value.message
    for kind in ("Image", "DataImage5Copy"):
        ensure_takes_attachment(a_manifest(submission_type=kind))


def test_the_scan_is_described_in_printed_document() -> None:
    scan = read_scanned_manifest(zipped(("x.pdf", PDF)))
    given = msgspec.structs.replace(
        a_manifest(submission_type="Image", mtn="100000123JJK"),
        printed_document=Document(name="form 123.pdf", size=1, mime_type=MimeType.TEXT_HTML),
    )
    described = with_scan(given, scan).printed_document
    assert described == Document(
        name="form 123.pdf", size=len(PDF), mime_type=MimeType.APPLICATION_PDF
    )
    unnamed = with_scan(a_manifest(submission_type="DataImage5Copy"), scan).printed_document
    assert unnamed is not None
    assert unnamed.name == "x.pdf"


def test_the_tracking_number_is_found_in_the_pdf_text() -> None:
    assert pdf_tracking_numbers(PDF) == ["100000123JJK"]
    assert pdf_tracking_numbers(b"%PDF- 1234567890123ABCD 100000123jjk") == []
    scan = read_scanned_manifest(zipped(("x.pdf", PDF + b"(100000123JJK) (200000001FLE)")))
    assert scan.tracking_numbers() == ["100000123JJK", "200000001FLE"]


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("scans\\2026\\scan.pdf", "scan.pdf"),
        ("cor-t-1.html", "cor-t-1.html"),
        ("façade (1).pdf", "fa_ade _1_.pdf"),
        ("", "document"),
        ("..", "document"),
        (".hidden", "hidden"),
    ],
)
def test_documents_are_kept_under_safe_names(name: str, safe: str) -> None:
    assert safe_document_name(name) == safe


def test_kinds_follow_rcrainfo_names() -> None:
    assert kind_of("cor-g.html") is DocumentKind.COPY_OF_RECORD
    assert kind_of("cor-tsdf.html") is DocumentKind.COPY_OF_RECORD
    assert kind_of("form-8700-22.pdf") is DocumentKind.FORM
    assert kind_of("100000123JJK.pdf") is DocumentKind.SCAN
    assert kind_of("readme.txt") is DocumentKind.OTHER


def test_rcrainfo_keeps_files_of_scanned_and_signed_manifests() -> None:
    assert not has_documents(a_manifest())
    scanned = msgspec.structs.replace(
        a_manifest(submission_type="Image"), printed_document=Document(name="x.pdf")
    )
    assert has_documents(scanned)
