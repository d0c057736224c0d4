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

import re
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

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
    raw = await session.run_sync(_pooled)
    driver = raw.driver_connection
    if driver is None or not driver.is_in_transaction():
        return None
    session.info[_FOUND] = (transaction, driver)
    return driver


def _pooled(session: Session) -> Any:
    """The session's pooled DBAPI connection (in one call to the sync session, not two)."""
    return session.connection().connection


async def driver_begun(session: AsyncSession) -> Any | None:
    """`driver_in_transaction`, first beginning the session's transaction on the driver if no
    statement has begun it yet, as SQLAlchemy begins it before its first statement (with the
    connection's isolation level; none under AUTOCOMMIT, which answers None)."""
    driver = await driver_in_transaction(session)
    if driver is not None or session.get_bind().dialect.driver != "asyncpg":
        return driver
    raw = await session.run_sync(_pooled)
    adapted = raw.dbapi_connection
    # SQLAlchemy's asyncpg adapter, which tracks the transaction it commits or rolls back
    begin = getattr(adapted, "_start_transaction", None)
    if begin is None or getattr(adapted, "_started", True):
        return None
    await begin()
    driver = raw.driver_connection
    transaction = session.sync_session.get_transaction()
    if driver is None or transaction is None or not driver.is_in_transaction():
        return None
    session.info[_FOUND] = (transaction, driver)
    return driver


# Held statements. A statement that answers nothing its caller needs (an audit entry's INSERT)
# need not cost a round trip of its own: it is held, and goes as a CTE of the transaction's
# next statement on the driver that takes it (`fetchval`), or just before the transaction
# commits, whichever path commits it (a before_commit listener). A rollback discards it with
# the rest of the transaction. It is never sent inside a savepoint, whose rollback would take
# it away although it was written outside: so a statement in a savepoint does not take it,
# and nothing is held while one is open. At most one rides along with a statement (the order
# of a statement's CTEs is not defined); more are flushed one by one, in order.

_HELD = "haztrak.pg_driver.held"
"""session.info key: (the session's root transaction, [(statement, args)])."""
_PARAMETER = re.compile(r"\$(\d+)")


def hold(session: AsyncSession, statement: str, *args: Any) -> bool:
    """Hold an INSERT written with $n parameters for the session's transaction on the driver
    (`driver_in_transaction` found it); False, holding nothing, when there is none or a
    savepoint is open: the caller sends it itself."""
    sync = session.sync_session
    transaction = sync.get_transaction()
    found = session.info.get(_FOUND)
    if (
        transaction is None
        or found is None
        or found[0] is not transaction
        or not transaction.is_active
        or sync.in_nested_transaction()
    ):
        return False
    _listen()
    held = session.info.get(_HELD)
    if held is None or held[0] is not transaction:
        statements: list[tuple[str, tuple[Any, ...]]] = []
        held = (transaction, statements)
        session.info[_HELD] = held
    held[1].append((statement, args))
    return True


def _take_held(session: AsyncSession | Session) -> list[tuple[str, tuple[Any, ...]]]:
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    held = session.info.pop(_HELD, None)
    if held is None or held[0] is not sync.get_transaction():
        return []  # none, or a transaction's that ended without them
    statements: list[tuple[str, tuple[Any, ...]]] = held[1]
    return statements


async def fetchval(session: AsyncSession, driver: Any, query: str, *args: Any) -> Any:
    """`driver.fetchval(query, *args)` for a statement that begins with WITH, carrying the
    statement held for the session's transaction as one more CTE (outside a savepoint)."""
    if _HELD not in session.info or session.sync_session.in_nested_transaction():
        return await driver.fetchval(query, *args)
    held = _take_held(session)
    if not query.startswith("WITH ") or not held:
        await _send(driver, held)
        return await driver.fetchval(query, *args)
    await _send(driver, held[:-1])
    statement, held_args = held[-1]
    shift = len(args)
    renumbered = _PARAMETER.sub(lambda m: f"${int(m.group(1)) + shift}", statement)
    together = f"WITH held AS ({renumbered}), {query.removeprefix('WITH ')}"
    return await driver.fetchval(together, *args, *held_args)


async def flush_held(session: AsyncSession) -> None:
    """Send what is held for the session's transaction (before it commits)."""
    if _HELD in session.info:
        held = _take_held(session)
        if held:
            driver = await driver_in_transaction(session)
            await _send(driver, held)


async def _send(driver: Any, held: list[tuple[str, tuple[Any, ...]]]) -> None:
    for statement, args in held:
        await driver.execute(statement, *args)


def _before_commit(session: Session) -> None:
    """A commit by any path writes what is held first (flush_held is the cheap way)."""
    if _HELD in session.info and session.get_transaction() is not None:
        held = _take_held(session)
        connection = session.connection()
        for statement, args in held:
            connection.exec_driver_sql(statement, args)


_listening = False


def _listen() -> None:
    global _listening  # noqa: PLW0603 - one listener for the process
    if not _listening:
        event.listen(Session, "before_commit", _before_commit)
        _listening = True
