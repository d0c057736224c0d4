"""Storage of manifests: reading (detail, lists, tracking numbers) and writing (drafts, edits,
copies pulled from RCRAInfo)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

import msgspec

from haztrak.domain.manifest import (
    HandlerRole,
    Manifest,
    Status,
    SubmissionType,
    parties_from_json,
)


class StoredManifest(msgspec.Struct, frozen=True, kw_only=True):
    """A manifest as kept here: EPA's document and the bookkeeping around it.

    `version` starts at 1 and grows by one with every write; `tag` names this version of this
    manifest (the HTTP entity tag), so a client can say which version it changed.
    """

    id: UUID
    manifest: Manifest
    version: int
    created_at: datetime
    updated_at: datetime
    owner_org_id: UUID | None = None
    owner_site: str | None = None
    """The EPA ID of the site that prepared it: a draft is that site's alone (domain.access)."""

    @property
    def mtn(self) -> str:
        mtn = self.manifest.manifest_tracking_number
        assert mtn is not None, "a stored manifest always has a tracking number"
        return mtn

    @property
    def tag(self) -> str:
        return f"{self.id.hex}-{self.version}"


class ManifestDocument(msgspec.Struct, frozen=True, kw_only=True):
    """A stored manifest as the JSON it is kept as (EPA's document, each handler with its
    `signed` flag): what a reader of one manifest answers with, without decoding it."""

    id: UUID
    version: int
    json: bytes
    status: Status
    """As the index has it: a draft (NotAssigned) is seen only through its owner site."""
    owner_site: str | None = None

    @property
    def tag(self) -> str:
        """The entity tag of this version, as StoredManifest.tag."""
        return f"{self.id.hex}-{self.version}"

    def site_ids(self) -> frozenset[str]:
        """The EPA IDs of the parties, as Manifest.site_ids() has them."""
        return parties_from_json(self.json).site_ids()


