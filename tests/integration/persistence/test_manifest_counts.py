"""The dashboard's reads on every ManifestReader (the fake, SQLite, PostgreSQL through
SQLAlchemy, PostgreSQL through the read pool): manifests per site and status in one query, a
draft counted for its owner site only and only for its preparers; the newest matching
manifests as stored, by any of several statuses."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.identity import SqlOrgRepository, SqlUnitOfWork
from haztrak.adapters.persistence.manifests import SqlManifestRepository
from haztrak.adapters.persistence.pg_reads import PgManifestReader
from haztrak.adapters.persistence.pgpool import ReadPool, asyncpg_dsn
from haztrak.application.ports.manifests import Cursor, ManifestQuery, StoredManifest
from haztrak.domain.identity import Org
from haztrak.domain.manifest import HandlerRole, Manifest, Status
from tests import fakes
from tests.fakes_manifests import MemoryManifestRepository
from tests.manifest_documents import a_manifest
from tests.seeded import migrated_postgres

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
GEN, TRANS1, TRANS2, TSDF = "VATESTGEN001", "MOCKTRANS001", "MOCKTRANS002", "MOCKTSDFS001"


@dataclass
class Store:
    writes: Any
    reads: Any
    uow: Any
    org_id: uuid.UUID


@pytest.fixture(params=["memory", "sqlite", "postgres", "postgres-read-pool"])
async def store(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[Store]:
    if request.param == "memory":
        repository = MemoryManifestRepository()
        uow = fakes.MemoryUnitOfWork(fakes.MemoryData())
        yield Store(writes=repository, reads=repository, uow=uow, org_id=uuid.uuid4())
        return
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'manifests.sqlite3'}"
    else:
        url = migrated_postgres(request)
    engine = database.create_engine(url)
    await database.upgrade(engine)
    pool = ReadPool(asyncpg_dsn(url), 2) if request.param == "postgres-read-pool" else None
    async with database.session_factory(engine)() as session:
        org = Org(id=uuid.uuid4(), name="Acme", slug="acme")
        await SqlOrgRepository(session).add(org)
        await session.commit()
        writes = SqlManifestRepository(session)
        yield Store(
            writes=writes,
            reads=PgManifestReader(pool) if pool else writes,
            uow=SqlUnitOfWork(session),
            org_id=org.id,
        )
    if pool is not None:
        await pool.close()
    await engine.dispose()


async def add(store: Store, manifest: Manifest, mtn: str, minutes: int = 0) -> None:
    at = NOW + timedelta(minutes=minutes)
    await store.writes.add(
        StoredManifest(
            id=uuid.uuid4(),
            manifest=msgspec.structs.replace(manifest, manifest_tracking_number=mtn),
            version=1,
            created_at=at,
            updated_at=at,
            owner_org_id=store.org_id,
            owner_site=GEN,
        )
    )
    await store.uow.commit()


async def seeded(store: Store) -> None:
    await add(store, a_manifest(status="Scheduled"), "100000001ELC", 1)
    await add(store, a_manifest(status="Scheduled"), "100000002ELC", 2)
    await add(store, a_manifest(status="Signed"), "100000003ELC", 3)
    await add(store, a_manifest(status=None), "000000001DFT", 4)  # GEN's draft
    await add(store, a_manifest(status="InTransit", transporters=(TRANS2,)), "100000004ELC", 5)


def counts(found: Any) -> dict[tuple[str, str], int]:
    return {(c.epa_id, c.status.value): c.count for c in found}


async def test_counts_per_site_and_status_with_drafts_for_their_owner_site(store: Store) -> None:
    await seeded(store)
    mine = frozenset({GEN, TRANS1, TSDF})
    preparer = await store.reads.status_counts(
        ManifestQuery(site_ids=mine, draft_sites=frozenset({GEN}))
    )
    assert counts(preparer) == {
        (GEN, "Scheduled"): 2,
        (GEN, "Signed"): 1,
        (GEN, "NotAssigned"): 1,
        (GEN, "InTransit"): 1,
        (TRANS1, "Scheduled"): 2,
        (TRANS1, "Signed"): 1,
        (TSDF, "Scheduled"): 2,
        (TSDF, "Signed"): 1,
        (TSDF, "InTransit"): 1,
    }
    viewer = await store.reads.status_counts(ManifestQuery(site_ids=frozenset({GEN})))
    assert counts(viewer) == {(GEN, "Scheduled"): 2, (GEN, "Signed"): 1, (GEN, "InTransit"): 1}


async def test_counts_follow_the_site_role_and_nothing_without_sites(store: Store) -> None:
    await seeded(store)
    as_tsdf = await store.reads.status_counts(
        ManifestQuery(site_ids=frozenset({GEN, TSDF}), site_role=HandlerRole.TSDF)
    )
    assert counts(as_tsdf) == {(TSDF, "Scheduled"): 2, (TSDF, "Signed"): 1, (TSDF, "InTransit"): 1}
    assert list(await store.reads.status_counts(ManifestQuery(site_ids=frozenset()))) == []


async def test_records_are_the_newest_in_any_of_the_statuses_as_stored(store: Store) -> None:
    await seeded(store)
    query = ManifestQuery(
        site_ids=frozenset({TSDF}),
        statuses=frozenset({Status.SCHEDULED, Status.IN_TRANSIT}),
    )
    found = await store.reads.records(query, limit=2)
    mtns = [msgspec.json.decode(r.json)["manifestTrackingNumber"] for r in found]
    assert mtns == ["100000004ELC", "100000002ELC"]
    assert found[0].updated_at == NOW + timedelta(minutes=5)
    decoded = msgspec.json.decode(found[0].json, type=Manifest)
    assert decoded.transporters is not None
    assert decoded.transporters[0].epa_site_id == TRANS2
    page = await store.reads.page(query, limit=10)
    assert page.total == 3


async def test_records_walk_every_match_a_keyset_page_at_a_time(store: Store) -> None:
    await seeded(store)
    for oldest_first in (False, True):
        query = ManifestQuery(
            site_ids=frozenset({GEN}), draft_sites=frozenset({GEN}), oldest_first=oldest_first
        )
        walked: list[str] = []
        after: Cursor | None = None
        while found := await store.reads.records(query, limit=2, after=after):
            walked += [msgspec.json.decode(r.json)["manifestTrackingNumber"] for r in found]
            after = Cursor(found[-1].updated_at, found[-1].id)
        newest = ["100000004ELC", "000000001DFT", "100000003ELC", "100000002ELC", "100000001ELC"]
        assert walked == (newest[::-1] if oldest_first else newest)
