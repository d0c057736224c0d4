"""Shared fixtures: where PostgreSQL and Redis are, and fresh databases on them.

Tests that need PostgreSQL or Redis use HT_TEST_POSTGRES_URL and HT_TEST_REDIS_URL. Without
them those tests skip, unless HT_TEST_REQUIRE_SERVICES=1 (CI), where a missing service fails.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


LOCAL_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
LOCAL_REDIS = "redis://127.0.0.1:6379/15"


def _service_url(variable: str, what: str, local: str, answers: Callable[[str], bool]) -> str:
    """The configured URL; else a local server on its standard port if it answers; else skip
    (or fail, when HT_TEST_REQUIRE_SERVICES=1, as in CI)."""
    url = os.environ.get(variable, "").strip()
    if url:
        return url
    if os.environ.get("HT_TEST_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{variable} is not set, and HT_TEST_REQUIRE_SERVICES=1 requires {what}")
    if answers(local):
        return local
    pytest.skip(f"{what} not configured (set {variable}) and none answers locally")


def _postgres_answers(url: str) -> bool:
    try:
        _admin_execute(url, "SELECT 1")
    except Exception:
        return False
    return True


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """A server where tests may create databases, e.g. postgresql+asyncpg://postgres@host/db"""
    return _service_url("HT_TEST_POSTGRES_URL", "PostgreSQL", LOCAL_POSTGRES, _postgres_answers)


def per_worker(redis_url: str) -> str:
    """Under pytest-xdist each worker flushes a database of its own: the configured one for
    the first worker (gw0), the ones below it for the others (15, 14, 13, ...)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return redis_url
    base, _, number = redis_url.rpartition("/")
    if not number.isdigit():
        return redis_url
    return f"{base}/{(int(number) - int(worker[2:])) % 16}"


@pytest.fixture(scope="session")
def redis_url() -> str:
    return per_worker(_service_url("HT_TEST_REDIS_URL", "Redis", LOCAL_REDIS, _redis_answers))


def _admin_execute(server_url: str, statement: str) -> None:
    """Run one statement on the server, from sync or async code alike (in its own thread)."""
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(server_url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, run()).result()


class PostgresDatabases:
    """Creates throw-away databases on the test server and drops them afterwards: at the end
    of the session, or (`drop_soon`) on a thread of its own while the next tests run, since
    PostgreSQL checkpoints at each DROP DATABASE."""

    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.created: list[str] = []
        self._dropper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-database")
        self._dropping: list[Future[None]] = []

    def url_for(self, name: str) -> str:
        base, _, _ = self.server_url.rpartition("/")
        return f"{base}/{name}"

    def create(self, template: str | None = None) -> str:
        """A new database: empty, or a copy of `template` (a database no one is connected to)."""
        name = f"haztrak_test_{uuid.uuid4().hex[:12]}"
        copy = f' TEMPLATE "{template}"' if template else ""
        _admin_execute(self.server_url, f'CREATE DATABASE "{name}"{copy}')
        self.created.append(name)
        return self.url_for(name)

    def _drop(self, name: str) -> None:
        _admin_execute(self.server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_soon(self, url: str) -> None:
        """Drop a test's database in the background (the test is over: no one uses it)."""
        name = url.rpartition("/")[2]
        if name in self.created:
            self.created.remove(name)
            self._dropping.append(self._dropper.submit(self._drop, name))

    def drop_all(self) -> None:
        self._dropping += [self._dropper.submit(self._drop, name) for name in self.created]
        self._dropper.shutdown(wait=True)
        for dropping in self._dropping:
            dropping.result()


@pytest.fixture(scope="session")
def postgres_databases(postgres_server_url: str) -> Iterator[PostgresDatabases]:
    databases = PostgresDatabases(postgres_server_url)
    yield databases
    databases.drop_all()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database on each engine."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
        return
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    url = databases.create()
    yield url
    databases.drop_soon(url)


@pytest.fixture
async def flushed_redis(redis_url: str) -> str:
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url)
    await client.flushdb()
    await client.aclose()
    return redis_url
