"""One manifest as a person looks at it: the manifest with what they may do to it now, and its
history from the audit log."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from haztrak.application.manifests.access import visible_document, visible_manifest
from haztrak.application.ports.manifests import ManifestReader, StoredManifest
from haztrak.application.ports.persistence import AuditReader, Principals
from haztrak.domain.audit import AuditEntry
from haztrak.domain.identity import User
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
