"""Corrections through e-Manifest (issue 13 §2), with EPA's real client over HTTPS against the
sandbox: correct opens a version UnderCorrection and changes it, a signature makes it Corrected,
revert drops it; the correction details list every version and any version can be read; a
lock refuses correct and revert with its code. The client's own `correct_manifest` sends no
Content-Type, so its body cannot be read (NOTES §1.5): the adapter sends its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from emanifest import RcrainfoClient

from haztrak.adapters.rcrainfo import EmanifestRcrainfo
from haztrak.application.ports.rcrainfo import RcrainfoError, RcrainfoErrorKind
from haztrak.domain.manifest import HandlerRole, Manifest, Status, manifest_from_document
from haztrak.domain.manifest.corrections import VersionStatus
from haztrak.entrypoints.sandbox import SandboxServer
from haztrak.entrypoints.sandbox.seed import EXAMPLE_USER_CREDENTIALS
from tests.integration.rcrainfo.conftest import Target, credentials
from tests.integration.rcrainfo.test_contract import save_example, scenario_parties, signature
from tests.integration.sandbox.support import Control

SCENARIO = "Scenario-1-emanifest-save-valid-Full-Electronic-example.json"
CREDENTIALS = credentials(EXAMPLE_USER_CREDENTIALS)


@pytest.fixture
def target(sandbox_endpoint: Any) -> Target:
    return Target(name="sandbox", endpoint=sandbox_endpoint, credentials=CREDENTIALS)


async def signed(
    adapter: EmanifestRcrainfo, target: Target, printed_mtn: Callable[[], str]
) -> tuple[str, Manifest]:
    """EPA's scenario manifest signed by its generator, its transporter and its facility."""
    _, mtn = await save_example(adapter, target, SCENARIO, printed_mtn)
    parties = scenario_parties()
    for sign in (
        signature(parties["generator"], HandlerRole.GENERATOR, mtn),
        signature(parties["transporter"], HandlerRole.TRANSPORTER, mtn, order=1),
        signature(parties["tsdf"], HandlerRole.TSDF, mtn),
    ):
        await adapter.quicker_sign(CREDENTIALS, sign)
    manifest = await adapter.get_manifest(CREDENTIALS, mtn)
    assert manifest.status is Status.SIGNED
    return mtn, manifest


def corrected(manifest: Manifest, comment: str) -> Manifest:
    """The facility's receipt, corrected: the first line was two drums short."""
    document = msgspec.to_builtins(manifest.for_emanifest())
    for index, waste in enumerate(document.get("wastes") or []):
        short = index == 0
        waste["discrepancyResidueInfo"] = {
            "wasteQuantity": short,
            "wasteType": False,
            "residue": False,
            **({"discrepancyComments": comment} if short else {}),
        }
    document["rejection"] = False
    document["containsPreviousRejectOrResidue"] = False
    return manifest_from_document(document)


async def test_a_correction_is_opened_changed_signed_corrected_again_and_reverted(
    adapter: EmanifestRcrainfo, target: Target, printed_mtn: Callable[[], str]
) -> None:
    mtn, manifest = await signed(adapter, target, printed_mtn)

    created = await adapter.correct_manifest(CREDENTIALS, corrected(manifest, "2 drums short"))
    assert (created.operation_status, created.current_version_number) == ("CorrectionCreated", 2)
    under = await adapter.get_manifest(CREDENTIALS, mtn)
    assert under.status is Status.UNDER_CORRECTION
    assert under.correction_info is not None
    assert under.correction_info.version_number == 2
    assert under.wastes is not None
    assert under.wastes[0].discrepancy_residue_info is not None
    # the facility's signature stays on the corrected version
    assert under.designated_facility is not None
    assert under.designated_facility.electronic_signatures_info

    updated = await adapter.correct_manifest(CREDENTIALS, corrected(under, "3 drums short"))
    assert (updated.operation_status, updated.current_version_number) == ("CorrectionUpdated", 2)

    history = await adapter.correction_details(CREDENTIALS, mtn)
    assert [(v.version_number, v.status, v.active) for v in history.versions] == [
        (2, VersionStatus.UNDER_CORRECTION, True),
        (1, VersionStatus.SIGNED, False),
    ]
    first = await adapter.correction_version(CREDENTIALS, mtn, 1)
    assert first.status is Status.SIGNED
    assert first.wastes is not None
    before = first.wastes[0].discrepancy_residue_info
    assert before is None or not before.waste_quantity
    second = await adapter.correction_version(CREDENTIALS, mtn, 2)
    info = second.wastes[0].discrepancy_residue_info  # type: ignore[index]
    assert info is not None
    assert info.discrepancy_comments == "3 drums short"

    tsdf = scenario_parties()["tsdf"]
    report = await adapter.quicker_sign(CREDENTIALS, signature(tsdf, HandlerRole.TSDF, mtn))
    assert report.results[0].signed
    signed_version = await adapter.get_manifest(CREDENTIALS, mtn)
    assert signed_version.status is Status.CORRECTED
    history = await adapter.correction_details(CREDENTIALS, mtn)
    active = history.active
    assert active is not None
    assert (active.version_number, active.status, active.epa_site_id) == (
        2,
        VersionStatus.CORRECTED,
        tsdf,
    )
    assert active.electronic_signatures_info
    assert active.updated_by is not None

    third = await adapter.correct_manifest(CREDENTIALS, corrected(signed_version, "1 short"))
    assert (third.operation_status, third.current_version_number) == ("CorrectionCreated", 3)
    reverted = await adapter.revert_manifest(CREDENTIALS, mtn)
    assert (reverted.operation_status, reverted.current_version_number) == ("Reverted", 2)
    back = await adapter.get_manifest(CREDENTIALS, mtn)
    assert back.status is Status.CORRECTED
    history = await adapter.correction_details(CREDENTIALS, mtn)
    assert [v.version_number for v in history.versions] == [2, 1]


