"""A fresh PostgreSQL database for the benchmark: schema, demo data, N manifests in bulk."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import msgspec

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.manifests import _document_json, _handler_rows
from haztrak.domain.manifest import draft_tracking_number, manifest_from_document
from haztrak.domain.manifest.search import search_terms, tracking_number_terms
from haztrak.domain.manifest.tracking_numbers import DRAFT_SUFFIX
from tests.manifest_documents import manifest_document

SITE = "VATESTGEN001"
"""The demo generator: the bench's scale (1,000 to 1,000,000 manifests) is this site's."""
MTN_SITE = "VATESTGEN002"
"""A second site of the same org and signer with 1,000 manifests at every scale: its
unpaginated tracking-number list is the one measured."""


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


async def seed_manifests(url: str, count: int = 1000, site: str = SITE) -> list[str]:
    """`count` drafts of the generator site (2 transporters, a TSDF, 3 waste lines each),
    changed a second apart, written in bulk (a million in minutes, not through the API);
    answers their tracking numbers, oldest first. Then ANALYZE, as after any bulk load."""
    conn = await asyncpg.connect(plain(url))
    try:
        owner = await conn.fetchval("SELECT org_id FROM sites WHERE epa_id = $1", site)
        assert owner is not None, "seed the demo data first"
        async with conn.transaction():
            mtns = await insert_manifests(conn, count, owner_org_id=owner, site=site)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return mtns


async def add_site(url: str) -> None:
    """MTN_SITE: a copy of SITE (handler, site of the same org, the same permissions)."""
    conn = await asyncpg.connect(plain(url))
    try:
        async with conn.transaction():
            await conn.execute(
                "INSERT INTO rcra_sites (epa_id, site_type, name, document) SELECT $2::varchar, "
                "site_type, name || ' 2', jsonb_set(document, '{epaSiteId}', to_jsonb($2::varchar))"
                " FROM rcra_sites WHERE epa_id = $1",
                SITE,
                MTN_SITE,
            )
            await conn.execute(
                "INSERT INTO sites (id, epa_id, name, site_type, org_id) SELECT "
                "gen_random_uuid(), $2, name || ' 2', site_type, org_id FROM sites "
                "WHERE epa_id = $1",
                SITE,
                MTN_SITE,
            )
            await conn.execute(
                "INSERT INTO site_permissions (site_id, user_id, role) SELECT two.id, "
                "p.user_id, p.role FROM site_permissions p JOIN sites one ON one.id = p.site_id "
                "CROSS JOIN sites two WHERE one.epa_id = $1 AND two.epa_id = $2",
                SITE,
                MTN_SITE,
            )
    finally:
        await conn.close()


async def count_manifests(url: str, site: str = SITE) -> int:
    conn = await asyncpg.connect(plain(url))
    try:
        return int(
            await conn.fetchval("SELECT count(*) FROM manifests WHERE owner_site_id = $1", site)
        )
    finally:
        await conn.close()


async def insert_manifests(
    conn: asyncpg.Connection,
    count: int,
    *,
    owner_org_id: uuid.UUID | None = None,
    site: str = SITE,
) -> list[str]:
    """Insert `count` drafts of SITE with INSERT ... SELECT generate_series, in the caller's
    transaction: each row what SqlManifestRepository.add writes for the same document (its
    handlers and search terms too), each with its own draft number from the database's
    counter, changed a second apart ending now. Answers their tracking numbers, oldest first."""
    # The count triggers (migration 0011) stay off for the load; the counts are made again
    # from the rows once at the end, as after any bulk load.
    await conn.execute("SET LOCAL session_replication_role = replica")
    template = manifest_from_document(manifest_document(mtn=draft_tracking_number(0)))
    assert template.generator is not None
    template = msgspec.structs.replace(
        template, generator=msgspec.structs.replace(template.generator, epa_site_id=site)
    )
    handlers = _handler_rows(uuid.uuid4(), template)
    # the tracking number's own terms are each manifest's, written below
    own = set(tracking_number_terms(draft_tracking_number(0)))
    terms = sorted(set(search_terms(template)) - own)
    start = datetime.now(UTC) - timedelta(seconds=count)
    sequence = await conn.fetchval("SELECT pg_get_serial_sequence('draft_numbers', 'number')")
    # take `count` numbers from the counter at once
    first = int(await conn.fetchval("SELECT nextval($1::regclass)", sequence))
    last = first + count - 1
    await conn.execute("SELECT setval($1::regclass, $2)", sequence, last)
    await conn.execute(
        "INSERT INTO draft_numbers (number, issued_at) OVERRIDING SYSTEM VALUE "
        "SELECT n, now() FROM generate_series($1::bigint, $2::bigint) n",
        first,
        last,
    )
    await conn.execute(
        "CREATE TEMP TABLE seeded ON COMMIT DROP AS SELECT n, gen_random_uuid() AS id, "
        "lpad(n::text, 9, '0') || $3 AS mtn FROM generate_series($1::bigint, $2::bigint) n",
        first,
        last,
        DRAFT_SUFFIX,
    )
    await conn.execute(
        "INSERT INTO manifests (id, mtn, status, submission_type, signature_status, "
        "created_at, updated_at, version, owner_org_id, owner_site_id, document) "
        "SELECT s.id, s.mtn, $1, $2, $3, at.t, at.t, 1, $4, $5, "
        "jsonb_set($6::jsonb, '{manifestTrackingNumber}', to_jsonb(s.mtn)) "
        "FROM seeded s, LATERAL (SELECT $7::timestamptz + (s.n - $8) * interval '1 second'"
        " AS t) at",
        template.current_status().value,
        template.submission_type.value if template.submission_type else None,
        template.signature_status,
        owner_org_id,
        site,
        _document_json(template),
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
        "SELECT s.id, t FROM seeded s CROSS JOIN unnest($1::varchar[]) t "
        "UNION ALL SELECT s.id, substr(s.mtn, i) FROM seeded s "
        "CROSS JOIN generate_series(1, length(s.mtn)) i",
        terms,
    )
    # the lists of the sites named change (adapters/persistence/list_changes.py)
    await conn.execute(
        "INSERT INTO manifest_list_changes (epa_id) SELECT DISTINCT unnest($1::varchar[])",
        [h["epa_id"] for h in handlers],
    )
    mtns = [row[0] for row in await conn.fetch("SELECT mtn FROM seeded ORDER BY n")]
    await conn.execute("DROP TABLE seeded")
    await conn.execute("SET LOCAL session_replication_role = origin")
    await conn.execute("SELECT haztrak_recount_site_statuses()")
    return mtns
