"""The versions of manifests kept here: e-Manifest's correction history, and the content of
each version once pulled."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol

import msgspec

from haztrak.domain.manifest import Manifest
from haztrak.domain.manifest.corrections import ManifestVersion


class StoredVersion(msgspec.Struct, frozen=True, kw_only=True):
    version: ManifestVersion
    pulled_at: datetime
    has_document: bool = False


class ManifestVersionRepository(Protocol):
    async def history(self, mtn: str) -> list[StoredVersion]:
        """The versions kept of the manifest, newest first (none when never pulled)."""

    async def document(self, mtn: str, version_number: int) -> Manifest | None:
        """The content of one version, when it was pulled."""

    async def put(
        self, mtn: str, version: ManifestVersion, document: Manifest | None, *, at: datetime
    ) -> None:
        """Keep a version (replacing the one with its number); without a document, a content
        pulled before is kept only when the version is unchanged."""

    async def keep_only(self, mtn: str, version_numbers: Collection[int]) -> None:
        """Forget the versions of the manifest not listed (a reverted version is gone)."""
