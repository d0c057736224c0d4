"""Manifests as a document plus an index (DESIGN.md decision 2).

A manifest is one `manifests` row holding EPA's document and the columns that queries filter
and sort on, and one `manifest_handlers` row per party, so that "the manifests of these
sites" is one indexed query. Reading a manifest is one row and one msgspec decode. Every
write is conditional on the version the caller read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec
from sqlalchemy import (
    ColumnElement,
    Executable,
    Text,
    and_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from haztrak.adapters.persistence import pg_driver
from haztrak.adapters.persistence.list_changes import (
    PRUNE_AT_MOST,
    list_changes,
    prune_list_changes_of,
)
from haztrak.adapters.persistence.pg_driver import driver_begun, driver_in_transaction
from haztrak.adapters.persistence.tables import (
    DraftNumberRow,
    ManifestHandlerRow,
    ManifestRow,
    ManifestSearchTermRow,
    cast_table,
)
from haztrak.application.manifests.errors import PreconditionFailed
from haztrak.application.ports.manifests import (
    EXACT_TOTAL_BELOW,
    Cursor,
    ListedManifest,
    ManifestDocument,
    ManifestHeadline,
    ManifestPage,
    ManifestQuery,
    ManifestRecord,
    ManifestSummary,
    StatusCount,
    StoredManifest,
)
from haztrak.domain.errors import Conflict
from haztrak.domain.handlers import is_epa_id
from haztrak.domain.manifest import HandlerRole, Manifest, Status, SubmissionType
from haztrak.domain.manifest.search import normalize_search_text, prefix_end, search_terms

_decoder = msgspec.json.Decoder(Manifest)
_encoder = msgspec.json.Encoder()
_headline_decoder = msgspec.json.Decoder(ManifestHeadline)
_plan_decoder = msgspec.json.Decoder(list[dict[str, dict[str, Any]]])
_manifests = ManifestRow.__table__.c  # Core columns: rows without the ORM's per-row work
_STATUS = {status.value: status for status in Status}
_DRAFT_STATUS = Status.NOT_ASSIGNED.value
_SUBMISSION_TYPE = {kind.value: kind for kind in SubmissionType}

_manifests_table = cast_table(ManifestRow)
_handlers_table = cast_table(ManifestHandlerRow)
_handlers = _handlers_table.c
_terms_table = cast_table(ManifestSearchTermRow)
_terms = _terms_table.c
_STORED_COLUMNS = (
    _manifests.id,
    _manifests.version,
    _manifests.created_at,
    _manifests.updated_at,
    _manifests.owner_org_id,
    _manifests.owner_site_id,
    # As text: msgspec decodes it straight into the model, without a dict in between.
    cast(_manifests.document, Text).label("document"),
)
_NEWEST_FIRST = (_manifests.updated_at.desc(), _manifests.id.desc())
_OLDEST_FIRST = (_manifests.updated_at.asc(), _manifests.id.asc())
_LISTED_COLUMNS = (
    _manifests.id,
    _manifests.version,
    _manifests.created_at,
    _manifests.updated_at,
    cast(_manifests.document, Text).label("document"),
)
_SUMMARY_COLUMNS = (
    _manifests.mtn,
    _manifests.status,
    _manifests.submission_type,
    _manifests.signature_status,
)


def _stored(row: Any) -> StoredManifest:
    return StoredManifest(
        id=row.id,
        manifest=_decoder.decode(row.document),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        owner_org_id=row.owner_org_id,
        owner_site=row.owner_site_id,
    )


def _manifest_columns(manifest: Manifest) -> dict[str, Any]:
    return {
        "mtn": manifest.manifest_tracking_number,
        "status": manifest.current_status().value,
        "submission_type": manifest.submission_type.value if manifest.submission_type else None,
        "signature_status": manifest.signature_status,
        # Stored with each handler's read-only `signed` flag, as every reader answers with it.
        "document": msgspec.to_builtins(manifest.with_signed_flags()),
    }


def summaries_of(rows: Iterable[Sequence[Any]]) -> list[ManifestSummary]:
    """Summaries from (mtn, status, submission_type, signature_status) rows."""
    status, kind = _STATUS, _SUBMISSION_TYPE
    return [
        ManifestSummary(
            manifest_tracking_number=mtn,
            status=status[state],
            submission_type=kind[submission] if submission else None,
            signature_status=signed,
        )
        for mtn, state, submission, signed in rows
    ]


def status_counts_of(rows: Iterable[Sequence[Any]]) -> list[StatusCount]:
    """Counts from (epa_id, status, count) rows."""
    return [
        StatusCount(epa_id=epa_id, status=_STATUS[state], count=int(count))
        for epa_id, state, count in rows
    ]


COUNT_AT_MOST = 10 * EXACT_TOTAL_BELOW
"""A count reads at most this many rows more: past it the total is a lower bound."""


def known_total(rows: int, *, limit: int, after: Cursor | None) -> int | None:
    """The total without counting: a first page without a next one holds every match."""
    return rows if after is None and rows <= limit else None


def planned_rows(plan: str) -> int:
    """The rows PostgreSQL's planner expects, from EXPLAIN (FORMAT JSON)."""
    return int(_plan_decoder.decode(plan)[0]["Plan"]["Plan Rows"])


