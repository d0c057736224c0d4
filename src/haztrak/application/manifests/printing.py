"""A manifest printed as EPA's paper form, as a PDF."""

from __future__ import annotations

import msgspec

from haztrak.application.manifests.access import visible_manifest
from haztrak.application.ports.documents import ManifestPrinter
from haztrak.application.ports.manifests import ManifestReader
from haztrak.application.ports.persistence import Principals
from haztrak.domain.identity import User
from haztrak.domain.manifest.form import manifest_form


class PrintedManifest(msgspec.Struct, frozen=True, kw_only=True):
    filename: str
    content: bytes
    draft: bool


class PrintManifest:
    """The manifest as form 8700-22 (PDF), for a user who may see it: the same rules as
    reading it (a draft only for its owner site's preparers and above; any other manifest
    answers as if it did not exist). A draft prints stamped as not valid for shipment."""

    def __init__(
        self, manifests: ManifestReader, principals: Principals, printer: ManifestPrinter
    ) -> None:
        self._manifests = manifests
        self._principals = principals
        self._printer = printer

    async def __call__(self, user: User, mtn: str) -> PrintedManifest:
        grants = await self._principals.grants(user.id)
        stored = await visible_manifest(self._manifests, grants, mtn)
        form = manifest_form(stored.manifest)
        content = await self._printer.render(form)
        return PrintedManifest(
            filename=f"manifest-{stored.mtn}.pdf", content=content, draft=form.draft
        )
