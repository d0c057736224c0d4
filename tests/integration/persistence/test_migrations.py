"""The same migrations upgrade and downgrade on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.tables import Base


async def _tables(engine: object) -> set[str]:
    async with engine.connect() as conn:  # type: ignore[attr-defined]
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_upgrade_creates_the_schema_and_downgrade_removes_it(database_url: str) -> None:
    engine = database.create_engine(database_url)
    try:
        assert await database.current_revision(engine) is None
        await database.upgrade(engine)
        assert await database.current_revision(engine) == database.head_revision()
        assert set(Base.metadata.tables) <= await _tables(engine)

        await database.downgrade(engine, "base")
        assert await database.current_revision(engine) is None
        assert await _tables(engine) <= {"alembic_version"}

        await database.upgrade(engine)  # and up again: downgrades leave nothing behind
        assert await database.current_revision(engine) == database.head_revision()
    finally:
        await engine.dispose()


async def test_the_migrations_create_exactly_the_tables_the_code_declares(
    database_url: str,
) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = database.create_engine(database_url)
    try:
        await database.upgrade(engine)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": False}), Base.metadata
                )
            )
        assert diff == []
    finally:
        await engine.dispose()


async def test_the_audit_log_is_append_only(database_url: str) -> None:
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    engine = database.create_engine(database_url)
    try:
        await database.upgrade(engine)
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO audit_log (at, actor, action, object_type, object_id, detail) "
                    "VALUES (CURRENT_TIMESTAMP, 'system', 'test', 'org', 'acme', '{}')"
                )
            )
        for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
            with pytest.raises(DBAPIError, match="append-only"):
                async with engine.begin() as conn:
                    await conn.execute(text(statement))
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT actor FROM audit_log"))).scalars().all() == [
                "system"
            ]
    finally:
        await engine.dispose()
