"""A manifest's documents as its page lists them: plain rows, download links to the API (the
session cookie serves them), and which of fetch and upload the page offers."""

from __future__ import annotations

import msgspec

from haztrak.application.manifests.viewing import ManifestPage
from haztrak.domain.manifest.attachments import DocumentKind, ManifestDocumentInfo
from haztrak.domain.manifest_actions import ManifestAction

KIND_LABELS = {
    DocumentKind.SCAN: "Scanned manifest",
    DocumentKind.COPY_OF_RECORD: "Copy of record",
    DocumentKind.FORM: "EPA form 8700-22",
    DocumentKind.OTHER: "Document",
}


class DocumentRow(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    kind: str
    size: str
    href: str
    stored_at: str | None


class DocumentsView(msgspec.Struct, frozen=True, kw_only=True):
    rows: list[DocumentRow]
    unavailable: bool
    """The storage did not answer: the list is unknown, not empty."""
    can_fetch: bool
    can_upload: bool


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def row(mtn: str, info: ManifestDocumentInfo) -> DocumentRow:
    return DocumentRow(
        name=info.name,
        kind=KIND_LABELS[info.kind],
        size=size_text(info.size),
        href=f"/api/manifest/{mtn}/attachments/{info.name}",
        stored_at=info.stored_at,
    )


def documents_view(shown: ManifestPage) -> DocumentsView:
    opened = shown.opened
    manifest = opened.stored.manifest
    mtn = opened.stored.mtn
    rows = [row(mtn, info) for info in shown.documents]
    unavailable = shown.documents_unavailable
    kind = manifest.submission_type
    paper = kind is not None and kind.is_paper
    sendable = opened.actions.allows(ManifestAction.SUBMIT) or opened.actions.allows(
        ManifestAction.UPDATE
    )
    # A draft's scan could go nowhere: e-Manifest takes a paper manifest under the number
    # printed on its form, which a local draft (#########DFT) does not carry.
    in_emanifest = not manifest.is_draft()
    return DocumentsView(
        rows=rows,
        unavailable=unavailable,
        can_fetch=in_emanifest,
        can_upload=paper and sendable and in_emanifest,
    )
