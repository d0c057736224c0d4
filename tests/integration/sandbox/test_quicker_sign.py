"""Quicker Sign: whose turn it is, what a signature records, and how the status moves."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from emanifest import RcrainfoClient

from haztrak.entrypoints.sandbox.schema import schema_problems
from tests.integration.sandbox.support import (
    GENERATOR_MANAGER,
    TRANSPORTER_MANAGER,
    TSDF_MANAGER,
    ClientFactory,
    example,
)
from tests.integration.sandbox.test_save_update_delete import save_paper

QUICKER_SIGN_RETURN = "quicker-sign-return.json"


def demo_manifest(transporters: tuple[str, ...]) -> dict[str, Any]:
    """EPA's FullElectronic example, moved onto the demo handlers."""
    manifest = example("emanifest-save-valid-Full-Electronic-example.json")
    manifest["generator"]["epaSiteId"] = "VATESTGEN001"
    template = manifest["transporters"][0]
    manifest["transporters"] = [
        template | {"epaSiteId": site_id, "order": order}
        for order, site_id in enumerate(transporters, start=1)
    ]
    manifest["designatedFacility"]["epaSiteId"] = "MOCKTSDFS001"
    manifest["wastes"][0]["additionalInfo"]["comments"][0]["handlerId"] = "MOCKTSDFS001"
    return manifest


class Parties:
    def __init__(self, make_client: ClientFactory) -> None:
        self.generator = make_client(GENERATOR_MANAGER)
        self.transporter = make_client(TRANSPORTER_MANAGER)
        self.tsdf = make_client(TSDF_MANAGER)

    def save(self, *transporters: str) -> str:
        response = self.generator.save_manifest(demo_manifest(transporters))
        assert response.status_code == 200, response.json()
        mtn: str = response.json()["manifestTrackingNumber"]
        return mtn

    def status(self, mtn: str) -> str:
        status: str = self.generator.get_manifest(mtn).json()["status"]
        return status


@pytest.fixture
def parties(make_client: ClientFactory) -> Parties:
    return Parties(make_client)


def sign(
    client: RcrainfoClient, mtns: list[str], site_id: str, site_type: str, **more: Any
) -> tuple[int, dict[str, Any]]:
    response = client.sign_manifest(
        siteId=site_id,
        siteType=site_type,
        printedSignatureName="Pat Signer",
        manifestTrackingNumbers=mtns,
        **more,
    )
    report: dict[str, Any] = response.json()
    assert schema_problems(report, QUICKER_SIGN_RETURN) == [], report
    return response.status_code, report


def test_signatures_in_turn_move_the_manifest_to_signed(parties: Parties) -> None:
    mtn = parties.save("MOCKTRANS001", "MOCKTRANS002")
    assert parties.status(mtn) == "Scheduled"
    steps = [
        (parties.generator, "VATESTGEN001", "Generator", {}, "Scheduled"),
        (parties.transporter, "MOCKTRANS001", "Transporter", {"transporterOrder": 1}, "InTransit"),
        (
            parties.transporter, "MOCKTRANS002", "Transporter", {"transporterOrder": 2},
            "ReadyForSignature",
        ),
        (parties.tsdf, "MOCKTSDFS001", "Tsdf", {}, "Signed"),
    ]  # fmt: skip
    updated = parties.generator.get_manifest(mtn).json()["updatedDate"]
    for client, site_id, site_type, more, status in steps:
        code, report = sign(client, [mtn], site_id, site_type, **more)
        assert code == 200, report
        assert report["operationStatus"] == "AllSigned"
        assert report["manifestReports"][0]["manifestTrackingNumber"] == mtn
        assert "manifestSigned" in report["manifestReports"][0]
        manifest = parties.generator.get_manifest(mtn).json()
        assert manifest["status"] == status
        assert manifest["updatedDate"] > updated
        updated = manifest["updatedDate"]

    manifest = parties.generator.get_manifest(mtn).json()
    assert manifest["shippedDate"]
    assert manifest["receivedDate"]
    assert manifest["signatureStatus"] is True
    assert schema_problems(manifest) == []

    download = parties.tsdf.get_manifest_attachments(mtn)
    assert download.ok
    assert sorted(download.zip.namelist()) == [
        "cor-g.html", "cor-t-1.html", "cor-t-2.html", "cor-tsdf.html",
    ]  # fmt: skip
    assert json.loads(download.json())["status"] == "Signed"


