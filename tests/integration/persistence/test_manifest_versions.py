"""One contract for the manifest version repository, on the in-memory fake, SQLite and
PostgreSQL: versions newest first, a version's content kept while the version is unchanged and
dropped when another version takes its number, and versions not listed forgotten."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.identity import SqlUnitOfWork
from haztrak.adapters.persistence.manifest_versions import SqlManifestVersionRepository
from haztrak.application.ports.manifest_versions import ManifestVersionRepository
from haztrak.domain.manifest.corrections import ManifestVersion, VersionAuthor, VersionStatus
from tests.fakes_versions import MemoryManifestVersionRepository
from tests.manifest_documents import a_manifest
from tests.seeded import migrated_postgres

MTN = "100000042ELC"
AT = datetime(2026, 12, 3, 12, tzinfo=UTC)


class Committing:
    """The repository and a commit (none for the fake)."""

    def __init__(self, versions: ManifestVersionRepository, commit: Any) -> None:
        self.versions = versions
        self.commit = commit


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def repo(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[Committing]:
    if request.param == "memory":

        async def nothing() -> None:
            return None

        yield Committing(MemoryManifestVersionRepository(), nothing)
        return
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'versions.sqlite3'}"
    else:
        url = migrated_postgres(request)
    engine = database.create_engine(url)
    await database.upgrade(engine)
    async with database.session_factory(engine)() as session:
        yield Committing(SqlManifestVersionRepository(session), SqlUnitOfWork(session).commit)
    await engine.dispose()


def _version(number: int, status: VersionStatus, **changes: Any) -> ManifestVersion:
    return ManifestVersion(version_number=number, status=status, **changes)


async def test_versions_and_their_content(repo: Committing) -> None:
    versions = repo.versions
    assert await versions.history(MTN) == []
    signed = a_manifest(mtn=MTN, status="Signed")
    under = a_manifest(mtn=MTN, status="UnderCorrection")
    first = _version(1, VersionStatus.SIGNED, epa_site_id="MOCKTSDFS001")
    second = _version(
        2,
        VersionStatus.UNDER_CORRECTION,
        active=True,
        updated_by=VersionAuthor(user_id="u1", first_name="Pat"),
        updated_date="2026-12-03T10:00:00.000+0000",
    )
    await versions.put(MTN, first, signed, at=AT)
    await versions.put(MTN, second, under, at=AT)
    await repo.commit()
    kept = await versions.history(MTN)
    assert [(k.version, k.has_document) for k in kept] == [(second, True), (first, True)]
    assert kept[0].pulled_at == AT
    assert await versions.document(MTN, 1) == signed
    assert await versions.document(MTN, 3) is None

    # unchanged and pulled again without content: the content stays
    await versions.put(MTN, first, None, at=AT)
    assert await versions.document(MTN, 1) == signed
    # another version under number 2 (after a revert): the old content goes
    other = _version(2, VersionStatus.UNDER_CORRECTION, active=True, updated_date="later")
    await versions.put(MTN, other, None, at=AT)
    await repo.commit()
    assert await versions.document(MTN, 2) is None
    assert [k.has_document for k in await versions.history(MTN)] == [False, True]

    await versions.keep_only(MTN, [1])
    await repo.commit()
    assert [k.version.version_number for k in await versions.history(MTN)] == [1]
    assert await versions.history("100000043ELC") == []
