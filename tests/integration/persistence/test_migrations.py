"""The same migrations upgrade and downgrade on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import msgspec
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
                    MigrationContext.configure(
                        c, opts={"compare_type": False, "include_object": _declared}
                    ),
                    Base.metadata,
                )
            )
        assert diff == []
    finally:
        await engine.dispose()


def _declared(obj: object, name: str | None, kind: str, reflected: bool, _: object) -> bool:
    """Leaves out what PostgreSQL keeps on its own and no code writes: the manifests'
    stored headline (migration 0012)."""
    return not (kind == "column" and reflected and name == "headline")


async def test_postgresql_keeps_each_manifests_headline_as_a_list_reads_it(
    database_url: str,
) -> None:
    """The stored headline (migration 0012) is what ManifestHeadline reads of the document,
    at insert and after a change; SQLite has no such column."""
    from sqlalchemy import text

    from tests.manifest_documents import manifest_document

    engine = database.create_engine(database_url)
    document = manifest_document(mtn="100000001ELC")
    try:
        await database.upgrade(engine)
        async with engine.connect() as conn:
            columns = await conn.run_sync(
                lambda c: {column["name"] for column in inspect(c).get_columns("manifests")}
            )
        if engine.dialect.name != "postgresql":
            assert "headline" not in columns
            return
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO manifests (id, mtn, status, submission_type, "
                    "signature_status, created_at, updated_at, version, document) VALUES ("
                    "'00000000-0000-0000-0000-000000000001', :mtn, 'NotAssigned', "
                    "'FullElectronic', false, now(), now(), 1, CAST(:document AS jsonb))"
                ),
                {"mtn": document["manifestTrackingNumber"], "document": _json(document)},
            )
        assert await _stored_headline(engine) == _headline(document)
        changed = {**document, "status": "Scheduled", "transporters": document["transporters"][:1]}
        async with engine.begin() as conn:
            await conn.execute(
                text("UPDATE manifests SET document = CAST(:document AS jsonb)"),
                {"document": _json(changed)},
            )
        stored = await _stored_headline(engine)
        assert stored == _headline(changed)
        assert stored[0].status.value == "Scheduled"
        assert len(stored[0].transporters) == 1
    finally:
        await engine.dispose()


def _json(document: object) -> str:
    return msgspec.json.encode(document).decode()


def _headline(document: object) -> tuple[Any, int]:
    """A headline without its waste lines, and how many there are (a list shows only that)."""
    from haztrak.application.ports.manifests import ManifestHeadline

    headline = msgspec.json.decode(_json(document), type=ManifestHeadline)
    return msgspec.structs.replace(headline, wastes=[]), len(headline.wastes)


async def _stored_headline(engine: Any) -> tuple[Any, int]:
    from sqlalchemy import text

    async with engine.connect() as conn:
        raw = await conn.scalar(text("SELECT headline::text FROM manifests"))
    return _headline(msgspec.json.decode(raw))


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


async def test_existing_drafts_get_their_generator_as_owner_site(database_url: str) -> None:
    """0004 records the owner site of drafts made before it: the generator, else the first
    party in signing order; manifests in e-Manifest get none. Down again, nothing else is lost."""
    import uuid
    from datetime import UTC, datetime

    import sqlalchemy as sa
    from advanced_alchemy.types import GUID, DateTimeUTC, JsonB

    manifests = sa.table(
        "manifests",
        sa.column("id", GUID),
        sa.column("mtn", sa.String),
        sa.column("status", sa.String),
        sa.column("created_at", DateTimeUTC),
        sa.column("updated_at", DateTimeUTC),
        sa.column("version", sa.Integer),
        sa.column("document", JsonB),
    )
    handlers = sa.table(
        "manifest_handlers",
        sa.column("manifest_id", GUID),
        sa.column("epa_id", sa.String),
        sa.column("role", sa.String),
        sa.column("transporter_order", sa.Integer),
    )
    now = datetime(2026, 3, 1, tzinfo=UTC)
    parties = {
        "000000001DFT": ("NotAssigned", [("TSDF", "Tsdf", None), ("GEN", "Generator", None)]),
        "000000002DFT": (
            "NotAssigned",
            [("TRANS2", "Transporter", 2), ("TSDF", "Tsdf", None), ("TRANS1", "Transporter", 1)],
        ),
        "000000003DFT": ("NotAssigned", []),
        "100000004ELC": ("Scheduled", [("GEN", "Generator", None)]),
    }
    ids = {mtn: uuid.uuid4() for mtn in parties}
    engine = database.create_engine(database_url)
    try:
        await database.upgrade(engine, "0003")
        async with engine.begin() as conn:
            for mtn, (status, rows) in parties.items():
                await conn.execute(
                    manifests.insert().values(
                        id=ids[mtn],
                        mtn=mtn,
                        status=status,
                        created_at=now,
                        updated_at=now,
                        version=1,
                        document={"manifestTrackingNumber": mtn},
                    )
                )
                for epa_id, role, order in rows:
                    await conn.execute(
                        handlers.insert().values(
                            manifest_id=ids[mtn], epa_id=epa_id, role=role, transporter_order=order
                        )
                    )
        await database.upgrade(engine)
        async with engine.connect() as conn:
            owners = dict(
                (await conn.execute(sa.text("SELECT mtn, owner_site_id FROM manifests"))).all()
            )
        assert owners == {
            "000000001DFT": "GEN",
            "000000002DFT": "TRANS1",
            "000000003DFT": None,
            "100000004ELC": None,
        }
        await database.downgrade(engine, "0003")
        async with engine.connect() as conn:
            count = sa.text("SELECT count(*) FROM manifest_handlers")
            assert (await conn.execute(count)).scalar() == 6
            columns = await conn.run_sync(
                lambda c: {col["name"] for col in inspect(c).get_columns("manifests")}
            )
        assert "owner_site_id" not in columns
        assert "document" in columns
    finally:
        await engine.dispose()


async def test_the_search_terms_of_manifests_already_there_are_indexed_on_upgrade(
    database_url: str,
) -> None:
    """Migration 0005 indexes every stored manifest as the repository indexes a new one."""
    from datetime import UTC, datetime

    import msgspec
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from haztrak.adapters.persistence.manifests import SqlManifestRepository
    from haztrak.domain.manifest.search import search_terms
    from tests.manifest_documents import a_manifest

    manifest = a_manifest(mtn="100000001ELC", status="Scheduled")
    manifest = msgspec.structs.replace(
        manifest,
        generator=msgspec.structs.replace(manifest.generator, name="Acme  Chemical Co"),
    )
    engine = database.create_engine(database_url)
    try:
        await database.upgrade(engine)
        async with async_sessionmaker(engine)() as session:
            repository = SqlManifestRepository(session)
            await repository.upsert_by_mtn(manifest, owner_org_id=None, at=datetime.now(UTC))
            await session.commit()
        select_terms = text("SELECT term FROM manifest_search_terms")
        async with engine.connect() as conn:
            written = set((await conn.execute(select_terms)).scalars())
        assert written == set(search_terms(manifest))

        await database.downgrade(engine, "0004")
        await database.upgrade(engine)
        async with engine.connect() as conn:
            assert set((await conn.execute(select_terms)).scalars()) == written
    finally:
        await engine.dispose()


def test_the_start_up_check_reads_the_scripts_revisions_as_alembic_does() -> None:
    """A process checks the schema without importing Alembic (issue 16): its reading of the
    scripts' revisions agrees with Alembic's."""
    scripts = database._scripts()
    assert database.head_revision() == scripts.get_current_head()
    assert set(database._script_revisions()) == {s.revision for s in scripts.walk_revisions()}
    assert not database.is_newer_than_head(str(database.head_revision()))
    assert database.is_newer_than_head("9999")