class ManifestSummary(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """The index columns of one manifest: what the tracking-number list shows, in EPA's
    names."""

    manifest_tracking_number: str
    status: Status
    submission_type: SubmissionType | None
    signature_status: bool | None

    @property
    def mtn(self) -> str:
        return self.manifest_tracking_number


class Party(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    epa_site_id: str | None = None
    name: str | None = None
    order: int | float | None = None
    signed: bool = False


class ManifestHeadline(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """The part of a manifest a list shows. It reads from a stored document without decoding
    the rest (other keys are skipped, waste lines are only counted)."""

    manifest_tracking_number: str
    status: Status = Status.NOT_ASSIGNED
    submission_type: SubmissionType | None = None
    signature_status: bool | None = None
    potential_ship_date: str | None = None
    shipped_date: str | None = None
    generator: Party | None = None
    transporters: list[Party] = []
    designated_facility: Party | None = None
    wastes: list[msgspec.Raw] = []

    @classmethod
    def of(cls, manifest: Manifest) -> ManifestHeadline:
        return msgspec.json.decode(msgspec.json.encode(manifest.with_signed_flags()), type=cls)


class ListedManifest(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    version: int
    created_at: datetime
    updated_at: datetime
    headline: ManifestHeadline

    @property
    def mtn(self) -> str:
        return self.headline.manifest_tracking_number


class ManifestQuery(msgspec.Struct, frozen=True, kw_only=True):
    """Manifests that name one of `site_ids` (in `site_role`, when given) and match the rest.

    A draft (status NotAssigned) matches only when its owner site is one of `draft_sites`
    (the sites where the user prepares manifests); other drafts are left out of the items, the
    totals and the tracking-number lists alike.
    """

    site_ids: frozenset[str]
    draft_sites: frozenset[str] = frozenset()
    site_role: HandlerRole | None = None
    status: Status | None = None
    submission_type: SubmissionType | None = None
    mtn_contains: str | None = None
    text: str | None = None
    """Free text (domain.manifest.search.normalize_search_text): part of the tracking number,
    or the beginning of one of the manifest's search terms (an EPA ID, a word-on part of a
    handler's name, a waste code)."""
    updated_since: datetime | None = None
    updated_before: datetime | None = None
    """Only manifests last changed before this instant (`updated_since` is inclusive)."""
    oldest_first: bool = False
    """The list's order: newest change first, or with this, oldest first."""
    statuses: frozenset[Status] = frozenset()
    """Any of these statuses, when given (with `status` too, both must hold)."""


class StatusCount(msgspec.Struct, frozen=True, kw_only=True):
    """How many of the matching manifests name a site, in one status."""

    epa_id: str
    status: Status
    count: int


class ManifestRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A matching manifest as the JSON it is kept as, for a reader that needs more of it than
    the headline (who signed, rejections, discrepancies)."""

    id: UUID
    updated_at: datetime
    json: bytes


class Cursor(msgspec.Struct, frozen=True):
    """Where a page ended, in the list's order: newest `updated_at` first, then `id` (the
    reverse with ManifestQuery.oldest_first)."""

    updated_at: datetime
    id: UUID


EXACT_TOTAL_BELOW = 1000
"""A reader counts the matches exactly when there are fewer than this (it knows, or its
planner estimates, so); past it `total` is an estimate and `total_exact` False, so that a page
costs the same whether a thousand manifests match or a million."""


class ManifestPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ListedManifest]
    total: int
    next: Cursor | None
    total_exact: bool = True
    """False when `total` is an estimate (EXACT_TOTAL_BELOW or more matches)."""


class ManifestReader(Protocol):
    async def by_mtn(self, mtn: str) -> StoredManifest | None: ...

    async def document(self, mtn: str) -> ManifestDocument | None:
        """The manifest with that tracking number as stored, undecoded."""

    async def page(
        self, query: ManifestQuery, *, limit: int, after: Cursor | None = None
    ) -> ManifestPage:
        """Up to `limit` manifests after `after`, newest first, with the total that match:
        exact below EXACT_TOTAL_BELOW matches, past that an estimate (never a count of every
        match, whose cost grows with them).

        Keyset pagination: manifests added while a client pages do not shift later pages.
        """

    async def summaries(self, query: ManifestQuery) -> Sequence[ManifestSummary]:
        """Every matching manifest once, newest first, without reading documents."""

    async def status_counts(self, query: ManifestQuery) -> Sequence[StatusCount]:
        """For each site of `query.site_ids`, how many matching manifests name it, per
        status, in one query; a draft counts for its owner site only. Sites and statuses
        without manifests are left out."""

    async def records(
        self, query: ManifestQuery, *, limit: int, after: Cursor | None = None
    ) -> Sequence[ManifestRecord]:
        """The first `limit` matching manifests as stored, in the list's order (newest change
        first, or oldest with `query.oldest_first`), after `after` when given: a keyset, so a
        caller can walk every match a page at a time."""


class ManifestRepository(ManifestReader, Protocol):
    async def next_draft_number(self) -> int:
        """A number never issued before on this database, even under concurrent callers and
        after drafts are deleted."""

    async def add(self, stored: StoredManifest) -> None:
        """Store a new manifest; raises Conflict when its tracking number is taken."""

    async def update(self, stored: StoredManifest, *, expected_version: int) -> StoredManifest:
        """Replace the manifest with `stored.id` if it is still at `expected_version`, and
        return it at the next version. Raises PreconditionFailed when another write came first
        (or the manifest is gone), changing nothing."""

    async def delete(self, manifest_id: UUID, *, expected_version: int) -> None:
        """Remove the manifest if it is still at `expected_version`; PreconditionFailed when not."""

    async def upsert_by_mtn(
        self, manifest: Manifest, *, owner_org_id: UUID | None, at: datetime
    ) -> StoredManifest:
        """Store a manifest pulled from RCRAInfo: a new one, or a new version of the manifest
        with that tracking number (RCRAInfo is the source of truth). The owner of an existing
        manifest stays unless it had none."""
