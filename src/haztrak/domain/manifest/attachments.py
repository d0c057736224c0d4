"""A manifest's documents: the scanned paper form that Image and DataImage5Copy manifests carry,
and the files RCRAInfo keeps with a manifest (the scan, the copies of record, EPA's form PDF).

EPA's rule for the upload (NOTES §1.5, §3.3): only Image and DataImage5Copy manifests take an
attachment, and it is a zip file holding exactly one PDF, described by the manifest's
`printedDocument` (`name`, `size` in bytes, `mimeType` APPLICATION_PDF). The zip is read here
with its sizes bounded, so that a small upload cannot expand into gigabytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from enum import StrEnum

import msgspec

from haztrak.domain.errors import InvalidValue
from haztrak.domain.manifest.model import Document, Manifest, MimeType

ATTACHMENT_FIELD = "attachment"
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
"""The largest zip taken as an upload: a scanned four-page form is well under 5 MiB."""
MAX_PDF_BYTES = 40 * 1024 * 1024
"""The largest PDF inside it, uncompressed (a scan hardly compresses; this stops zip bombs)."""
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
"""The largest file kept from RCRAInfo's attachments."""
MAX_DOCUMENTS = 50
"""The most files kept from one download of a manifest's attachments."""
PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK"  # a local file header, or the end record of an empty zip
DOCUMENT_NAME = re.compile(r"^[0-9A-Za-z_\-][0-9A-Za-z_\-. ]{0,126}$")
"""EPA's pattern for a document name (`^[0-9a-zA-Z_\\-. ]+$`), bounded, and not hidden: a
stored document's name is also the last part of its storage key."""
_UNSAFE = re.compile(r"[^0-9A-Za-z_\-. ]+")
_MTN_IN_PDF = re.compile(rb"(?<![0-9])([0-9]{9}[A-Z]{3})(?![A-Za-z0-9])")


class DocumentKind(StrEnum):
    SCAN = "scan"
    """The scanned, signed paper manifest (Image, DataImage5Copy)."""
    COPY_OF_RECORD = "copyOfRecord"
    """A party's human-readable copy of record (cor-g.html, cor-t-1.html, cor-tsdf.html...)."""
    FORM = "form"
    """EPA's rendering of the manifest as form 8700-22 (form-8700-22.pdf)."""
    OTHER = "other"


_CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".html": "text/html",
    ".htm": "text/html",
    ".json": "application/json",
    ".zip": "application/zip",
    ".txt": "text/plain",
}


def content_type_of(name: str) -> str:
    """The media type of a document, from its name (what RCRAInfo's zip gives)."""
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    return _CONTENT_TYPES.get(suffix, "application/octet-stream")


def kind_of(name: str) -> DocumentKind:
    lowered = name.lower()
    if lowered.startswith("cor-") and lowered.endswith((".html", ".htm")):
        return DocumentKind.COPY_OF_RECORD
    if lowered.startswith("form-8700-22"):
        return DocumentKind.FORM
    if lowered.endswith(".pdf"):
        return DocumentKind.SCAN
    return DocumentKind.OTHER


def is_document_name(name: str) -> bool:
    return DOCUMENT_NAME.fullmatch(name) is not None and name not in (".", "..")


def safe_document_name(name: str, fallback: str = "document") -> str:
    """A name that fits DOCUMENT_NAME: the last path part, other characters replaced by `_`."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" .")[:127]
    if not cleaned or not is_document_name(cleaned):
        return fallback
    return cleaned


class ManifestDocumentInfo(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """One stored document of a manifest, as a list shows it."""

    name: str
    size: int
    content_type: str
    kind: DocumentKind
    stored_at: str | None = None
    """ISO 8601, when the storage knows it."""


class ScannedManifest(msgspec.Struct, frozen=True, kw_only=True):
    """An accepted upload: the zip as it came (what e-Manifest gets) and the PDF inside."""

    archive: bytes
    pdf_name: str
    pdf: bytes

    def describe(self, given: Document | None = None) -> Document:
        """`printedDocument` for this PDF: a name the client gave is kept when EPA's pattern
        allows it; the size and the media type are always the PDF's."""
        name = given.name if given is not None and given.name else None
        if name is None or not is_document_name(name):
            name = self.pdf_name
        return Document(name=name, size=len(self.pdf), mime_type=MimeType.APPLICATION_PDF)

    def tracking_numbers(self) -> list[str]:
        """Tracking numbers printed in the PDF's text, in order of appearance, each once."""
        return pdf_tracking_numbers(self.pdf)


