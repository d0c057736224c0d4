"""Whatever RCRAInfo answers, no local manifest is merged with another or replaced by an older
or unrelated copy (issue 11, section 1): on fakes, submit, Quicker Sign and site sync."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import msgspec
import pytest

from haztrak.application.ports.manifests import StoredManifest
from haztrak.application.rcrainfo.copies import AUDIT_ACTION
from haztrak.domain.identity import SiteRole
from haztrak.domain.manifest import HandlerRole, Manifest, Status
from haztrak.domain.tasks import Task, TaskStatus
from tests.manifest_documents import a_manifest, encoded
from tests.unit.application.task_world import GEN, World
from tests.unit.application.test_rcrainfo_use_cases import _signing

SIGNED_MTN = "100000001ELC"  # the first number the fake RCRAInfo issues


@pytest.fixture
def world() -> World:
    return World()


async def _draft(world: World) -> StoredManifest:
    number = await world.manifests.next_draft_number()
    now = world.clock.now()
    stored = StoredManifest(
        id=uuid.uuid4(),
        manifest=a_manifest(mtn=f"{number:09d}DFT"),
        version=1,
        created_at=now,
        updated_at=now,
        owner_org_id=world.org_of[GEN].id,
        owner_site=GEN,
    )
    await world.manifests.add(stored)
    return await _kept(world, stored.mtn)


async def _submit(world: World, draft: StoredManifest) -> Task:
    document = msgspec.to_builtins(draft.manifest)
    document["status"] = "Scheduled"
    task = await world.submit()(world.user(SiteRole.PREPARER), encoded(document))
    await world.drain()
    return await world.task(task.id)


async def _kept(world: World, mtn: str) -> StoredManifest:
    stored = await world.manifests.by_mtn(mtn)
    assert stored is not None
    return stored


def _forget_everything(world: World) -> None:
    """RCRAInfo starts over, as the embedded sandbox did at a restart: it forgets its
    manifests and issues its numbers again from the first."""
    world.rcrainfo.manifests.clear()
    world.rcrainfo._numbers = itertools.count(100_000_001)


def _refusals(world: World) -> list[Any]:
    return [entry for entry in world.data.audit if entry.action == AUDIT_ACTION]


async def test_a_number_issued_again_fails_the_submit_and_keeps_both_manifests(
    world: World,
) -> None:
    """The story of the issue: submit and sign, RCRAInfo starts over, submit another."""
    first = await _submit(world, await _draft(world))
    assert first.status is TaskStatus.SUCCESS, first.error
    assert first.result["manifestTrackingNumber"] == SIGNED_MTN
    signer = world.user(SiteRole.SIGNER, GEN)
    signing = await world.sign()(signer, _signing(SIGNED_MTN, GEN, HandlerRole.GENERATOR))
    await world.drain()
    assert (await world.task(signing.id)).status is TaskStatus.SUCCESS
    signed = await _kept(world, SIGNED_MTN)
    assert signed.manifest.generator is not None
    assert signed.manifest.generator.signed

    _forget_everything(world)
    second_draft = await _draft(world)
    world.clock.advance(3600)
    second = await _submit(world, second_draft)

    assert (second.status, second.attempts) == (TaskStatus.FAILURE, 1)
    assert second.error is not None
    assert second.error.kind == "conflict"
    assert SIGNED_MTN in second.error.detail
    assert "already belongs to another manifest" in second.error.detail
    assert f"draft {second_draft.mtn} is still a draft" in second.error.detail
    assert await _kept(world, SIGNED_MTN) == signed  # not a byte changed
    assert await _kept(world, second_draft.mtn) == second_draft
    (refusal,) = _refusals(world)
    assert (refusal.object_type, refusal.object_id) == ("manifest", SIGNED_MTN)
    assert refusal.actor.startswith("user-")
    assert refusal.actor_id == (await world.task(second.id)).owner_id
    assert refusal.detail["task"] == str(second.id)
    assert refusal.detail["draft"] == second_draft.mtn
    assert refusal.detail["keptStatus"] == signed.manifest.current_status().value
    assert refusal.detail["rcrainfoStatus"] == "Scheduled"


def _pending(mtn: str, *, created: str, updated: str) -> Manifest:
    return msgspec.structs.replace(
        a_manifest(mtn=mtn, status="Pending"), created_date=created, updated_date=updated
    )


async def _kept_here(world: World, manifest: Manifest) -> StoredManifest:
    now = world.clock.now()
    stored = StoredManifest(
        id=uuid.uuid4(),
        manifest=manifest,
        version=1,
        created_at=now,
        updated_at=now,
        owner_org_id=world.org_of[GEN].id,
    )
    await world.manifests.add(stored)
    return await _kept(world, stored.mtn)


@pytest.mark.parametrize(
    ("remote_created", "remote_updated", "reason"),
    [
        ("2026-06-01T00:00:00.000+0000", "2026-06-01T06:00:00.000+0000", "older version"),
        ("2026-06-03T00:00:00.000+0000", "2026-06-03T00:00:00.000+0000", "different manifests"),
    ],
)
async def test_a_sync_never_replaces_a_manifest_with_an_older_or_unrelated_copy(
    world: World, remote_created: str, remote_updated: str, reason: str
) -> None:
    local = await _kept_here(
        world,
        _pending(
            "200000001ELC",
            created="2026-06-01T00:00:00.000+0000",
            updated="2026-06-02T00:00:00.000+0000",
        ),
    )
    world.rcrainfo.store(_pending("200000001ELC", created=remote_created, updated=remote_updated))
    fresh = _pending(
        "200000002ELC", created="2026-06-01T00:00:00.000+0000", updated="2026-06-01T00:00:00+00:00"
    )
    world.rcrainfo.store(fresh)
    world.clock.advance(60)
    task = await world.sync()(world.user(SiteRole.VIEWER), GEN)
    await world.drain()
    done = await world.task(task.id)

    assert (done.status, done.attempts) == (TaskStatus.FAILURE, 1)
    assert done.error is not None
    assert "200000001ELC" in done.error.detail
    assert reason in done.error.detail
    assert await _kept(world, "200000001ELC") == local
    assert (await _kept(world, "200000002ELC")).manifest == fresh.with_signed_flags()
    assert world.site(GEN).last_manifest_sync == task.created_at  # reported once, not forever
    (refusal,) = _refusals(world)
    assert refusal.object_id == "200000001ELC"
    assert reason in refusal.detail["reason"]
    assert refusal.detail["rcrainfoUpdatedDate"] == remote_updated


async def test_a_sync_takes_a_newer_copy_of_the_same_manifest(world: World) -> None:
    await _kept_here(
        world,
        _pending(
            "200000001ELC",
            created="2026-06-01T00:00:00.000+0000",
            updated="2026-06-02T00:00:00.000+0000",
        ),
    )
    newer = msgspec.structs.replace(
        _pending(
            "200000001ELC",
            created="2026-06-01T00:00:00.000+0000",
            updated="2026-06-02T00:00:01.000+0000",
        ),
        status=Status.SCHEDULED,
    )
    world.rcrainfo.store(newer)
    world.clock.advance(60)
    task = await world.sync()(world.user(SiteRole.VIEWER), GEN)
    await world.drain()
    assert (await world.task(task.id)).status is TaskStatus.SUCCESS
    kept = await _kept(world, "200000001ELC")
    assert (kept.version, kept.manifest.current_status()) == (2, Status.SCHEDULED)
    assert _refusals(world) == []


async def test_a_signature_that_brings_back_an_older_copy_keeps_the_local_one(
    world: World,
) -> None:
    scheduled = msgspec.structs.replace(
        a_manifest(mtn="100000042ELC", status="Scheduled"),
        created_date="2026-06-01T00:00:00.000+0000",
        updated_date="2026-06-01T00:00:00.000+0000",
    )
    world.rcrainfo.store(scheduled)
    local = await _kept_here(
        world, msgspec.structs.replace(scheduled, updated_date="2026-06-05T00:00:00.000+0000")
    )
    signer = world.user(SiteRole.SIGNER, GEN)
    task = await world.sign()(signer, _signing("100000042ELC", GEN, HandlerRole.GENERATOR))
    await world.drain()
    done = await world.task(task.id)
    assert done.status is TaskStatus.FAILURE
    assert done.error is not None
    assert "older version" in done.error.detail
    assert await _kept(world, "100000042ELC") == local
    assert [entry.object_id for entry in _refusals(world)] == ["100000042ELC"]
