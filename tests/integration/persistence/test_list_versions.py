"""The version of a site's tracking-number list (issue 16) on real PostgreSQL: a change that
commits after a later-numbered one still changes it, and the log of changes stays short."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import text

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.manifests import SqlManifestRepository
from haztrak.adapters.persistence.tracking_number_lists import DbTrackingNumberLists
from haztrak.application.ports.manifests import ManifestQuery, StoredManifest
from tests.manifest_documents import a_manifest

SITE = "VATESTGEN001"


def _stored(mtn: str) -> StoredManifest:
    now = datetime.now(UTC)
    return StoredManifest(
        id=uuid.uuid4(),
        manifest=msgspec.structs.replace(
            a_manifest(status="Scheduled"), manifest_tracking_number=mtn
        ),
        version=1,
        created_at=now,
        updated_at=now,
    )


async def test_a_change_committed_late_still_makes_a_new_version(
    postgres_databases: Any, tmp_path: Path
) -> None:
    engine = database.create_engine(postgres_databases.create())
    try:
        await database.upgrade(engine)
        sessions = database.session_factory(engine)
        lists = DbTrackingNumberLists(sessions, tmp_path)
        query = ManifestQuery(site_ids=frozenset({SITE}))
        empty = await lists.version(query)

        async with sessions() as early, sessions() as late:
            await SqlManifestRepository(early).add(_stored("100000001ELC"))  # draws first
            await SqlManifestRepository(late).add(_stored("100000002ELC"))
            await late.commit()
            after_late = await lists.version(query)
            assert after_late != empty
            await early.commit()  # the lower number commits last
        after_early = await lists.version(query)
        assert after_early != after_late

        for number in range(3, 103):  # a hundred more: the log keeps a few entries per site
            async with sessions() as session:
                await SqlManifestRepository(session).add(_stored(f"1000{number:05d}ELC"))
                await session.commit()
        async with engine.connect() as conn:
            kept = await conn.scalar(
                text("SELECT count(*) FROM manifest_list_changes WHERE epa_id = :site"),
                {"site": SITE},
            )
        assert kept is not None
        assert kept <= 2
    finally:
        await engine.dispose()
