"""One Quicker Sign for several manifests: the task's result says which were signed and, for
the others, e-Manifest's reasons; none signed fails the task with each manifest's reason."""

from __future__ import annotations

import pytest

from haztrak.application.rcrainfo.manifests import QuickSign
from haztrak.domain.errors import Conflict, NotFound
from haztrak.domain.identity import SiteRole
from haztrak.domain.manifest import HandlerRole
from haztrak.domain.tasks import TaskStatus
from tests.manifest_documents import a_manifest
from tests.unit.application.task_world import GEN, World

MTNS = ("100000041ELC", "100000042ELC", "100000043ELC")


@pytest.fixture
async def world() -> World:
    world = World()
    for mtn in MTNS:
        manifest = a_manifest(mtn=mtn, status="Scheduled")
        world.rcrainfo.store(manifest)
        await world.manifests.upsert_by_mtn(
            manifest, owner_org_id=world.org_of[GEN].id, at=world.clock.now()
        )
    return world


def signing(*mtns: str) -> QuickSign:
    return QuickSign(
        manifest_tracking_numbers=mtns,
        site_id=GEN,
        site_type=HandlerRole.GENERATOR,
        printed_signature_name="Pat Signer",
    )


async def test_the_result_lists_signed_and_not_signed_with_reasons(world: World) -> None:
    world.rcrainfo.refuse_signatures[MTNS[1]] = "Manifest is not ready to be quick signed"
    task = await world.sign()(world.user(SiteRole.SIGNER), signing(*MTNS))
    await world.drain()
    done = await world.task(task.id)
    assert done.status is TaskStatus.SUCCESS, done.error
    assert done.result["signed"] == [MTNS[0], MTNS[2]]
    assert done.result["notSigned"] == [
        {
            "manifestTrackingNumber": MTNS[1],
            "reasons": ["Manifest is not ready to be quick signed"],
        }
    ]
    assert [r["signed"] for r in done.result["manifestReports"]] == [True, False, True]


async def test_none_signed_fails_with_each_manifests_reason(world: World) -> None:
    for mtn in MTNS[:2]:
        world.rcrainfo.refuse_signatures[mtn] = f"{mtn} is locked"
    task = await world.sign()(world.user(SiteRole.SIGNER), signing(*MTNS[:2]))
    await world.drain()
    done = await world.task(task.id)
    assert done.status is TaskStatus.FAILURE
    assert done.error is not None
    assert [(e.value, e.message) for e in done.error.errors] == [
        (MTNS[0], f"{MTNS[0]} is locked"),
        (MTNS[1], f"{MTNS[1]} is locked"),
    ]


async def test_a_manifest_out_of_turn_is_not_sent_and_reported_with_the_others(
    world: World,
) -> None:
    signer = world.user(SiteRole.SIGNER)
    first = await world.sign()(signer, signing(MTNS[0]))  # the transporter's turn next
    await world.drain()
    assert (await world.task(first.id)).status is TaskStatus.SUCCESS
    task = await world.sign()(signer, signing(*MTNS))
    assert task.payload["manifestTrackingNumbers"] == list(MTNS[1:])
    await world.drain()
    done = await world.task(task.id)
    assert done.status is TaskStatus.SUCCESS, done.error
    assert done.result["signed"] == list(MTNS[1:])
    [refused] = done.result["notSigned"]
    assert refused["manifestTrackingNumber"] == MTNS[0]
    assert "waits for the transporter" in refused["reasons"][0]
    assert world.rcrainfo.signatures[-1].manifest_tracking_numbers == MTNS[1:]


async def test_none_in_turn_refuses_the_request_naming_each(world: World) -> None:
    signer = world.user(SiteRole.SIGNER)
    await world.sign()(signer, signing(*MTNS[:2]))
    await world.drain()
    with pytest.raises(Conflict, match=f"{MTNS[0]}: .*; {MTNS[1]}: "):
        await world.sign()(signer, signing(*MTNS[:2]))
    with pytest.raises(NotFound):
        await world.sign()(signer, signing("999999999ELC", "999999998ELC"))
