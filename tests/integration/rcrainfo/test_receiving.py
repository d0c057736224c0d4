"""Receiving through e-Manifest (issue 13), with EPA's real client over HTTPS: the designated
facility's receipt goes as an update while the manifest is ReadyForSignature, e-Manifest derives
`discrepancy`/`residue`, the alternate facility signs after the facility on a rejection with
the transporter on site (Quicker Sign `RejectionInfo_AlternateTsdf`), and the new manifest for
rejected waste saves with `containsPreviousRejectOrResidue` and the original's number."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
import pytest
from emanifest import RcrainfoClient

from haztrak.adapters.rcrainfo import EmanifestRcrainfo
from haztrak.application.ports.rcrainfo import RcrainfoError, RcrainfoErrorKind
from haztrak.domain.handlers import SiteType
from haztrak.domain.manifest import (
    HandlerRole,
    Manifest,
    ManifestHandlerSite,
    Status,
)
from haztrak.domain.manifest.receiving import Receipt, record_receipt, rejected_waste_manifest
from haztrak.entrypoints.sandbox import SandboxServer
from tests.integration.rcrainfo.conftest import Target
from tests.integration.rcrainfo.test_contract import save_example, scenario_parties, signature
from tests.integration.sandbox.support import EXAMPLE_USER

SCENARIO = "Scenario-1-emanifest-save-valid-Full-Electronic-example.json"
ALTERNATE = "VATEST000003"


async def arrived(
    rcrainfo: EmanifestRcrainfo, target: Target, printed_mtn: Callable[[], str]
) -> tuple[str, Manifest]:
    """EPA's scenario manifest signed by its generator and its one transporter."""
    _, mtn = await save_example(rcrainfo, target, SCENARIO, printed_mtn)
    parties = scenario_parties()
    await rcrainfo.quicker_sign(
        target.credentials, signature(parties["generator"], HandlerRole.GENERATOR, mtn)
    )
    await rcrainfo.quicker_sign(
        target.credentials,
        signature(parties["transporter"], HandlerRole.TRANSPORTER, mtn, order=1),
    )
    manifest = await rcrainfo.get_manifest(target.credentials, mtn)
    assert manifest.status is Status.READY_FOR_SIGNATURE
    return mtn, manifest


def receipt(**fields: Any) -> Receipt:
    return msgspec.convert(fields, Receipt)


SHORT = {
    "lineNumber": 1,
    "discrepancyResidueInfo": {"wasteQuantity": True, "discrepancyComments": "2 drums short"},
}


async def test_a_rejection_to_an_alternate_facility_is_signed_by_it_last(
    rcrainfo: EmanifestRcrainfo,
    target: Target,
    printed_mtn: Callable[[], str],
    sandbox: SandboxServer,
) -> None:
    mtn, manifest = await arrived(rcrainfo, target, printed_mtn)
    received = record_receipt(
        manifest,
        receipt(
            wastes=[SHORT],
            rejection=True,
            rejectionInfo={
                "transporterOnSite": True,
                "alternateDesignatedFacilityType": "Tsdf",
                "alternateDesignatedFacility": {"epaSiteId": ALTERNATE},
                "rejectionComments": "not the waste we accept",
            },
        ),
    )

    report = await rcrainfo.update_manifest(target.credentials, received.for_emanifest())

    assert report.operation_status == "Updated"
    got = await rcrainfo.get_manifest(target.credentials, mtn)
    assert got.status is Status.READY_FOR_SIGNATURE
    assert (got.discrepancy, got.residue, got.rejection) == (True, False, True)
    info = got.rejection_info
    assert info is not None
    assert info.rejection_type is not None
    assert info.rejection_type.value == "FullReject"
    alternate = info.alternate_designated_facility
    assert alternate is not None
    assert alternate.epa_site_id == ALTERNATE
    assert alternate.name  # e-Manifest fills a registered site's data in
    line = (got.wastes or [])[0].discrepancy_residue_info
    assert line is not None
    assert line.discrepancy_comments == "2 drums short"

    tsdf = scenario_parties()["tsdf"]
    await rcrainfo.quicker_sign(target.credentials, signature(tsdf, HandlerRole.TSDF, mtn))
    waiting = await rcrainfo.get_manifest(target.credentials, mtn)
    assert waiting.status is Status.READY_FOR_SIGNATURE  # the alternate facility signs last
    if target.name == "sandbox":  # the sandbox's own answer (EPA does not document it)
        client = RcrainfoClient(sandbox.base_url, api_id=EXAMPLE_USER[0], api_key=EXAMPLE_USER[1])
        client.verify, client.trust_env = str(sandbox.cert_path), False
        available = client.get_available_manifests(mtn).json()
        client.close()
        assert available["nextSigner"] == {"siteType": "RejectionInfo_AlternateTsdf"}
        assert available["sites"][-1]["siteId"] == ALTERNATE
        assert available["sites"][-1]["availableToSign"] is True
    await rcrainfo.quicker_sign(
        target.credentials, signature(ALTERNATE, HandlerRole.ALTERNATE_TSDF, mtn)
    )
    assert (await rcrainfo.get_manifest(target.credentials, mtn)).status is Status.SIGNED


