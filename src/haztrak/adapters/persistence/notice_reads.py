"""UnreadNotices: the number on the navigation's badge, asked on every page. On PostgreSQL one
index-only count on the read pool; elsewhere a short session outside a transaction."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from haztrak.adapters.persistence.notice_tables import NoticeRow
from haztrak.adapters.persistence.pgpool import ReadPool

_UNREAD = "SELECT count(*) FROM notices WHERE user_id = $1 AND read_at IS NULL"


class SessionUnreadNotices:
    """Implements UnreadNotices with one autocommit session per call."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def unread_count(self, user_id: UUID) -> int:
        async with self._sessions() as session:
            await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            count = await session.scalar(
                select(func.count())
                .select_from(NoticeRow)
                .where(NoticeRow.user_id == user_id, NoticeRow.read_at.is_(None))
            )
        return int(count or 0)


class PgUnreadNotices:
    """Implements UnreadNotices with plain SQL on the read pool."""

    def __init__(self, pool: ReadPool) -> None:
        self._pool = pool

    async def unread_count(self, user_id: UUID) -> int:
        return int(await self._pool.fetchval(_UNREAD, user_id) or 0)
