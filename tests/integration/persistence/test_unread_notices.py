"""UnreadNotices (the navigation's badge) on SQLite, on PostgreSQL through a session and on
PostgreSQL through the read pool: the same count as the notices repository, per user."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.identity import SqlUserRepository
from haztrak.adapters.persistence.notice_reads import PgUnreadNotices, SessionUnreadNotices
from haztrak.adapters.persistence.notices import SqlNoticeRepository
from haztrak.adapters.persistence.pgpool import ReadPool, asyncpg_dsn
from haztrak.application.ports.notices import UnreadNotices
from haztrak.domain.events import EventKind
from haztrak.domain.identity import User
from haztrak.domain.notices import Notice
from tests.seeded import migrated_postgres

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
READER, OTHER = uuid.uuid4(), uuid.uuid4()


def _notice(user_id: uuid.UUID, minutes: int) -> Notice:
    return Notice(
        id=uuid.uuid4(),
        user_id=user_id,
        event_id=uuid.uuid4(),
        kind=EventKind.MANIFEST_SIGNED,
        at=NOW + timedelta(minutes=minutes),
        mtn="100000001ELC",
    )


@pytest.fixture(params=["sqlite", "postgres", "postgres-read-pool"])
async def unread(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[UnreadNotices]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'notices.sqlite3'}"
    else:
        url = migrated_postgres(request)
    engine = database.create_engine(url)
    await database.upgrade(engine)
    maker = database.session_factory(engine)
    async with maker() as session:
        for user_id, name in ((READER, "reader"), (OTHER, "other")):
            await SqlUserRepository(session).add(User(id=user_id, username=name), None)
        notices = SqlNoticeRepository(session)
        mine = [_notice(READER, n) for n in range(3)]
        for notice in [*mine, _notice(OTHER, 9)]:
            assert await notices.add(notice)
        assert await notices.mark_read(READER, mine[0].id, NOW)
        await session.commit()
    if request.param == "postgres-read-pool":
        pool = ReadPool(asyncpg_dsn(url), 2)
        yield PgUnreadNotices(pool)
        await pool.close()
    else:
        yield SessionUnreadNotices(maker)
    await engine.dispose()


async def test_the_badge_counts_the_user_s_unread_notices(unread: UnreadNotices) -> None:
    assert await unread.unread_count(READER) == 2
    assert await unread.unread_count(OTHER) == 1
    assert await unread.unread_count(uuid.uuid4()) == 0
