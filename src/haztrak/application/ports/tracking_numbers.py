"""The unpaginated tracking-number list of a site, versioned and cached (issue 16).

The original client reads every tracking number of a site at once. At 100,000 manifests that
is about 12 MB of JSON: it is never built as one object, but written in chunks, kept in a
cache keyed by the list's version, and revalidated (ETag, 304) while the version stands.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from haztrak.application.ports.manifests import ManifestQuery


class TrackingNumberLists(Protocol):
    async def version(self, query: ManifestQuery) -> str:
        """A tag that changes whenever what `query` lists may have changed: any manifest
        naming one of its sites added, changed or deleted (committed), or another query."""

    async def json(self, query: ManifestQuery, version: str) -> bytes | AsyncIterator[bytes]:
        """The list at `version` as a JSON array of ManifestSummary, newest change first:
        small ones whole, large ones in chunks (memory does not grow with the list)."""