def page_of(
    rows: Iterable[Sequence[Any]], *, limit: int, total: int, exact: bool = True
) -> ManifestPage:
    """A page from up to `limit` + 1 (id, version, created_at, updated_at, document) rows,
    newest first: one more than the page means there is a next page."""
    items = [
        ListedManifest(
            id=manifest_id,
            version=version,
            created_at=created_at,
            updated_at=updated_at,
            headline=_headline_decoder.decode(document),
        )
        for manifest_id, version, created_at, updated_at, document in rows
    ]
    more = len(items) > limit
    items = items[:limit]
    last = items[-1] if more else None
    return ManifestPage(
        items=items,
        total=total,
        next=Cursor(last.updated_at, last.id) if last else None,
        total_exact=exact,
    )


def _document_json(manifest: Manifest) -> str:
    """The stored document as JSON text, with each handler's `signed` flag."""
    return _encoder.encode(manifest.with_signed_flags()).decode()


def _handler_rows(manifest_id: UUID, manifest: Manifest) -> list[dict[str, Any]]:
    """One row per party whose EPA ID is well formed (no site of a user can match another)."""
    rows: dict[tuple[str, str, int | None], dict[str, Any]] = {}
    position = 0
    for role, handler in manifest.handlers():
        order = None
        if role is HandlerRole.TRANSPORTER:
            position += 1
            order = int(handler.order) if handler.order is not None else position
        epa_id = handler.epa_site_id
        if epa_id is None or not is_epa_id(epa_id):
            continue
        rows[(epa_id, role.value, order)] = {
            "manifest_id": manifest_id,
            "epa_id": epa_id,
            "role": role.value,
            "transporter_order": order,  # every row has every key: one statement for all
        }
    return list(rows.values())


def _conditions(query: ManifestQuery) -> list[ColumnElement[bool]]:
    parties = select(_handlers.manifest_id).where(_handlers.epa_id.in_(sorted(query.site_ids)))
    if query.site_role is not None:
        parties = parties.where(_handlers.role == query.site_role.value)
    conditions: list[ColumnElement[bool]] = [
        _manifests.id.in_(parties),
        # a draft only through its owner site (domain.access)
        or_(
            _manifests.status != _DRAFT_STATUS,
            _manifests.owner_site_id.in_(sorted(query.draft_sites)),
        ),
    ]
    if query.status is not None:
        conditions.append(_manifests.status == query.status.value)
    if query.statuses:
        conditions.append(_manifests.status.in_(sorted(s.value for s in query.statuses)))
    if query.submission_type is not None:
        conditions.append(_manifests.submission_type == query.submission_type.value)
    if query.mtn_contains:
        conditions.append(
            func.upper(_manifests.mtn).contains(query.mtn_contains.upper(), autoescape=True)
        )
    text = normalize_search_text(query.text) if query.text else ""
    if text:
        # a term that begins with the text (an index range; the tracking number is indexed
        # from each character on, domain.manifest.search): one semi-join, no OR, so the
        # database can start from the few matches or walk the list's order checking each
        found = select(_terms.manifest_id).where(
            _terms.term >= text, _terms.term < prefix_end(text)
        )
        conditions.append(_manifests.id.in_(found))
    if query.updated_since is not None:
        conditions.append(_manifests.updated_at >= query.updated_since)
    if query.updated_before is not None:
        conditions.append(_manifests.updated_at < query.updated_before)
    return conditions


