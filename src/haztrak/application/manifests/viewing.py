"""One manifest as a person looks at it: the manifest with what they may do to it now, and its
history from the audit log."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from haztrak.application.errors import ServiceUnavailable
from haztrak.application.manifests.access import visible_document, visible_manifest
from haztrak.application.manifests.files import ManifestFiles
from haztrak.application.ports.manifests import ManifestReader, StoredManifest
from haztrak.application.ports.persistence import AuditReader, Principals
from haztrak.application.rcrainfo.receiving import ManifestLinks, manifest_links
from haztrak.domain.audit import AuditEntry
from haztrak.domain.identity import User
from haztrak.domain.manifest.attachments import ManifestDocumentInfo
from haztrak.domain.manifest_actions import ManifestActions, manifest_actions

MAX_HISTORY = 200


class OpenedManifest(msgspec.Struct, frozen=True, kw_only=True):
    stored: StoredManifest
    actions: ManifestActions
    history: Sequence[AuditEntry] = ()
    """What happened to it here, oldest first, when asked for."""


class OpenManifest:
    """The manifest, if the user may see it, with the actions the user may take on it now
    (edit, submit, update, delete, sign as which site, sync): the same rules as the use cases
    that take them, so a screen offers nothing the server would refuse for who the user is
    and where the manifest stands. With `history`, also its audit trail (one read of the
    manifest for both)."""

    def __init__(self, manifests: ManifestReader, principals: Principals, log: AuditReader) -> None:
        self._manifests = manifests
        self._principals = principals
        self._log = log

    async def __call__(self, user: User, mtn: str, *, history: bool = False) -> OpenedManifest:
        grants = await self._principals.grants(user.id)
        stored = await visible_manifest(self._manifests, grants, mtn)
        actions = manifest_actions(grants, stored.manifest, owner_site=stored.owner_site)
        entries = await _history(self._log, mtn, MAX_HISTORY) if history else ()
        return OpenedManifest(stored=stored, actions=actions, history=entries)


class ManifestPage(msgspec.Struct, frozen=True, kw_only=True):
    """All a manifest's page shows, from one read of the manifest."""

    opened: OpenedManifest
    links: ManifestLinks
    documents: Sequence[ManifestDocumentInfo] = ()
    documents_unavailable: bool = False
    """The document store did not answer: the page shows the manifest without them."""


class OpenManifestPage:
    """A manifest the user may see with all its page shows: what the user may do now, its
    history, its links to other manifests and its documents. The manifest is read once (for
    OpenManifest, GetManifestLinks and ListManifestDocuments in one)."""

    def __init__(
        self,
        manifests: ManifestReader,
        principals: Principals,
        log: AuditReader,
        files: ManifestFiles,
    ) -> None:
        self._manifests = manifests
        self._principals = principals
        self._log = log
        self._files = files

    async def __call__(self, user: User, mtn: str) -> ManifestPage:
        grants = await self._principals.grants(user.id)
        stored = await visible_manifest(self._manifests, grants, mtn)
        opened = OpenedManifest(
            stored=stored,
            actions=manifest_actions(grants, stored.manifest, owner_site=stored.owner_site),
            history=await _history(self._log, mtn, MAX_HISTORY),
        )
        links = await manifest_links(self._manifests, grants, stored)
        try:
            documents = await self._files.documents(stored.mtn)
        except ServiceUnavailable:
            return ManifestPage(opened=opened, links=links, documents_unavailable=True)
        return ManifestPage(opened=opened, links=links, documents=documents)


class ListManifestHistory:
    """What happened to a manifest here, oldest first, from the audit log; only for a user who
    may see the manifest (to anyone else it does not exist)."""

    def __init__(self, manifests: ManifestReader, principals: Principals, log: AuditReader) -> None:
        self._manifests = manifests
        self._principals = principals
        self._log = log

    async def __call__(
        self, user: User, mtn: str, *, limit: int = MAX_HISTORY
    ) -> Sequence[AuditEntry]:
        grants = await self._principals.grants(user.id)
        await visible_document(self._manifests, grants, mtn)
        return await _history(self._log, mtn, limit)


async def _history(log: AuditReader, mtn: str, limit: int) -> list[AuditEntry]:
    entries = await log.entries("manifest", mtn, limit)
    return sorted(entries, key=lambda entry: entry.at)
