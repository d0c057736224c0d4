"""The read pool on a real PostgreSQL server."""

from __future__ import annotations

import asyncpg
import pytest

from haztrak.adapters.persistence.pgpool import ReadPool, asyncpg_dsn


@pytest.fixture
async def pool(postgres_databases: object) -> ReadPool:
    url = postgres_databases.create()  # type: ignore[attr-defined]
    read_pool = ReadPool(asyncpg_dsn(url), 2)
    yield read_pool  # type: ignore[misc]
    await read_pool.close()


async def test_reads_and_refuses_to_write(pool: ReadPool) -> None:
    assert await pool.fetchval("SELECT 40 + $1::int", 2) == 42
    with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
        await pool.fetchval("CREATE TABLE sneaky (id int)")
    assert await pool.fetchval("SELECT current_setting('application_name')") == "haztrak-reads"
    assert pool.open_connections == 1  # the refused write left the connection usable


async def test_a_connection_the_server_ended_is_replaced_without_failing_the_read(
    pool: ReadPool, postgres_server_url: str
) -> None:
    backend = await pool.fetchval("SELECT pg_backend_pid()")
    admin = await asyncpg.connect(asyncpg_dsn(postgres_server_url))
    try:
        # with a timeout, it returns once the backend has ended
        assert await admin.fetchval("SELECT pg_terminate_backend($1, 10000)", backend)
    finally:
        await admin.close()
    assert await pool.fetchval("SELECT pg_backend_pid()") != backend
    assert pool.open_connections == 1
