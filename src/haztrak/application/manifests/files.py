"""A manifest's stored documents, and the use cases that list and read them.

Layout in the DocumentStore: `manifests/{mtn}/{name}` for the documents of a manifest (the
scanned form uploaded here, and what RCRAInfo's attachments service gave: the scan, the copies
of record, EPA's form PDF), and `outbox/{id}.zip` for an upload waiting for its task to send it
to e-Manifest. A file RCRAInfo gives under a name already kept replaces it: RCRAInfo's is the
record. Who may see a manifest may see its documents; anyone else is told it does not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import uuid4

import msgspec

from haztrak.application.manifests.access import visible_document
from haztrak.application.ports.manifests import ManifestReader
from haztrak.application.ports.persistence import Principals
from haztrak.application.ports.rcrainfo import RcrainfoFile
from haztrak.application.ports.storage import DocumentStore
from haztrak.domain.errors import NotFound
from haztrak.domain.identity import User
from haztrak.domain.manifest.attachments import (
    MAX_DOCUMENT_BYTES,
    MAX_DOCUMENTS,
    ManifestDocumentInfo,
    ScannedManifest,
    content_type_of,
    is_document_name,
    kind_of,
    safe_document_name,
)

MANIFESTS = "manifests"
OUTBOX = "outbox"


class DocumentFile(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    content_type: str
    data: bytes


class ManifestFiles:
    """The storage layout of manifests' documents (not a use case: the use cases share it)."""

    def __init__(self, store: DocumentStore) -> None:
        self._store = store

    @staticmethod
    def _folder(mtn: str) -> str:
        return f"{MANIFESTS}/{mtn}/"

    async def documents(self, mtn: str) -> list[ManifestDocumentInfo]:
        return [
            ManifestDocumentInfo(
                name=file.name,
                size=file.size,
                content_type=content_type_of(file.name),
                kind=kind_of(file.name),
                stored_at=file.modified.isoformat() if file.modified else None,
            )
            for file in await self._store.files(self._folder(mtn))
        ]

    async def read(self, mtn: str, name: str) -> DocumentFile | None:
        if not is_document_name(name):
            return None
        data = await self._store.get(self._folder(mtn) + name)
        if data is None:
            return None
        return DocumentFile(name=name, content_type=content_type_of(name), data=data)

    async def keep(self, mtn: str, name: str, data: bytes) -> str:
        """Store a document of the manifest under a safe form of `name`; that name."""
        safe = safe_document_name(name)
        await self._store.put(self._folder(mtn) + safe, data, content_type_of(safe))
        return safe

    async def keep_scan(self, mtn: str, scan: ScannedManifest, name: str | None = None) -> str:
        return await self.keep(mtn, name or scan.pdf_name, scan.pdf)

    async def keep_downloaded(self, mtn: str, files: Sequence[RcrainfoFile]) -> list[str]:
        """Keep what RCRAInfo's attachments held (bounded in count and size); the names."""
        kept: list[str] = []
        for file in files[:MAX_DOCUMENTS]:
            if len(file.data) > MAX_DOCUMENT_BYTES:
                continue
            kept.append(await self.keep(mtn, file.name, file.data))
        return kept

    async def stage(self, scan: ScannedManifest) -> str:
        """Put an upload aside for the task that sends it; its key."""
        key = f"{OUTBOX}/{uuid4().hex}.zip"
        await self._store.put(key, scan.archive, "application/zip")
        return key

    async def staged(self, key: str) -> bytes | None:
        if not key.startswith(f"{OUTBOX}/"):
            return None
        return await self._store.get(key)

    async def unstage(self, key: str) -> None:
        if key.startswith(f"{OUTBOX}/"):
            await self._store.delete(key)


class ListManifestDocuments:
    """The documents kept for a manifest the user may see."""

    def __init__(
        self, manifests: ManifestReader, principals: Principals, files: ManifestFiles
    ) -> None:
        self._manifests = manifests
        self._principals = principals
        self._files = files

    async def __call__(self, user: User, mtn: str) -> list[ManifestDocumentInfo]:
        grants = await self._principals.grants(user.id)
        await visible_document(self._manifests, grants, mtn)
        return await self._files.documents(mtn)


class GetManifestDocument:
    """One document of a manifest the user may see, by its name."""

    def __init__(
        self, manifests: ManifestReader, principals: Principals, files: ManifestFiles
    ) -> None:
        self._manifests = manifests
        self._principals = principals
        self._files = files

    async def __call__(self, user: User, mtn: str, name: str) -> DocumentFile:
        grants = await self._principals.grants(user.id)
        await visible_document(self._manifests, grants, mtn)
        found = await self._files.read(mtn, name)
        if found is None:
            raise NotFound("document", name)
        return found