def test_a_signature_is_recorded_at_noon_utc_with_a_warning(parties: Parties) -> None:
    mtn = parties.save("MOCKTRANS001")
    printed = "2026-03-04T17:45:12.000+0000"
    _, report = sign(
        parties.generator, [mtn], "VATESTGEN001", "Generator", printedSignatureDate=printed
    )
    signer = report["signerReport"]
    assert signer["printedSignatureName"] == "Pat Signer"
    assert signer["printedSignatureDate"].startswith("2026-03-04T12:00:00.000")
    assert signer["userId"] == "genmanager1"
    assert signer["warnings"] == [
        {
            "field": "printedSignatureDate",
            "message": "Printed Signature Date is set to noon UTC of the day of the provided date",
            "value": printed,
        }
    ]
    assert report["siteReport"] == {"siteId": "VATESTGEN001", "siteType": "Generator"}

    generator = parties.generator.get_manifest(mtn).json()["generator"]
    [signature] = generator["electronicSignaturesInfo"]
    assert signature["signatureDate"].startswith("2026-03-04T12:00:00.000")
    assert signature["signatureMethod"] == "QuickerSign"
    assert signature["signer"]["userId"] == "genmanager1"
    assert generator["signatureType"] == "QuickerSign"


def test_one_transporter_skips_in_transit(parties: Parties) -> None:
    mtn = parties.save("MOCKTRANS002")
    sign(parties.generator, [mtn], "VATESTGEN001", "Generator")
    code, _ = sign(parties.transporter, [mtn], "MOCKTRANS002", "Transporter", transporterOrder=1)
    assert code == 200
    assert parties.status(mtn) == "ReadyForSignature"


def test_signatures_out_of_turn_are_refused(parties: Parties) -> None:
    mtn = parties.save("MOCKTRANS001", "MOCKTRANS002")
    for client, site_id, site_type, more in (
        (parties.transporter, "MOCKTRANS001", "Transporter", {"transporterOrder": 1}),
        (parties.tsdf, "MOCKTSDFS001", "Tsdf", {}),
    ):
        code, report = sign(client, [mtn], site_id, site_type, **more)
        assert code == 400
        assert report["operationStatus"] == "Failed"
        error = report["manifestReports"][0]["manifestError"]
        assert error["field"] == "manifestTrackingNumber"
        assert error["message"].startswith(
            f"Manifest is not ready to be quick signed by handler {site_id}"
        )
    sign(parties.generator, [mtn], "VATESTGEN001", "Generator")
    code, _ = sign(parties.transporter, [mtn], "MOCKTRANS002", "Transporter", transporterOrder=2)
    assert code == 400
    assert parties.status(mtn) == "Scheduled"


def test_a_signature_may_not_predate_the_previous_one(parties: Parties) -> None:
    mtn = parties.save("MOCKTRANS001")
    today = datetime.now(UTC)
    sign(parties.generator, [mtn], "VATESTGEN001", "Generator", printedSignatureDate=today)
    code, report = sign(
        parties.transporter, [mtn], "MOCKTRANS001", "Transporter",
        transporterOrder=1, printedSignatureDate=today - timedelta(days=2),
    )  # fmt: skip
    assert code == 400
    assert (
        "on or after the previous signature"
        in (report["manifestReports"][0]["manifestError"]["message"])
    )


