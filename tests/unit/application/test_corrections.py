"""Corrections through the use cases, on in-memory fakes: open, change, sign and revert a
correction in tasks; the version history and each version's content; locks make the work wait."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from haztrak.application.rcrainfo.accounts import RcrainfoAccounts
from haztrak.application.rcrainfo.corrections import (
    CorrectInEmanifest,
    CorrectionSignature,
    CorrectManifest,
    GetManifestVersion,
    ListManifestVersions,
    PullManifestVersions,
    RefreshManifestVersions,
    RevertCorrection,
    RevertInEmanifest,
    SignCorrection,
    SignCorrectionInEmanifest,
)
from haztrak.application.tasks.run import TaskHandler
from haztrak.domain.errors import Conflict, Forbidden, InvalidValue, NotFound
from haztrak.domain.identity import SiteRole
from haztrak.domain.manifest import (
    ElectronicSignature,
    HandlerRole,
    LockReason,
    Manifest,
    OperationNotAllowed,
    Status,
)
from haztrak.domain.manifest.corrections import VersionStatus
from haztrak.domain.tasks import Task, TaskName, TaskStatus
from tests.fakes_versions import MemoryManifestVersionRepository
from tests.manifest_documents import a_manifest
from tests.unit.application.task_world import GEN, TRANS, TSDF, World

MTN = "100000042ELC"


class CorrectionWorld(World):
    def __init__(self) -> None:
        super().__init__()
        self.versions = MemoryManifestVersionRepository()

    def handler(self, name: TaskName, accounts: RcrainfoAccounts) -> TaskHandler:
        work: dict[TaskName, Any] = {
            TaskName.CORRECT_MANIFEST: CorrectInEmanifest,
            TaskName.REVERT_CORRECTION: RevertInEmanifest,
            TaskName.SIGN_CORRECTION: SignCorrectionInEmanifest,
            TaskName.PULL_MANIFEST_VERSIONS: PullManifestVersions,
        }
        if name in work:
            handler: TaskHandler = work[name](
                self.rcrainfo, accounts, self.copies(), self.versions, self.clock
            )
            return handler
        return super().handler(name, accounts)

    def _requests(self, kind: type[Any]) -> Any:
        return kind(
            self.memberships,
            self.manifests,
            self.accounts(),
            self.tasks,
            self.launcher(),
            self.auditor,
            self.uow,
        )

    def correct(self) -> CorrectManifest:
        return self._requests(CorrectManifest)  # type: ignore[no-any-return]

    def revert(self) -> RevertCorrection:
        return self._requests(RevertCorrection)  # type: ignore[no-any-return]

    def sign_correction(self) -> SignCorrection:
        return SignCorrection(
            self.memberships,
            self.manifests,
            self.accounts(),
            self.tasks,
            self.launcher(),
            self.auditor,
            self.clock,
            self.uow,
        )

    def refresh(self) -> RefreshManifestVersions:
        return RefreshManifestVersions(
            self.memberships, self.manifests, self.accounts(), self.tasks, self.launcher()
        )

    def list_versions(self) -> ListManifestVersions:
        return ListManifestVersions(self.memberships, self.manifests, self.versions)

    def get_version(self) -> GetManifestVersion:
        return GetManifestVersion(self.memberships, self.manifests, self.versions)


@pytest.fixture
def world() -> CorrectionWorld:
    return CorrectionWorld()


async def _signed(world: World, **changes: Any) -> Manifest:
    manifest = a_manifest(mtn=MTN, status="Signed")
    tsdf = msgspec.structs.replace(
        manifest.designated_facility,  # type: ignore[arg-type]
        electronic_signatures_info=[
            ElectronicSignature(signature_date="2026-01-12T12:00:00.000+0000")
        ],
    )
    manifest = msgspec.structs.replace(
        manifest,
        designated_facility=tsdf,
        created_date="2026-01-10T10:00:00.000+0000",
        updated_date="2026-01-12T12:00:00.000+0000",
        **changes,
    )
    world.rcrainfo.store(manifest)
    await world.manifests.upsert_by_mtn(
        manifest, owner_org_id=world.org_of[TSDF].id, at=world.clock.now()
    )
    return manifest


def _edited(manifest: Manifest, name: str = "Corrected TSDF Name") -> bytes:
    document = msgspec.to_builtins(manifest)
    document["designatedFacility"]["name"] = name
    return msgspec.json.encode(document)


async def _finished(world: World, task: Task) -> Task:
    await world.drain()
    return await world.task(task.id)


async def _local(world: World) -> Manifest:
    stored = await world.manifests.by_mtn(MTN)
    assert stored is not None
    return stored.manifest


async def test_a_correction_opens_a_version_under_correction_with_its_history(
    world: CorrectionWorld,
) -> None:
    manifest = await _signed(world)
    signer = world.user(SiteRole.SIGNER, TSDF)
    task = await world.correct()(signer, MTN, _edited(manifest))
    assert task.name is TaskName.CORRECT_MANIFEST
    assert task.subject == MTN
    assert world.data.audit[-1].action == "correct_manifest"
    done = await _finished(world, task)
    assert done.status is TaskStatus.SUCCESS, done.error
    assert done.result["operationStatus"] == "CorrectionCreated"
    assert done.result["status"] == "UnderCorrection"
    assert done.result["activeVersion"] == 2
    sent = world.rcrainfo.corrections[-1]
    assert sent.status is Status.SIGNED
    assert sent.designated_facility is not None
    assert sent.designated_facility.name == "Corrected TSDF Name"
    assert sent.created_date is None  # e-Manifest sets it
    local = await _local(world)
    assert local.current_status() is Status.UNDER_CORRECTION
    listed = await world.list_versions()(signer, MTN)
    history = listed.history
    assert [(v.version_number, v.status, v.active) for v in history.versions] == [
        (2, VersionStatus.UNDER_CORRECTION, True),
        (1, VersionStatus.SIGNED, False),
    ]
    assert listed.contents == {1, 2}
    assert listed.pulled_at == world.clock.now()
    first = await world.get_version()(signer, MTN, 1)
    assert first.designated_facility is not None
    assert first.designated_facility.name != "Corrected TSDF Name"
    with pytest.raises(NotFound):
        await world.get_version()(signer, MTN, 7)

    # Changing it again changes the same version.
    again = await world.correct()(signer, MTN, _edited(local, "Second Try"))
    done = await _finished(world, again)
    assert done.result["operationStatus"] == "CorrectionUpdated"
    history = (await world.list_versions()(signer, MTN)).history
    assert [v.version_number for v in history.versions] == [2, 1]
    second = await world.get_version()(signer, MTN, 2)
    assert second.designated_facility.name == "Second Try"  # type: ignore[union-attr]


async def test_a_correction_is_signed_by_a_party_in_its_role_and_becomes_corrected(
    world: CorrectionWorld,
) -> None:
    manifest = await _signed(world)
    tsdf_signer = world.user(SiteRole.SIGNER, TSDF)
    await _finished(world, await world.correct()(tsdf_signer, MTN, _edited(manifest)))
    transporter = world.user(SiteRole.SIGNER, TRANS)
    task = await world.sign_correction()(
        transporter, MTN, CorrectionSignature(site_id=TRANS, printed_signature_name="Tom Carrier")
    )
    done = await _finished(world, task)
    assert done.status is TaskStatus.SUCCESS, done.error
    assert done.result["status"] == "Corrected"
    signature = world.rcrainfo.signatures[-1]
    assert (signature.site_id, signature.site_type, signature.transporter_order) == (
        TRANS,
        HandlerRole.TRANSPORTER,
        1,
    )
    assert (await _local(world)).current_status() is Status.CORRECTED
    history = (await world.list_versions()(transporter, MTN)).history
    assert history.active is not None
    assert history.active.status is VersionStatus.CORRECTED
    assert history.active.epa_site_id == TRANS
    # A Corrected manifest is corrected again: a third version.
    again = await world.correct()(tsdf_signer, MTN, _edited(await _local(world), "Third"))
    assert (await _finished(world, again)).result["activeVersion"] == 3


async def test_a_revert_drops_the_version_under_correction(world: CorrectionWorld) -> None:
    manifest = await _signed(world)
    signer = world.user(SiteRole.SIGNER, GEN)
    await _finished(world, await world.correct()(signer, MTN, _edited(manifest)))
    task = await world.revert()(signer, MTN)
    done = await _finished(world, task)
    assert done.status is TaskStatus.SUCCESS, done.error
    assert done.result["operationStatus"] == "Reverted"
    assert done.result["currentVersionNumber"] == 1
    assert (await _local(world)).current_status() is Status.SIGNED
    history = (await world.list_versions()(signer, MTN)).history
    assert [(v.version_number, v.active) for v in history.versions] == [(1, True)]
    with pytest.raises(OperationNotAllowed, match="no version of the manifest is under"):
        await world.revert()(signer, MTN)


async def test_correcting_takes_the_signer_role_on_a_site_of_the_manifest(
    world: CorrectionWorld,
) -> None:
    manifest = await _signed(world)
    with pytest.raises(Forbidden):
        await world.correct()(world.user(SiteRole.PREPARER, TSDF), MTN, _edited(manifest))
    with pytest.raises(NotFound):
        await world.correct()(world.user(None), MTN, _edited(manifest))
    with pytest.raises(OperationNotAllowed, match="no version"):
        await world.sign_correction()(
            world.user(SiteRole.SIGNER, TSDF),
            MTN,
            CorrectionSignature(site_id=TSDF, printed_signature_name="Tess Dee"),
        )
    with pytest.raises(InvalidValue) as refused:
        await world.sign_correction()(
            world.user(SiteRole.SIGNER, TSDF),
            MTN,
            CorrectionSignature(site_id=TSDF, printed_signature_name=" "),
        )
    assert refused.value.field == "printedSignatureName"
    assert world.queue.sent == []


async def test_one_correction_task_at_a_time_per_manifest(world: CorrectionWorld) -> None:
    manifest = await _signed(world)
    signer = world.user(SiteRole.SIGNER, TSDF)
    first = await world.correct()(signer, MTN, _edited(manifest))
    assert (await world.correct()(signer, MTN, _edited(manifest))).id == first.id
    other = world.user(SiteRole.SIGNER, GEN)
    with pytest.raises(Conflict, match="correction task under way"):
        await world.correct()(other, MTN, _edited(manifest))


async def test_a_manifest_locked_in_e_manifest_waits_and_says_why(world: CorrectionWorld) -> None:
    manifest = await _signed(world)
    signer = world.user(SiteRole.SIGNER, TSDF)
    task = await world.correct()(signer, MTN, _edited(manifest))
    world.rcrainfo.store(
        msgspec.structs.replace(manifest, locked=True, lock_reason=LockReason.ASYNC_SIGN)
    )
    task_id, _ = world.queue.sent.pop(0)
    outcome = await world.run(task_id)
    assert outcome.retry_in is not None
    waiting = await world.task(task_id)
    assert waiting.status is TaskStatus.PENDING
    assert waiting.error is not None
    assert "signing queue" in waiting.error.detail
    assert "signing queue" in waiting.progress["waiting"]
    assert world.rcrainfo.count("correct_manifest") == 0  # nothing sent while locked
    world.rcrainfo.store(manifest)  # e-Manifest let go of it
    world.queue.sent.append((task_id, outcome.retry_in))
    done = await _finished(world, task)
    assert done.status is TaskStatus.SUCCESS, done.error
    assert world.rcrainfo.count("correct_manifest") == 1


async def test_a_locked_local_copy_is_refused_at_once_with_the_reason(
    world: CorrectionWorld,
) -> None:
    manifest = await _signed(world, locked=True, lock_reason=LockReason.EPA_CHANGE_BILLER)
    with pytest.raises(OperationNotAllowed, match="billed"):
        await world.correct()(world.user(SiteRole.SIGNER, TSDF), MTN, _edited(manifest))


async def test_the_history_of_a_manifest_corrected_elsewhere_is_pulled_on_request(
    world: CorrectionWorld,
) -> None:
    await _signed(world)
    viewer = world.user(SiteRole.VIEWER, GEN)
    assert (await world.list_versions()(viewer, MTN)).history.versions == ()
    task = await world.refresh()(viewer, MTN)
    done = await _finished(world, task)
    assert done.status is TaskStatus.SUCCESS, done.error
    listed = await world.list_versions()(viewer, MTN)
    assert [v.version_number for v in listed.history.versions] == [1]
    assert listed.contents == {1}
    with pytest.raises(NotFound):
        await world.refresh()(world.user(None), MTN)


async def test_submitting_a_manifest_its_facility_signed_corrects_it(
    world: CorrectionWorld,
) -> None:
    manifest = await _signed(world)
    signer = world.user(SiteRole.SIGNER, TSDF)
    task = await world.submit()(signer, _edited(manifest))
    assert task.name is TaskName.CORRECT_MANIFEST
    done = await _finished(world, task)
    assert done.status is TaskStatus.SUCCESS, done.error
    assert done.result["operationStatus"] == "CorrectionCreated"
    assert world.rcrainfo.count("update_manifest") == 0
