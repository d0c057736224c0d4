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
from haztrak.adapters.persistence.pgpool import ReadPool
from haztrak.adapters.persistence.tasks import SqlTaskRepository
from haztrak.application.ports.overview import OverviewBasics
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


_SITES = (
    "SELECT id, epa_id, name, site_type, org_id, last_manifest_sync FROM sites "
    "WHERE epa_id = ANY($1::varchar[]) ORDER BY epa_id"
)
_ORGS = (
    "SELECT id, name, slug, rcrainfo_api_id, rcrainfo_api_key_encrypted IS NOT NULL, "
    "rcrainfo_credentials_failing FROM orgs WHERE id = ANY($1::uuid[])"
)
_TASKS = (
    "SELECT id, name, owner_id, created_at, payload::text, subject, status, attempts, "
    "progress::text, result::text, error::text, started_at, done_at, not_before "
    "FROM tasks WHERE owner_id = $1 AND (status IN ('PENDING', 'STARTED') "
    "OR (status = 'FAILURE' AND done_at >= $2)) ORDER BY created_at DESC, id DESC LIMIT $3"
)
_dict = msgspec.json.Decoder(dict[str, Any])
_any = msgspec.json.Decoder()
_problem = msgspec.json.Decoder(TaskProblem | None)


def _uuid(value: Any) -> UUID:
    """asyncpg's UUIDs are a C subclass; the domain's structs hold plain ones."""
    return value if type(value) is UUID else UUID(bytes=value.bytes)


def _json_dict(text: str | None) -> dict[str, Any]:
    return _dict.decode(text) if text else {}


class PgOverviewReader:
    """Implements OverviewReader on the read pool: plain SQL, the three reads at once."""

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
            self._pool.fetch(_SITES, sorted(epa_ids)) if epa_ids else _none(),
            self._pool.fetch(_ORGS, sorted(org_ids)) if org_ids else _none(),
            self._pool.fetch(_TASKS, owner_id, failed_since, tasks_limit),
        )
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
