"""The DeadlineStore contract: the same assertions on the in-memory fake and on SQLite and
PostgreSQL, so the fake cannot drift."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest
from sqlalchemy import update

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.deadlines import SqlDeadlineStore
from haztrak.adapters.persistence.identity import SqlRcraSiteRepository, SqlUnitOfWork
from haztrak.adapters.persistence.tables import RcraSiteRow
from haztrak.application.ports.deadlines import DeadlineStore, ReportedDeadline
from haztrak.domain.handlers import RcraSite, SiteType
from haztrak.domain.manifest.deadlines import DeadlineKind, GeneratorCategory
from tests.fakes_deadlines import MemoryDeadlineStore
from tests.seeded import migrated_postgres

AT = datetime(2026, 3, 1, 12, tzinfo=UTC)


@dataclass
class Store:
    store: DeadlineStore
    handler_category: Any
    """Set a handler record's federalGeneratorStatus, as RCRAInfo's site record has it."""
    commit: Any


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    if request.param == "memory":
        memory = MemoryDeadlineStore()

        async def set_memory(epa_id: str, status: str) -> None:
            category = GeneratorCategory.parse(status)
            assert category is not None
            memory.handlers[epa_id] = category

        async def nothing() -> None:
            return None

        yield Store(memory, set_memory, nothing)
        return
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'deadlines.sqlite3'}"
    else:
        url = migrated_postgres(request)
    engine = database.create_engine(url)
    await database.upgrade(engine)
    async with database.session_factory(engine)() as session:
        handlers = SqlRcraSiteRepository(session)

        async def set_sql(epa_id: str, status: str) -> None:
            site = RcraSite(epa_site_id=epa_id, site_type=SiteType.GENERATOR, name=epa_id)
            await handlers.upsert(site)
            await session.execute(
                update(RcraSiteRow)
                .where(RcraSiteRow.epa_id == epa_id)
                .values(document={**site_document(site), "federalGeneratorStatus": status})
            )

        uow = SqlUnitOfWork(session)
        yield Store(SqlDeadlineStore(session), set_sql, uow.commit)
    await engine.dispose()


def site_document(site: RcraSite) -> dict[str, Any]:
    document: dict[str, Any] = msgspec.to_builtins(site)
    return document


async def test_reports_are_kept_per_manifest_and_kind_and_replaced(store: Store) -> None:
    by = uuid.uuid4()
    await store.store.record_reported(
        ReportedDeadline(
            mtn="100000001ELC",
            kind=DeadlineKind.EXCEPTION_REPORT,
            reported_on=date(2026, 2, 20),
            recorded_at=AT,
            recorded_by=by,
            note="Filed",
        )
    )
    await store.store.record_reported(
        ReportedDeadline(
            mtn="100000001ELC",
            kind=DeadlineKind.DISCREPANCY,
            reported_on=date(2026, 2, 21),
            recorded_at=AT,
        )
    )
    await store.commit()
    found = await store.store.reported(["100000001ELC", "100000002ELC"])
    assert found == {
        "100000001ELC": {
            DeadlineKind.EXCEPTION_REPORT: date(2026, 2, 20),
            DeadlineKind.DISCREPANCY: date(2026, 2, 21),
        }
    }
    await store.store.record_reported(
        ReportedDeadline(
            mtn="100000001ELC",
            kind=DeadlineKind.EXCEPTION_REPORT,
            reported_on=date(2026, 2, 25),
            recorded_at=AT,
        )
    )
    await store.commit()
    again = await store.store.reported(["100000001ELC"])
    assert again["100000001ELC"][DeadlineKind.EXCEPTION_REPORT] == date(2026, 2, 25)
    assert await store.store.reported([]) == {}


async def test_a_category_set_here_wins_over_the_handler_record(store: Store) -> None:
    await store.handler_category("VATESTGEN001", "LQG")
    await store.commit()
    found = await store.store.categories(["VATESTGEN001", "VANOSITE0001"])
    assert found["VATESTGEN001"].category is GeneratorCategory.LQG
    assert found["VATESTGEN001"].setting is None
    assert found["VANOSITE0001"].category is None
    await store.store.set_category("VATESTGEN001", GeneratorCategory.SQG, by=uuid.uuid4(), at=AT)
    await store.commit()
    set_here = (await store.store.categories(["VATESTGEN001"]))["VATESTGEN001"]
    assert (set_here.setting, set_here.handler, set_here.category) == (
        GeneratorCategory.SQG,
        GeneratorCategory.LQG,
        GeneratorCategory.SQG,
    )
    await store.store.set_category("VATESTGEN001", None, by=uuid.uuid4(), at=AT)
    await store.commit()
    cleared = (await store.store.categories(["VATESTGEN001"]))["VATESTGEN001"]
    assert cleared.category is GeneratorCategory.LQG