def _after(cursor: Cursor, *, oldest_first: bool = False) -> ColumnElement[bool]:
    if oldest_first:
        return or_(
            _manifests.updated_at > cursor.updated_at,
            and_(_manifests.updated_at == cursor.updated_at, _manifests.id > cursor.id),
        )
    return or_(
        _manifests.updated_at < cursor.updated_at,
        and_(_manifests.updated_at == cursor.updated_at, _manifests.id < cursor.id),
    )


_BY_MTN = select(*_STORED_COLUMNS).where(_manifests.mtn == bindparam("mtn"))
_DOCUMENT_BY_MTN = select(
    _manifests.id,
    _manifests.version,
    _manifests.status,
    _manifests.owner_site_id,
    cast(_manifests.document, Text).label("document"),
).where(_manifests.mtn == bindparam("mtn"))


# Built once: a statement built per call costs more CPU than its round trip.
_draft_numbers = cast_table(DraftNumberRow)
_NEXT_DRAFT_NUMBER = (
    insert(_draft_numbers)
    .values(issued_at=bindparam("issued_at"))
    .returning(_draft_numbers.c.number)
)
_PG_NEXT_DRAFT_NUMBER = "INSERT INTO draft_numbers (issued_at) VALUES ($1) RETURNING number"
# ON CONFLICT as text: SQLAlchemy's dialect-specific INSERT constructs have no cache key, so
# they compiled on every call (~360 us here); this text is the same on both databases.
_INSERT_NEW_MANIFEST = text(
    "INSERT INTO manifests (id, mtn, status, submission_type, signature_status, created_at, "
    "updated_at, version, owner_org_id, owner_site_id, document) VALUES (:id, :mtn, :status, "
    ":submission_type, :signature_status, :created_at, :updated_at, :version, :owner_org_id, "
    ":owner_site_id, :document) ON CONFLICT (mtn) DO NOTHING"
).bindparams(*(bindparam(c.name, type_=c.type) for c in _manifests_table.columns))
_INSERT_HANDLERS = insert(_handlers_table)
_INSERT_TERMS = insert(_terms_table)
# add() on PostgreSQL in one statement: the handlers, the change of their sites' lists and
# the search terms are written only when the manifest was (a taken number writes nothing).
_PG_ADD = (
    "WITH m AS (INSERT INTO manifests (id, mtn, status, submission_type, signature_status, "  # noqa: S608
    "created_at, updated_at, version, owner_org_id, owner_site_id, document) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb) "
    "ON CONFLICT (mtn) DO NOTHING RETURNING id), "
    "h AS (INSERT INTO manifest_handlers (manifest_id, epa_id, role, transporter_order) "
    "SELECT m.id, x.* FROM m, unnest($12::varchar[], $13::varchar[], $14::integer[]) AS x "
    "RETURNING epa_id), "
    "c AS (INSERT INTO manifest_list_changes (epa_id) SELECT DISTINCT epa_id FROM h), "
    # older entries of those sites go (the statement's snapshot does not hold c's rows)
    "d AS (DELETE FROM manifest_list_changes WHERE seq IN (SELECT seq FROM "
    "manifest_list_changes WHERE epa_id IN (SELECT epa_id FROM h) ORDER BY seq "
    f"LIMIT {PRUNE_AT_MOST} FOR UPDATE SKIP LOCKED)), "
    "t AS (INSERT INTO manifest_search_terms (manifest_id, term) "
    "SELECT m.id, unnest($15::varchar[]) FROM m) "
    "SELECT count(*) FROM m"
)
_INSERT_CHANGES = insert(list_changes)
_current_sites = (
    select(_handlers.epa_id).distinct().where(_handlers.manifest_id == bindparam("manifest_id"))
)
_PRUNE_CURRENT_SITES = prune_list_changes_of(_current_sites)
_PRUNE_SITES = prune_list_changes_of(bindparam("sites", expanding=True))
_LOG_CURRENT_SITES = insert(list_changes).from_select(
    ["epa_id"],
    _current_sites,
)


