"""Statements on the asyncpg connection under a session (pg_driver.py) belong to the session's
unit of work: they commit and roll back with it, and a new transaction is looked up afresh.
A held statement is written with the transaction, never outside it nor in a savepoint."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.pg_driver import (
    driver_begun,
    driver_in_transaction,
    fetchval,
    flush_held,
    hold,
)
from haztrak.adapters.persistence.tables import AuditEntryRow, DraftNumberRow

NUMBER = "INSERT INTO draft_numbers (issued_at) VALUES ($1) RETURNING number"


async def _sessions(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = database.create_engine(url)
    await database.upgrade(engine)
    try:
        yield database.session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def maker(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on SQLite and on PostgreSQL."""
    async for sessions in _sessions(database_url):
        yield sessions


@pytest.fixture
async def pg_maker(postgres_databases: Any) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on PostgreSQL (asyncpg), the only driver with a connection to write on."""
    async for sessions in _sessions(postgres_databases.create()):
        yield sessions


async def numbers(maker: async_sessionmaker[AsyncSession]) -> int:
    async with maker() as session:
        return int(await session.scalar(select(func.count()).select_from(DraftNumberRow)) or 0)


async def test_a_transaction_begun_on_the_driver_commits_or_rolls_back_with_the_session(
    pg_maker: async_sessionmaker[AsyncSession],
) -> None:
    maker = pg_maker
    async with maker() as session:
        assert await driver_in_transaction(session) is None  # nothing has begun it
        driver = await driver_begun(session)
        assert driver is not None
        assert driver.is_in_transaction()
        assert await driver_in_transaction(session) is driver
        await driver.fetchval(NUMBER, datetime.now(UTC))
        await session.rollback()
        assert await driver_in_transaction(session) is None  # that transaction is over
    assert await numbers(maker) == 0

    async with maker() as session:
        driver = await driver_begun(session)
        assert driver is not None
        await driver.fetchval(NUMBER, datetime.now(UTC))
        await session.commit()
        assert await driver_in_transaction(session) is None
        # the session's next transaction: begun again, on whichever connection it has now
        again = await driver_begun(session)
        assert again is not None
        assert again.is_in_transaction()
        await again.fetchval(NUMBER, datetime.now(UTC))
        await session.commit()
    assert await numbers(maker) == 2


async def test_a_statement_through_sqlalchemy_finds_the_transaction_begun_on_the_driver(
    pg_maker: async_sessionmaker[AsyncSession],
) -> None:
    maker = pg_maker
    async with maker() as session:
        driver = await driver_begun(session)
        assert driver is not None
        await driver.fetchval(NUMBER, datetime.now(UTC))
        # SQLAlchemy sends no second BEGIN: it sees the row of the same transaction
        assert await session.scalar(select(func.count()).select_from(DraftNumberRow)) == 1
        await session.rollback()
    assert await numbers(maker) == 0


async def test_no_driver_off_postgresql_or_under_autocommit(
    maker: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    async with maker() as session:
        if database.is_sqlite(database_url):
            assert await driver_begun(session) is None  # callers go through SQLAlchemy
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        assert await driver_begun(session) is None


AUDIT = (
    "INSERT INTO audit_log (at, actor_id, actor, action, object_type, object_id, detail) "
    "VALUES ($1, NULL, $2, 'test', 'manifest', $3, '{}'::jsonb)"
)
ADDED = "WITH n AS (INSERT INTO draft_numbers (issued_at) VALUES ($1) RETURNING number) SELECT 1"


async def audited(maker: async_sessionmaker[AsyncSession]) -> list[str]:
    """The object ids of the audit entries, oldest first."""
    async with maker() as session:
        rows = await session.execute(
            select(AuditEntryRow.object_id).order_by(AuditEntryRow.id.asc())
        )
        return [object_id for (object_id,) in rows]


async def held_in_a_transaction(session: AsyncSession, *names: str) -> Any:
    driver = await driver_begun(session)
    assert driver is not None
    for name in names:
        assert hold(session, AUDIT, datetime.now(UTC), "tester", name)
    return driver


async def test_a_held_statement_goes_with_the_next_statement_and_commits_with_it(
    pg_maker: async_sessionmaker[AsyncSession],
) -> None:
    maker = pg_maker
    async with maker() as session:
        driver = await held_in_a_transaction(session, "first")
        assert await audited(maker) == []  # held: not sent yet
        assert await fetchval(session, driver, ADDED, datetime.now(UTC)) == 1
        await session.rollback()  # it went with the statement: rolled back with it
    assert await audited(maker) == []
    assert await numbers(maker) == 0

    async with maker() as session:
        driver = await held_in_a_transaction(session, "first", "second", "third")
        await fetchval(session, driver, ADDED, datetime.now(UTC))
        await session.commit()
    assert await audited(maker) == ["first", "second", "third"]  # in the order held
    assert await numbers(maker) == 1


async def test_a_held_statement_is_written_by_any_commit_and_dropped_by_a_rollback(
    pg_maker: async_sessionmaker[AsyncSession],
) -> None:
    maker = pg_maker
    async with maker() as session:
        await held_in_a_transaction(session, "rolled back")
        await session.rollback()
        # the session's next transaction does not write what the last one held
        await held_in_a_transaction(session, "flushed")
        await flush_held(session)
        await held_in_a_transaction(session, "at commit")
        await session.commit()  # not through flush_held: the commit's listener writes it
    assert await audited(maker) == ["flushed", "at commit"]


async def test_nothing_is_held_in_a_savepoint_nor_sent_inside_one(
    pg_maker: async_sessionmaker[AsyncSession],
) -> None:
    maker = pg_maker
    async with maker() as session:
        driver = await held_in_a_transaction(session, "outside")
        savepoint = await session.begin_nested()
        await session.execute(select(1))  # SQLAlchemy sends SAVEPOINT with its next statement
        assert not hold(session, AUDIT, datetime.now(UTC), "tester", "inside")
        await fetchval(session, driver, ADDED, datetime.now(UTC))  # without "outside"
        await savepoint.rollback()
        await session.commit()
    assert await audited(maker) == ["outside"]
    assert await numbers(maker) == 0
