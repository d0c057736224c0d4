"""Statements on the asyncpg connection under a session (pg_driver.py) belong to the session's
unit of work: they commit and roll back with it, and a new transaction is looked up afresh."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.pg_driver import driver_begun, driver_in_transaction
from haztrak.adapters.persistence.tables import DraftNumberRow

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