async def test_revert_without_a_version_under_correction_is_refused_with_epas_code(
    adapter: EmanifestRcrainfo, target: Target, printed_mtn: Callable[[], str]
) -> None:
    mtn, _ = await signed(adapter, target, printed_mtn)
    with pytest.raises(RcrainfoError) as refused:
        await adapter.revert_manifest(CREDENTIALS, mtn)
    assert refused.value.code == "E_NoVersionForUnderCorrectionStatus"


async def test_a_manifest_not_signed_by_its_facility_is_not_corrected(
    adapter: EmanifestRcrainfo, target: Target, printed_mtn: Callable[[], str]
) -> None:
    _, mtn = await save_example(adapter, target, SCENARIO, printed_mtn)
    pending = await adapter.get_manifest(CREDENTIALS, mtn)
    with pytest.raises(RcrainfoError) as refused:
        await adapter.correct_manifest(CREDENTIALS, pending)
    assert refused.value.kind is RcrainfoErrorKind.VALIDATION
    assert any("cannot be corrected" in e.message for e in refused.value.field_errors)


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("AsyncSign", "E_ManifestLockedAsyncSign"),
        ("EpaChangeBiller", "E_ManifestLockedEpaChangeBiller"),
    ],
)
async def test_a_locked_manifest_refuses_correct_and_revert_with_the_locks_code(
    adapter: EmanifestRcrainfo,
    target: Target,
    printed_mtn: Callable[[], str],
    control: Control,
    reason: str,
    code: str,
) -> None:
    mtn, manifest = await signed(adapter, target, printed_mtn)
    await adapter.correct_manifest(CREDENTIALS, corrected(manifest, "2 drums short"))
    locking = control.post(f"manifests/{mtn}/lock", {"lockReason": reason})
    assert locking.status_code == 200, locking.text
    for attempt in (
        adapter.correct_manifest(CREDENTIALS, corrected(manifest, "again")),
        adapter.revert_manifest(CREDENTIALS, mtn),
    ):
        with pytest.raises(RcrainfoError) as refused:
            await attempt
        assert refused.value.kind is RcrainfoErrorKind.LOCKED
        assert refused.value.code == code
    locked = await adapter.get_manifest(CREDENTIALS, mtn)
    assert locked.locked
    assert locked.lock_reason is not None
    assert locked.lock_reason.value == reason
    assert control.delete(f"manifests/{mtn}/lock").status_code == 200
    reverted = await adapter.revert_manifest(CREDENTIALS, mtn)
    assert reverted.operation_status == "Reverted"
    assert control.post(f"manifests/{mtn}/lock", {"lockReason": "Later"}).status_code == 400
    assert control.post("manifests/999999999ELC/lock", {}).status_code == 404


async def test_the_clients_own_correct_manifest_sends_no_content_type_and_is_refused(
    adapter: EmanifestRcrainfo,
    target: Target,
    printed_mtn: Callable[[], str],
    sandbox: SandboxServer,
) -> None:
    mtn, manifest = await signed(adapter, target, printed_mtn)
    client = RcrainfoClient(sandbox.base_url, auto_renew=False)
    client.verify = str(sandbox.cert_path)
    client.trust_env = False
    try:
        client.authenticate(*EXAMPLE_USER_CREDENTIALS)
        document = msgspec.to_builtins(corrected(manifest, "2 drums short"))
        answer = client.correct_manifest(document)
        assert "Content-Type" not in answer.response.request.headers
        assert answer.response.status_code == 400
        assert answer.response.json()["code"] == "E_SystemError"
    finally:
        client.close()
    # The adapter's correction of the same manifest goes through.
    report = await adapter.correct_manifest(CREDENTIALS, corrected(manifest, "2 drums short"))
    assert report.operation_status == "CorrectionCreated"
    assert (await adapter.get_manifest(CREDENTIALS, mtn)).status is Status.UNDER_CORRECTION