def test_a_signature_dated_in_the_future_is_refused(parties: Parties) -> None:
    """EPA (NOTES §3.3): signature dates are "never in the future"."""
    mtn = parties.save("MOCKTRANS001")
    code, report = sign(
        parties.generator, [mtn], "VATESTGEN001", "Generator",
        printedSignatureDate=datetime(2099, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    assert code == 400
    assert "in the future" in report["manifestReports"][0]["manifestError"]["message"]
    assert parties.status(mtn) == "Scheduled"


def test_quicker_sign_is_for_electronic_manifests_only(
    example_client: RcrainfoClient, printed_mtn: Callable[[], str]
) -> None:
    """EPA (NOTES §3.2): "quicker sign: electronic manifests only". A DataImage5Copy manifest
    in ReadyForSignature is signed in e-Manifest, never by Quicker Sign."""
    sent, _, _ = save_paper(
        example_client, "emanifest-save-valid-Data-and-Image-example.json", printed_mtn()
    )
    mtn, facility = sent["manifestTrackingNumber"], sent["designatedFacility"]["epaSiteId"]
    code, report = sign(example_client, [mtn], facility, "Tsdf")
    assert code == 400
    message = report["manifestReports"][0]["manifestError"]["message"]
    assert "FullElectronic and Hybrid manifests only" in message
    assert example_client.get_manifest(mtn).json()["status"] == "ReadyForSignature"


def test_several_manifests_in_one_call_report_each(parties: Parties) -> None:
    ready = parties.save("MOCKTRANS001")
    waiting = parties.save("MOCKTRANS001")
    sign(parties.generator, [ready], "VATESTGEN001", "Generator")
    code, report = sign(
        parties.transporter, [ready, waiting, "999999997ELC"], "MOCKTRANS001", "Transporter",
        transporterOrder=1,
    )  # fmt: skip
    assert code == 200
    assert report["operationStatus"] == "PartiallySigned"
    outcomes = {r["manifestTrackingNumber"]: r for r in report["manifestReports"]}
    assert "manifestSigned" in outcomes[ready]
    assert "manifestError" in outcomes[waiting]
    assert outcomes["999999997ELC"]["manifestError"]["message"] == "Manifest not found"


def test_only_a_certifier_of_the_site_may_sign(parties: Parties) -> None:
    mtn = parties.save("MOCKTRANS001")
    response = parties.transporter.sign_manifest(
        siteId="VATESTGEN001", siteType="Generator", printedSignatureName="Not Theirs",
        manifestTrackingNumbers=[mtn],
    )  # fmt: skip
    assert response.status_code == 403
    assert response.json()["code"] == "E_SitePermissions"


def test_requests_outside_the_schema_are_system_errors(parties: Parties) -> None:
    mtn = parties.save("MOCKTRANS001")
    response = parties.tsdf.sign_manifest(
        siteId="MOCKTSDFS001", siteType="TSDF", printedSignatureName="Tess",
        manifestTrackingNumbers=[mtn],
    )  # fmt: skip
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "E_SystemError"
    assert 'Instance value ("TSDF") not found in enum' in error["message"]

    missing_order = parties.transporter.sign_manifest(
        siteId="MOCKTRANS001", siteType="Transporter", printedSignatureName="Trent",
        manifestTrackingNumbers=[mtn],
    )  # fmt: skip
    assert missing_order.json()["message"] == (
        "Transporter Order is required when site type is Transporter"
    )


def test_a_hybrid_generator_signs_on_paper(example_client: RcrainfoClient) -> None:
    saved = example_client.save_manifest(example("emanifest-save-valid-Hybrid-example.json"))
    mtn = saved.json()["manifestTrackingNumber"]
    response = example_client.sign_manifest(
        siteId="VATEST000004", siteType="Generator", printedSignatureName="Gen",
        manifestTrackingNumbers=[mtn],
    )  # fmt: skip
    assert response.json()["operationStatus"] == "Failed"
    response = example_client.sign_manifest(
        siteId="VATEST000001", siteType="Transporter", transporterOrder=1,
        printedSignatureName="Tran", manifestTrackingNumbers=[mtn],
    )  # fmt: skip
    assert response.json()["operationStatus"] == "AllSigned"
    assert example_client.get_manifest(mtn).json()["status"] == "InTransit"


def test_available_to_sign_names_whose_turn_it_is(parties: Parties) -> None:
    mtn = parties.save("MOCKTRANS001", "MOCKTRANS002")
    before = parties.transporter.get_available_manifests(mtn).json()
    assert before["nextSigner"] == {"siteType": "Generator"}
    assert [s["availableToSign"] for s in before["sites"]] == [True, False, False, False]
    assert not any(s["userCanSign"] for s in before["sites"])

    sign(parties.generator, [mtn], "VATESTGEN001", "Generator")
    after = parties.transporter.get_available_manifests(mtn).json()
    assert after["nextSigner"] == {"siteType": "Transporter", "transporterOrder": 1}
    first = after["sites"][1]
    assert first == {
        "siteId": "MOCKTRANS001",
        "siteType": "Transporter",
        "transporterOrder": 1,
        "signed": False,
        "availableToSign": True,
        "userCanSign": True,
    }
    assert after["sites"][0]["signed"] is True
