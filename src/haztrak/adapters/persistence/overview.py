"""OverviewReader: the dashboard's sites, orgs and tasks. On PostgreSQL three statements on the
read pool at once; elsewhere one short session outside a transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from haztrak.adapters.persistence.identity import SqlOrgRepository, SqlSiteRepository
from haztrak.adapters.persistence.manifests import SessionManifestReader, status_counts_of
from haztrak.adapters.persistence.pg_reads import (
    counts_statement,
    records_statement,
)
from haztrak.adapters.persistence.pgpool import ReadPool
from haztrak.adapters.persistence.tasks import SqlTaskRepository
from haztrak.application.overview import read_dashboard
from haztrak.application.ports.manifests import ManifestRecord
from haztrak.application.ports.overview import DashboardReads, DashboardRequest, OverviewBasics
from haztrak.domain.handlers import SiteType
from haztrak.domain.identity import Org, Site
from haztrak.domain.tasks import Task, TaskName, TaskProblem, TaskStatus


class SessionOverviewReader:
    """Implements OverviewReader with the SQL repositories on one autocommit session."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def basics(
        self,
        *,
        epa_ids: Sequence[str],
        org_ids: Sequence[UUID],
        owner_id: UUID,
        tasks_limit: int,
        failed_since: datetime,
    ) -> OverviewBasics:
        async with self._sessions() as session:
            await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            sites = await SqlSiteRepository(session).list_by_epa_ids(sorted(epa_ids))
            orgs = await SqlOrgRepository(session).list_by_ids(sorted(org_ids))
            tasks = await SqlTaskRepository(session).for_owner(
                owner_id, limit=tasks_limit, unfinished_or_failed_since=failed_since
            )
        return OverviewBasics(sites=list(sites), orgs=list(orgs), tasks=tasks)

    async def dashboard(self, request: DashboardRequest) -> DashboardReads:
        return await read_dashboard(self, SessionManifestReader(self._sessions), request)


_SITE_COLUMNS = "id, epa_id, name, site_type, org_id, last_manifest_sync"
_SITES = f"SELECT {_SITE_COLUMNS} FROM sites WHERE epa_id = ANY({{epa_ids}}::varchar[])"  # noqa: S608
_ORG_COLUMNS = "id, name, slug, rcrainfo_api_id, has_key, rcrainfo_credentials_failing"
_ORGS = (
    "SELECT id, name, slug, rcrainfo_api_id, rcrainfo_api_key_encrypted IS NOT NULL AS has_key, "
    "rcrainfo_credentials_failing FROM orgs WHERE id = ANY({org_ids}::uuid[])"
)
_TASK_COLUMNS = (
    "id, name, owner_id, created_at, payload::text, subject, status, attempts, "
    "progress::text, result::text, error::text, started_at, done_at, not_before"
)
_TASKS = (
    "SELECT {columns} FROM tasks WHERE owner_id = {owner} AND (status IN ('PENDING', 'STARTED') "
    "OR (status = 'FAILURE' AND done_at >= {since})) ORDER BY created_at DESC, id DESC "
    "LIMIT {limit}"
)
# OverviewReader.basics' three statements (the placeholders are literals of this module)
_BASIC_SITES = _SITES.format(epa_ids="$1") + " ORDER BY epa_id"
_BASIC_ORGS = _ORGS.format(org_ids="$1")
_BASIC_TASKS = _TASKS.format(columns=_TASK_COLUMNS, owner="$1", since="$2", limit="$3")
_dict = msgspec.json.Decoder(dict[str, Any])
_any = msgspec.json.Decoder()
_problem = msgspec.json.Decoder(TaskProblem | None)


def _uuid(value: Any) -> UUID:
    """asyncpg's UUIDs are a C subclass; the domain's structs hold plain ones."""
    return value if type(value) is UUID else UUID(bytes=value.bytes)


def _json_dict(text: str | None) -> dict[str, Any]:
    return _dict.decode(text) if text else {}


_RECEIPT_FLAGGED = (
    "(w.document->>'rejection' = 'true' OR w.document->>'discrepancy' = 'true' "
    "OR w.document->>'residue' = 'true')"
)
_Rows = list[tuple[UUID, datetime, msgspec.Raw]]
_dashboard_decoder = msgspec.json.Decoder(
    tuple[
        list[tuple[UUID, str, str, str, UUID, datetime | None]],
        list[tuple[UUID, str, str, str | None, bool, bool | None]],
        list[
            tuple[
                UUID,
                str,
                UUID | None,
                datetime,
                str | None,
                str | None,
                str,
                int,
                str | None,
                str | None,
                str | None,
                datetime | None,
                datetime | None,
                datetime | None,
            ]
        ],
        list[tuple[str, str, int]],
        _Rows,
        _Rows,
        _Rows,
        list[_Rows],
    ]
)


def _agg(select: str, columns: str, order: str = "") -> str:
    """A JSON array of `columns` (a row each) over the rows of `select` (`r`)."""
    ordered = f" ORDER BY {order}" if order else ""
    return (
        f"coalesce((SELECT json_agg(json_build_array({columns}){ordered}) "  # noqa: S608
        f"FROM ({select}) AS r), '[]')"
    )