def pdf_tracking_numbers(pdf: bytes) -> list[str]:
    """A plain search of the PDF's bytes for the MTN pattern (9 digits, 3 capitals): finds
    numbers in uncompressed text streams and metadata, which scanners and form printers write."""
    return list(dict.fromkeys(m.decode() for m in _MTN_IN_PDF.findall(pdf)))


def _refuse(message: str) -> InvalidValue:
    return InvalidValue(ATTACHMENT_FIELD, message)


def read_scanned_manifest(upload: bytes, *, upload_name: str | None = None) -> ScannedManifest:
    """The upload as EPA takes it: a zip holding exactly one PDF. A bare PDF (what a person
    picks in a browser) is put in a zip of its own. Raises InvalidValue naming `attachment`."""
    if not upload:
        raise _refuse("is empty: send a zip file holding the scanned manifest as one PDF")
    if len(upload) > MAX_ATTACHMENT_BYTES:
        raise _refuse(
            f"is {len(upload)} bytes; the most accepted is {MAX_ATTACHMENT_BYTES} bytes "
            f"({MAX_ATTACHMENT_BYTES // (1024 * 1024)} MiB)"
        )
    if upload.startswith(PDF_MAGIC):
        name = safe_document_name(upload_name or "", "manifest.pdf")
        if not name.lower().endswith(".pdf"):
            name = f"{name}.pdf"
        return ScannedManifest(archive=pdf_zip(name, upload), pdf_name=name, pdf=upload)
    if not upload.startswith(ZIP_MAGIC):
        raise _refuse("is neither a zip file nor a PDF: send a zip holding one PDF")
    try:
        with zipfile.ZipFile(io.BytesIO(upload)) as archive:
            files = [info for info in archive.infolist() if not info.is_dir()]
            if len(files) != 1:
                raise _refuse(
                    f"must be a zip holding exactly one PDF document; it holds {len(files)} files"
                )
            entry = files[0]
            if entry.file_size > MAX_PDF_BYTES:
                raise _refuse(
                    f"holds a file of {entry.file_size} bytes; the most accepted is "
                    f"{MAX_PDF_BYTES} bytes"
                )
            with archive.open(entry) as opened:
                pdf = opened.read(MAX_PDF_BYTES + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError):
        raise _refuse("is not a readable zip file: send a zip holding one PDF") from None
    except RuntimeError:  # an encrypted entry
        raise _refuse("holds an encrypted file: send the PDF unencrypted") from None
    if len(pdf) > MAX_PDF_BYTES:
        raise _refuse(f"holds a file larger than {MAX_PDF_BYTES} bytes")
    name = safe_document_name(entry.filename, "manifest.pdf")
    if not pdf.startswith(PDF_MAGIC):
        raise _refuse(f"holds {name!r}, which is not a PDF document")
    return ScannedManifest(archive=upload, pdf_name=name, pdf=pdf)


def pdf_zip(name: str, pdf: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, pdf)
    return buffer.getvalue()


def ensure_takes_attachment(manifest: Manifest) -> None:
    """Only Image and DataImage5Copy manifests carry a scanned form (EPA refuses the rest)."""
    kind = manifest.submission_type
    if kind is None or not kind.is_paper:
        raise _refuse(
            "is accepted only for Image and DataImage5Copy manifests; this one is "
            f"{kind.value if kind else 'without a submissionType'}"
        )


def with_scan(manifest: Manifest, scan: ScannedManifest) -> Manifest:
    """The manifest with `printedDocument` describing the scan, as EPA requires."""
    ensure_takes_attachment(manifest)
    return msgspec.structs.replace(
        manifest, printed_document=scan.describe(manifest.printed_document)
    )


def has_documents(manifest: Manifest) -> bool:
    """Whether RCRAInfo keeps files with this manifest: a scanned form, EPA's form PDF, or a
    copy of record of an electronic signature."""
    if manifest.printed_document is not None or manifest.form_document is not None:
        return True
    return any(
        signature.signature_date or signature.human_readable_document
        for _, handler in manifest.handlers()
        for signature in handler.electronic_signatures_info or ()
    )
