"""The manifest list's statements use their indexes on a large site (issue 16), on real
PostgreSQL, after a bulk load and ANALYZE as the benchmark makes them.

Each statement is the one PgManifestReader runs (pg_reads.page_statement), run under EXPLAIN
ANALYZE: no sequential scan of a manifest table, and the rows it reads stay in the hundreds
whether a page's matches are all 20,000 manifests or twenty. 20,000 is enough for that: a
plan that scanned or sorted the matches would read forty times the limit. How long the list
takes at 100,000 manifests and more is the benchmark's to measure (`just bench`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
import pytest

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.pg_reads import PgManifestReader, page_statement
from haztrak.adapters.persistence.pgpool import ReadPool, asyncpg_dsn
from haztrak.application.ports.manifests import Cursor, ManifestQuery
from tests.bench import seed

MANIFESTS = 20_000
OTHER_SITE = "VAOTHERS0001"
"""Named (as a broker) on twenty of them only, which are not drafts."""
TABLES = {"manifests", "manifest_handlers", "manifest_search_terms"}


@pytest.fixture(scope="module")
async def loaded(postgres_databases: Any) -> tuple[str, list[str]]:
    url = postgres_databases.create()
    engine = database.create_engine(url)
    try:
        await database.upgrade(engine)
    finally:
        await engine.dispose()
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        async with conn.transaction():
            mtns = await seed.insert_manifests(conn, MANIFESTS)
            await conn.execute(
                "INSERT INTO manifest_handlers (manifest_id, epa_id, role) "
                "SELECT id, $1, 'Broker' FROM manifests ORDER BY mtn LIMIT 20",
                OTHER_SITE,
            )
            # no longer drafts (a draft is its owner site's alone)
            await conn.execute(
                "UPDATE manifests SET status = 'Scheduled' WHERE id IN "
                "(SELECT manifest_id FROM manifest_handlers WHERE epa_id = $1)",
                OTHER_SITE,
            )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return url, mtns


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


async def _explain(url: str, statement: tuple[Any, ...]) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        sql, *args = statement
        text = await conn.fetchval("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, *args)
    finally:
        await conn.close()
    return list(_nodes(msgspec.json.decode(text)[0]["Plan"]))


def _rows_read(nodes: list[dict[str, Any]]) -> int:
    """Rows the scans of the manifest tables handed up, over all their loops."""
    scans = [n for n in nodes if n.get("Relation Name") in TABLES]
    return sum(int(n["Actual Rows"]) * int(n["Actual Loops"]) for n in scans)


def _assert_indexed(nodes: list[dict[str, Any]], *, at_most: int) -> None:
    seq = [n["Relation Name"] for n in nodes if n["Node Type"] == "Seq Scan"]
    assert not seq, f"sequential scans of {seq}"
    assert _rows_read(nodes) <= at_most, nodes


async def test_a_page_of_a_site_with_20000_manifests_walks_the_list_order_index(
    loaded: tuple[str, list[str]],
) -> None:
    url, _ = loaded
    query = ManifestQuery(site_ids=frozenset({seed.SITE}), draft_sites=frozenset({seed.SITE}))
    nodes = await _explain(url, page_statement(query, limit=50))
    assert "ix_manifests_updated" in {n.get("Index Name") for n in nodes}
    _assert_indexed(nodes, at_most=500)


async def test_a_page_deep_in_the_list_starts_where_the_last_one_ended(
    loaded: tuple[str, list[str]],
) -> None:
    url, _ = loaded
    query = ManifestQuery(site_ids=frozenset({seed.SITE}), draft_sites=frozenset({seed.SITE}))
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        at, key = await conn.fetchrow(
            "SELECT updated_at, id FROM manifests ORDER BY updated_at, id OFFSET $1 LIMIT 1",
            MANIFESTS // 10,
        )
    finally:
        await conn.close()
    after = Cursor(at, UUID(bytes=key.bytes))
    for oldest_first in (False, True):
        deep = msgspec.structs.replace(query, oldest_first=oldest_first)
        nodes = await _explain(url, page_statement(deep, limit=50, after=after))
        _assert_indexed(nodes, at_most=500)


async def test_a_site_on_few_of_them_starts_from_the_handler_index(
    loaded: tuple[str, list[str]],
) -> None:
    url, _ = loaded
    query = ManifestQuery(site_ids=frozenset({OTHER_SITE}))
    nodes = await _explain(url, page_statement(query, limit=50))
    assert "ix_manifest_handlers_site" in {n.get("Index Name") for n in nodes}
    _assert_indexed(nodes, at_most=500)


@pytest.mark.parametrize(
    "text",
    [
        "mtn",  # part of one tracking number: one match
        "MOCKTSDF",  # the beginning of an EPA ID on every manifest
        "facility mock",  # the beginning of a name on every manifest
    ],
)
async def test_a_search_uses_the_term_index_few_matches_or_many(
    loaded: tuple[str, list[str]], text: str
) -> None:
    url, mtns = loaded
    if text == "mtn":
        text = mtns[len(mtns) // 2][2:]
    query = ManifestQuery(
        site_ids=frozenset({seed.SITE}), draft_sites=frozenset({seed.SITE}), text=text
    )
    nodes = await _explain(url, page_statement(query, limit=50))
    assert {"pk_manifest_search_terms", "ix_manifest_search_terms_manifest_id"} & {
        n.get("Index Name") for n in nodes
    }
    _assert_indexed(nodes, at_most=1000)


async def test_the_total_of_20000_matches_is_estimated_without_counting_them(
    loaded: tuple[str, list[str]],
) -> None:
    url, _ = loaded
    pool = ReadPool(asyncpg_dsn(url), 1)
    try:
        reader = PgManifestReader(pool)
        everything = ManifestQuery(
            site_ids=frozenset({seed.SITE}), draft_sites=frozenset({seed.SITE})
        )
        page = await reader.page(everything, limit=50)
        assert not page.total_exact
        assert 0.8 * MANIFESTS <= page.total <= 1.2 * MANIFESTS
        few = await reader.page(ManifestQuery(site_ids=frozenset({OTHER_SITE})), limit=5)
        assert (few.total, few.total_exact, len(few.items)) == (20, True, 5)
        second = await reader.page(
            ManifestQuery(site_ids=frozenset({OTHER_SITE})), limit=5, after=few.next
        )
        assert (second.total, second.total_exact) == (20, True)
    finally:
        await pool.close()
