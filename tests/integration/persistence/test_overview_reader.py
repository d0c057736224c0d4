"""OverviewReader on SQLite, on PostgreSQL through a session, and on PostgreSQL through the
read pool: the same sites, orgs (whether a key is set, whether it fails) and tasks (running,
or failed since a time; newest first; nobody else's)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.identity import (
    SqlOrgRepository,
    SqlSiteRepository,
    SqlUserRepository,
)
from haztrak.adapters.persistence.manifests import SqlManifestRepository
from haztrak.adapters.persistence.overview import (
    PgOverviewReader,
    SessionOverviewReader,
    dashboard_statement,
)
from haztrak.adapters.persistence.pgpool import ReadPool, asyncpg_dsn
from haztrak.adapters.persistence.tasks import SqlTaskRepository
from haztrak.application.overview import RECEIVED_STATUSES, SIGNING_STATUSES
from haztrak.application.ports.manifests import ManifestHeadline, ManifestQuery, StoredManifest
from haztrak.application.ports.overview import DashboardRequest, OverviewReader
from haztrak.domain.handlers import SiteType
from haztrak.domain.identity import Org, Site, User
from haztrak.domain.manifest import HandlerRole, Status
from haztrak.domain.manifest.codec import manifest_from_document
from haztrak.domain.tasks import Task, TaskName, TaskProblem, TaskStatus
from tests.bench.seed import insert_manifests
from tests.manifest_documents import manifest_document
from tests.seeded import migrated_postgres

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
OWNER, OTHER = uuid.uuid4(), uuid.uuid4()
ORG, BARE = uuid.uuid4(), uuid.uuid4()


async def _seed(session: Any) -> dict[str, uuid.UUID]:
    users = SqlUserRepository(session)
    for user_id, name in ((OWNER, "owner"), (OTHER, "other")):
        await users.add(User(id=user_id, username=name), None)
    orgs = SqlOrgRepository(session)
    await orgs.add(Org(id=ORG, name="Acme", slug="acme", rcrainfo_api_id="api"))
    await orgs.set_api_key(ORG, b"encrypted")
    failing = await orgs.get(ORG)
    assert failing is not None
    failing.rcrainfo_credentials_failing = True
    await orgs.update(failing)
    await orgs.add(Org(id=BARE, name="Bare", slug="bare"))
    sites = SqlSiteRepository(session)
    for epa_id in ("VATESTGEN001", "MOCKTSDFS001"):
        await sites.add(
            Site(id=uuid.uuid4(), epa_id=epa_id, name=epa_id, site_type=SiteType.TSDF, org_id=ORG)
        )
    tasks = SqlTaskRepository(session)
    made: dict[str, uuid.UUID] = {}

    async def task(key: str, owner: uuid.UUID, status: TaskStatus, age: timedelta) -> None:
        at = NOW - age
        item = Task(
            id=uuid.uuid4(),
            name=TaskName.SUBMIT_MANIFEST,
            owner_id=owner,
            created_at=at,
            payload={"siteId": "VATESTGEN001"},
            subject="000000001DFT",
        )
        await tasks.add(item)
        if status is not TaskStatus.PENDING:
            claimed = await tasks.claim(item.id, at=at, lease_until=at + timedelta(minutes=1))
            assert claimed is not None
            if status.finished:
                await tasks.finish(
                    item.id,
                    attempt=claimed.attempts,
                    status=status,
                    at=at,
                    result={"manifestTrackingNumber": "100000001ELC"},
                    error=TaskProblem(title="Refused", detail="no", kind="unauthorized")
                    if status is TaskStatus.FAILURE
                    else None,
                )
        made[key] = item.id

    await task("pending", OWNER, TaskStatus.PENDING, timedelta(days=30))
    await task("started", OWNER, TaskStatus.STARTED, timedelta(hours=3))
    await task("failed", OWNER, TaskStatus.FAILURE, timedelta(hours=1))
    await task("failed long ago", OWNER, TaskStatus.FAILURE, timedelta(days=9))
    await task("done", OWNER, TaskStatus.SUCCESS, timedelta(minutes=5))
    await task("another's", OTHER, TaskStatus.FAILURE, timedelta(minutes=1))
    await session.commit()
    return made


Reader = tuple[OverviewReader, dict[str, uuid.UUID], Any]
"""The reader, the tasks made, and a session maker on its database."""


@pytest.fixture(params=["sqlite", "postgres", "postgres-read-pool"])
async def reader(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[Reader]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'overview.sqlite3'}"
    else:
        url = migrated_postgres(request)
    engine = database.create_engine(url)
    await database.upgrade(engine)
    maker = database.session_factory(engine)
    async with maker() as session:
        made = await _seed(session)
    if request.param == "postgres-read-pool":
        pool = ReadPool(asyncpg_dsn(url), 2)
        yield PgOverviewReader(pool), made, maker
        await pool.close()
    else:
        yield SessionOverviewReader(maker), made, maker
    await engine.dispose()


async def test_sites_orgs_and_the_owner_s_tasks_to_look_at(
    reader: Reader,
) -> None:
    overview, made, _ = reader
    found = await overview.basics(
        epa_ids=["VATESTGEN001", "MOCKTSDFS001", "NOSUCHSITE01"],
        org_ids=[ORG, BARE],
        owner_id=OWNER,
        tasks_limit=10,
        failed_since=NOW - timedelta(days=7),
    )
    assert [s.epa_id for s in found.sites] == ["MOCKTSDFS001", "VATESTGEN001"]
    assert found.sites[0].org_id == ORG
    orgs = {o.slug: (o.has_rcrainfo_api_key, o.rcrainfo_credentials_failing) for o in found.orgs}
    assert orgs == {"acme": (True, True), "bare": (False, False)}
    assert [t.id for t in found.tasks] == [made["failed"], made["started"], made["pending"]]
    failed = found.tasks[0]
    assert failed.status is TaskStatus.FAILURE
    assert failed.error == TaskProblem(title="Refused", detail="no", kind="unauthorized")
    assert failed.result == {"manifestTrackingNumber": "100000001ELC"}
    assert failed.payload == {"siteId": "VATESTGEN001"}
    assert failed.done_at == NOW - timedelta(hours=1)
    assert found.tasks[2].error is None
    assert found.tasks[2].result is None


async def test_nothing_asked_nothing_found(
    reader: Reader,
) -> None:
    overview, _, _ = reader
    found = await overview.basics(
        epa_ids=[], org_ids=[], owner_id=uuid.uuid4(), tasks_limit=5, failed_since=NOW
    )
    assert (found.sites, found.orgs, found.tasks) == ([], [], [])


async def _manifest(session: Any, mtn: str, at: datetime, **changes: Any) -> None:
    document = {**manifest_document(mtn=mtn, status=changes.pop("status")), **changes}
    await SqlManifestRepository(session).add(
        StoredManifest(
            id=uuid.uuid4(),
            manifest=manifest_from_document(document),
            version=1,
            created_at=at,
            updated_at=at,
            owner_site="VATESTGEN001",
        )
    )


def _dashboard_request() -> DashboardRequest:
    sites = frozenset({"VATESTGEN001", "MOCKTSDFS001"})
    return DashboardRequest(
        epa_ids=sorted(sites),
        org_ids=[ORG, BARE],
        owner_id=OWNER,
        tasks_limit=10,
        failed_since=NOW - timedelta(days=7),
        counts=ManifestQuery(site_ids=sites, draft_sites=sites),
        drafts=ManifestQuery(site_ids=sites, draft_sites=sites, status=Status.NOT_ASSIGNED),
        drafts_limit=1,
        to_sign=ManifestQuery(site_ids=frozenset({"VATESTGEN001"}), statuses=SIGNING_STATUSES),
        received=ManifestQuery(site_ids=sites, statuses=RECEIVED_STATUSES),
        candidates=10,
        deadlines=[
            ManifestQuery(site_ids=sites, statuses=frozenset({Status.SIGNED})),
            ManifestQuery(site_ids=sites, site_role=HandlerRole.TSDF, statuses=SIGNING_STATUSES),
        ],
        deadlines_limit=1,
    )


async def test_the_dashboard_s_reads_in_one_go(
    reader: Reader,
) -> None:
    """dashboard() answers what basics() and the manifest reads answer, on every store (on
    PostgreSQL's read pool in one statement)."""
    overview, made, sessions = reader
    async with sessions() as session:
        await _manifest(session, "000000001DFT", NOW - timedelta(days=3), status="NotAssigned")
        await _manifest(session, "000000002DFT", NOW - timedelta(days=2), status="NotAssigned")
        await _manifest(session, "100000001ELC", NOW - timedelta(days=1), status="Scheduled")
        await _manifest(
            session, "100000002ELC", NOW - timedelta(hours=5), status="Signed", discrepancy=True
        )
        await _manifest(session, "100000003ELC", NOW - timedelta(hours=4), status="Signed")
        await session.commit()
    request = _dashboard_request()
    reads = await overview.dashboard(request)
    assert reads.basics == await overview.basics(
        epa_ids=request.epa_ids,
        org_ids=request.org_ids,
        owner_id=OWNER,
        tasks_limit=10,
        failed_since=request.failed_since,
    )
    assert [t.id for t in reads.basics.tasks] == [made["failed"], made["started"], made["pending"]]
    counts = {(c.epa_id, c.status): c.count for c in reads.counts}
    assert counts == {
        ("VATESTGEN001", Status.NOT_ASSIGNED): 2,
        ("VATESTGEN001", Status.SCHEDULED): 1,
        ("VATESTGEN001", Status.SIGNED): 2,
        ("MOCKTSDFS001", Status.SCHEDULED): 1,
        ("MOCKTSDFS001", Status.SIGNED): 2,
    }
    headlines = msgspec.json.Decoder(ManifestHeadline)
    assert [headlines.decode(r.json).manifest_tracking_number for r in reads.drafts] == [
        "000000002DFT"
    ]
    signing = [manifest_from_document(msgspec.json.decode(r.json)) for r in reads.to_sign]
    assert [m.manifest_tracking_number for m in signing] == ["100000001ELC"]
    assert signing[0].generator is not None
    assert signing[0].generator.epa_site_id == "VATESTGEN001"
    flagged = [
        headlines.decode(r.json).manifest_tracking_number
        for r in reads.received
        if msgspec.json.decode(r.json).get("discrepancy")
    ]
    assert flagged == ["100000002ELC"]
    assert reads.to_sign[0].updated_at == NOW - timedelta(days=1)
    assert [
        [headlines.decode(r.json).manifest_tracking_number for r in found]
        for found in reads.deadlines
    ] == [["100000003ELC"], ["100000001ELC"]]
    whole = manifest_from_document(msgspec.json.decode(reads.deadlines[1][0].json))
    assert whole.designated_facility is not None


async def test_postgresql_keeps_one_plan_for_the_dashboard_statement(
    request: pytest.FixtureRequest,
) -> None:
    """The dashboard's statement is planned once per connection, not on every request: with
    its statuses written into it, the plan PostgreSQL keeps after five executions is as good
    as one made for the arguments (with them as parameters it was not, and every request paid
    1.5-2 ms of planning)."""
    import asyncpg

    url = migrated_postgres(request)
    engine = database.create_engine(url)
    await database.upgrade(engine)
    async with database.session_factory(engine)() as session:
        await _seed(session)
    await engine.dispose()
    statement, args = dashboard_statement(_dashboard_request())
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        # 2,000 drafts and statistics: most statuses the dashboard looks for are rare
        async with conn.transaction():
            await insert_manifests(conn, 2000, owner_org_id=ORG)
        await conn.execute("ANALYZE")
        for _ in range(7):
            await conn.fetchval(statement, *args)
        generic, custom = await conn.fetchrow(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1",
            statement,
        )
    finally:
        await conn.close()
    assert generic >= 1, (generic, custom)
    assert custom <= 5
