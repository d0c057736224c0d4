"""RCRAInfo work on fakes: submit, Quicker Sign, site sync, profile sync, handler look-ups,
lookup refresh and the scheduler's jobs."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import msgspec
import pytest

from haztrak.application.ports.manifests import StoredManifest
from haztrak.application.ports.rcrainfo import Lookup, RcrainfoProblem, RcrainfoUser
from haztrak.application.rcrainfo.accounts import RcrainfoNotConfigured
from haztrak.application.rcrainfo.manifests import REFERENCE_LABEL, QuickSign
from haztrak.application.tasks.errors import TaskStillRunning
from haztrak.domain.errors import Conflict, Forbidden, InvalidValue, NotFound
from haztrak.domain.handlers import RcraSite, SiteType
from haztrak.domain.identity import RcraSitePermission, SiteRole
from haztrak.domain.manifest import (
    CodeDescription,
    HandlerRole,
    ManifestShapeError,
    SignatureRefused,
    Status,
)
from haztrak.domain.tasks import Task, TaskStatus
from tests.fakes_rcrainfo import transient
from tests.manifest_documents import a_manifest, encoded
from tests.unit.application.task_world import GEN, TRANS, TSDF, World

TRANS2 = "MOCKTRANS002"


@pytest.fixture
def world() -> World:
    return World()


async def _draft(world: World, **changes: Any) -> StoredManifest:
    number = await world.manifests.next_draft_number()
    now = world.clock.now()
    stored = StoredManifest(
        id=uuid.uuid4(),
        manifest=a_manifest(mtn=f"{number:09d}DFT", **changes),
        version=1,
        created_at=now,
        updated_at=now,
        owner_org_id=world.org_of[GEN].id,
        owner_site=GEN,
    )
    await world.manifests.add(stored)
    return stored


def _submission(stored: StoredManifest, status: str = "Scheduled") -> bytes:
    document = msgspec.to_builtins(stored.manifest)
    document["status"] = status
    return encoded(document)


async def _finished(world: World, task: Task) -> Task:
    await world.drain()
    return await world.task(task.id)


# --- submit ---------------------------------------------------------------------------------


async def test_a_submitted_draft_gets_its_tracking_number_and_replaces_the_local_copy(
    world: World,
) -> None:
    draft = await _draft(world)
    preparer = world.user(SiteRole.PREPARER)
    task = await world.submit()(preparer, _submission(draft))
    assert task.subject == draft.mtn
    (entry,) = world.data.audit
    assert (entry.actor, entry.action, entry.object_id, entry.detail) == (
        preparer.username,
        "submit_to_emanifest",
        draft.mtn,
        {"task": str(task.id)},
    )
    done = await _finished(world, task)
    assert done.status is TaskStatus.SUCCESS, done.error
    mtn = done.result["manifestTrackingNumber"]
    assert mtn.endswith("ELC")
    assert done.result["operationStatus"] == "Saved"
    assert done.result["status"] == "Scheduled"
    assert await world.manifests.by_mtn(draft.mtn) is None
    stored = await world.manifests.by_mtn(mtn)
    assert stored is not None
    assert stored.owner_org_id == world.org_of[GEN].id
    assert stored.manifest.current_status() is Status.SCHEDULED
    sent = world.rcrainfo.manifests[mtn]
    assert sent.additional_info is not None
    assert sent.additional_info.comments is not None
    reference = sent.additional_info.comments[-1]
    assert (reference.label, reference.description) == (REFERENCE_LABEL, str(task.id))


async def test_a_draft_still_marked_not_assigned_is_created_as_pending(world: World) -> None:
    draft = await _draft(world)
    task = await world.submit()(world.user(SiteRole.PREPARER), _submission(draft, "NotAssigned"))
    done = await _finished(world, task)
    assert done.result["status"] == "Pending"


async def test_a_save_whose_answer_was_lost_is_found_not_repeated(world: World) -> None:
    draft = await _draft(world)
    world.rcrainfo.lose_save_answers = 1  # saved in e-Manifest, but the answer timed out
    task = await world.submit()(world.user(SiteRole.PREPARER), _submission(draft))
    done = await _finished(world, task)
    assert done.status is TaskStatus.SUCCESS
    assert done.attempts == 2
    assert world.rcrainfo.count("save_manifest") == 1
    assert list(world.rcrainfo.manifests) == [done.result["manifestTrackingNumber"]]


async def test_a_save_that_never_reached_e_manifest_is_sent_again(world: World) -> None:
    draft = await _draft(world)
    world.rcrainfo.fail_next("save_manifest", transient())
    task = await world.submit()(world.user(SiteRole.PREPARER), _submission(draft))
    done = await _finished(world, task)
    assert done.status is TaskStatus.SUCCESS
    assert world.rcrainfo.count("save_manifest") == 2
    assert len(world.rcrainfo.manifests) == 1


async def test_e_manifest_refusing_a_manifest_fails_the_task_with_its_field_errors(
    world: World,
) -> None:
    draft = await _draft(world)
    world.rcrainfo.refuse_saves = [
        RcrainfoProblem(message="Invalid code", field="Emanifest.wastes.0.br", value="x")
    ]
    task = await world.submit()(world.user(SiteRole.PREPARER), _submission(draft))
    done = await _finished(world, task)
    assert (done.status, done.attempts) == (TaskStatus.FAILURE, 1)
    assert done.error is not None
    assert [(e.field, e.message) for e in done.error.errors] == [("wastes.0.br", "Invalid code")]
    assert await world.manifests.by_mtn(draft.mtn) is not None  # the draft stays


async def test_a_manifest_already_in_e_manifest_is_updated(world: World) -> None:
    remote = world.rcrainfo.store(a_manifest(mtn="100000099ELC", status="Pending"))
    changed = msgspec.structs.replace(remote, potential_ship_date="2026-02-01T00:00:00Z")
    task = await world.submit()(
        world.user(SiteRole.PREPARER), encoded(msgspec.to_builtins(changed))
    )
    done = await _finished(world, task)
    assert done.status is TaskStatus.SUCCESS
    assert done.result["operationStatus"] == "Updated"
    assert world.rcrainfo.count("save_manifest") == 0
    stored = await world.manifests.by_mtn("100000099ELC")
    assert stored is not None
    assert stored.manifest.potential_ship_date == "2026-02-01T00:00:00Z"


async def test_submitting_takes_a_preparer_and_a_complete_manifest(world: World) -> None:
    draft = await _draft(world)
    with pytest.raises(Forbidden):
        await world.submit()(world.user(SiteRole.VIEWER), _submission(draft))
    with pytest.raises(NotFound):
        await world.submit()(world.user(None), _submission(draft))
    incomplete = await _draft(world, transporters=())
    with pytest.raises(ManifestShapeError) as caught:
        await world.submit()(world.user(SiteRole.PREPARER), _submission(incomplete))
    assert "transporters" in {p.field for p in caught.value.problems}
    assert world.tasks.tasks == {}


async def test_a_draft_is_sent_only_by_its_owner_site_and_names_it(world: World) -> None:
    draft = await _draft(world)  # the generator's
    for other in (world.user(SiteRole.SIGNER, TRANS), world.user(SiteRole.SIGNER, TSDF)):
        with pytest.raises(NotFound):  # the other sites named on a draft do not find it
            await world.submit()(other, _submission(draft))
    both = world.user(SiteRole.PREPARER)
    trans_site = next(s.id for s in world.data.sites.values() if s.epa_id == TRANS)
    world.data.site_roles[(trans_site, both.id)] = SiteRole.PREPARER
    taken = a_manifest(mtn=draft.mtn, generator=TRANS, status="Scheduled")
    with pytest.raises(InvalidValue) as caught:
        await world.submit()(both, encoded(msgspec.to_builtins(taken)))
    assert caught.value.field == "generator.epaSiteId"
    assert world.tasks.tasks == {}


async def test_submitting_needs_the_org_to_have_working_credentials(world: World) -> None:
    draft = await _draft(world)
    world.data.org_keys[world.org_of[GEN].id] = None
    with pytest.raises(RcrainfoNotConfigured, match="no RCRAInfo API ID and key"):
        await world.submit()(world.user(SiteRole.PREPARER), _submission(draft))


async def test_submitting_twice_gives_the_task_under_way(world: World) -> None:
    draft = await _draft(world)
    preparer = world.user(SiteRole.PREPARER)
    first = await world.submit()(preparer, _submission(draft))
    assert (await world.submit()(preparer, _submission(draft))).id == first.id
    with pytest.raises(Conflict, match="being sent"):
        await world.submit()(world.user(SiteRole.PREPARER), _submission(draft))


# --- Quicker Sign ---------------------------------------------------------------------------


async def _scheduled(world: World) -> str:
    manifest = a_manifest(mtn="100000042ELC", status="Scheduled")
    world.rcrainfo.store(manifest)
    await world.manifests.upsert_by_mtn(
        manifest, owner_org_id=world.org_of[GEN].id, at=world.clock.now()
    )
    return "100000042ELC"


def _signing(
    mtn: str, site: str, role: HandlerRole, order: int | None = None, **changes: Any
) -> QuickSign:
    return QuickSign(
        manifest_tracking_numbers=(mtn,),
        site_id=site,
        site_type=role,
        printed_signature_name="Pat Signer",
        transporter_order=order,
        **changes,
    )


async def _local_status(world: World, mtn: str) -> Status:
    stored = await world.manifests.by_mtn(mtn)
    assert stored is not None
    return stored.manifest.current_status()


async def test_each_party_signs_in_turn_and_the_status_walks_to_signed(world: World) -> None:
    mtn = await _scheduled(world)
    # a second transporter's site for the signing chain
    second = msgspec.structs.replace(world.site(TRANS), id=uuid.uuid4(), epa_id=TRANS2)
    world.data.sites[second.id] = second
    chain = [
        (GEN, HandlerRole.GENERATOR, None, Status.SCHEDULED),
        (TRANS, HandlerRole.TRANSPORTER, 1, Status.IN_TRANSIT),
        (TRANS2, HandlerRole.TRANSPORTER, 2, Status.READY_FOR_SIGNATURE),
        (TSDF, HandlerRole.TSDF, None, Status.SIGNED),
    ]
    # What RCRAInfo answers after each signature (EPA's signing order, NOTES §3.1).
    world.rcrainfo.statuses_after_signing = [status for *_, status in chain]
    for site, role, order, status in chain:
        signer = world.user(SiteRole.SIGNER, site)
        task = await world.sign()(signer, _signing(mtn, site, role, order))
        entry = world.data.audit[-1]
        assert (entry.action, entry.object_id, entry.detail["site"]) == ("quicker_sign", mtn, site)
        done = await _finished(world, task)
        assert done.status is TaskStatus.SUCCESS, done.error
        assert done.result["statuses"] == {mtn: status.value}
        assert await _local_status(world, mtn) is status
    assert world.rcrainfo.manifests[mtn].current_status() is Status.SIGNED
    signed = [(s.site_id, s.site_type, s.transporter_order) for s in world.rcrainfo.signatures]
    assert signed == [(site, role, order) for site, role, order, _ in chain]


async def test_a_signature_rcrainfo_refuses_fails_the_task_with_epas_message(
    world: World,
) -> None:
    mtn = await _scheduled(world)
    world.rcrainfo.refuse_signatures[mtn] = "Manifest is not ready to be quick signed"
    task = await world.sign()(
        world.user(SiteRole.SIGNER, GEN), _signing(mtn, GEN, HandlerRole.GENERATOR)
    )
    done = await _finished(world, task)
    assert done.status is TaskStatus.FAILURE
    assert done.error is not None
    assert "not ready to be quick signed" in str(done.error)
    assert await _local_status(world, mtn) is Status.SCHEDULED


async def test_only_a_signer_of_the_site_whose_turn_it_is_may_sign(world: World) -> None:
    mtn = await _scheduled(world)
    with pytest.raises(Forbidden):
        await world.sign()(
            world.user(SiteRole.PREPARER, GEN), _signing(mtn, GEN, HandlerRole.GENERATOR)
        )
    with pytest.raises(NotFound):
        await world.sign()(
            world.user(SiteRole.SIGNER, TSDF), _signing(mtn, GEN, HandlerRole.GENERATOR)
        )
    with pytest.raises(SignatureRefused, match="waits for the generator"):
        await world.sign()(world.user(SiteRole.SIGNER, TSDF), _signing(mtn, TSDF, HandlerRole.TSDF))
    with pytest.raises(InvalidValue, match="transporterOrder"):
        await world.sign()(
            world.user(SiteRole.SIGNER, TRANS), _signing(mtn, TRANS, HandlerRole.TRANSPORTER)
        )
    future = world.clock.now() + timedelta(days=1)
    with pytest.raises(InvalidValue, match="future"):
        await world.sign()(
            world.user(SiteRole.SIGNER, GEN),
            _signing(mtn, GEN, HandlerRole.GENERATOR, printed_signature_date=future),
        )
    assert world.tasks.tasks == {}


async def test_the_signature_date_is_the_time_of_the_call(world: World) -> None:
    mtn = await _scheduled(world)
    called_at = world.clock.now()
    task = await world.sign()(
        world.user(SiteRole.SIGNER, GEN), _signing(mtn, GEN, HandlerRole.GENERATOR)
    )
    world.clock.advance(3600)  # the worker is late
    await world.drain()
    assert datetime.fromisoformat(task.payload["printedSignatureDate"]) == called_at
    generator = world.rcrainfo.manifests[mtn].generator
    assert generator is not None
    assert generator.electronic_signatures_info
    signed = generator.electronic_signatures_info[0].signature_date
    assert signed is not None
    assert signed.startswith(called_at.strftime("%Y-%m-%dT%H:%M"))


async def test_a_signature_whose_answer_was_lost_is_not_sent_twice(world: World) -> None:
    mtn = await _scheduled(world)
    world.rcrainfo.lose_sign_answers = 1
    task = await world.sign()(
        world.user(SiteRole.SIGNER, GEN), _signing(mtn, GEN, HandlerRole.GENERATOR)
    )
    done = await _finished(world, task)
    assert (done.status, done.attempts) == (TaskStatus.SUCCESS, 2)
    assert world.rcrainfo.count("quicker_sign") == 1
    assert done.result["alreadySigned"] == [mtn]
    generator = world.rcrainfo.manifests[mtn].generator
    assert generator is not None
    assert len(generator.electronic_signatures_info or ()) == 1


# --- site sync ------------------------------------------------------------------------------


def _remote_manifests(world: World, count: int, start: int = 1) -> list[str]:
    numbers = []
    for n in range(start, start + count):
        mtn = f"{200_000_000 + n:09d}ELC"
        world.rcrainfo.store(a_manifest(mtn=mtn, status="Pending"))
        numbers.append(mtn)
    return numbers


async def test_a_site_sync_stores_every_manifest_and_moves_the_mark(world: World) -> None:
    numbers = _remote_manifests(world, 25)
    world.clock.advance(60)
    task = await world.sync()(world.user(SiteRole.VIEWER), GEN)
    done = await _finished(world, task)
    assert done.status is TaskStatus.SUCCESS
    assert (done.result["manifests"], done.result["changed"]) == (25, 25)
    assert done.progress == {"total": 25, "done": 25}
    for mtn in numbers:
        stored = await world.manifests.by_mtn(mtn)
        assert stored is not None
        assert stored.owner_org_id == world.org_of[GEN].id
    assert world.site(GEN).last_manifest_sync == task.created_at


async def test_a_failed_sync_resumes_where_it_stopped_and_only_then_moves_the_mark(
    world: World,
) -> None:
    _remote_manifests(world, 25)
    world.clock.advance(60)
    task = await world.sync()(world.user(SiteRole.VIEWER), GEN)
    world.queue.sent.clear()
    # the 14th manifest fails: the 13 before it are stored and committed
    world.rcrainfo.failures["get_manifest"] = [None] * 13 + [transient()]  # type: ignore[list-item]
    original = world.rcrainfo._enter

    def enter(method: str, credentials: Any) -> None:
        if method == "get_manifest" and world.rcrainfo.failures["get_manifest"]:
            error = world.rcrainfo.failures["get_manifest"].pop(0)
            world.rcrainfo.calls.append(method)
            if error is not None:
                raise error
            return
        original(method, credentials)

    world.rcrainfo._enter = enter  # type: ignore[method-assign]
    outcome = await world.run(task.id)
    assert outcome.retry_in is not None
    stopped = await world.task(task.id)
    assert stopped.state["done"] == 13
    assert stopped.progress["done"] == 13
    assert world.site(GEN).last_manifest_sync is None
    world.clock.advance(outcome.retry_in)
    assert (await world.run(task.id)).retry_in is None
    assert world.rcrainfo.count("get_manifest") == 14 + 12
    assert world.rcrainfo.count("search_manifests") == 1
    assert world.site(GEN).last_manifest_sync == task.created_at


async def test_a_later_sync_asks_only_for_changes_and_keeps_unchanged_copies(
    world: World,
) -> None:
    _remote_manifests(world, 3)
    world.clock.advance(3600)
    viewer = world.user(SiteRole.VIEWER)
    await _finished(world, await world.sync()(viewer, GEN))
    versions = {m.mtn: m.version for m in world.manifests.manifests.values()}
    world.clock.advance(3600)
    _remote_manifests(world, 2, start=10)
    world.clock.advance(60)
    done = await _finished(world, await world.sync()(viewer, GEN))
    assert (done.result["manifests"], done.result["changed"]) == (2, 2)
    assert all(
        m.version == versions[m.mtn]
        for m in world.manifests.manifests.values()
        if m.mtn in versions
    )


async def test_syncing_needs_a_role_on_the_site(world: World) -> None:
    with pytest.raises(NotFound):
        await world.sync()(world.user(SiteRole.SIGNER, TSDF), GEN)


# --- profile sync ---------------------------------------------------------------------------


async def test_a_profile_sync_replaces_the_users_rcrainfo_permissions(world: World) -> None:
    user = world.user(None)
    world.rcra_user(user, "Jane")
    world.data.rcra_permissions[user.id] = [RcraSitePermission(epa_site_id="VAOLD0000001")]
    world.rcrainfo.users["Jane"] = RcrainfoUser(
        user_id="Jane",
        permissions=[
            RcraSitePermission(epa_site_id=GEN, emanifest="Certifier", site_management=True),
            RcraSitePermission(epa_site_id=TSDF, emanifest="Viewer"),
        ],
    )
    done = await _finished(world, await world.sync_profile()(user))
    assert done.status is TaskStatus.SUCCESS
    assert [p.epa_site_id for p in world.data.rcra_permissions[user.id]] == [GEN, TSDF]


async def test_a_profile_sync_needs_the_users_own_credentials_and_username(
    world: World,
) -> None:
    """Refused at once, as a failed task with the reason: a client that follows the task (the
    original Haztrak client) shows why."""
    user = world.user(None)
    with pytest.raises(RcrainfoNotConfigured, match="RCRAInfo profile"):
        await world.sync_profile()(user)
    refused = await world.sync_profile()(user, refusal_as_task=True)
    assert (refused.status, refused.attempts, refused.owner_id) == (
        TaskStatus.FAILURE,
        0,
        user.id,
    )
    assert refused.error is not None
    assert "RCRAInfo profile" in refused.error.detail
    assert refused.result == refused.error.detail
    assert await world.task(refused.id) == refused
    world.rcra_user(user, "Jane")
    world.data.profiles[user.id].rcra_username = None
    with pytest.raises(InvalidValue, match="rcraUsername"):
        await world.sync_profile()(user)
    refused = await world.sync_profile()(user, refusal_as_task=True)
    assert refused.status is TaskStatus.FAILURE
    assert refused.error is not None
    assert [p.field for p in refused.error.errors] == ["rcraUsername"]
    assert world.rcrainfo.count("search_users") == 0


# --- handlers -------------------------------------------------------------------------------


def _handler(epa_id: str, site_type: SiteType = SiteType.TRANSPORTER) -> RcraSite:
    return RcraSite(epa_site_id=epa_id, site_type=site_type, name=f"Handler {epa_id}")


async def test_a_site_search_runs_in_a_task_and_is_cached_for_a_day(world: World) -> None:
    world.rcrainfo.sites |= {e: _handler(e) for e in ("VAT000000001", "VAT000000002")}
    user = world.user(SiteRole.VIEWER)
    with pytest.raises(TaskStillRunning) as running:
        await world.search()(user, "vat", SiteType.TRANSPORTER)
    await world.drain()
    done = await world.task(running.value.task_id)
    assert [s["epaSiteId"] for s in done.result] == ["VAT000000001", "VAT000000002"]
    found = await world.search()(user, "VAT", SiteType.TRANSPORTER)
    assert [s.epa_site_id for s in found] == ["VAT000000001", "VAT000000002"]
    assert world.rcrainfo.count("search_sites") == 1
    assert await world.handlers.get("VAT000000001") is not None  # kept locally too
    with pytest.raises(InvalidValue, match="siteId"):
        await world.search()(user, "V", None)


async def test_a_handler_comes_from_here_or_from_rcrainfo_and_a_miss_is_remembered(
    world: World,
) -> None:
    user = world.user(SiteRole.VIEWER)
    await world.handlers.upsert(_handler("VALOCAL00001"))
    assert (await world.get_site()(user, "VALOCAL00001")).name == "Handler VALOCAL00001"
    world.rcrainfo.sites["VAREMOTE0001"] = _handler("VAREMOTE0001")
    with pytest.raises(TaskStillRunning):
        await world.get_site()(user, "VAREMOTE0001")
    await world.drain()
    assert (await world.get_site()(user, "VAREMOTE0001")).name == "Handler VAREMOTE0001"
    with pytest.raises(TaskStillRunning):
        await world.get_site()(user, "VANOWHERE001")
    await world.drain()
    with pytest.raises(NotFound):
        await world.get_site()(user, "VANOWHERE001")
    assert world.rcrainfo.count("get_site") == 2
    with pytest.raises(InvalidValue):
        await world.get_site()(user, "not an id")


async def test_handler_lookups_use_the_users_own_credentials_without_an_org(
    world: World,
) -> None:
    loner = world.user(None)
    with pytest.raises(RcrainfoNotConfigured):
        await world.get_site()(loner, "VAREMOTE0001")
    world.rcra_user(loner)
    world.rcrainfo.sites["VAREMOTE0001"] = _handler("VAREMOTE0001")
    with pytest.raises(TaskStillRunning):
        await world.get_site()(loner, "VAREMOTE0001")
    await world.drain()
    assert await world.handlers.get("VAREMOTE0001") is not None


# --- scheduled work -------------------------------------------------------------------------


async def test_the_scheduler_syncs_every_site_with_working_credentials_once(
    world: World,
) -> None:
    world.data.orgs[world.org_of[TSDF].id].rcrainfo_credentials_failing = True
    started = await world.schedule_syncs()()
    assert sorted(t.subject or "" for t in started) == [TRANS, GEN]
    assert all(t.owner_id is None for t in started)
    assert await world.schedule_syncs()() == []  # the earlier ones have not run yet
    await world.drain()
    assert len(await world.schedule_syncs()()) == 2


async def test_lookups_are_refreshed_into_the_tables_and_the_cache(world: World) -> None:
    world.rcrainfo.lookups[Lookup.FEDERAL_WASTE_CODES] = [
        CodeDescription(code="D001", description="Ignitable"),
        CodeDescription(code="X999", description="New in RCRAInfo"),
    ]
    world.rcrainfo.state_codes["VA"] = [CodeDescription(code="VA01", description="Virginia")]
    task = await world.schedule_lookups()()
    assert task is not None
    done = await _finished(world, task)
    assert done.status is TaskStatus.SUCCESS
    assert world.writer.federal == {"D001": "Ignitable", "X999": "New in RCRAInfo"}
    assert world.writer.state == {("VA", "VA01"): "Virginia"}
    assert await world.cache.get("rcrainfo:lookup:federal-waste-codes") is not None
    assert done.result["lists"]["state-waste-codes/VA"] == 1


async def test_a_pull_that_clashes_with_another_write_is_retried(world: World) -> None:
    _remote_manifests(world, 2)
    world.clock.advance(60)
    add = world.manifests.add
    clashes = [Conflict("another task stored it first")]

    async def clashing(*args: Any, **kwargs: Any) -> Any:
        if clashes:
            raise clashes.pop()
        return await add(*args, **kwargs)

    world.manifests.add = clashing  # type: ignore[method-assign]
    done = await _finished(world, await world.sync()(world.user(SiteRole.VIEWER), GEN))
    assert (done.status, done.attempts) == (TaskStatus.SUCCESS, 2)
    assert done.result["manifests"] == 2
