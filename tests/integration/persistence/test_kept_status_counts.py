"""The counts PostgreSQL keeps per site and status (migration 0011's triggers) agree with a
count of the manifests after every kind of write: a draft and a manifest added (through the
ORM and in one statement on the driver), a status and an owner changed, handlers replaced, a
site named twice, a manifest deleted, a bulk insert, and manifests stored before the upgrade.
Each site keeps a bounded number of rows however many writes it has seen."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import msgspec
import pytest
from sqlalchemy import text

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.manifests import SqlManifestRepository
from haztrak.adapters.persistence.pg_reads import PgManifestReader
from haztrak.adapters.persistence.pgpool import ReadPool, asyncpg_dsn
from haztrak.adapters.persistence.status_counts import FOLD_AT_MOST
from haztrak.application.ports.manifests import ManifestQuery, StoredManifest
from haztrak.domain.manifest import Manifest, Status
from tests.bench import seed
from tests.manifest_documents import a_manifest

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
GEN, TRANS1, TRANS2, TSDF = "VATESTGEN001", "MOCKTRANS001", "MOCKTRANS002", "MOCKTSDFS001"
SITES = frozenset({GEN, TRANS1, TRANS2, TSDF})
FAR = datetime(2100, 1, 1, tzinfo=UTC)


class World:
    def __init__(self, engine: Any, pool: ReadPool) -> None:
        self.engine = engine
        self.sessions = database.session_factory(engine)
        self.reader = PgManifestReader(pool)

    async def counts(self, drafts: frozenset[str] = SITES) -> dict[tuple[str, Status], int]:
        kept = await self.reader.status_counts(ManifestQuery(site_ids=SITES, draft_sites=drafts))
        return {(c.epa_id, c.status): c.count for c in kept}

    async def counted(self, drafts: frozenset[str] = SITES) -> dict[tuple[str, Status], int]:
        """The same counts by a count of the manifests (a query the kept counts cannot
        answer takes that way: one that also filters on the time of change)."""
        query = ManifestQuery(site_ids=SITES, draft_sites=drafts, updated_before=FAR)
        return {(c.epa_id, c.status): c.count for c in await self.reader.status_counts(query)}

    async def agree(self) -> dict[tuple[str, Status], int]:
        for drafts in (SITES, frozenset({TSDF})):
            assert await self.counts(drafts) == await self.counted(drafts)
        return await self.counts()

    async def add(
        self, manifest: Manifest, owner: str | None = GEN, *, on_driver: bool = False
    ) -> StoredManifest:
        stored = StoredManifest(
            id=uuid.uuid4(),
            manifest=manifest,
            version=1,
            created_at=NOW,
            updated_at=NOW,
            owner_site=owner,
        )
        async with self.sessions() as session:
            repository = SqlManifestRepository(session)
            if on_driver:  # in a transaction already: add() writes in one statement
                await repository.next_draft_number()
            await repository.add(stored)
            await session.commit()
        return stored

    async def update(self, stored: StoredManifest, **changes: Any) -> StoredManifest:
        changed = msgspec.structs.replace(stored, updated_at=stored.updated_at + timedelta(1))
        changed = msgspec.structs.replace(changed, **changes)
        async with self.sessions() as session:
            saved = await SqlManifestRepository(session).update(
                changed, expected_version=stored.version
            )
            await session.commit()
        return saved


@pytest.fixture
async def world(postgres_databases: Any) -> AsyncIterator[World]:
    url = postgres_databases.create()
    engine = database.create_engine(url)
    await database.upgrade(engine)
    pool = ReadPool(asyncpg_dsn(url), 2)
    yield World(engine, pool)
    await pool.close()
    await engine.dispose()


def _manifest(mtn: str, status: str, **changes: Any) -> Manifest:
    return msgspec.structs.replace(a_manifest(mtn=mtn, status=status), **changes)


async def test_the_kept_counts_follow_every_write(world: World) -> None:
    draft = await world.add(_manifest("000000001DFT", "NotAssigned"), on_driver=True)
    assert await world.agree() == {(GEN, Status.NOT_ASSIGNED): 1}

    scheduled = await world.add(_manifest("100000001ELC", "Scheduled"), owner=None)
    await world.add(_manifest("100000005ELC", "Scheduled"), owner=None, on_driver=True)
    counts = await world.agree()
    assert counts[(GEN, Status.SCHEDULED)] == counts[(TSDF, Status.SCHEDULED)] == 2

    # the draft is sent: it counts for every site it names now
    draft = await world.update(
        draft, manifest=_manifest("100000002ELC", "Scheduled"), owner_site=GEN
    )
    counts = await world.agree()
    assert (GEN, Status.NOT_ASSIGNED) not in counts
    assert counts[(GEN, Status.SCHEDULED)] == 3

    # handlers replaced: the second transporter leaves, the generator carries it too
    manifest = scheduled.manifest
    assert manifest.generator is not None
    assert manifest.transporters
    first = msgspec.structs.replace(manifest.transporters[0], epa_site_id=GEN)
    scheduled = await world.update(
        scheduled,
        manifest=msgspec.structs.replace(manifest, status=Status.IN_TRANSIT, transporters=[first]),
    )
    counts = await world.agree()
    assert counts[(GEN, Status.IN_TRANSIT)] == 1  # named twice, counted once
    assert (TRANS2, Status.IN_TRANSIT) not in counts

    # a draft's owner changes: it counts for the new owner (when that site is on it)
    other = await world.add(_manifest("000000003DFT", "NotAssigned"))
    await world.update(other, owner_site=TSDF)
    counts = await world.agree()
    assert counts[(TSDF, Status.NOT_ASSIGNED)] == 1

    async with world.sessions() as session:
        await SqlManifestRepository(session).delete(scheduled.id, expected_version=2)
        await session.commit()
    counts = await world.agree()
    assert (GEN, Status.IN_TRANSIT) not in counts

    async with world.sessions() as session:
        await SqlManifestRepository(session).upsert_by_mtn(
            _manifest("100000009ELC", "Signed"), owner_org_id=None, at=NOW
        )
        await SqlManifestRepository(session).upsert_by_mtn(
            _manifest("100000002ELC", "Signed"), owner_org_id=None, at=NOW
        )
        await session.commit()
    counts = await world.agree()
    assert counts[(TSDF, Status.SIGNED)] == 2


async def test_a_rolled_back_write_changes_no_count(world: World) -> None:
    await world.add(_manifest("100000001ELC", "Scheduled"), owner=None)
    before = await world.agree()
    async with world.sessions() as session:
        await SqlManifestRepository(session).add(
            StoredManifest(
                id=uuid.uuid4(),
                manifest=_manifest("100000002ELC", "Scheduled"),
                version=1,
                created_at=NOW,
                updated_at=NOW,
            )
        )
        await session.rollback()
    assert await world.agree() == before


async def test_a_bulk_insert_is_counted_and_a_site_keeps_few_rows(world: World) -> None:
    writes = 3 * FOLD_AT_MOST
    for number in range(writes):
        await world.add(_manifest(f"{number:09d}DFT", "NotAssigned"))
    async with world.engine.begin() as conn:
        # rows written by SQL alone (as the benchmark's bulk load does) count the same way
        await conn.execute(
            text(
                "UPDATE manifests SET status = 'Pending' WHERE mtn IN "
                "(SELECT mtn FROM manifests ORDER BY mtn LIMIT 10)"
            )
        )
        rows = (
            await conn.execute(
                text("SELECT count(*) FROM site_status_counts WHERE epa_id = :site"),
                {"site": GEN},
            )
        ).scalar_one()
    counts = await world.agree()
    assert counts[(GEN, Status.NOT_ASSIGNED)] == writes - 10
    assert counts[(GEN, Status.PENDING)] == 10
    assert rows < 2 * FOLD_AT_MOST


async def test_manifests_stored_before_the_upgrade_are_counted(postgres_databases: Any) -> None:
    url = postgres_databases.create()
    engine = database.create_engine(url)
    try:
        await database.upgrade(engine, "0010")
        async with database.session_factory(engine)() as session:
            for number, status in enumerate(("NotAssigned", "Scheduled", "Signed")):
                await SqlManifestRepository(session).add(
                    StoredManifest(
                        id=uuid.uuid4(),
                        manifest=_manifest(f"10000000{number}ELC", status),
                        version=1,
                        created_at=NOW,
                        updated_at=NOW,
                        owner_site=GEN,
                    )
                )
            await session.commit()
        await database.upgrade(engine)
        pool = ReadPool(asyncpg_dsn(url), 1)
        try:
            counts = await World(engine, pool).agree()
        finally:
            await pool.close()
        assert counts[(GEN, Status.NOT_ASSIGNED)] == 1
        assert counts[(TSDF, Status.SIGNED)] == 1
        assert (TSDF, Status.NOT_ASSIGNED) not in counts
    finally:
        await engine.dispose()


async def test_the_benchmark_s_bulk_load_leaves_the_counts_right(postgres_databases: Any) -> None:
    """A bulk load turns the triggers off for its transaction and counts again at the end;
    rows written afterwards with the triggers on are counted as they come."""
    url = postgres_databases.create()
    engine = database.create_engine(url)
    try:
        await database.upgrade(engine)
        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            async with conn.transaction():
                await seed.insert_manifests(conn, 300, site=GEN)
            async with conn.transaction():
                await conn.execute(
                    "INSERT INTO manifest_handlers (manifest_id, epa_id, role) "
                    "SELECT id, $1, 'Broker' FROM manifests ORDER BY mtn LIMIT 20",
                    "VAOTHERS0001",
                )
                await conn.execute(
                    "UPDATE manifests SET status = 'Scheduled' WHERE id IN "
                    "(SELECT manifest_id FROM manifest_handlers WHERE epa_id = 'VAOTHERS0001')"
                )
            rows = await conn.fetchval("SELECT count(*) FROM site_status_counts")
        finally:
            await conn.close()
        pool = ReadPool(asyncpg_dsn(url), 1)
        try:
            counts = await World(engine, pool).agree()
        finally:
            await pool.close()
        assert counts[(GEN, Status.NOT_ASSIGNED)] == 280
        assert counts[(GEN, Status.SCHEDULED)] == counts[(TSDF, Status.SCHEDULED)] == 20
        assert rows < 4 * FOLD_AT_MOST
    finally:
        await engine.dispose()
