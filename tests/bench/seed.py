"""A fresh PostgreSQL database for the benchmark: schema, demo data, N manifests in bulk."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.manifests import _document_json, _handler_rows
from haztrak.domain.manifest import draft_tracking_number, manifest_from_document
from haztrak.domain.manifest.search import search_terms
from haztrak.domain.manifest.tracking_numbers import DRAFT_SUFFIX
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
    changed a second apart, written in bulk (INSERT ... SELECT generate_series: a million in
    minutes, not through the API); answers their tracking numbers, oldest first.

    Each row is what SqlManifestRepository.add writes for the same document (its handlers
    and search terms too), with its own draft number from the database's counter."""
    template = manifest_from_document(manifest_document(mtn=draft_tracking_number(0)))
    handlers = _handler_rows(uuid.uuid4(), template)
    terms = sorted(search_terms(template))
    document = _document_json(template)
    start = datetime.now(UTC) - timedelta(seconds=count)
    conn = await asyncpg.connect(plain(url))
    try:
        owner = await conn.fetchval("SELECT org_id FROM sites WHERE epa_id = $1", SITE)
        assert owner is not None, "seed the demo data first"
        sequence = await conn.fetchval("SELECT pg_get_serial_sequence('draft_numbers', 'number')")
        async with conn.transaction():
            # take `count` numbers from the counter at once (no one else draws from it now)
            last = await conn.fetchval("SELECT nextval($1::regclass)", sequence)
            first = int(last)
            await conn.execute("SELECT setval($1::regclass, $2)", sequence, first + count - 1)
            await conn.execute(
                "INSERT INTO draft_numbers (number, issued_at) OVERRIDING SYSTEM VALUE "
                "SELECT n, now() FROM generate_series($1::bigint, $2::bigint) n",
                first,
                first + count - 1,
            )
            await conn.execute(
                "CREATE TEMP TABLE seeded ON COMMIT DROP AS SELECT n, gen_random_uuid() AS id, "
                "lpad(n::text, 9, '0') || $3 AS mtn FROM generate_series($1::bigint, $2::bigint) n",
                first,
                first + count - 1,
                DRAFT_SUFFIX,
            )
            await conn.execute(
                "INSERT INTO manifests (id, mtn, status, submission_type, signature_status, "
                "created_at, updated_at, version, owner_org_id, owner_site_id, document) "
                "SELECT s.id, s.mtn, $1, $2, $3, t, t, 1, $4, $5, "
                "jsonb_set($6::jsonb, '{manifestTrackingNumber}', to_jsonb(s.mtn)) "
                "FROM seeded s, LATERAL (SELECT $7::timestamptz + (s.n - $8) * interval '1 second'"
                " AS t) at",
                template.current_status().value,
                template.submission_type.value if template.submission_type else None,
                template.signature_status,
                owner,
                SITE,
                document,
                start,
                first,
            )
            await conn.execute(
                "INSERT INTO manifest_handlers (manifest_id, epa_id, role, transporter_order) "
                "SELECT s.id, h.epa_id, h.role, h.transporter_order FROM seeded s CROSS JOIN "
                "unnest($1::varchar[], $2::varchar[], $3::integer[]) "
                "AS h(epa_id, role, transporter_order)",
                [h["epa_id"] for h in handlers],
                [h["role"] for h in handlers],
                [h["transporter_order"] for h in handlers],
            )
            await conn.execute(
                "INSERT INTO manifest_search_terms (manifest_id, term) "
                "SELECT s.id, t FROM seeded s CROSS JOIN unnest($1::varchar[]) t",
                terms,
            )
            mtns = [row[0] for row in await conn.fetch("SELECT mtn FROM seeded ORDER BY n")]
        # statistics, as the planner needs them after a bulk load (autovacuum is slower)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return mtns
