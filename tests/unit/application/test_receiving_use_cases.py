"""Receiving on fakes (issue 13): RecordReceipt checks who and when, then the submit task sends
the receipt to e-Manifest as an update; StartRejectedWasteManifest makes the facility's draft;
GetManifestLinks reads the links both ways among what the user may see."""

from __future__ import annotations

import uuid

import msgspec
import pytest

from haztrak.application.ports.manifests import StoredManifest
from haztrak.application.rcrainfo.receiving import (
    GetManifestLinks,
    LinkedManifest,
    RecordReceipt,
    StartRejectedWasteManifest,
)
from haztrak.domain.errors import Forbidden, NotFound
from haztrak.domain.identity import SiteRole
from haztrak.domain.manifest import (
    HandlerRole,
    Manifest,
    ManifestShapeError,
    OperationNotAllowed,
    QuickerSignature,
    Status,
    apply_quicker_signature,
)
from haztrak.domain.manifest.receiving import Receipt
from haztrak.domain.tasks import TaskName, TaskStatus
from tests.manifest_documents import a_manifest
from tests.unit.application.task_world import GEN, TRANS, TSDF, World


@pytest.fixture
def world() -> World:
    return World()


def record(world: World) -> RecordReceipt:
    return RecordReceipt(
        world.memberships,
        world.manifests,
        world.accounts(),
        world.tasks,
        world.launcher(),
        world.auditor,
        world.uow,
    )


def start(world: World) -> StartRejectedWasteManifest:
    return StartRejectedWasteManifest(
        world.memberships, world.manifests, world.sites, world.clock, world.auditor, world.uow
    )


def _signed(manifest: Manifest, *turns: tuple[HandlerRole, str, int | None], at: World) -> Manifest:
    now = at.clock.now()
    for role, site, order in turns:
        manifest = apply_quicker_signature(
            manifest,
            QuickerSignature(
                site_id=site, site_type=role, transporter_order=order, printed_name="Pat",
                signed_at=now,
            ),
            now=now,
        )  # fmt: skip
    return manifest


async def arrived(world: World, mtn: str = "100000031ELC") -> Manifest:
    """In e-Manifest and here, signed by the generator and the one transporter."""
    manifest = _signed(
        a_manifest(mtn=mtn, status="Scheduled", transporters=(TRANS,)),
        (HandlerRole.GENERATOR, GEN, None),
        (HandlerRole.TRANSPORTER, TRANS, 1),
        at=world,
    )
    world.rcrainfo.store(manifest)
    now = world.clock.now()
    await world.manifests.add(
        StoredManifest(
            id=uuid.uuid4(), manifest=manifest.with_signed_flags(), version=1, created_at=now,
            updated_at=now, owner_org_id=world.org_of[GEN].id,
        )
    )  # fmt: skip
    return manifest


PARTIAL = msgspec.convert(
    {
        "wastes": [
            {"lineNumber": 1, "discrepancyResidueInfo": {"residue": True, "residueComments": "x"}}
        ],
        "rejection": True,
        "rejectionInfo": {
            "transporterOnSite": False,
            "rejectionType": "PartialReject",
            "rejectionComments": "leaking drums",
        },
    },
    Receipt,
)


async def test_the_receipt_is_sent_as_an_update_and_the_local_copy_follows(world: World) -> None:
    await arrived(world)
    receiver = world.user(SiteRole.PREPARER, site=TSDF)

    task = await record(world)(receiver, "100000031ELC", PARTIAL)

    assert task.name is TaskName.SUBMIT_MANIFEST
    assert task.payload["update"] is True
    assert task.payload["siteId"] == TSDF
    assert [e.action for e in world.data.audit] == ["record_receipt"]
    await world.drain()
    assert (await world.task(task.id)).status is TaskStatus.SUCCESS
    local = await world.manifests.by_mtn("100000031ELC")
    assert local is not None
    assert (local.manifest.rejection, local.manifest.residue) == (True, True)
    assert local.manifest.status is Status.READY_FOR_SIGNATURE


async def test_only_the_facilitys_preparers_receive_and_only_before_it_signs(
    world: World,
) -> None:
    manifest = await arrived(world)
    with pytest.raises(Forbidden):
        await record(world)(world.user(SiteRole.SIGNER, site=GEN), "100000031ELC", PARTIAL)
    with pytest.raises(Forbidden):
        await record(world)(world.user(SiteRole.VIEWER, site=TSDF), "100000031ELC", PARTIAL)
    with pytest.raises(NotFound):
        await record(world)(world.user(SiteRole.PREPARER, site=TSDF), "100000099ELC", PARTIAL)
    receiver = world.user(SiteRole.PREPARER, site=TSDF)
    wrong = msgspec.convert({"rejection": True, "rejectionInfo": {}}, Receipt)
    with pytest.raises(ManifestShapeError):
        await record(world)(receiver, "100000031ELC", wrong)
    stored = await world.manifests.by_mtn("100000031ELC")
    assert stored is not None
    signed = _signed(manifest, (HandlerRole.TSDF, TSDF, None), at=world)
    await world.manifests.update(
        msgspec.structs.replace(stored, manifest=signed.with_signed_flags()),
        expected_version=stored.version,
    )
    with pytest.raises(OperationNotAllowed):
        await record(world)(receiver, "100000031ELC", PARTIAL)


async def test_the_new_manifest_is_the_facilitys_draft_and_links_both_ways(world: World) -> None:
    await arrived(world)
    receiver = world.user(SiteRole.PREPARER, site=TSDF)
    await record(world)(receiver, "100000031ELC", PARTIAL)
    await world.drain()

    saved = await start(world)(receiver, "100000031ELC")

    draft = saved.stored
    assert draft.owner_site == TSDF
    assert draft.manifest.is_draft()
    assert draft.manifest.contains_previous_reject_or_residue is True
    assert any(p.field == "transporters" for p in saved.warnings)
    links = GetManifestLinks(world.manifests, world.memberships)
    assert (await links(receiver, "100000031ELC")).carried_on == [
        LinkedManifest(mtn=draft.mtn, status=Status.NOT_ASSIGNED)
    ]
    back = await links(receiver, draft.mtn)
    assert back.originals == [LinkedManifest(mtn="100000031ELC", status=Status.READY_FOR_SIGNATURE)]
    generator = world.user(SiteRole.SIGNER, site=GEN)
    assert (await links(generator, "100000031ELC")).carried_on == []
    with pytest.raises(Forbidden):
        await start(world)(generator, "100000031ELC")
    again = await start(world)(receiver, "100000031ELC")  # clicked twice: the same draft
    assert again.stored.id == draft.id
    assert (await links(receiver, "100000031ELC")).carried_on == [
        LinkedManifest(mtn=draft.mtn, status=Status.NOT_ASSIGNED)
    ]
