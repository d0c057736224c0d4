"""ManifestReader on PostgreSQL through the read pool: plain SQL on asyncpg, no ORM.

The same reads as SqlManifestRepository (the contract suite runs both on PostgreSQL), for the
use cases that only read. Each is one statement on one pooled connection outside any
transaction, so it sees the latest committed data; rows go straight from asyncpg's records
into the port's structs (see pgpool.py for what the ORM path cost).

Statements are put together from the literals here and `$n` placeholders only; every value a
caller gives travels as an argument (hence the `noqa: S608` on the joins).
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Hashable, Sequence
from enum import StrEnum
from typing import Any
from uuid import UUID

import msgspec

from haztrak.adapters.persistence.manifests import (
    COUNT_AT_MOST,
    known_total,
    page_of,
    planned_rows,
    status_counts_of,
    summaries_of,
)
from haztrak.adapters.persistence.pgpool import ReadPool
from haztrak.adapters.persistence.status_counts import COUNTS_OF_SITES
from haztrak.application.ports.manifests import (
    EXACT_TOTAL_BELOW,
    Cursor,
    ManifestDocument,
    ManifestPage,
    ManifestQuery,
    ManifestRecord,
    ManifestSummary,
    StatusCount,
    StoredManifest,
)
from haztrak.domain.manifest import Manifest, Status
from haztrak.domain.manifest.search import normalize_search_text, prefix_end

_decoder = msgspec.json.Decoder(Manifest)
_STATUS = {status.value: status for status in Status}
_NEWEST_FIRST = " ORDER BY updated_at DESC, id DESC"
_OLDEST_FIRST = " ORDER BY updated_at, id"

_DOCUMENT = (
    "SELECT id, version, status, owner_site_id, document::text FROM manifests WHERE mtn = $1"
)
_STORED = (
    "SELECT id, version, created_at, updated_at, owner_org_id, owner_site_id, document::text "
    "FROM manifests WHERE mtn = $1"
)


def _uuid(value: Any) -> UUID:
    """asyncpg's UUIDs are a C subclass; the port's structs hold plain ones."""
    return value if type(value) is UUID else UUID(bytes=value.bytes)


def _like_pattern(text: str) -> str:
    escaped = text.upper().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(query: ManifestQuery) -> tuple[str, list[Any]]:
    """The WHERE clause of a ManifestQuery and its arguments ($1, $2, ... in order)."""
    args: list[Any] = []
    return where_at(query, args), args


_PLAIN_NAME = re.compile(r"[A-Za-z0-9_]+")


@functools.cache  # a closed set: each member checked and quoted once
def _named(member: StrEnum) -> str:
    """A member of one of the domain's enumerations as an SQL literal: its value is a plain
    name (letters, digits and underscores, checked), never text a user typed."""
    value = member.value
    if not _PLAIN_NAME.fullmatch(value):
        raise ValueError(f"not a plain name: {value!r}")
    return f"'{value}'"


def where_at(query: ManifestQuery, args: list[Any]) -> str:
    """The WHERE clause of a ManifestQuery, its arguments appended to `args` (numbered after
    those already there): the sites are the first of them, the draft sites the second.

    Statuses, the role and the submission type are written into the statement (names of a
    closed set, see `_named`): the planner then knows how many rows they select even in the
    plan PostgreSQL keeps for a prepared statement, and the dashboard's statement is planned
    once per connection instead of on every request."""
    sites, drafts = f"${len(args) + 1}", f"${len(args) + 2}"
    args += [sorted(query.site_ids), sorted(query.draft_sites)]
    parties = f"SELECT manifest_id FROM manifest_handlers WHERE epa_id = ANY({sites}::varchar[])"  # noqa: S608
    if query.site_role is not None:
        parties += f" AND role = {_named(query.site_role)}"
    draft_owner = (
        f"(status <> '{Status.NOT_ASSIGNED.value}' OR owner_site_id = ANY({drafts}::varchar[]))"
    )
    conditions = [f"id IN ({parties})", draft_owner]
    if query.status is not None:
        conditions.append(f"status = {_named(query.status)}")
    if query.statuses:
        named = ", ".join(_named(status) for status in sorted(query.statuses))
        conditions.append(f"status IN ({named})")
    if query.submission_type is not None:
        conditions.append(f"submission_type = {_named(query.submission_type)}")
    if query.mtn_contains:
        args.append(_like_pattern(query.mtn_contains))
        conditions.append(f"upper(mtn) LIKE ${len(args)} ESCAPE '\\'")
    text = normalize_search_text(query.text) if query.text else ""
    if text:
        # a term that begins with the text (an index range; the tracking number is indexed
        # from each character on): one semi-join, as SqlManifestRepository has it
        args += [text, prefix_end(text)]
        low, high = f"${len(args) - 1}", f"${len(args)}"
        conditions.append(
            f"id IN (SELECT manifest_id FROM manifest_search_terms "  # noqa: S608
            f"WHERE term >= {low} AND term < {high})"
        )
    if query.updated_since is not None:
        args.append(query.updated_since)
        conditions.append(f"updated_at >= ${len(args)}")
    if query.updated_before is not None:
        args.append(query.updated_before)
        conditions.append(f"updated_at < ${len(args)}")
    return " WHERE " + " AND ".join(conditions)


def _after(args: list[Any], cursor: Cursor, *, oldest_first: bool) -> str:
    """The keyset condition after `cursor`, its arguments appended to `args`: a row
    comparison, which PostgreSQL starts the list-order index scan at (the same condition
    spelled with OR is only a filter: a page deep in a long list scanned every row above it)."""
    args += [cursor.updated_at, cursor.id]
    at, key = f"${len(args) - 1}", f"${len(args)}"
    op = ">" if oldest_first else "<"
    return f" AND (updated_at, id) {op} ({at}, {key})"


def page_statement(
    query: ManifestQuery, *, limit: int, after: Cursor | None = None
) -> tuple[Any, ...]:
    """The statement of a page (up to `limit` + 1 rows) and its arguments."""
    where, args = _where(query)
    if after is not None:
        where += _after(args, after, oldest_first=query.oldest_first)
    args.append(limit + 1)
    order = _OLDEST_FIRST if query.oldest_first else _NEWEST_FIRST
    # the headline PostgreSQL keeps beside the document (migration 0012): a few hundred
    # bytes per row, where picking it out of the document cost 1 ms of database time for 25
    statement = (
        "SELECT id, version, created_at, updated_at, headline::text FROM manifests"  # noqa: S608
        + where
        + order
        + f" LIMIT ${len(args)}"
    )
    return (statement, *args)


def count_statement(query: ManifestQuery) -> tuple[Any, ...]:
    """Every match, one row each (what PgManifestReader counts or estimates), and its
    arguments."""
    where, args = _where(query)
    return ("SELECT 1 FROM manifests" + where, *args)  # noqa: S608


ESTIMATE_TTL = 30.0
"""Seconds an estimated total is reused for the same query (it is an estimate already)."""
MAX_ESTIMATES = 1024


class PgManifestReader:
    """Implements ManifestReader."""

    def __init__(self, pool: ReadPool, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._pool = pool
        self._clock = clock
        self._estimates: dict[Hashable, tuple[float, int]] = {}
        """Estimated totals by statement and arguments, until when they hold (ESTIMATE_TTL)."""

    async def document(self, mtn: str) -> ManifestDocument | None:
        row = await self._pool.fetchrow(_DOCUMENT, mtn)
        if row is None:
            return None
        manifest_id, version, status, owner_site, document = row
        return ManifestDocument(
            id=_uuid(manifest_id),
            version=version,
            json=document.encode(),
            status=_STATUS[status],
            owner_site=owner_site,
        )

    async def by_mtn(self, mtn: str) -> StoredManifest | None:
        row = await self._pool.fetchrow(_STORED, mtn)
        if row is None:
            return None
        manifest_id, version, created_at, updated_at, owner, owner_site, document = row
        return StoredManifest(
            id=_uuid(manifest_id),
            manifest=_decoder.decode(document),
            version=version,
            created_at=created_at,
            updated_at=updated_at,
            owner_org_id=_uuid(owner) if owner is not None else None,
            owner_site=owner_site,
        )

    async def summaries(self, query: ManifestQuery) -> Sequence[ManifestSummary]:
        if not query.site_ids:
            return []
        where, args = _where(query)
        rows = await self._pool.fetch(
            "SELECT mtn, status, submission_type, signature_status FROM manifests"  # noqa: S608
            + where
            + _NEWEST_FIRST,
            *args,
        )
        return summaries_of(rows)

    async def page(
        self, query: ManifestQuery, *, limit: int, after: Cursor | None = None
    ) -> ManifestPage:
        if not query.site_ids:
            return ManifestPage(items=[], total=0, next=None)
        rows = await self._pool.fetch(*page_statement(query, limit=limit, after=after))
        listed = [(_uuid(id_), *rest) for id_, *rest in rows]
        total = known_total(len(listed), limit=limit, after=after)
        if total is not None:
            return page_of(listed, limit=limit, total=total)
        total, exact = await self._total(*_where(query))
        return page_of(listed, limit=limit, total=total, exact=exact)

    async def _total(self, where: str, args: list[Any]) -> tuple[int, bool]:
        """How many match, and whether exactly: the planner's estimate (one plan, no rows
        read) when it is EXACT_TOTAL_BELOW or more, else a count of at most COUNT_AT_MOST
        rows (exact unless the estimate was far off)."""
        key = (where, *(tuple(a) if isinstance(a, list) else a for a in args))
        now = self._clock()
        known = self._estimates.get(key)
        if known is not None and known[0] > now:
            return known[1], False
        matching = "SELECT 1 FROM manifests" + where  # noqa: S608
        plan = await self._pool.fetchval("EXPLAIN (FORMAT JSON) " + matching, *args)
        estimate = planned_rows(plan)
        if estimate >= EXACT_TOTAL_BELOW:
            # An estimate stays one for a while: the next pages (and other users of the same
            # query) take it without planning again.
            self._estimates.pop(key, None)
            self._estimates[key] = (now + ESTIMATE_TTL, estimate)
            if len(self._estimates) > MAX_ESTIMATES:
                del self._estimates[next(iter(self._estimates))]
            return estimate, False
        bounded = f"SELECT count(*) FROM ({matching} LIMIT {COUNT_AT_MOST + 1}) AS m"  # noqa: S608
        count = int(await self._pool.fetchval(bounded, *args) or 0)
        return (count, True) if count <= COUNT_AT_MOST else (count, False)

    async def status_counts(self, query: ManifestQuery) -> Sequence[StatusCount]:
        if not query.site_ids:
            return []
        args: list[Any] = []
        return status_counts_of(await self._pool.fetch(counts_statement(query, args), *args))

    async def records(
        self, query: ManifestQuery, *, limit: int, after: Cursor | None = None
    ) -> Sequence[ManifestRecord]:
        if not query.site_ids:
            return []
        args: list[Any] = []
        rows = await self._pool.fetch(records_statement(query, args, limit, after=after), *args)
        return [
            ManifestRecord(id=_uuid(id_), updated_at=at, json=document.encode())
            for id_, at, document in rows
        ]


def counts_statement(query: ManifestQuery, args: list[Any]) -> str:
    """Manifests per site and status (epa_id, status, count rows), its arguments appended to
    `args`: the counts kept per site (status_counts.py) when the query asks for nothing but
    sites, else a count of the matches."""
    if query == ManifestQuery(site_ids=query.site_ids, draft_sites=query.draft_sites):
        sites, drafts = f"${len(args) + 1}", f"${len(args) + 2}"
        args += [sorted(query.site_ids), sorted(query.draft_sites)]
        return COUNTS_OF_SITES.format(sites=sites, drafts=drafts)
    sites = f"${len(args) + 1}"  # where_at's first
    where = where_at(query, args)
    return (
        "SELECT h.epa_id, m.status, count(DISTINCT m.id) FROM manifest_handlers h "  # noqa: S608
        "JOIN (SELECT id, status, owner_site_id FROM manifests"
        + where
        + f") m ON m.id = h.manifest_id WHERE h.epa_id = ANY({sites}::varchar[])"
        + (f" AND h.role = {_named(query.site_role)}" if query.site_role is not None else "")
        # a draft counts for its owner site only
        + f" AND (m.status <> '{Status.NOT_ASSIGNED.value}' OR m.owner_site_id = h.epa_id)"
        " GROUP BY h.epa_id, m.status"
    )


def records_statement(
    query: ManifestQuery,
    args: list[Any],
    limit: int,
    *,
    after: Cursor | None = None,
    columns: str = "id, updated_at, document::text",
) -> str:
    """Up to `limit` manifests in the query's order, its arguments appended to `args`."""
    where = where_at(query, args)
    if after is not None:
        where += _after(args, after, oldest_first=query.oldest_first)
    return (
        f"SELECT {columns} FROM manifests"  # noqa: S608
        + where
        + (_OLDEST_FIRST if query.oldest_first else _NEWEST_FIRST)
        + f" LIMIT {int(limit)}"  # known to the planner, as the statuses are
    )
