"""Engines, sessions and migrations for PostgreSQL (asyncpg) and SQLite (aiosqlite)."""

from __future__ import annotations

import ast
import functools
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from haztrak.adapters.persistence.column_types import decode_json, encode_json
from haztrak.adapters.persistence.lookups import seed_lookups
from haztrak.application.errors import ServiceUnavailable

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

# Alembic (with Mako and Pygments, which it imports: about 7 MiB) is imported only to migrate.
# A process that just checks the schema at start (the worker, the scheduler, a production
# server) reads the stored revision with one SELECT and the scripts' revisions from their text.

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"

log = logging.getLogger("haztrak.database")


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def create_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    # Parameters are emails, token hashes, API IDs: no error message or log line shows them.
    options: dict[str, Any] = {
        "echo": echo,
        "hide_parameters": True,
        "json_serializer": encode_json,
        "json_deserializer": decode_json,
    }
    if is_sqlite(url):
        _ensure_sqlite_dir(url)
    else:
        # No ping before each checkout (it costs round trips on every request); a connection
        # the server dropped fails once, and SQLAlchemy then discards the whole pool.
        options |= {"pool_size": pool_size, "max_overflow": pool_size, "pool_recycle": 1800}
    engine = create_async_engine(url, **options)
    if is_sqlite(url):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def _ensure_sqlite_dir(url: str) -> None:
    path = url.split("///", 1)[-1].split("?", 1)[0]
    if path and path != ":memory:":
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ServiceUnavailable(
                f"HT_DATABASE_URL: cannot make the folder of the SQLite database {path} "
                f"({exc.strerror}): choose a writable place with HT_VAR_DIR or HT_DATABASE_URL"
            ) from exc


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _alembic_config(connection: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    from alembic import command

    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.upgrade(_alembic_config(c), revision))
        await conn.run_sync(seed_lookups)  # reference data; idempotent


async def downgrade(engine: AsyncEngine, revision: str = "base") -> None:
    from alembic import command

    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.downgrade(_alembic_config(c), revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_stored_revision)


def _stored_revision(connection: Connection) -> str | None:
    """The revision recorded in alembic's version table (None before the first migration)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    stored = list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    if len(stored) > 1:  # branches, which these migrations never make: alembic says what's wrong
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(connection).get_current_revision()
    return str(stored[0]) if stored else None


def _scripts() -> ScriptDirectory:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


@functools.cache
def _script_revisions() -> dict[str, tuple[str, ...]]:
    """Each migration script's `revision` and the revisions it follows (`down_revision`), read
    from the scripts' source without running them."""
    revisions: dict[str, tuple[str, ...]] = {}
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        values: dict[str, Any] = {}
        for node in ast.parse(path.read_text(encoding="utf-8"), str(path)).body:
            target: ast.expr | None = None
            if isinstance(node, ast.AnnAssign) and node.value is not None:
                target, value = node.target, node.value
            elif isinstance(node, ast.Assign) and len(node.targets) == 1:
                target, value = node.targets[0], node.value
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                values[target.id] = ast.literal_eval(value)
        if isinstance(values.get("revision"), str):
            down = values.get("down_revision")
            revisions[values["revision"]] = (down,) if isinstance(down, str) else tuple(down or ())
    return revisions


def head_revision() -> str | None:
    revisions = _script_revisions()
    followed = {down for downs in revisions.values() for down in downs}
    heads = [revision for revision in revisions if revision not in followed]
    if len(heads) == 1:
        return heads[0]
    return _scripts().get_current_head()  # none or several: alembic's own answer (or error)


def is_newer_than_head(revision: str) -> bool:
    """A revision this code does not know: a newer release's schema (every revision up to this
    code's head is among its scripts, so an unknown one came after)."""
    return revision not in _script_revisions()


async def check_connection(engine: AsyncEngine) -> None:
    """Connect once. A database that cannot be used is ServiceUnavailable, in one line that
    names HT_DATABASE_URL and what to do (a process says it at start, not in a traceback)."""
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        raise ServiceUnavailable(_connect_problem(engine, exc)) from exc


async def check_schema(engine: AsyncEngine) -> None:
    """The database is at the revision this code needs (production does not migrate itself)."""
    current, head = await current_revision(engine), head_revision()
    if current is not None and current != head and is_newer_than_head(current):
        # A rolling upgrade: the new release migrated first and this older process still runs.
        # Migrations only add (expand) while an older release may run; see CONTRIBUTING.md.
        log.warning(
            "the database is at schema revision %s, newer than this version's %s: running as "
            "the older release of a rolling upgrade",
            current,
            head,
        )
        return
    if current != head:
        where = engine.url.render_as_string(hide_password=True)
        raise ServiceUnavailable(
            f"HT_DATABASE_URL: the database at {where} is at schema revision {current or 'none'}, "
            f"this version of Haztrak needs {head}: run `haztrak migrate`"
        )


def _causes(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    pending: list[BaseException | None] = [exc]
    while pending:
        error = pending.pop()
        if error is None or any(error is seen for seen in found):
            continue
        found.append(error)
        pending += [getattr(error, "orig", None), error.__cause__, error.__context__]
    return found


_SQLSTATE_PROBLEMS = {
    "3D000": "database {database!r} does not exist on {server}: create it (createdb {database}) "
    "or name an existing database in HT_DATABASE_URL",
    "28P01": "PostgreSQL at {server} refused user {user!r} (wrong password): fix the user and "
    "password in HT_DATABASE_URL",
    "28000": "PostgreSQL at {server} refused user {user!r} (no such user, or not allowed from "
    "here): fix the user and password in HT_DATABASE_URL",
    "57P03": "PostgreSQL at {server} is starting or shutting down: try again in a moment",
    "53300": "PostgreSQL at {server} has no connections left: lower HT_DATABASE_POOL_SIZE or "
    "raise max_connections",
}


def _connect_problem(engine: AsyncEngine, exc: BaseException) -> str:
    url = engine.url
    if is_sqlite(url.drivername):
        reason = next((str(e) for e in _causes(exc) if type(e).__module__ == "sqlite3"), "")
        return (
            f"HT_DATABASE_URL: cannot open the SQLite database {url.database} "
            f"({reason or type(exc).__name__}): check that its folder exists and is writable, "
            "or set HT_VAR_DIR"
        )
    facts = {
        "database": url.database or "",
        "user": url.username or "",
        "server": f"{url.host or 'localhost'}:{url.port or 5432}",
    }
    for cause in _causes(exc):
        state = getattr(cause, "sqlstate", None)
        if isinstance(state, str) and state in _SQLSTATE_PROBLEMS:
            return "HT_DATABASE_URL: " + _SQLSTATE_PROBLEMS[state].format(**facts)
    for cause in _causes(exc):
        if isinstance(cause, OSError | TimeoutError):
            # asyncio words a refused connection "Connect call failed (...)": say it plainly.
            code = cause.errno or 0
            reason = os.strerror(code) if code > 0 else cause.strerror or type(cause).__name__
            return (
                f"HT_DATABASE_URL: cannot reach PostgreSQL at {facts['server']} ({reason}): "
                "start the database, or fix the host and port in HT_DATABASE_URL"
            )
    return (
        f"HT_DATABASE_URL: cannot use the database at {url.render_as_string(hide_password=True)} "
        f"({type(exc).__name__}): check that it is PostgreSQL and that the URL is right"
    )
