"""PgManifestReader's total (issue 16): counted below 1,000 matches, past that the planner's
estimate, reused for a while, never a count of every match."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from haztrak.adapters.persistence.pg_reads import ESTIMATE_TTL, PgManifestReader
from haztrak.application.ports.manifests import ManifestQuery


class StubPool:
    """Answers EXPLAIN with `planned` rows and a bounded count with `counted`; no page rows."""

    def __init__(self, planned: int, counted: int) -> None:
        self.planned = planned
        self.counted = counted
        self.statements: list[str] = []

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        self.statements.append(query)
        at = datetime.now(UTC)
        row = (uuid4(), 1, at, at, '{"manifestTrackingNumber": "000000001DFT"}')
        return [row] * 51  # a full page: there is a next one

    async def fetchval(self, query: str, *args: Any) -> Any:
        self.statements.append(query)
        if query.startswith("EXPLAIN"):
            return f'[{{"Plan": {{"Plan Rows": {self.planned}}}}}]'
        assert "LIMIT" in query, "a count is bounded"
        return self.counted


async def _page(reader: PgManifestReader, site: str = "VATESTGEN001") -> tuple[int, bool]:
    page = await reader.page(ManifestQuery(site_ids=frozenset({site})), limit=50)
    return page.total, page.total_exact


def _reader(pool: StubPool, now: list[float]) -> PgManifestReader:
    return PgManifestReader(pool, clock=lambda: now[0])  # type: ignore[arg-type]


async def test_many_matches_are_estimated_and_the_estimate_is_reused_for_a_while() -> None:
    pool, now = StubPool(planned=1_000_000, counted=0), [0.0]
    reader = _reader(pool, now)
    assert await _page(reader) == (1_000_000, False)
    explains = sum(s.startswith("EXPLAIN") for s in pool.statements)
    assert await _page(reader) == (1_000_000, False)
    assert sum(s.startswith("EXPLAIN") for s in pool.statements) == explains  # reused
    assert not any("count(*)" in s for s in pool.statements)
    pool.planned = 2_000_000
    now[0] = ESTIMATE_TTL + 1
    assert await _page(reader) == (2_000_000, False)  # planned again once it expired
    assert await _page(reader, "VATESTGEN002") == (2_000_000, False)  # another query


async def test_few_matches_are_counted_exactly() -> None:
    pool = StubPool(planned=300, counted=312)
    assert await _page(_reader(pool, [0.0])) == (312, True)
    # the planner was far off: the count stops at 10,000 and says it is not exact
    pool = StubPool(planned=10, counted=10_001)
    assert await _page(_reader(pool, [0.0])) == (10_001, False)
