"""The ManifestRepository and LookupReader contracts, on the in-memory fakes, SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from sqlalchemy import func, select, update

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.identity import SqlAuditLog, SqlOrgRepository, SqlUnitOfWork
from haztrak.adapters.persistence.lookups import (
    CachedLookupReader,
    SqlLookupReader,
    seed_lookups,
)
from haztrak.adapters.persistence.manifests import SqlManifestRepository
from haztrak.adapters.persistence.pg_reads import PgManifestReader
from haztrak.adapters.persistence.pgpool import ReadPool, asyncpg_dsn
from haztrak.adapters.persistence.tables import DotLookupRow, FederalWasteCodeRow
from haztrak.application.manifests.errors import PreconditionFailed
from haztrak.application.ports.lookups import DotLookup
from haztrak.application.ports.manifests import (
    ManifestHeadline,
    ManifestQuery,
    Party,
    StoredManifest,
)
from haztrak.domain.audit import AuditEntry
from haztrak.domain.errors import Conflict
from haztrak.domain.identity import Org
from haztrak.domain.manifest import (
    HandlerRole,
    Manifest,
    Status,
    SubmissionType,
    draft_tracking_number,
)
from tests import fakes
from tests.fakes_manifests import MemoryLookupReader, MemoryManifestRepository
from tests.manifest_documents import a_manifest
from tests.seeded import migrated_postgres

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
GEN = "VATESTGEN001"


@dataclass
class Store:
    manifests: Any
    uow: Any
    org_id: uuid.UUID
    fresh: Callable[[], AbstractAsyncContextManager[tuple[Any, Any]]]
    """A repository and unit of work on a connection of their own."""


class PgReadsOverSession:
    """Writes through the SQLAlchemy repository, reads through PgManifestReader on the read
    pool: the contract suite then checks that both readers agree on PostgreSQL."""

    READS = ("by_mtn", "document", "page", "summaries")

    def __init__(self, writes: SqlManifestRepository, reads: PgManifestReader) -> None:
        self._writes = writes
        self._reads = reads

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reads if name in self.READS else self._writes, name)


@pytest.fixture(params=["memory", "sqlite", "postgres", "postgres-read-pool"])
async def store(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[Store]:
    if request.param == "memory":
        repository = MemoryManifestRepository()
        uow = fakes.MemoryUnitOfWork(fakes.MemoryData())

        @asynccontextmanager
        async def same() -> AsyncIterator[tuple[Any, Any]]:
            yield repository, uow

        yield Store(manifests=repository, uow=uow, org_id=uuid.uuid4(), fresh=same)
        return
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'manifests.sqlite3'}"
    else:
        url = migrated_postgres(request)
    engine = database.create_engine(url)
    await database.upgrade(engine)
    maker = database.session_factory(engine)
    pool = ReadPool(asyncpg_dsn(url), 4) if request.param == "postgres-read-pool" else None

    def repository(session: Any) -> Any:
        writes = SqlManifestRepository(session)
        return writes if pool is None else PgReadsOverSession(writes, PgManifestReader(pool))

    @asynccontextmanager
    async def fresh() -> AsyncIterator[tuple[Any, Any]]:
        async with maker() as session:
            yield repository(session), SqlUnitOfWork(session)

    async with maker() as session:
        org = Org(id=uuid.uuid4(), name="Acme", slug="acme")
        await SqlOrgRepository(session).add(org)
        await session.commit()
        yield Store(
            manifests=repository(session),
            uow=SqlUnitOfWork(session),
            org_id=org.id,
            fresh=fresh,
        )
    if pool is not None:
        await pool.close()
    await engine.dispose()


def stored(
    store: Store, manifest: Manifest, mtn: str, at: datetime = NOW, **kw: Any
) -> StoredManifest:
    return StoredManifest(
        id=kw.pop("id", None) or uuid.uuid4(),
        manifest=msgspec.structs.replace(manifest, manifest_tracking_number=mtn),
        version=1,
        created_at=at,
        updated_at=at,
        owner_org_id=store.org_id,
        owner_site=kw.pop("owner_site", GEN),
        **kw,
    )


async def add(store: Store, manifest: Manifest, mtn: str, at: datetime = NOW) -> StoredManifest:
    item = stored(store, manifest, mtn, at)
    await store.manifests.add(item)
    await store.uow.commit()
    return item


def query(*sites: str, **kw: Any) -> ManifestQuery:
    """Drafts are made by GEN here (see stored()); the querying user prepares for GEN."""
    kw.setdefault("draft_sites", frozenset({GEN}))
    return ManifestQuery(site_ids=frozenset(sites or {GEN}), **kw)


async def test_a_manifest_round_trips_with_its_signed_flags(store: Store) -> None:
    item = await add(store, a_manifest(status="Scheduled"), "100000001ELC")
    found = await store.manifests.by_mtn("100000001ELC")
    assert found == msgspec.structs.replace(item, manifest=item.manifest.with_signed_flags())
    assert found.manifest.generator.signed is False
    assert found.tag == f"{item.id.hex}-1"
    assert await store.manifests.by_mtn("100000002ELC") is None


async def test_a_manifest_reads_as_the_json_it_is_kept_as(store: Store) -> None:
    item = await add(store, a_manifest(status="Scheduled", tsdf="VATESTTSD001"), "100000001ELC")
    document = await store.manifests.document("100000001ELC")
    assert document is not None
    assert (document.id, document.version, document.tag) == (item.id, 1, item.tag)
    kept = msgspec.json.decode(document.json, type=Manifest)
    assert kept == item.manifest.with_signed_flags()
    assert document.site_ids() == item.manifest.site_ids()
    assert "VATESTTSD001" in document.site_ids()
    assert await store.manifests.document("100000002ELC") is None


async def test_tracking_numbers_are_unique(store: Store) -> None:
    await add(store, a_manifest(), "100000001ELC")
    with pytest.raises(Conflict):
        await store.manifests.add(stored(store, a_manifest(), "100000001ELC"))
    # the unit of work goes on
    await store.manifests.add(stored(store, a_manifest(), "100000002ELC"))
    await store.uow.commit()
    assert await store.manifests.by_mtn("100000002ELC") is not None
    assert len(await store.manifests.summaries(query(GEN))) == 2


async def test_an_update_needs_the_version_it_read(store: Store) -> None:
    item = await add(store, a_manifest(), "000000001DFT")
    moved = a_manifest(generator="VATESTGEN002", transporters=("MOCKTRANS009",))
    changed = msgspec.structs.replace(
        item,
        manifest=msgspec.structs.replace(moved, manifest_tracking_number=item.mtn),
        updated_at=NOW + timedelta(minutes=1),
    )
    saved = await store.manifests.update(changed, expected_version=1)
    await store.uow.commit()
    assert saved.version == 2
    assert (await store.manifests.by_mtn(item.mtn)).manifest.generator.epa_site_id == (
        "VATESTGEN002"
    )
    # the index follows the document
    assert [s.mtn for s in await store.manifests.summaries(query(GEN))] == []
    assert [s.mtn for s in await store.manifests.summaries(query("VATESTGEN002"))] == [item.mtn]

    with pytest.raises(PreconditionFailed):
        await store.manifests.update(
            msgspec.structs.replace(changed, manifest=a_manifest(mtn=item.mtn, tsdf=None)),
            expected_version=1,
        )
    await store.uow.rollback()
    after = await store.manifests.by_mtn(item.mtn)
    assert after.version == 2
    assert after.manifest.generator.epa_site_id == "VATESTGEN002"


async def test_a_delete_needs_the_version_it_read_and_takes_the_index_along(store: Store) -> None:
    item = await add(store, a_manifest(), "000000001DFT")
    with pytest.raises(PreconditionFailed):
        await store.manifests.delete(item.id, expected_version=7)
    await store.uow.rollback()
    assert await store.manifests.by_mtn(item.mtn) is not None

    await store.manifests.delete(item.id, expected_version=1)
    await store.uow.commit()
    assert await store.manifests.by_mtn(item.mtn) is None
    assert await store.manifests.summaries(query(GEN)) == []


async def test_filters_and_each_manifest_once(store: Store) -> None:
    a = await add(store, a_manifest(), "000000001DFT", NOW)
    b = await add(
        store,
        a_manifest(
            generator="VAOTHERGEN01", tsdf=GEN, status="Scheduled", submission_type="Hybrid"
        ),
        "100000002ELC",
        NOW + timedelta(seconds=1),
    )
    # the site plays two parts on c, and c still comes once
    c = await add(store, a_manifest(tsdf=GEN), "000000003DFT", NOW + timedelta(seconds=2))
    await add(store, a_manifest(generator="VAOTHERGEN01"), "000000004DFT", NOW)

    async def mtns(q: ManifestQuery) -> list[str]:
        summaries = [s.mtn for s in await store.manifests.summaries(q)]
        page = await store.manifests.page(q, limit=50)
        assert [s.mtn for s in page.items] == summaries
        assert page.total == len(summaries)
        return summaries

    assert await mtns(query(GEN)) == [c.mtn, b.mtn, a.mtn]
    assert await mtns(query(GEN, site_role=HandlerRole.GENERATOR)) == [c.mtn, a.mtn]
    assert await mtns(query(GEN, site_role=HandlerRole.TSDF)) == [c.mtn, b.mtn]
    by_transporter = await mtns(query("MOCKTRANS002", site_role=HandlerRole.TRANSPORTER))
    assert by_transporter[:2] == [c.mtn, b.mtn]
    assert set(by_transporter[2:]) == {a.mtn, "000000004DFT"}  # same instant: either order
    assert await mtns(query(GEN, status=Status.SCHEDULED)) == [b.mtn]
    assert await mtns(query(GEN, submission_type=SubmissionType.HYBRID)) == [b.mtn]
    assert await mtns(query(GEN, mtn_contains="dft")) == [c.mtn, a.mtn]
    assert await mtns(query(GEN, mtn_contains="%")) == []
    assert await mtns(query(GEN, updated_since=NOW + timedelta(seconds=1))) == [c.mtn, b.mtn]
    assert await mtns(ManifestQuery(site_ids=frozenset())) == []

    summary = (await store.manifests.summaries(query(GEN, status=Status.SCHEDULED)))[0]
    assert summary.status is Status.SCHEDULED
    assert summary.submission_type is SubmissionType.HYBRID
    assert summary.signature_status is None


async def test_free_text_finds_names_epa_ids_and_waste_codes_and_dates_bound_the_list(
    store: Store,
) -> None:
    """Text matches part of the tracking number, or the beginning of a handler's EPA ID, of a
    word of its name (and what follows), or of a waste code; a changed manifest is found by
    what it says now. Dates bound the last change; the list pages oldest first on request."""
    a = await add(store, a_manifest(), "000000001DFT", NOW)
    other = a_manifest(tsdf="VATSDFOTHER1")
    other = msgspec.structs.replace(
        other,
        designated_facility=msgspec.structs.replace(
            other.designated_facility, name="Acme  Chemical Disposal"
        ),
    )
    b = await add(store, other, "100000002ELC", NOW + timedelta(seconds=1))
    c = await add(store, a_manifest(wastes=0), "000000003DFT", NOW + timedelta(seconds=2))
    await store.uow.commit()

    async def mtns(**kw: Any) -> list[str]:
        q = query(GEN, **kw)
        page = await store.manifests.page(q, limit=50)
        assert page.total == len(page.items)
        return [s.mtn for s in page.items]

    assert await mtns(text="dft") == [c.mtn, a.mtn]  # part of the tracking number
    assert await mtns(text="0002e") == [b.mtn]
    assert await mtns(text="acme") == [b.mtn]  # a name, any case
    assert await mtns(text="chemical  disp") == [b.mtn]  # from a word on, spaces as one
    assert await mtns(text="emical") == []  # names by word, not by any part
    assert await mtns(text="vatsdfo") == [b.mtn]  # an EPA ID it begins
    assert await mtns(text="d00") == [b.mtn, a.mtn]  # a waste code
    assert await mtns(text="D001 ") == [b.mtn, a.mtn]
    assert await mtns(text="%") == []
    assert await mtns(text="_") == []

    changed = msgspec.structs.replace(
        (await store.manifests.by_mtn(b.mtn)),
        manifest=a_manifest(mtn=b.mtn, status=None, wastes=0),
    )
    await store.manifests.update(changed, expected_version=1)
    await store.uow.commit()
    assert await mtns(text="acme") == []
    assert await mtns(text="d001") == [a.mtn]

    assert await mtns(updated_before=NOW + timedelta(seconds=2)) == [b.mtn, a.mtn]
    assert await mtns(
        updated_since=NOW + timedelta(seconds=1), updated_before=NOW + timedelta(seconds=2)
    ) == [b.mtn]
    assert await mtns(oldest_first=True) == [a.mtn, b.mtn, c.mtn]
    first = await store.manifests.page(query(GEN, oldest_first=True), limit=2)
    assert [s.mtn for s in first.items] == [a.mtn, b.mtn]
    assert first.next is not None
    rest = await store.manifests.page(query(GEN, oldest_first=True), limit=2, after=first.next)
    assert ([s.mtn for s in rest.items], rest.next) == ([c.mtn], None)
    await store.manifests.delete(a.id, expected_version=1)
    await store.uow.commit()
    assert await mtns(text="vatestgen") == [c.mtn, b.mtn]


async def test_a_draft_is_found_only_through_its_owner_site(store: Store) -> None:
    """Drafts whose owner site is not in `draft_sites` are left out of items, totals and
    tracking-number lists; a manifest in e-Manifest is found through any of its sites."""
    trans = "MOCKTRANS001"
    mine = await add(store, a_manifest(), "000000001DFT", NOW)
    theirs = stored(store, a_manifest(), "000000002DFT", NOW + timedelta(seconds=1))
    theirs = msgspec.structs.replace(theirs, owner_site=trans)
    await store.manifests.add(theirs)
    ownerless = stored(store, a_manifest(), "000000003DFT", NOW + timedelta(seconds=2))
    await store.manifests.add(msgspec.structs.replace(ownerless, owner_site=None))
    sent = await add(store, a_manifest(status="Pending"), "100000004ELC", NOW - timedelta(1))
    await store.uow.commit()

    async def mtns(*sites: str, drafts: frozenset[str], **kw: Any) -> list[str]:
        q = query(*sites, draft_sites=drafts, **kw)
        summaries = [s.mtn for s in await store.manifests.summaries(q)]
        page = await store.manifests.page(q, limit=1)
        assert page.total == len(summaries)
        assert [s.mtn for s in page.items] == summaries[:1]
        return summaries

    everyone = frozenset({GEN, trans, "MOCKTSDFS001"})
    assert await mtns(GEN, drafts=frozenset({GEN})) == [mine.mtn, sent.mtn]
    assert await mtns(GEN, drafts=frozenset()) == [sent.mtn]
    assert await mtns(GEN, trans, drafts=frozenset({trans})) == [theirs.mtn, sent.mtn]
    assert await mtns(*everyone, drafts=everyone) == [theirs.mtn, mine.mtn, sent.mtn]
    assert await mtns(*everyone, drafts=everyone, status=Status.NOT_ASSIGNED) == [
        theirs.mtn,
        mine.mtn,
    ]
    # the owner site and the status come with a manifest and its document
    found = await store.manifests.by_mtn(theirs.mtn)
    assert found.owner_site == trans
    document = await store.manifests.document(theirs.mtn)
    assert (document.status, document.owner_site) == (Status.NOT_ASSIGNED, trans)
    sent_document = await store.manifests.document(sent.mtn)
    assert (sent_document.status, sent_document.owner_site) == (Status.PENDING, GEN)


async def test_writes_keep_the_owner_site(store: Store) -> None:
    item = await add(store, a_manifest(), "000000001DFT")
    moved = a_manifest(mtn=item.mtn, generator="VATESTGEN002")
    await store.manifests.update(msgspec.structs.replace(item, manifest=moved), expected_version=1)
    await store.uow.commit()
    assert (await store.manifests.by_mtn(item.mtn)).owner_site == GEN
    remote = await add(store, a_manifest(status="Scheduled"), "100000002ELC")
    await store.manifests.upsert_by_mtn(
        a_manifest(mtn=remote.mtn, status="InTransit"), owner_org_id=None, at=NOW
    )
    await store.uow.commit()
    assert (await store.manifests.by_mtn(remote.mtn)).owner_site == GEN
    pulled = await store.manifests.upsert_by_mtn(
        a_manifest(mtn="100000003ELC", status="Scheduled"), owner_org_id=None, at=NOW
    )
    await store.uow.commit()
    assert pulled.owner_site is None
    assert (await store.manifests.by_mtn(pulled.mtn)).owner_site is None


async def test_pages_are_stable_under_inserts(store: Store) -> None:
    first = [
        await add(store, a_manifest(), draft_tracking_number(n), NOW + timedelta(seconds=n))
        for n in range(1, 6)
    ]
    page1 = await store.manifests.page(query(GEN), limit=2)
    assert [s.mtn for s in page1.items] == [first[4].mtn, first[3].mtn]
    assert page1.total == 5
    for n in range(6, 9):  # newer manifests arrive while the client pages
        await add(store, a_manifest(), draft_tracking_number(n), NOW + timedelta(seconds=n))
    page2 = await store.manifests.page(query(GEN), limit=2, after=page1.next)
    assert [s.mtn for s in page2.items] == [first[2].mtn, first[1].mtn]
    assert page2.total == 8
    page3 = await store.manifests.page(query(GEN), limit=2, after=page2.next)
    assert [s.mtn for s in page3.items] == [first[0].mtn]
    assert page3.next is None


async def test_pages_walk_manifests_changed_at_the_same_instant(store: Store) -> None:
    added = {(await add(store, a_manifest(), draft_tracking_number(n), NOW)).mtn for n in range(5)}
    seen: list[str] = []
    cursor = None
    while True:
        page = await store.manifests.page(query(GEN), limit=2, after=cursor)
        seen += [s.mtn for s in page.items]
        if page.next is None:
            break
        cursor = page.next
    assert sorted(seen) == sorted(added)
    assert seen == [s.mtn for s in await store.manifests.summaries(query(GEN))]


async def test_draft_numbers_are_never_reused(store: Store) -> None:
    first = await store.manifests.next_draft_number()
    item = await add(store, a_manifest(), draft_tracking_number(first))
    await store.manifests.delete(item.id, expected_version=1)
    await store.uow.commit()
    second = await store.manifests.next_draft_number()
    await store.uow.commit()
    assert second > first


async def test_draft_numbers_do_not_collide_under_concurrent_creation(store: Store) -> None:
    async def create() -> int:
        async with store.fresh() as (manifests, uow):
            number = await manifests.next_draft_number()
            await manifests.add(stored(store, a_manifest(), draft_tracking_number(number)))
            await uow.commit()
            return int(number)

    numbers = await asyncio.gather(*(create() for _ in range(20)))
    assert len(set(numbers)) == 20
    assert len(await store.manifests.summaries(query(GEN))) == 20


async def test_upsert_by_mtn_adds_then_replaces(store: Store) -> None:
    pulled = a_manifest(mtn="100000009ELC", status="Scheduled")
    first = await store.manifests.upsert_by_mtn(pulled, owner_org_id=store.org_id, at=NOW)
    await store.uow.commit()
    assert first.version == 1
    later = NOW + timedelta(hours=1)
    again = await store.manifests.upsert_by_mtn(
        a_manifest(mtn="100000009ELC", status="InTransit"), owner_org_id=None, at=later
    )
    await store.uow.commit()
    assert (again.id, again.version, again.created_at, again.updated_at) == (
        first.id,
        2,
        NOW,
        later,
    )
    assert again.owner_org_id == store.org_id
    found = await store.manifests.by_mtn("100000009ELC")
    assert found.manifest.status is Status.IN_TRANSIT


async def test_unusual_site_ids_are_stored_but_not_indexed(store: Store) -> None:
    odd = a_manifest(generator="x" * 40)
    await add(store, odd, "000000001DFT")
    found = await store.manifests.by_mtn("000000001DFT")
    assert found.manifest.generator.epa_site_id == "x" * 40
    assert [s.mtn for s in await store.manifests.summaries(query("MOCKTRANS001"))] == [
        "000000001DFT"
    ]


# --- lookups ---


@pytest.fixture(params=["memory", "sqlite", "sqlite-cached", "postgres", "postgres-cached"])
async def lookups(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[Any]:
    if request.param == "memory":
        yield MemoryLookupReader()
        return
    if request.param.startswith("sqlite"):
        url = f"sqlite+aiosqlite:///{tmp_path / 'lookups.sqlite3'}"
    else:
        url = migrated_postgres(request)
    engine = database.create_engine(url)
    await database.upgrade(engine)
    maker = database.session_factory(engine)
    if request.param.endswith("cached"):
        yield CachedLookupReader(maker)
    else:
        async with maker() as session:
            yield SqlLookupReader(session)
    await engine.dispose()


async def test_lookups_are_seeded_in_a_stable_order(lookups: Any) -> None:
    federal = await lookups.federal_waste_codes()
    assert len(federal) == 167
    assert [c.code for c in federal] == sorted(c.code for c in federal)
    assert federal[0].code == "D001"
    assert federal[0].description == "IGNITABLE WASTE"
    virginia = await lookups.state_waste_codes("VA")
    assert [c.code for c in virginia] == sorted(c.code for c in virginia)
    assert "BCRUSH" in {c.code for c in virginia}
    assert list(await lookups.state_waste_codes("ZZ")) == []
    assert list(await lookups.dot_values(DotLookup.GROUP)) == ["I", "II", "III"]
    names = await lookups.dot_values(DotLookup.NAME)
    assert list(names) == sorted(set(names))  # upstream duplicates are gone
    assert "UN1088" in await lookups.dot_values(DotLookup.ID)
    assert "5.1" in await lookups.dot_values(DotLookup.CLASS)


async def test_seeding_is_idempotent_and_corrects_descriptions(database_url: str) -> None:
    engine = database.create_engine(database_url)
    try:
        await database.upgrade(engine)
        async with engine.begin() as conn:
            before = await conn.scalar(select(func.count()).select_from(DotLookupRow))
            await conn.execute(
                update(FederalWasteCodeRow)
                .where(FederalWasteCodeRow.code == "D001")
                .values(description="stale")
            )
        await database.upgrade(engine)  # seeds again
        async with engine.begin() as conn:
            await conn.run_sync(seed_lookups)
            after = await conn.scalar(select(func.count()).select_from(DotLookupRow))
            d001 = await conn.scalar(
                select(FederalWasteCodeRow.description).where(FederalWasteCodeRow.code == "D001")
            )
        assert before == after > 4000
        assert d001 == "IGNITABLE WASTE"
    finally:
        await engine.dispose()


async def test_page_items_carry_what_a_list_shows(store: Store) -> None:
    item = await add(store, a_manifest(status="Scheduled", wastes=2), "100000001ELC")
    listed = (await store.manifests.page(query(GEN), limit=10)).items[0]
    assert (listed.id, listed.version, listed.created_at, listed.updated_at) == (
        item.id,
        1,
        NOW,
        NOW,
    )
    headline = listed.headline
    expected = ManifestHeadline.of(item.manifest)
    assert msgspec.structs.replace(headline, wastes=[]) == msgspec.structs.replace(
        expected, wastes=[]
    )
    assert headline.manifest_tracking_number == "100000001ELC"
    assert headline.status is Status.SCHEDULED
    assert headline.generator == Party(
        epa_site_id=GEN, name=f"Generator {GEN}", order=None, signed=False
    )
    assert [t.order for t in headline.transporters] == [1, 2]
    assert len(headline.wastes) == 2


async def test_a_draft_written_inside_a_transaction_commits_or_rolls_back_with_it(
    database_url: str,
) -> None:
    """On PostgreSQL the rows of a new manifest go on the asyncpg connection under the
    session once its transaction has begun (pg_driver.py): they must still be part of it."""
    engine = database.create_engine(database_url)
    await database.upgrade(engine)
    maker = database.session_factory(engine)
    try:
        async with maker() as session:
            org = Org(id=uuid.uuid4(), name="Acme", slug="acme")
            await SqlOrgRepository(session).add(org)
            await session.commit()

        async def a_draft(session: Any) -> StoredManifest:
            repository = SqlManifestRepository(session)
            number = await repository.next_draft_number()  # the transaction begins here
            item = StoredManifest(
                id=uuid.uuid4(),
                manifest=msgspec.structs.replace(
                    a_manifest(), manifest_tracking_number=draft_tracking_number(number)
                ),
                version=1,
                created_at=NOW,
                updated_at=NOW,
                owner_org_id=org.id,
                owner_site=GEN,
            )
            await repository.add(item)
            await SqlAuditLog(session).append(
                AuditEntry(
                    at=NOW,
                    actor_id=None,
                    actor="test",
                    action="create",
                    object_type="manifest",
                    object_id=item.mtn,
                    detail={"id": str(item.id)},
                )
            )
            with pytest.raises(Conflict):
                await repository.add(msgspec.structs.replace(item, id=uuid.uuid4()))
            return item

        async with maker() as session:
            gone = await a_draft(session)
            await session.rollback()
        async with maker() as session:
            kept = await a_draft(session)
            await session.commit()

        async with maker() as session:
            repository = SqlManifestRepository(session)
            # (SQLite hands the rolled-back draft number out again, PostgreSQL does not)
            assert gone.id != kept.id
            found = await repository.by_mtn(kept.mtn)
            assert found == msgspec.structs.replace(
                kept, manifest=kept.manifest.with_signed_flags()
            )
            assert [s.mtn for s in await repository.summaries(query(GEN))] == [kept.mtn]
            assert [s.mtn for s in await repository.summaries(query("MOCKTRANS002"))] == [kept.mtn]
            audit = await SqlAuditLog(session).list(object_type="manifest")
            assert [(e.object_id, dict(e.detail)) for e in audit] == [
                (kept.mtn, {"id": str(kept.id)})
            ]
    finally:
        await engine.dispose()


async def test_every_status_role_and_submission_type_filters_a_page(store: Store) -> None:
    """The statuses, roles and submission types written into PostgreSQL's statements (names
    of the domain's enumerations) are each accepted, and each filter finds what it names."""
    await add(store, a_manifest(status="Scheduled"), "100000001ELC")
    for status in Status:
        page = await store.manifests.page(query(status=status), limit=10)
        assert [i.headline.status for i in page.items] == (
            [Status.SCHEDULED] if status is Status.SCHEDULED else []
        )
        many = await store.manifests.page(
            query(statuses=frozenset({status, Status.SIGNED})), limit=10
        )
        assert len(many.items) == (1 if status is Status.SCHEDULED else 0)
    for role in HandlerRole:
        page = await store.manifests.page(query(site_role=role), limit=10)
        assert len(page.items) == (1 if role is HandlerRole.GENERATOR else 0), role
    for kind in SubmissionType:
        page = await store.manifests.page(query(submission_type=kind), limit=10)
        assert len(page.items) == (1 if kind is SubmissionType.FULL_ELECTRONIC else 0), kind
