"""The asyncpg connection under a SQLAlchemy session, for the statements of hot write paths.

A statement through SQLAlchemy cost ~410 us of CPU on the benchmark machine, the same
statement on the asyncpg connection underneath ~140 us. A new draft writes four rows; the
repositories send those on the driver directly, inside the session's transaction, so the
unit of work still commits or rolls back all of it.

Only once the transaction has begun on the driver (SQLAlchemy begins it lazily, at the
first statement it sends): a statement sent before would run on its own, outside the unit
of work. `driver_begun` begins it the way SQLAlchemy would have, for the first statement of
a unit of work. Off PostgreSQL, or when the transaction cannot be had on the driver, callers
go through SQLAlchemy as usual.

The connection found is remembered with the session's transaction (in `session.info`), so
the next statement of the same transaction finds it without asking SQLAlchemy again (~40 us
each); a new transaction, which may run on another pooled connection, looks it up afresh.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

_FOUND = "haztrak.pg_driver"
"""session.info key: (the session's root transaction, its asyncpg connection)."""


async def driver_in_transaction(session: AsyncSession) -> Any | None:
    """The session's asyncpg connection if PostgreSQL and a transaction is open on it."""
    transaction = session.sync_session.get_transaction()
    if transaction is None:
        return None
    found = session.info.get(_FOUND)
    if found is not None and found[0] is transaction and transaction.is_active:
        known = found[1]
        if known.is_in_transaction():
            return known
    if session.get_bind().dialect.driver != "asyncpg":
        return None
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    if driver is None or not driver.is_in_transaction():
        return None
    session.info[_FOUND] = (transaction, driver)
    return driver


async def driver_begun(session: AsyncSession) -> Any | None:
    """`driver_in_transaction`, first beginning the session's transaction on the driver if no
    statement has begun it yet, as SQLAlchemy begins it before its first statement (with the
    connection's isolation level; none under AUTOCOMMIT, which answers None)."""
    driver = await driver_in_transaction(session)
    if driver is not None or session.get_bind().dialect.driver != "asyncpg":
        return driver
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    adapted = raw.dbapi_connection
    # SQLAlchemy's asyncpg adapter, which tracks the transaction it commits or rolls back
    begin = getattr(adapted, "_start_transaction", None)
    if begin is None or getattr(adapted, "_started", True):
        return None
    await begin()
    return await driver_in_transaction(session)