class SqlManifestRepository:
    """Implements ManifestRepository (and so ManifestReader).

    With `autocommit_reads`, for callers that only read: when the session has no transaction
    yet, reads run outside one (autocommit), without BEGIN and ROLLBACK round trips; every
    statement sees the latest committed data. Do not write through such a repository.
    """

    def __init__(self, session: AsyncSession, *, autocommit_reads: bool = False) -> None:
        self._session = session
        self._autocommit_reads = autocommit_reads

    async def _reading(self) -> None:
        if self._autocommit_reads and not self._session.in_transaction():
            await self._session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})

    async def by_mtn(self, mtn: str) -> StoredManifest | None:
        await self._reading()
        row = (await self._session.execute(_BY_MTN, {"mtn": mtn})).first()
        return _stored(row) if row else None

    async def document(self, mtn: str) -> ManifestDocument | None:
        await self._reading()
        row = (await self._session.execute(_DOCUMENT_BY_MTN, {"mtn": mtn})).first()
        if row is None:
            return None
        return ManifestDocument(
            id=row.id,
            version=row.version,
            json=row.document.encode(),
            status=_STATUS[row.status],
            owner_site=row.owner_site_id,
        )

    async def page(
        self, query: ManifestQuery, *, limit: int, after: Cursor | None = None
    ) -> ManifestPage:
        if not query.site_ids:
            return ManifestPage(items=[], total=0, next=None)
        await self._reading()
        matching = _conditions(query)
        conditions = list(matching)
        if after is not None:
            conditions.append(_after(after, oldest_first=query.oldest_first))
        order = _OLDEST_FIRST if query.oldest_first else _NEWEST_FIRST
        rows = list(
            await self._session.execute(
                select(*_LISTED_COLUMNS).where(*conditions).order_by(*order).limit(limit + 1)
            )
        )
        total = known_total(len(rows), limit=limit, after=after)
        if total is not None:
            return page_of(rows, limit=limit, total=total)
        # No planner's estimate here: a count of at most EXACT_TOTAL_BELOW rows, a lower bound
        # past it (PgManifestReader estimates instead).
        bounded = select(_manifests.id).where(*matching).limit(EXACT_TOTAL_BELOW + 1).subquery()
        count = int(await self._session.scalar(select(func.count()).select_from(bounded)) or 0)
        return page_of(rows, limit=limit, total=count, exact=count <= EXACT_TOTAL_BELOW)

    async def summaries(self, query: ManifestQuery) -> Sequence[ManifestSummary]:
        if not query.site_ids:
            return []
        await self._reading()
        rows = await self._session.execute(
            select(*_SUMMARY_COLUMNS).where(*_conditions(query)).order_by(*_NEWEST_FIRST)
        )
        return summaries_of(rows)

    async def status_counts(self, query: ManifestQuery) -> Sequence[StatusCount]:
        if not query.site_ids:
            return []
        await self._reading()
        matching = (
            select(_manifests.id, _manifests.status, _manifests.owner_site_id)
            .where(*_conditions(query))
            .subquery()
        )
        parties = [
            _handlers.epa_id.in_(sorted(query.site_ids)),
            # a draft counts for its owner site only
            or_(matching.c.status != _DRAFT_STATUS, matching.c.owner_site_id == _handlers.epa_id),
        ]
        if query.site_role is not None:
            parties.append(_handlers.role == query.site_role.value)
        rows = await self._session.execute(
            select(_handlers.epa_id, matching.c.status, func.count(matching.c.id.distinct()))
            .join(matching, matching.c.id == _handlers.manifest_id)
            .where(*parties)
            .group_by(_handlers.epa_id, matching.c.status)
        )
        return status_counts_of(rows)

    async def records(
        self, query: ManifestQuery, *, limit: int, after: Cursor | None = None
    ) -> Sequence[ManifestRecord]:
        if not query.site_ids:
            return []
        await self._reading()
        conditions = _conditions(query)
        if after is not None:
            conditions.append(_after(after, oldest_first=query.oldest_first))
        rows = await self._session.execute(
            select(_manifests.id, _manifests.updated_at, cast(_manifests.document, Text))
            .where(*conditions)
            .order_by(*(_OLDEST_FIRST if query.oldest_first else _NEWEST_FIRST))
            .limit(limit)
        )
        return [
            ManifestRecord(id=id_, updated_at=at, json=document.encode())
            for id_, at, document in rows
        ]

    async def next_draft_number(self) -> int:
        # Usually a unit of work's first statement: it begins the transaction on the driver
        driver = await driver_begun(self._session)
        if driver is not None:
            number = await driver.fetchval(_PG_NEXT_DRAFT_NUMBER, datetime.now(UTC))
        else:
            number = await self._session.scalar(
                _NEXT_DRAFT_NUMBER, {"issued_at": datetime.now(UTC)}
            )
        assert number is not None
        return int(number)

    async def add(self, stored: StoredManifest) -> None:
        driver = await driver_in_transaction(self._session)
        if driver is not None:
            await self._add_on_driver(driver, stored)
            return
        values = {
            "id": stored.id,
            "created_at": stored.created_at,
            "updated_at": stored.updated_at,
            "version": stored.version,
            "owner_org_id": stored.owner_org_id,
            "owner_site_id": stored.owner_site,
            **_manifest_columns(stored.manifest),
        }
        # A taken tracking number inserts nothing (and aborts nothing), so no savepoint is
        # needed to go on after it: two round trips fewer than catching the IntegrityError.
        result = await self._session.execute(_INSERT_NEW_MANIFEST, values)
        if getattr(result, "rowcount", 0) != 1:
            raise Conflict(f"a manifest with tracking number {stored.mtn} exists")
        await self._index(stored.id, stored.manifest)

    async def _add_on_driver(self, driver: Any, stored: StoredManifest) -> None:
        """add() on the asyncpg connection of the session's transaction (pg_driver.py)."""
        manifest = stored.manifest
        rows = _handler_rows(stored.id, manifest)
        # One round trip: the manifest, its handlers, their lists' change and its terms
        inserted = await pg_driver.fetchval(
            self._session,
            driver,
            _PG_ADD,
            stored.id,
            stored.mtn,
            manifest.current_status().value,
            manifest.submission_type.value if manifest.submission_type else None,
            manifest.signature_status,
            stored.created_at,
            stored.updated_at,
            stored.version,
            stored.owner_org_id,
            stored.owner_site,
            _document_json(manifest),
            [row["epa_id"] for row in rows],
            [row["role"] for row in rows],
            [row["transporter_order"] for row in rows],
            sorted(search_terms(manifest)),
        )
        if inserted != 1:  # a taken tracking number: nothing was written
            raise Conflict(f"a manifest with tracking number {stored.mtn} exists")

    async def update(self, stored: StoredManifest, *, expected_version: int) -> StoredManifest:
        version = expected_version + 1
        statement = (
            update(ManifestRow)
            .where(ManifestRow.id == stored.id, ManifestRow.version == expected_version)
            .values(
                version=version,
                updated_at=stored.updated_at,
                owner_org_id=stored.owner_org_id,
                owner_site_id=stored.owner_site,
                **_manifest_columns(stored.manifest),
            )
        )
        if await self._execute_or_conflict(statement, stored.mtn) != 1:
            raise PreconditionFailed(
                f"manifest {stored.mtn} changed since version {expected_version} was read; "
                "read it again and reapply the change"
            )
        # the sites it named change too (it may name others now)
        await self._session.execute(_PRUNE_CURRENT_SITES, {"manifest_id": stored.id})
        await self._session.execute(_LOG_CURRENT_SITES, {"manifest_id": stored.id})
        await self._session.execute(
            delete(ManifestHandlerRow).where(ManifestHandlerRow.manifest_id == stored.id)
        )
        await self._session.execute(delete(_terms_table).where(_terms.manifest_id == stored.id))
        await self._index(stored.id, stored.manifest)
        return msgspec.structs.replace(stored, version=version)

    async def delete(self, manifest_id: UUID, *, expected_version: int) -> None:
        # Logged first (the handlers go with the manifest); rolled back with it if it fails.
        await self._session.execute(_PRUNE_CURRENT_SITES, {"manifest_id": manifest_id})
        await self._session.execute(_LOG_CURRENT_SITES, {"manifest_id": manifest_id})
        result = await self._session.execute(
            delete(ManifestRow).where(
                ManifestRow.id == manifest_id, ManifestRow.version == expected_version
            )
        )
        if getattr(result, "rowcount", 0) != 1:
            raise PreconditionFailed(
                f"the manifest changed since version {expected_version} was read; nothing deleted"
            )

    async def upsert_by_mtn(
        self, manifest: Manifest, *, owner_org_id: UUID | None, at: datetime
    ) -> StoredManifest:
        mtn = manifest.manifest_tracking_number
        if not mtn:
            raise ValueError("a manifest from RCRAInfo has a tracking number")
        current = (
            await self._session.execute(
                select(
                    ManifestRow.id,
                    ManifestRow.version,
                    ManifestRow.created_at,
                    ManifestRow.owner_org_id,
                    ManifestRow.owner_site_id,
                ).where(ManifestRow.mtn == mtn)
            )
        ).first()
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
            StoredManifest(
                id=current.id,
                manifest=manifest,
                version=current.version,
                created_at=current.created_at,
                updated_at=at,
                owner_org_id=current.owner_org_id or owner_org_id,
                owner_site=current.owner_site_id,
            ),
            expected_version=current.version,
        )

    async def _execute_or_conflict(self, statement: Executable, mtn: str) -> int:
        """Run an insert or update in a savepoint: a taken tracking number is a Conflict and
        the transaction goes on. Answers the number of rows written."""
        try:
            async with self._session.begin_nested():
                result = await self._session.execute(statement)
        except IntegrityError as exc:
            raise Conflict(f"a manifest with tracking number {mtn} exists") from exc
        return int(getattr(result, "rowcount", 0))

    async def _index(self, manifest_id: UUID, manifest: Manifest) -> None:
        rows = _handler_rows(manifest_id, manifest)
        if rows:  # one statement for all (every row has every key), no RETURNING
            await self._session.execute(_INSERT_HANDLERS, rows)
            sites = sorted({row["epa_id"] for row in rows})
            await self._session.execute(_PRUNE_SITES, {"sites": sites})
            await self._session.execute(_INSERT_CHANGES, [{"epa_id": e} for e in sites])
        terms = [{"manifest_id": manifest_id, "term": t} for t in sorted(search_terms(manifest))]
        if terms:
            await self._session.execute(_INSERT_TERMS, terms)