async def test_a_receipt_after_the_facility_signed_is_refused(
    rcrainfo: EmanifestRcrainfo, target: Target, printed_mtn: Callable[[], str]
) -> None:
    mtn, manifest = await arrived(rcrainfo, target, printed_mtn)
    tsdf = scenario_parties()["tsdf"]
    await rcrainfo.quicker_sign(target.credentials, signature(tsdf, HandlerRole.TSDF, mtn))
    received = record_receipt(manifest, receipt(wastes=[SHORT]))

    with pytest.raises(RcrainfoError) as caught:
        await rcrainfo.update_manifest(target.credentials, received.for_emanifest())

    assert caught.value.kind is RcrainfoErrorKind.VALIDATION


async def test_the_new_manifest_for_rejected_waste_saves_naming_the_original(
    rcrainfo: EmanifestRcrainfo, target: Target, printed_mtn: Callable[[], str]
) -> None:
    mtn, manifest = await arrived(rcrainfo, target, printed_mtn)
    received = record_receipt(
        manifest,
        receipt(
            wastes=[SHORT],
            rejection=True,
            rejectionInfo={
                "transporterOnSite": False,
                "rejectionType": "PartialReject",
                "rejectionComments": "line 1 short and leaking",
            },
        ),
    )
    await rcrainfo.update_manifest(target.credentials, received.for_emanifest())
    tsdf = scenario_parties()["tsdf"]
    await rcrainfo.quicker_sign(target.credentials, signature(tsdf, HandlerRole.TSDF, mtn))
    signed = await rcrainfo.get_manifest(target.credentials, mtn)
    assert signed.status is Status.SIGNED

    draft = rejected_waste_manifest(signed)
    transporter = (signed.transporters or [])[0]
    outgoing = msgspec.structs.replace(
        draft,
        status=Status.PENDING,
        transporters=[
            ManifestHandlerSite(
                site_type=SiteType.TRANSPORTER, epa_site_id=transporter.epa_site_id, order=1
            )
        ],
        designated_facility=ManifestHandlerSite(
            site_type=SiteType.TSDF,
            epa_site_id=ALTERNATE,
            contact=(signed.designated_facility and signed.designated_facility.contact),
        ),
        generator=msgspec.structs.replace(
            draft.generator,
            emergency_phone=signed.generator and signed.generator.emergency_phone,
        )
        if draft.generator
        else None,
    )
    report = await rcrainfo.save_manifest(target.credentials, outgoing.for_emanifest())

    new = await rcrainfo.get_manifest(target.credentials, report.manifest_tracking_number)
    assert new.contains_previous_reject_or_residue is True
    assert new.additional_info is not None
    assert new.additional_info.original_manifest_tracking_numbers == [mtn]
    assert new.generator is not None
    assert new.generator.epa_site_id == tsdf
