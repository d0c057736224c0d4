"""Databases that hold the schema and the demo data, copied from a template instead of migrated
and seeded for each test.

Migrating a fresh database and seeding the demo users, orgs and sites cost a test about a
second on PostgreSQL (less on SQLite), and most HTTP, web and task tests start that way. Each
test process (each pytest-xdist worker) does it once per engine and secret key (the seed
encrypts the orgs' RCRAInfo keys with it), into a template; a test then gets a copy:
PostgreSQL with CREATE DATABASE ... TEMPLATE, SQLite with the backup API. The copy is the
database the old way made (the same migrations and seed), save the ids and times the seed
chose, which no test may rely on across tests.

A fixture that cannot use a copy (a database it made itself, or one it filled first) migrates
and seeds as before: `copy_seeded` answers False.
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import sqlite3
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from dishka import make_async_container

from haztrak.adapters.persistence import database
from haztrak.application.identity.demo import SeedDemoData
from haztrak.domain.secrets import Secret
from haztrak.entrypoints.cli.demo import demo_data
from haztrak.entrypoints.settings import Settings, load_settings

if TYPE_CHECKING:
    from tests.conftest import PostgresDatabases

_postgres_templates: dict[str, str] = {}
"""Secret key -> the name of this process's seeded PostgreSQL template."""
_sqlite_templates: dict[str, Path] = {}
"""Secret key -> this process's seeded SQLite template."""
_copies: set[str] = set()
"""URLs of the PostgreSQL databases made from a seeded template."""
_workdir: list[Path] = []


def _scratch() -> Path:
    if not _workdir:
        path = Path(tempfile.mkdtemp(prefix="haztrak-seeded-"))
        atexit.register(shutil.rmtree, path, ignore_errors=True)
        _workdir.append(path)
    return _workdir[0]


async def migrate_and_seed(settings: Settings) -> None:
    """The slow way: the migrations and the demo data, with the tests' password and hasher."""
    from tests.http.conftest import DEMO_CREDENTIALS, PASSWORD, providers_for_tests

    engine = database.create_engine(settings.database.url.reveal())
    try:
        await database.upgrade(engine)
    finally:
        await engine.dispose()
    container = make_async_container(*providers_for_tests(), context={Settings: settings})
    try:
        async with container() as scope:
            seed = await scope.get(SeedDemoData)
            await seed(demo_data(DEMO_CREDENTIALS), Secret(PASSWORD))
    finally:
        await container.close()


def _build(url: str, secret_key: str) -> None:
    """Migrate and seed the template at `url`, in a loop of its own (callers may be sync)."""
    settings = load_settings(
        {
            "HT_VAR_DIR": str(_scratch() / "var"),
            "HT_SECRET_KEY": secret_key,
            "HT_LOG_LEVEL": "WARNING",
            "HT_DATABASE_URL": url,
        },
        dotenv=None,
    )
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, migrate_and_seed(settings)).result()


def seeded_postgres(request: pytest.FixtureRequest, secret_key: str) -> str:
    """A new PostgreSQL database with the schema and the demo data (for `secret_key`), for a
    function-scoped fixture: it is dropped when that fixture ends."""
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    template = _postgres_templates.get(secret_key)
    if template is None:
        url = databases.create()
        _build(url, secret_key)
        template = url.rpartition("/")[2]
        _postgres_templates[secret_key] = template
    url = databases.create(template=template)
    _copies.add(url)

    def drop() -> None:
        _copies.discard(url)
        databases.drop_soon(url)

    request.addfinalizer(drop)
    return url


_migrated_template: list[str] = []


def migrated_postgres(request: pytest.FixtureRequest) -> str:
    """A new PostgreSQL database with the schema (and its lookups) but no demo data: what
    `database.upgrade` makes of an empty one, copied from a template migrated once. Upgrading
    it again is a no-op. For a function-scoped fixture: it is dropped when that fixture ends."""
    databases: PostgresDatabases = request.getfixturevalue("postgres_databases")
    if not _migrated_template:
        url = databases.create()

        async def upgrade() -> None:
            engine = database.create_engine(url)
            try:
                await database.upgrade(engine)
            finally:
                await engine.dispose()

        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, upgrade()).result()
        _migrated_template.append(url.rpartition("/")[2])
    url = databases.create(template=_migrated_template[0])
    request.addfinalizer(lambda: databases.drop_soon(url))
    return url


def _sqlite_path(url: str) -> Path | None:
    if not database.is_sqlite(url) or "?" in url:
        return None
    path = url.split("///", 1)[-1]
    return Path(path) if path and path != ":memory:" else None


async def copy_seeded(settings: Settings) -> bool:
    """Make the settings' database a copy of the seeded template, if it is one this module
    made or a SQLite file that does not exist yet; False leaves it to the caller to migrate
    and seed."""
    url = settings.database.url.reveal()
    if url in _copies:
        return True
    path = _sqlite_path(url)
    if path is None or path.exists():
        return False
    secret_key = settings.secret_key.reveal()
    template = _sqlite_templates.get(secret_key)
    if template is None:
        template = _scratch() / f"template-{len(_sqlite_templates)}.sqlite3"
        await asyncio.to_thread(_build, f"sqlite+aiosqlite:///{template}", secret_key)
        _sqlite_templates[secret_key] = template
    path.parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(_sqlite_copy, template, path)
    return True


def _sqlite_copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