class SessionManifestReader:
    """Implements ManifestReader for the whole process: each read on a short session of its
    own, outside a transaction (SqlManifestRepository's autocommit reads)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def by_mtn(self, mtn: str) -> StoredManifest | None:
        async with self._sessions() as session:
            return await SqlManifestRepository(session, autocommit_reads=True).by_mtn(mtn)

    async def document(self, mtn: str) -> ManifestDocument | None:
        async with self._sessions() as session:
            return await SqlManifestRepository(session, autocommit_reads=True).document(mtn)

    async def page(
        self, query: ManifestQuery, *, limit: int, after: Cursor | None = None
    ) -> ManifestPage:
        async with self._sessions() as session:
            reader = SqlManifestRepository(session, autocommit_reads=True)
            return await reader.page(query, limit=limit, after=after)

    async def summaries(self, query: ManifestQuery) -> Sequence[ManifestSummary]:
        async with self._sessions() as session:
            return await SqlManifestRepository(session, autocommit_reads=True).summaries(query)

    async def status_counts(self, query: ManifestQuery) -> Sequence[StatusCount]:
        async with self._sessions() as session:
            return await SqlManifestRepository(session, autocommit_reads=True).status_counts(query)

    async def records(
        self, query: ManifestQuery, *, limit: int, after: Cursor | None = None
    ) -> Sequence[ManifestRecord]:
        async with self._sessions() as session:
            reader = SqlManifestRepository(session, autocommit_reads=True)
            return await reader.records(query, limit=limit, after=after)
