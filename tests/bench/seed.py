"""A fresh PostgreSQL database for the benchmark: schema, demo data, 1,000 manifests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
from sqlalchemy import text

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.identity import SqlSiteRepository
from haztrak.adapters.persistence.manifests import SqlManifestRepository
from haztrak.application.ports.manifests import StoredManifest
from haztrak.domain.manifest import draft_tracking_number, manifest_from_document
from tests.manifest_documents import manifest_document

SITE = "VATESTGEN001"


def plain(url: str) -> str:
    """The asyncpg DSN of a SQLAlchemy URL."""
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def create_database(server_url: str) -> str:
    """A new, empty database on the server; answers its SQLAlchemy URL."""
    name = f"haztrak_bench_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(plain(server_url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base, _, _ = server_url.rpartition("/")
    return f"{base}/{name}"


async def drop_database(server_url: str, url: str) -> None:
    name = url.rpartition("/")[2]
    conn = await asyncpg.connect(plain(server_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def migrate(url: str) -> None:
    engine = database.create_engine(url)
    try:
        await database.upgrade(engine)
    finally:
        await engine.dispose()


async def seed_manifests(url: str, count: int = 1000) -> list[str]:
    """`count` drafts of the generator site (2 transporters, a TSDF, 3 waste lines each),
    changed a second apart; answers their tracking numbers, oldest first."""
    engine = database.create_engine(url)
    mtns = []
    try:
        async with database.session_factory(engine)() as session:
            site = await SqlSiteRepository(session).by_epa_id(SITE)
            assert site is not None, "seed the demo data first"
            manifests = SqlManifestRepository(session)
            start = datetime.now(UTC) - timedelta(seconds=count)
            for index in range(count):
                number = await manifests.next_draft_number()
                at = start + timedelta(seconds=index)
                document = manifest_document(mtn=draft_tracking_number(number))
                stored = StoredManifest(
                    id=uuid.uuid4(),
                    manifest=manifest_from_document(document),
                    version=1,
                    created_at=at,
                    updated_at=at,
                    owner_org_id=site.org_id,
                    owner_site=SITE,  # as CreateDraftManifest records it
                )
                await manifests.add(stored)
                mtns.append(stored.mtn)
            await session.commit()
        async with engine.connect() as conn:  # statistics, as autovacuum would gather them
            await conn.execute(text("ANALYZE"))
            await conn.commit()
    finally:
        await engine.dispose()
    return mtns
