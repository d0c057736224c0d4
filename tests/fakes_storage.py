"""An in-memory DocumentStore for unit tests; the contract suite runs it beside the adapters."""

from __future__ import annotations

from datetime import UTC, datetime

from haztrak.adapters.storage.keys import check_key, check_prefix
from haztrak.application.ports.storage import DocumentStore, StoredFile
from haztrak.domain.manifest.attachments import content_type_of


class MemoryDocumentStore(DocumentStore):
    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.times: dict[str, datetime] = {}

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        check_key(key)
        self.blobs[key] = bytes(data)
        self.times[key] = datetime.now(UTC)

    async def get(self, key: str) -> bytes | None:
        check_key(key)
        return self.blobs.get(key)

    async def files(self, prefix: str) -> list[StoredFile]:
        check_prefix(prefix)
        return [
            StoredFile(
                key=key,
                size=len(data),
                content_type=content_type_of(key),
                modified=self.times[key],
            )
            for key, data in sorted(self.blobs.items())
            if key.startswith(prefix) and "/" not in key[len(prefix) :]
        ]

    async def delete(self, key: str) -> None:
        check_key(key)
        self.blobs.pop(key, None)
        self.times.pop(key, None)
