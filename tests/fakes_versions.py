"""An in-memory ManifestVersionRepository."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from haztrak.application.ports.manifest_versions import ManifestVersionRepository, StoredVersion
from haztrak.domain.manifest import Manifest
from haztrak.domain.manifest.corrections import ManifestVersion


class MemoryManifestVersionRepository(ManifestVersionRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, int], tuple[ManifestVersion, Manifest | None, datetime]] = {}

    async def history(self, mtn: str) -> list[StoredVersion]:
        kept = [
            StoredVersion(version=v, pulled_at=at, has_document=d is not None)
            for (m, _), (v, d, at) in self.rows.items()
            if m == mtn
        ]
        return sorted(kept, key=lambda k: k.version.version_number, reverse=True)

    async def document(self, mtn: str, version_number: int) -> Manifest | None:
        row = self.rows.get((mtn, version_number))
        return None if row is None else row[1]

    async def put(
        self, mtn: str, version: ManifestVersion, document: Manifest | None, *, at: datetime
    ) -> None:
        before = self.rows.get((mtn, version.version_number))
        if document is None and before is not None and before[0] == version:
            document = before[1]
        self.rows[(mtn, version.version_number)] = (version, document, at)

    async def keep_only(self, mtn: str, version_numbers: Collection[int]) -> None:
        for key in [k for k in self.rows if k[0] == mtn and k[1] not in version_numbers]:
            del self.rows[key]
