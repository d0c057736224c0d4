"""Where files live: a folder by default, S3-compatible object storage in production.

Keys are `/`-separated paths of safe names (`manifests/123456789JJK/cor-g.html`); an adapter
refuses any other key. Every failure of the storage itself is DocumentStoreUnavailable.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import msgspec

from haztrak.application.errors import ServiceUnavailable


class DocumentStoreUnavailable(ServiceUnavailable):
    """The storage did not answer, or refused (its message names no secret)."""


class StoredFile(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    size: int
    content_type: str
    modified: datetime | None = None

    @property
    def name(self) -> str:
        return self.key.rsplit("/", 1)[-1]


class DocumentStore(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key`, replacing what was there."""

    async def get(self, key: str) -> bytes | None:
        """The file's bytes, or None when there is none."""

    async def files(self, prefix: str) -> list[StoredFile]:
        """The files directly under the folder `prefix` (which ends with `/`), by name."""

    async def delete(self, key: str) -> None:
        """Remove the file; a missing file is not an error."""
