"""In-memory fakes of the manifest and lookup ports. The contract suites in
tests/integration/persistence run the same assertions on these and on the SQL adapters."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from importlib import resources
from uuid import UUID, uuid4

import msgspec

from haztrak.application.manifests.errors import PreconditionFailed
from haztrak.application.ports.lookups import DotLookup, LookupReader
from haztrak.application.ports.manifests import (
    Cursor,
    ListedManifest,
    ManifestDocument,
    ManifestHeadline,
    ManifestPage,
    ManifestQuery,
    ManifestRecord,
    ManifestRepository,
    ManifestSummary,
    StatusCount,
    StoredManifest,
)
from haztrak.domain.errors import Conflict
from haztrak.domain.handlers import is_epa_id
from haztrak.domain.manifest import CodeDescription, Manifest, Status
from haztrak.domain.manifest.search import normalize_search_text, search_terms


def _newest_first(stored: StoredManifest) -> tuple[datetime, UUID]:
    return stored.updated_at, stored.id


def _finds(stored: StoredManifest, text: str) -> bool:
    """Part of the tracking number, or the beginning of a search term."""
    if text in stored.mtn.upper():
        return True
    return any(term.startswith(text) for term in search_terms(stored.manifest))


class MemoryManifestRepository(ManifestRepository):
    def __init__(self) -> None:
        self.manifests: dict[UUID, StoredManifest] = {}
        self.draft_numbers = 0

    def _matches(self, stored: StoredManifest, query: ManifestQuery) -> bool:
        m = stored.manifest
        parties = {
            (handler.epa_site_id, role)
            for role, handler in m.handlers()
            if handler.epa_site_id and is_epa_id(handler.epa_site_id)
        }
        return (
            any(
                site in query.site_ids and (query.site_role in (None, role))
                for site, role in parties
            )
            and (not m.is_draft() or stored.owner_site in query.draft_sites)
            and (query.status is None or m.current_status() is query.status)
            and (not query.statuses or m.current_status() in query.statuses)
            and (query.submission_type is None or m.submission_type is query.submission_type)
            and (not query.mtn_contains or query.mtn_contains.upper() in stored.mtn.upper())
            and (query.updated_since is None or stored.updated_at >= query.updated_since)
            and (query.updated_before is None or stored.updated_at < query.updated_before)
            and (not query.text or _finds(stored, normalize_search_text(query.text)))
        )

    def _found(self, query: ManifestQuery) -> list[StoredManifest]:
        found = [s for s in self.manifests.values() if self._matches(s, query)]
        return sorted(found, key=_newest_first, reverse=not query.oldest_first)

    @staticmethod
    def _after(
        found: list[StoredManifest], after: Cursor | None, oldest_first: bool
    ) -> list[StoredManifest]:
        if after is None:
            return found
        mark = (after.updated_at, after.id)
        return [
            s
            for s in found
            if (_newest_first(s) > mark if oldest_first else _newest_first(s) < mark)
        ]

    async def by_mtn(self, mtn: str) -> StoredManifest | None:
        return next((s for s in self.manifests.values() if s.mtn == mtn), None)

    async def document(self, mtn: str) -> ManifestDocument | None:
        stored = await self.by_mtn(mtn)
        if stored is None:
            return None
        encoded = msgspec.json.encode(stored.manifest.with_signed_flags())
        return ManifestDocument(
            id=stored.id,
            version=stored.version,
            json=encoded,
            status=stored.manifest.current_status(),
            owner_site=stored.owner_site,
        )

    async def page(
        self, query: ManifestQuery, *, limit: int, after: Cursor | None = None
    ) -> ManifestPage:
        found = self._found(query)
        total = len(found)
        found = self._after(found, after, query.oldest_first)
        items = [
            ListedManifest(
                id=s.id,
                version=s.version,
                created_at=s.created_at,
                updated_at=s.updated_at,
                headline=ManifestHeadline.of(s.manifest),
            )
            for s in found[:limit]
        ]
        more = len(found) > limit
        last = items[-1] if more else None
        return ManifestPage(
            items=items, total=total, next=Cursor(last.updated_at, last.id) if last else None
        )

    async def summaries(self, query: ManifestQuery) -> Sequence[ManifestSummary]:
        return [
            ManifestSummary(
                manifest_tracking_number=s.mtn,
                status=s.manifest.current_status(),
                submission_type=s.manifest.submission_type,
                signature_status=s.manifest.signature_status,
            )
            for s in self._found(query)
        ]

    async def status_counts(self, query: ManifestQuery) -> Sequence[StatusCount]:
        counts: dict[tuple[str, Status], int] = {}
        for stored in self._found(query):
            m = stored.manifest
            sites = {
                h.epa_site_id
                for role, h in m.handlers()
                if h.epa_site_id in query.site_ids and query.site_role in (None, role)
            }
            if m.is_draft():
                sites &= {stored.owner_site}
            for site in sites:
                key = (str(site), m.current_status())
                counts[key] = counts.get(key, 0) + 1
        return [StatusCount(epa_id=e, status=s, count=n) for (e, s), n in counts.items()]

    async def records(
        self, query: ManifestQuery, *, limit: int, after: Cursor | None = None
    ) -> Sequence[ManifestRecord]:
        return [
            ManifestRecord(
                id=s.id,
                updated_at=s.updated_at,
                json=msgspec.json.encode(s.manifest.with_signed_flags()),
            )
            for s in self._after(self._found(query), after, query.oldest_first)[:limit]
        ]

    async def next_draft_number(self) -> int:
        self.draft_numbers += 1
        return self.draft_numbers

    def _kept(self, stored: StoredManifest) -> StoredManifest:
        return msgspec.structs.replace(stored, manifest=stored.manifest.with_signed_flags())

    async def add(self, stored: StoredManifest) -> None:
        if await self.by_mtn(stored.mtn):
            raise Conflict(f"a manifest with tracking number {stored.mtn} exists")
        self.manifests[stored.id] = self._kept(stored)

    async def update(self, stored: StoredManifest, *, expected_version: int) -> StoredManifest:
        current = self.manifests.get(stored.id)
        if current is None or current.version != expected_version:
            raise PreconditionFailed(f"manifest {stored.mtn} changed")
        other = await self.by_mtn(stored.mtn)
        if other is not None and other.id != stored.id:
            raise Conflict(f"a manifest with tracking number {stored.mtn} exists")
        saved = self._kept(msgspec.structs.replace(stored, version=expected_version + 1))
        self.manifests[stored.id] = saved
        return saved

    async def delete(self, manifest_id: UUID, *, expected_version: int) -> None:
        current = self.manifests.get(manifest_id)
        if current is None or current.version != expected_version:
            raise PreconditionFailed("the manifest changed")
        del self.manifests[manifest_id]

    async def upsert_by_mtn(
        self, manifest: Manifest, *, owner_org_id: UUID | None, at: datetime
    ) -> StoredManifest:
        assert manifest.manifest_tracking_number
        current = await self.by_mtn(manifest.manifest_tracking_number)
        if current is None:
            stored = StoredManifest(
                id=uuid4(),
                manifest=manifest,
                version=1,
                created_at=at,
                updated_at=at,
                owner_org_id=owner_org_id,
            )
            await self.add(stored)
            return stored
        return await self.update(
            msgspec.structs.replace(
                current,
                manifest=manifest,
                updated_at=at,
                owner_org_id=current.owner_org_id or owner_org_id,
            ),
            expected_version=current.version,
        )


def _lookup_file(name: str) -> object:
    return json.loads((resources.files("haztrak.resources") / "lookups" / name).read_bytes())


class MemoryLookupReader(LookupReader):
    """The lookups as seeding leaves them: the resource files, sorted and without duplicates."""

    def __init__(self) -> None:
        federal = _lookup_file("federal-waste-codes.json")
        state = _lookup_file("state-waste-codes.json")
        assert isinstance(federal, list)
        assert isinstance(state, list)
        self.federal = sorted(
            (CodeDescription(code=r["code"], description=r["description"]) for r in federal),
            key=lambda c: c.code,
        )
        self.state: dict[str, list[CodeDescription]] = {}
        for row in sorted(state, key=lambda r: (r["state"], r["code"])):
            self.state.setdefault(row["state"], []).append(
                CodeDescription(code=row["code"], description=row["description"])
            )
        files = {
            DotLookup.ID: "dot-id-numbers.json",
            DotLookup.NAME: "dot-shipping-names.json",
            DotLookup.CLASS: "dot-hazard-classes.json",
            DotLookup.GROUP: "dot-packing-groups.json",
        }
        self.dot = {kind: sorted(set(_lookup_file(name))) for kind, name in files.items()}  # type: ignore[call-overload]

    async def federal_waste_codes(self) -> Sequence[CodeDescription]:
        return self.federal

    async def state_waste_codes(self, state: str) -> Sequence[CodeDescription]:
        return self.state.get(state, [])

    async def dot_values(self, kind: DotLookup) -> Sequence[str]:
        return self.dot[kind]
