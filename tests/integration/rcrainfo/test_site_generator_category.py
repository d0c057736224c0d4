"""A generator's category from RCRAInfo's handler record: the site details' `federalGeneratorStatus`
read by the real adapter from the sandbox, kept with the handler record where the deadlines read
it (SQLite and PostgreSQL), and left out of the handler a client reads back (and copies into a
manifest's parties)."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.deadlines import SqlDeadlineStore
from haztrak.adapters.persistence.identity import SqlRcraSiteRepository
from haztrak.adapters.rcrainfo import EmanifestRcrainfo
from haztrak.domain.handlers import RcraSite, RcraSiteDetails
from haztrak.domain.manifest.deadlines import GeneratorCategory
from haztrak.entrypoints.sandbox.seed import EXAMPLE_USER_CREDENTIALS
from tests.integration.rcrainfo.conftest import credentials

GEN = "VATESTGEN001"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_the_site_pull_keeps_rcrainfos_generator_category_for_the_deadlines(
    adapter: EmanifestRcrainfo, backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    details = await adapter.get_site(credentials(EXAMPLE_USER_CREDENTIALS), GEN)
    assert isinstance(details, RcraSiteDetails)
    assert details.federal_generator_status == "LQG"

    url = (
        f"sqlite+aiosqlite:///{tmp_path / 'sites.sqlite3'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_databases").create()
    )
    engine = database.create_engine(url)
    await database.upgrade(engine)
    try:
        async with database.session_factory(engine)() as session:
            handlers = SqlRcraSiteRepository(session)
            await handlers.upsert(details)
            categories = await SqlDeadlineStore(session).categories([GEN])
            assert categories[GEN].handler is GeneratorCategory.LQG
            assert categories[GEN].setting is None

            # A site search's record (no category) leaves the one RCRAInfo gave.
            plain = msgspec.convert(msgspec.to_builtins(details), RcraSite)
            await handlers.upsert(msgspec.structs.replace(plain, name="RENAMED"))
            categories = await SqlDeadlineStore(session).categories([GEN])
            assert categories[GEN].handler is GeneratorCategory.LQG

            # What a client reads (and copies into a manifest's generator) has no such field.
            kept = await handlers.get(GEN)
            assert kept is not None
            assert kept.name == "RENAMED"
            assert "federalGeneratorStatus" not in msgspec.to_builtins(kept)
    finally:
        await engine.dispose()