def dashboard_statement(request: DashboardRequest) -> tuple[str, list[Any]]:
    """The dashboard's reads as one statement (a JSON array of seven lists and a list of
    lists) and its arguments: one round trip instead of ten."""
    args: list[Any] = [
        sorted(request.epa_ids),
        sorted(request.org_ids),
        request.owner_id,
        request.failed_since,
        request.tasks_limit,
    ]
    newest = "r.updated_at DESC, r.id DESC"
    parts = [
        _agg(_SITES.format(epa_ids="$1"), _SITE_COLUMNS, "r.epa_id"),
        _agg(_ORGS.format(org_ids="$2"), _ORG_COLUMNS),
        _agg(
            _TASKS.format(columns="*", owner="$3", since="$4", limit="$5"),
            _TASK_COLUMNS,
            "r.created_at DESC, r.id DESC",
        ),
        _agg(counts_statement(request.counts, args), "r.epa_id, r.status, r.count"),
        _agg(
            records_statement(
                request.drafts, args, request.drafts_limit, columns="id, updated_at, headline"
            ),
            "r.id, r.updated_at, r.headline",
            newest,
        ),
        _agg(
            records_statement(
                request.to_sign, args, request.candidates, columns="id, updated_at, document"
            ),
            "r.id, r.updated_at, r.document",
            newest,
        ),
        _agg(
            "SELECT * FROM ("  # noqa: S608
            + records_statement(
                request.received, args, request.candidates, columns="id, updated_at, document"
            )
            + f") AS w WHERE {_RECEIPT_FLAGGED}",
            "r.id, r.updated_at, r.document",
            newest,
        ),
        "json_build_array("
        + ", ".join(
            _agg(
                records_statement(
                    query, args, request.deadlines_limit, columns="id, updated_at, document"
                ),
                "r.id, r.updated_at, r.document",
                newest,
            )
            for query in request.deadlines
        )
        + ")",
    ]
    return "SELECT json_build_array(" + ", ".join(parts) + ")::text", args


def _records(rows: _Rows) -> list[ManifestRecord]:
    return [ManifestRecord(id=id_, updated_at=at, json=bytes(raw)) for id_, at, raw in rows]


class PgOverviewReader:
    """Implements OverviewReader on the read pool: plain SQL, the three reads at once; the
    dashboard's reads in one statement."""

    def __init__(self, pool: ReadPool) -> None:
        self._pool = pool

    async def basics(
        self,
        *,
        epa_ids: Sequence[str],
        org_ids: Sequence[UUID],
        owner_id: UUID,
        tasks_limit: int,
        failed_since: datetime,
    ) -> OverviewBasics:
        sites, orgs, tasks = await asyncio.gather(
            self._pool.fetch(_BASIC_SITES, sorted(epa_ids)) if epa_ids else _none(),
            self._pool.fetch(_BASIC_ORGS, sorted(org_ids)) if org_ids else _none(),
            self._pool.fetch(_BASIC_TASKS, owner_id, failed_since, tasks_limit),
        )
        return _basics(sites, orgs, tasks)

    async def dashboard(self, request: DashboardRequest) -> DashboardReads:
        statement, args = dashboard_statement(request)
        sites, orgs, tasks, counts, drafts, to_sign, received, deadlines = (
            _dashboard_decoder.decode(await self._pool.fetchval(statement, *args))
        )
        return DashboardReads(
            basics=_basics(sites, orgs, tasks),
            counts=status_counts_of(counts),
            drafts=_records(drafts),
            to_sign=_records(to_sign),
            received=_records(received),
            deadlines=[_records(rows) for rows in deadlines],
        )


def _basics(sites: Any, orgs: Any, tasks: Any) -> OverviewBasics:
    return OverviewBasics(
        sites=[
            Site(
                id=_uuid(id_),
                epa_id=epa_id,
                name=name,
                site_type=SiteType(kind),
                org_id=_uuid(org_id),
                last_manifest_sync=synced,
            )
            for id_, epa_id, name, kind, org_id, synced in sites
        ],
        orgs=[
            Org(
                id=_uuid(id_),
                name=name,
                slug=slug,
                rcrainfo_api_id=api_id,
                has_rcrainfo_api_key=has_key,
                rcrainfo_credentials_failing=bool(failing),
            )
            for id_, name, slug, api_id, has_key, failing in orgs
        ],
        tasks=[_task(row) for row in tasks],
    )


async def _none() -> list[Any]:
    return []


def _task(row: Any) -> Task:
    (
        id_,
        name,
        owner,
        created_at,
        payload,
        subject,
        status,
        attempts,
        progress,
        result,
        error,
        started_at,
        done_at,
        not_before,
    ) = row
    return Task(
        id=_uuid(id_),
        name=TaskName(name),
        owner_id=_uuid(owner) if owner is not None else None,
        created_at=created_at,
        payload=_json_dict(payload),
        subject=subject,
        status=TaskStatus(status),
        attempts=attempts,
        progress=_json_dict(progress),
        result=_any.decode(result) if result else None,
        error=_problem.decode(error) if error else None,
        started_at=started_at,
        done_at=done_at,
        not_before=not_before,
    )
