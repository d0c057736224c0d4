"""Documents made from manifests: the printed form."""

from __future__ import annotations

from typing import Protocol

from haztrak.domain.manifest.form import ManifestForm


class ManifestPrinter(Protocol):
    """Lays a manifest out as EPA form 8700-22 (with 8700-22A continuation sheets) and
    answers the PDF. A draft's pages carry the not-valid-for-shipment stamp."""

    async def render(self, form: ManifestForm) -> bytes: ...
