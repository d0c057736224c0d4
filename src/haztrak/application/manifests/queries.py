"""Reading manifests: one by tracking number, a filtered page, the tracking-number list."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from enum import StrEnum
from typing import TypeVar
from uuid import UUID

import msgspec

from haztrak.application.manifests.access import visible_document
from haztrak.application.ports.manifests import (
    Cursor,
    ListedManifest,
    ManifestDocument,
    ManifestQuery,
    ManifestReader,
    ManifestSummary,
)
from haztrak.application.ports.persistence import Principals
from haztrak.domain.access import Grants, draft_sites
from haztrak.domain.errors import InvalidValue, NotFound
from haztrak.domain.handlers import SiteType
from haztrak.domain.identity import User
from haztrak.domain.manifest import HandlerRole, Status, SubmissionType
from haztrak.domain.manifest.search import normalize_search_text

E = TypeVar("E", bound=StrEnum)

MAX_PAGE = 200
SITE_TYPE_RULE = "must be Generator, Transporter, Tsdf or Broker (any case)"


class GetManifest:
    def __init__(self, manifests: ManifestReader, principals: Principals) -> None:
        self._manifests = manifests
        self._principals = principals

    async def __call__(self, user: User, mtn: str) -> ManifestDocument:
        """The manifest as stored (EPA's JSON with `signed` flags), if the user may see it."""
        grants = await self._principals.grants(user.id)
        return await visible_document(self._manifests, grants, mtn)


class ManifestFilters(msgspec.Struct, frozen=True, kw_only=True):
    """The filters as a client wrote them; a bad one is an InvalidValue naming its field."""

    site: str | None = None
    """An EPA ID of one of the user's sites; without one, all of them."""
    site_type: str | None = None
    """The part that site plays on the manifest: Generator, Transporter, Tsdf or Broker."""
    status: str | None = None
    submission_type: str | None = None
    q: str | None = None
    """Free text, any case: part of the tracking number, or the beginning of a handler's EPA
    ID, of a word of a handler's name, or of a waste code."""
    updated_since: str | None = None
    """ISO 8601 (a date means its midnight); without a time zone, UTC."""
    updated_before: str | None = None
    """As updated_since: only manifests last changed before then."""
    sort: str | None = None
    """`newest` (the default) or `oldest` change first."""


class ManifestListing(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ListedManifest]
    total: int
    next: str | None
    """The cursor of the next page; None on the last."""
    total_exact: bool = True
    """False when `total` is an estimate (ManifestReader.page: many matches)."""


class ListManifests:
    """The manifests of the user's sites, newest change first, a page at a time; drafts only
    of the sites where the user prepares manifests (a draft is its owner site's)."""

    def __init__(self, manifests: ManifestReader, principals: Principals) -> None:
        self._manifests = manifests
        self._principals = principals

    async def __call__(
        self, user: User, filters: ManifestFilters, *, limit: int = 50, cursor: str | None = None
    ) -> ManifestListing:
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidValue("limit", f"must be 1-{MAX_PAGE}")
        after = decode_cursor(cursor) if cursor else None
        query = await visible_query(self._principals, user, filters)
        page = await self._manifests.page(query, limit=limit, after=after)
        return ManifestListing(
            items=page.items,
            total=page.total,
            next=encode_cursor(page.next) if page.next else None,
            total_exact=page.total_exact,
        )


async def visible_query(
    principals: Principals, user: User, filters: ManifestFilters
) -> ManifestQuery:
    """The manifests the list shows the user for these filters (what the user may see: a
    draft only through its owner site, for its preparers and above); InvalidValue names a bad
    filter, NotFound a site that is not the user's."""
    status = _choice(Status, filters.status, "status")
    submission_type = _choice(SubmissionType, filters.submission_type, "submissionType")
    since = _instant(filters.updated_since, "updatedSince")
    before = _instant(filters.updated_before, "updatedBefore")
    if filters.sort not in (None, "newest", "oldest"):
        raise InvalidValue("sort", "must be newest or oldest")
    text = normalize_search_text(filters.q) if filters.q else ""
    role = _role(filters.site_type)
    grants = await principals.grants(user.id)
    return ManifestQuery(
        site_ids=_sites(grants, filters.site),
        draft_sites=draft_sites(grants),
        site_role=role,
        status=status,
        submission_type=submission_type,
        text=text or None,
        updated_since=since,
        updated_before=before,
        oldest_first=filters.sort == "oldest",
    )


def submitted_query(grants: Grants, epa_id: str) -> ManifestQuery:
    """Every manifest naming one of the user's sites, without drafts; NotFound when the site
    is not the user's."""
    return ManifestQuery(site_ids=_sites(grants, epa_id))


class ListTrackingNumbers:
    """Tracking number, status, submission type and signature status of every manifest of the
    user's sites (or of one site, in one part), each manifest once, newest change first; drafts
    as ListManifests has them."""

    def __init__(self, manifests: ManifestReader, principals: Principals) -> None:
        self._manifests = manifests
        self._principals = principals

    async def __call__(
        self, user: User, epa_id: str | None = None, site_type: str | None = None
    ) -> list[ManifestSummary]:
        grants = await self._principals.grants(user.id)
        query = tracking_number_query(grants, epa_id, site_type)
        return list(await self._manifests.summaries(query))


def tracking_number_query(
    grants: Grants, epa_id: str | None, site_type: str | None
) -> ManifestQuery:
    """What the tracking-number list shows: NotFound for a site that is not the user's,
    InvalidValue for a bad site type."""
    return ManifestQuery(
        site_ids=_sites(grants, epa_id),
        draft_sites=draft_sites(grants),
        site_role=_role(site_type),
    )


def _sites(grants: Grants, site: str | None) -> frozenset[str]:
    if site is None:
        return frozenset(grants.site_roles)
    if grants.role_on(site) is None:
        raise NotFound("site", site)
    return frozenset({site})


def _role(site_type: str | None) -> HandlerRole | None:
    if site_type is None:
        return None
    try:
        return HandlerRole(SiteType.parse(site_type).value)
    except ValueError:
        raise InvalidValue("siteType", SITE_TYPE_RULE) from None


def _choice(kind: type[E], text: str | None, field: str) -> E | None:
    if text is None:
        return None
    try:
        return kind(text)
    except ValueError:
        raise InvalidValue(field, "must be one of: " + ", ".join(kind)) from None


def _instant(text: str | None, field: str) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidValue(
            field, "must be an ISO 8601 date-time, like 2026-01-31T12:00:00Z"
        ) from None
    try:  # as UTC, the way it is stored; 0001-01-01T00:00:00+23:00 has no such instant
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except OverflowError:
        raise InvalidValue(field, "is out of range") from None


_cursor_encoder = msgspec.json.Encoder()
_cursor_decoder = msgspec.json.Decoder(tuple[datetime, UUID])


def encode_cursor(cursor: Cursor) -> str:
    raw = _cursor_encoder.encode((cursor.updated_at, cursor.id))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        updated_at, manifest_id = _cursor_decoder.decode(raw)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise InvalidValue("cursor", "is not a cursor this service gave out") from None
    if updated_at.tzinfo is None:
        raise InvalidValue("cursor", "is not a cursor this service gave out")
    return Cursor(updated_at, manifest_id)
