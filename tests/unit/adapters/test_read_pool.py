"""The read pool's bookkeeping, on fake connections whose statements the test finishes."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from haztrak.adapters.persistence.pgpool import ReadPool, asyncpg_dsn


class FakeConnection:
    def __init__(self, number: int) -> None:
        self.number = number
        self.closed = False
        self.terminated = False
        self.gate: asyncio.Future[Any] | None = None
        self.lose_next = False

    def is_closed(self) -> bool:
        return self.closed or self.terminated

    def terminate(self) -> None:
        self.terminated = True

    async def close(self, timeout: float | None = None) -> None:  # noqa: ASYNC109 (asyncpg's)
        self.closed = True

    async def fetchval(self, query: str, *args: Any) -> Any:
        if self.lose_next:
            self.lose_next = False
            raise asyncpg.ConnectionDoesNotExistError("connection was closed")
        if query == "wait":
            self.gate = asyncio.get_running_loop().create_future()
            return await self.gate
        if query == "bad":
            raise asyncpg.UndefinedTableError('relation "nope" does not exist')
        return (query, self.number)


class Server:
    """Hands out fake connections; `refuse` makes the next connect fail."""

    def __init__(self) -> None:
        self.connections: list[FakeConnection] = []
        self.refuse = False
        self.settings: dict[str, str] = {}

    async def connect(self, dsn: str, *, server_settings: dict[str, str]) -> FakeConnection:
        self.settings = server_settings
        if self.refuse:
            self.refuse = False
            raise OSError("connection refused")
        connection = FakeConnection(len(self.connections) + 1)
        self.connections.append(connection)
        return connection


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def pool_of(server: Server, size: int = 2, clock: Clock | None = None) -> ReadPool:
    return ReadPool(
        "postgresql://haztrak:s3cret@db/haztrak",
        size,
        connect=server.connect,
        clock=clock or Clock(),
        max_age_seconds=60,
    )


async def settle() -> None:
    """Let every task that can run, run (no time passes)."""
    for _ in range(10):
        await asyncio.sleep(0)


async def test_connections_open_on_demand_read_only_and_are_reused() -> None:
    server = Server()
    pool = pool_of(server)
    assert pool.open_connections == 0
    assert [await pool.fetchval("SELECT 1") for _ in range(3)] == [("SELECT 1", 1)] * 3
    assert len(server.connections) == 1
    assert server.settings["default_transaction_read_only"] == "on"


async def test_no_more_than_size_connections_and_waiters_go_first_come_first_served() -> None:
    server = Server()
    pool = pool_of(server, size=2)
    reads = [asyncio.create_task(pool.fetchval("wait")) for _ in range(2)]
    await settle()
    queued = [asyncio.create_task(pool.fetchval(f"queued {n}")) for n in range(3)]
    await settle()
    assert len(server.connections) == 2
    assert not any(task.done() for task in queued)
    first, second = server.connections
    assert first.gate is not None
    first.gate.set_result("done")
    await settle()
    assert await reads[0] == "done"
    assert [await task for task in queued] == [(f"queued {n}", 1) for n in range(3)]
    assert second.gate is not None
    second.gate.set_result("also done")
    assert await reads[1] == "also done"
    assert pool.open_connections == 2


async def test_a_cancelled_read_drops_its_connection_and_frees_its_slot() -> None:
    server = Server()
    pool = pool_of(server, size=1)
    read = asyncio.create_task(pool.fetchval("wait"))
    await settle()
    waiting = asyncio.create_task(pool.fetchval("next"))
    await settle()
    read.cancel()
    with pytest.raises(asyncio.CancelledError):
        await read
    # it may be mid-statement: never reused; the waiter opens a new one in its slot
    assert server.connections[0].terminated
    assert await waiting == ("next", 2)
    assert pool.open_connections == 1


async def test_a_cancelled_waiter_leaves_the_line() -> None:
    server = Server()
    pool = pool_of(server, size=1)
    read = asyncio.create_task(pool.fetchval("wait"))
    await settle()
    waiter = asyncio.create_task(pool.fetchval("never"))
    await settle()
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    gate = server.connections[0].gate
    assert gate is not None
    gate.set_result("done")
    assert await read == "done"
    assert await pool.fetchval("again") == ("again", 1)
    assert len(server.connections) == 1


async def test_a_postgres_error_keeps_the_connection() -> None:
    server = Server()
    pool = pool_of(server)
    with pytest.raises(asyncpg.UndefinedTableError):
        await pool.fetchval("bad")
    assert await pool.fetchval("SELECT 1") == ("SELECT 1", 1)
    assert len(server.connections) == 1


async def test_a_lost_idle_connection_is_retried_once_on_a_new_one() -> None:
    server = Server()
    pool = pool_of(server)
    await pool.fetchval("SELECT 1")
    server.connections[0].lose_next = True
    assert await pool.fetchval("SELECT 2") == ("SELECT 2", 2)
    assert server.connections[0].terminated
    assert pool.open_connections == 1


async def test_a_new_connection_that_fails_is_not_retried() -> None:
    server = Server()
    pool = pool_of(server)

    original = server.connect

    async def lost_at_once(dsn: str, *, server_settings: dict[str, str]) -> FakeConnection:
        connection = await original(dsn, server_settings=server_settings)
        connection.lose_next = True
        return connection

    server.connect = lost_at_once  # type: ignore[method-assign]
    pool = pool_of(server)
    with pytest.raises(asyncpg.ConnectionDoesNotExistError):
        await pool.fetchval("SELECT 1")
    assert len(server.connections) == 1
    assert pool.open_connections == 0


async def test_a_refused_connect_frees_its_slot_for_the_next_in_line() -> None:
    server = Server()
    pool = pool_of(server, size=1)
    server.refuse = True
    with pytest.raises(OSError, match="refused"):
        await pool.fetchval("SELECT 1")
    assert pool.open_connections == 0
    assert await pool.fetchval("SELECT 1") == ("SELECT 1", 1)


async def test_old_connections_are_replaced() -> None:
    server, clock = Server(), Clock()
    pool = pool_of(server, clock=clock)
    await pool.fetchval("SELECT 1")
    clock.now = 61  # older than max_age when it comes back from this read
    await pool.fetchval("SELECT 1")
    await settle()  # the graceful close runs in the background
    assert server.connections[0].closed
    assert await pool.fetchval("SELECT 1") == ("SELECT 1", 2)


async def test_closing_closes_idle_connections_and_refuses_reads() -> None:
    server = Server()
    pool = pool_of(server)
    await pool.fetchval("SELECT 1")
    await pool.close()
    assert server.connections[0].closed
    with pytest.raises(RuntimeError, match="closed"):
        await pool.fetchval("SELECT 1")


def test_the_password_stays_out_of_repr() -> None:
    pool = pool_of(Server())
    assert "s3cret" not in repr(pool)
    assert "s3cret" not in str(vars(pool).get("_settings"))


def test_the_dsn_comes_from_the_sqlalchemy_url() -> None:
    url = "postgresql+asyncpg://haztrak:p%40ss@db.example:5433/haztrak?ssl=require"
    assert asyncpg_dsn(url) == "postgresql://haztrak:p%40ss@db.example:5433/haztrak?ssl=require"
