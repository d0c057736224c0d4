"""A small pool of read-only asyncpg connections for the hot read paths on PostgreSQL.

The manifest detail and the tracking-number list are one statement each, and most requests
are theirs. Through a SQLAlchemy session one such read cost ~850 µs of CPU on the benchmark
machine; through asyncpg's own pool ~260 µs, of which ~110 µs is the pool (its release runs
a reset query in a shielded task under a timeout); on a bare connection ~80 µs. This pool
keeps the bare cost: taking a connection is a list pop, giving it back a list append or a
hand-over to the oldest waiter.

Its connections open with `default_transaction_read_only`, so nothing written through them
can land. They open on demand up to `size`, are replaced after `max_age_seconds`, and are
dropped after any failure that may leave them mid-statement (a cancelled request, a lost
socket): only a PostgreSQL error answer leaves a connection fit to reuse. A read that fails
because an idle connection was lost (the server restarted, say) is retried once on a new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
from sqlalchemy.engine import make_url

T = TypeVar("T")

_LOST = (
    asyncpg.PostgresConnectionError,  # a PostgresError, so caught before those
    asyncpg.AdminShutdownError,  # the server is shutting down or ended this backend
    asyncpg.InterfaceError,
    ConnectionError,
)


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    """The libpq-style DSN asyncpg takes, from a `postgresql+asyncpg://` SQLAlchemy URL."""
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(False)


class ReadPool:
    def __init__(
        self,
        dsn: str,
        size: int,
        *,
        max_age_seconds: float = 1800.0,
        application_name: str = "haztrak-reads",
        clock: Callable[[], float] = time.monotonic,
        connect: Callable[..., Awaitable[asyncpg.Connection]] = asyncpg.connect,
    ) -> None:
        if size < 1:
            raise ValueError("a pool holds at least one connection")
        self._dsn = dsn
        self._size = size
        self._max_age = max_age_seconds
        self._settings = {
            "application_name": application_name,
            "default_transaction_read_only": "on",
        }
        self._clock = clock
        self._connect_to = connect
        self._idle: list[tuple[asyncpg.Connection, float]] = []
        self._waiters: deque[asyncio.Future[tuple[asyncpg.Connection, float] | None]] = deque()
        self._open = 0
        self._closed = False

    def __repr__(self) -> str:  # the DSN may hold a password
        return f"ReadPool(size={self._size}, open={self._open}, idle={len(self._idle)})"

    @property
    def open_connections(self) -> int:
        return self._open

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        rows: list[asyncpg.Record] = await self._run(lambda c: c.fetch(query, *args))
        return rows

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        row: asyncpg.Record | None = await self._run(lambda c: c.fetchrow(query, *args))
        return row

    async def fetchval(self, query: str, *args: Any) -> Any:
        return await self._run(lambda c: c.fetchval(query, *args))

    async def close(self) -> None:
        """Close the idle connections; those in use close when they come back."""
        self._closed = True
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(RuntimeError("the read pool is closed"))
        idle, self._idle = self._idle, []
        for connection, _ in idle:
            self._open -= 1
            await connection.close()

    async def _run(self, statement: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
        for attempt in (1, 2):
            connection, born, reused = await self._acquire()
            try:
                result = await statement(connection)
            except _LOST:
                self._release(connection, born, healthy=False)
                if attempt == 1 and reused:
                    continue  # an idle connection went away: reads are safe to repeat
                raise
            except asyncpg.PostgresError:
                self._release(connection, born)  # the server answered: the connection is fine
                raise
            except BaseException:
                self._release(connection, born, healthy=False)
                raise
            self._release(connection, born)
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    async def _acquire(self) -> tuple[asyncpg.Connection, float, bool]:
        if self._closed:
            raise RuntimeError("the read pool is closed")
        while self._idle:
            connection, born = self._idle.pop()
            if not connection.is_closed():
                return connection, born, True
            self._open -= 1
        if self._open < self._size:
            self._open += 1
            return await self._connect()
        waiter: asyncio.Future[tuple[asyncpg.Connection, float] | None]
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            handed = await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                given = waiter.result()
                if given is None:  # a slot was kept for us: give it to the next in line
                    self._open -= 1
                    self._free_slot()
                else:
                    self._release(*given)
            else:
                self._forget(waiter)
            raise
        if handed is None:  # a connection was dropped; its slot is ours to fill
            return await self._connect()
        return handed[0], handed[1], True

    async def _connect(self) -> tuple[asyncpg.Connection, float, bool]:
        """Open a connection in a slot already counted in `_open`."""
        try:
            connection = await self._connect_to(self._dsn, server_settings=self._settings)
        except BaseException:
            self._open -= 1
            self._free_slot()
            raise
        return connection, self._clock(), False

    def _release(
        self, connection: asyncpg.Connection, born: float, *, healthy: bool = True
    ) -> None:
        too_old = self._clock() - born > self._max_age
        if not healthy or too_old or self._closed or connection.is_closed():
            self._open -= 1
            if healthy and not connection.is_closed():
                self._close_later(connection)
            else:
                connection.terminate()
            self._free_slot()
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result((connection, born))
                return
        self._idle.append((connection, born))

    def _free_slot(self) -> None:
        """A slot opened up: the first live waiter opens a connection in it."""
        if self._closed:
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._open += 1
                waiter.set_result(None)
                return

    def _forget(self, waiter: asyncio.Future[Any]) -> None:
        with contextlib.suppress(ValueError):
            self._waiters.remove(waiter)

    def _close_later(self, connection: asyncpg.Connection) -> None:
        task = asyncio.get_running_loop().create_task(connection.close(timeout=5))
        _closing.add(task)
        task.add_done_callback(_closing.discard)


_closing: set[asyncio.Task[None]] = set()
"""Graceful closes in flight (the loop keeps only weak references to tasks)."""
