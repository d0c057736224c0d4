"""Attachments: the zip of one scanned PDF that paper manifests carry, and the download bundle.

The sandbox does not read the PDF's pages; it checks that the upload is a zip holding exactly one
PDF and that `printedDocument` describes it, as EPA requires.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

import msgspec

PDF_MAGIC = b"%PDF-"


class AttachedPdf(msgspec.Struct, frozen=True):
    name: str
    data: bytes


class AttachmentError(ValueError):
    """The upload is not a zip holding exactly one PDF."""


def single_pdf(zip_bytes: bytes) -> AttachedPdf:
    try:
        with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
            files = [info for info in archive.infolist() if not info.is_dir()]
            if len(files) != 1:
                raise AttachmentError(
                    "The attachment must hold exactly one PDF document; "
                    f"it holds {len(files)} files"
                )
            data = archive.read(files[0])
    except zipfile.BadZipFile:
        raise AttachmentError("The attachment is not a zip file") from None
    if not data.startswith(PDF_MAGIC):
        raise AttachmentError(f"The attached file {files[0].filename!r} is not a PDF document")
    return AttachedPdf(files[0].filename.rsplit("/", 1)[-1], data)


def zip_files(files: Iterable[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()


def minimal_pdf(lines: Iterable[str]) -> bytes:
    """A one-page PDF that prints the given lines: small, valid, deterministic."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text_ops = "".join(f"({escape(line)}) Tj 0 -16 Td " for line in lines)
    stream = f"BT /F1 12 Tf 72 720 Td {text_ops}ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()
