"""AuditReader on SQLite, on PostgreSQL through a session, and on PostgreSQL through the read
pool: one object's entries, newest first, at most `limit`, with who, when and the detail."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.audit_reads import PgAuditReader, SessionAuditReader
from haztrak.adapters.persistence.identity import SqlAuditLog
from haztrak.adapters.persistence.pgpool import ReadPool, asyncpg_dsn
from haztrak.application.ports.persistence import AuditReader
from haztrak.domain.audit import AuditEntry
from tests.seeded import migrated_postgres

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ACTOR = uuid.uuid4()


def _entry(minutes: int, action: str, object_id: str = "000000001DFT") -> AuditEntry:
    return AuditEntry(
        at=NOW + timedelta(minutes=minutes),
        actor_id=ACTOR if action != "sync" else None,
        actor="testuser1" if action != "sync" else "system",
        action=action,
        object_type="manifest",
        object_id=object_id,
        detail={"status": "Pending"} if action == "update" else {},
    )


@pytest.fixture(params=["sqlite", "postgres", "postgres-read-pool"])
async def reader(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[AuditReader]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'audit.sqlite3'}"
    else:
        url = migrated_postgres(request)
    engine = database.create_engine(url)
    await database.upgrade(engine)
    maker = database.session_factory(engine)
    async with maker() as session:
        log = SqlAuditLog(session)
        for entry in (
            _entry(0, "create"),
            _entry(1, "create", object_id="000000002DFT"),
            _entry(2, "update"),
            _entry(3, "sync"),
        ):
            await log.append(entry)
        await session.commit()
    if request.param == "postgres-read-pool":
        pool = ReadPool(asyncpg_dsn(url), 2)
        yield PgAuditReader(pool)
        await pool.close()
    else:
        yield SessionAuditReader(maker)
    await engine.dispose()


async def test_one_object_s_entries_newest_first(reader: AuditReader) -> None:
    found = await reader.entries("manifest", "000000001DFT", 10)
    assert found == [_entry(3, "sync"), _entry(2, "update"), _entry(0, "create")]
    assert await reader.entries("manifest", "000000001DFT", 2) == found[:2]
    assert await reader.entries("manifest", "999999999DFT", 10) == []
    assert await reader.entries("org", "000000001DFT", 10) == []
