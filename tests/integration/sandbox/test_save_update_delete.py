"""Save, update, delete and get, with EPA's own example manifests."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from emanifest import RcrainfoClient

from haztrak.entrypoints.sandbox.schema import schema_problems
from tests.integration.sandbox.support import (
    ERROR_FIELDS,
    TSDF_MANAGER,
    ClientFactory,
    assert_contains,
    example,
    scanned_manifest,
)

ELECTRONIC_EXAMPLES = (
    "Scenario-1-emanifest-save-valid-Full-Electronic-example.json",
    "Scenario-2-emanifest-save-valid-Full-Electronic-example.json",
    "emanifest-save-valid-Full-Electronic-example.json",
    "emanifest-save-valid-Hybrid-example.json",
)
PAPER_EXAMPLES = (
    "emanifest-save-valid-Data-and-Image-example.json",
    "emanifest-save-valid-Data-and-Image-Manual-Entry-example.json",
    "emanifest-save-valid-Data-and-Image-Full-reject-tranonsite-example.json",
    "emanifest-save-valid-Image-Only-Designated-Facility-example.json",
    "emanifest-save-valid-Image-Only-Designated-Facility-acting-Generator-example.json",
)
DERIVED = ("discrepancy", "residue")
"""e-Manifest derives these from the waste lines, whatever the caller sends."""
ELECTRONIC_MTN = re.compile(r"^[0-9]{9}ELC$")


def without(document: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key not in keys}


def save_paper(
    client: RcrainfoClient, name: str, mtn: str
) -> tuple[dict[str, Any], bytes, dict[str, Any]]:
    """Save an Image/DataImage5Copy example as EPA documents it: its printed number and the
    scanned PDF in a zip, described by printedDocument."""
    sent = example(name)
    sent["manifestTrackingNumber"] = mtn
    pdf, archive = scanned_manifest(mtn)
    sent["printedDocument"] = {
        "name": f"{mtn}.pdf",
        "size": len(pdf),
        "mimeType": "APPLICATION_PDF",
    }
    response = client.save_manifest(sent, archive)
    assert response.status_code == 200, response.json()
    return sent, pdf, response.json()


@pytest.mark.parametrize("name", ELECTRONIC_EXAMPLES)
def test_each_electronic_example_saves_and_reads_back(
    example_client: RcrainfoClient, name: str
) -> None:
    sent = example(name)
    response = example_client.save_manifest(sent)
    assert response.status_code == 200, response.json()
    saved = response.json()
    assert saved["operationStatus"] == "Saved"
    assert saved["errors"] == []
    assert not schema_problems(saved, "crud-emanifest-return.json")
    assert ELECTRONIC_MTN.fullmatch(saved["manifestTrackingNumber"])

    got = example_client.get_manifest(saved["manifestTrackingNumber"]).json()
    assert_contains(without(sent, DERIVED), got)
    assert got["manifestTrackingNumber"] == saved["manifestTrackingNumber"]
    assert got["status"] == sent["status"]
    assert got["originType"] == "Service"
    assert got["createdDate"] == got["updatedDate"]
    assert got["generator"]["name"]  # RCRAInfo's registered data was filled in
    assert schema_problems(got) == []


@pytest.mark.parametrize("name", PAPER_EXAMPLES)
def test_each_paper_example_saves_with_its_scan(
    example_client: RcrainfoClient, name: str, printed_mtn: Callable[[], str]
) -> None:
    mtn = printed_mtn()
    sent, pdf, saved = save_paper(example_client, name, mtn)
    assert saved["operationStatus"] == "Saved"
    assert saved["manifestTrackingNumber"] == mtn
    assert saved["errors"] == []

    got = example_client.get_manifest(mtn).json()
    assert_contains(without(sent, DERIVED), got)
    assert got["status"] == "ReadyForSignature"
    assert schema_problems(got) == []

    download = example_client.get_manifest_attachments(mtn)
    assert download.ok
    assert download.zip is not None
    assert download.zip.read(f"{mtn}.pdf") == pdf


def test_the_sandbox_derives_discrepancy_from_the_waste_lines(
    example_client: RcrainfoClient, printed_mtn: Callable[[], str]
) -> None:
    sent, _, _ = save_paper(
        example_client, "emanifest-save-valid-Data-and-Image-example.json", printed_mtn()
    )
    assert sent["discrepancy"] is False
    got = example_client.get_manifest(sent["manifestTrackingNumber"]).json()
    assert got["discrepancy"] is True  # line 1 reports a quantity discrepancy


def test_the_failure_example_problems_come_back_with_epa_field_paths(
    example_client: RcrainfoClient,
) -> None:
    """EPA's failure example lists the schema errors of a legacy waste line; the same line in
    an otherwise valid manifest draws exactly those errors."""
    manifest = example("emanifest-save-valid-Full-Electronic-example.json")
    waste = manifest["wastes"][0]
    for key in ("dotHazardous", "epaWaste", "pcb"):
        del waste[key]
    waste["hazardous"] = True
    waste["br"], waste["brInfo"] = {"density": 1.5}, True
    waste["dotInformation"].update(
        emergencyGuideNumber="128", hazardClass="3", packingGroup="III",
        properShippingName="Diesel fuel", rqDescription="RQ", technicalName="diesel",
    )  # fmt: skip
    waste["quantity"]["quantity"] = 480.5

    response = example_client.save_manifest(manifest)
    assert response.status_code == 400
    report = response.json()
    assert report["operationStatus"] == "Failed"
    assert report["reportId"]
    assert report["date"]
    expected = example("emanifest-return-failure-example.json")["errors"]
    assert {(e["field"], e["message"]) for e in report["errors"]} == {
        (e["field"], e["message"]) for e in expected
    }


def test_business_rules_refuse_with_field_paths(example_client: RcrainfoClient) -> None:
    manifest = example("emanifest-save-valid-Full-Electronic-example.json")
    manifest["transporters"][1]["epaSiteId"] = "VAX999999999"
    del manifest["wastes"][0]["quantity"]["containerType"]
    manifest["wastes"][1]["pcbInfos"] = []

    report = example_client.save_manifest(manifest).json()
    fields = {error["field"] for error in report["errors"]}
    assert report["operationStatus"] == "Failed"
    assert "Emanifest.transporters.1.epaSiteId" in fields
    assert "Emanifest.wastes.0.quantity.containerType" in fields
    assert "Emanifest.wastes.1.pcbInfos" in fields
    assert all(error["message"] for error in report["errors"])


def test_a_comment_longer_than_250_characters_is_ignored_with_a_warning(
    example_client: RcrainfoClient,
) -> None:
    """EPA's validation (comments, 3.2.2): a label longer than 250 characters (the schema
    allows 255) drops the comment with a warning; the manifest is saved."""
    manifest = example("emanifest-save-valid-Full-Electronic-example.json")
    manifest["wastes"][0]["additionalInfo"]["comments"][0]["label"] = "L" * 253
    response = example_client.save_manifest(manifest)
    assert response.status_code == 200, response.json()
    warnings = response.json()["warnings"]
    assert {
        "field": "Emanifest.wastes.0.additionalInfo.comments.label",
        "message": "Comment will be ignored. Invalid Value. Text can be no longer than 250 "
        "characters.",
    } in [{k: w[k] for k in ("field", "message")} for w in warnings]
    saved = example_client.get_manifest(response.json()["manifestTrackingNumber"]).json()
    assert saved["wastes"][0]["additionalInfo"]["comments"] == []


def test_a_paper_line_holds_at_most_six_waste_codes(
    example_client: RcrainfoClient, printed_mtn: Callable[[], str]
) -> None:
    """EPA (NOTES §2.3): "paper allows 6 codes per line, electronic is unlimited"."""
    mtn = printed_mtn()
    sent = example("emanifest-save-valid-Data-and-Image-example.json")
    sent["manifestTrackingNumber"] = mtn
    sent["wastes"][0]["hazardousWaste"]["federalWasteCodes"] = [
        {"code": code} for code in ("D001", "D002", "D003", "D004", "F001", "F002", "F003")
    ]
    pdf, archive = scanned_manifest(mtn)
    sent["printedDocument"] = {
        "name": f"{mtn}.pdf",
        "size": len(pdf),
        "mimeType": "APPLICATION_PDF",
    }
    response = example_client.save_manifest(sent, archive)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["Emanifest.wastes.0.hazardousWaste"]


def test_electronic_manifests_may_not_bring_their_own_tracking_number(
    example_client: RcrainfoClient,
) -> None:
    manifest = example("emanifest-save-valid-Full-Electronic-example.json")
    manifest["manifestTrackingNumber"] = "123456789ELC"
    report = example_client.save_manifest(manifest).json()
    assert [e["field"] for e in report["errors"]] == ["Emanifest.manifestTrackingNumber"]


def test_a_paper_manifest_needs_its_scan_and_a_new_number(
    example_client: RcrainfoClient, printed_mtn: Callable[[], str]
) -> None:
    name = "emanifest-save-valid-Image-Only-Designated-Facility-example.json"
    unscanned = example(name)
    unscanned["manifestTrackingNumber"] = printed_mtn()
    report = example_client.save_manifest(unscanned).json()
    assert report["operationStatus"] == "Failed"
    assert [e["field"] for e in report["errors"]] == ["attachment"]

    not_a_pdf = io.BytesIO()
    with zipfile.ZipFile(not_a_pdf, "w") as archive:
        archive.writestr("scan.txt", b"hello")
    report = example_client.save_manifest(unscanned, not_a_pdf.getvalue()).json()
    assert [e["field"] for e in report["errors"]] == ["attachment"]

    mtn = printed_mtn()
    save_paper(example_client, name, mtn)
    again = example(name)
    again["manifestTrackingNumber"] = mtn
    _, archive = scanned_manifest(mtn)
    report = example_client.save_manifest(again, archive).json()
    assert report["errors"] == [
        {
            "message": "Manifest Tracking Number already exists",
            "field": "Emanifest.manifestTrackingNumber",
            "value": mtn,
        }
    ]


def test_a_wrong_printed_document_size_is_corrected_with_a_warning(
    example_client: RcrainfoClient, printed_mtn: Callable[[], str]
) -> None:
    mtn = printed_mtn()
    manifest = example("emanifest-save-valid-Image-Only-Designated-Facility-example.json")
    manifest["manifestTrackingNumber"] = mtn
    pdf, archive = scanned_manifest(mtn)
    report = example_client.save_manifest(manifest, archive).json()  # size says 81904
    assert report["operationStatus"] == "Saved"
    assert "Emanifest.printedDocument.size" in {w["field"] for w in report["warnings"]}
    assert example_client.get_manifest(mtn).json()["printedDocument"]["size"] == len(pdf)


def test_update_replaces_the_manifest_and_keeps_system_fields(
    example_client: RcrainfoClient,
) -> None:
    saved = example_client.save_manifest(
        example("Scenario-1-emanifest-save-valid-Full-Electronic-example.json")
    ).json()
    mtn = saved["manifestTrackingNumber"]
    before = example_client.get_manifest(mtn).json()

    changed = example("Scenario-1-emanifest-update-valid-Full-Electronic-example.json")
    changed["manifestTrackingNumber"] = mtn
    response = example_client.update_manifest(changed)
    assert response.status_code == 200, response.json()
    report = response.json()
    assert report["operationStatus"] == "Updated"
    assert report["manifestTrackingNumber"] == mtn
    # As EPA's own response to this example warns: the management method was dropped.
    assert report["warnings"] == [
        {"message": "Field is Not Provided", "field": "Emanifest.wastes.0.managementMethod.code"}
    ]

    after = example_client.get_manifest(mtn).json()
    assert_contains(without(changed, DERIVED), after)
    assert after["wastes"][0]["quantity"]["quantity"] == 74
    assert "managementMethod" not in after["wastes"][0]
    assert after["createdDate"] == before["createdDate"]
    assert after["updatedDate"] > before["updatedDate"]


def test_update_follows_the_lifecycle(example_client: RcrainfoClient) -> None:
    mtn = example_client.save_manifest(
        example("Scenario-1-emanifest-save-valid-Full-Electronic-example.json")
    ).json()["manifestTrackingNumber"]
    back_to_pending = example("Scenario-1-emanifest-update-valid-Full-Electronic-example.json")
    back_to_pending |= {"manifestTrackingNumber": mtn, "status": "Pending"}
    report = example_client.update_manifest(back_to_pending).json()
    assert report["operationStatus"] == "Failed"
    assert [e["field"] for e in report["errors"]] == ["Emanifest.status"]

    unknown = example("Scenario-1-emanifest-update-valid-Full-Electronic-example.json")
    unknown["manifestTrackingNumber"] = "999999999ELC"
    response = example_client.update_manifest(unknown)
    assert response.status_code == 404
    assert response.json()["code"] == "E_ManifestTrackingNumberNotFound"


def test_a_signed_manifest_cannot_be_updated_or_deleted(make_client: ClientFactory) -> None:
    client = make_client(TSDF_MANAGER)
    signed = client.search_mtn(siteId="MOCKTSDFS001", status="Signed").json()[0]
    manifest = client.get_manifest(signed).json()
    report = client.update_manifest(manifest).json()
    assert report["operationStatus"] == "Failed"
    assert report["errors"][0]["field"] == "Emanifest.status"

    refused = client.delete_manifest(signed)
    assert refused.status_code == 400
    assert refused.json()["code"] == "E_IncorrectStatusForDelete"


def test_delete_removes_the_manifest_and_its_number_is_never_reused(
    example_client: RcrainfoClient,
) -> None:
    manifest = example("Scenario-1-emanifest-save-valid-Full-Electronic-example.json")
    mtn = example_client.save_manifest(manifest).json()["manifestTrackingNumber"]
    report = example_client.delete_manifest(mtn).json()
    assert report["operationStatus"] == "Deleted"
    assert report["manifestTrackingNumber"] == mtn

    gone = example_client.get_manifest(mtn)
    assert gone.status_code == 404
    assert gone.json()["code"] == "E_ManifestTrackingNumberNotFound"
    assert example_client.check_mtn_exists(mtn).json() == {
        "manifestTrackingNumber": mtn,
        "result": False,
    }
    next_mtn = example_client.save_manifest(manifest).json()["manifestTrackingNumber"]
    assert int(next_mtn[:9]) > int(mtn[:9])


def test_users_only_see_manifests_of_their_sites(
    example_client: RcrainfoClient, make_client: ClientFactory, printed_mtn: Callable[[], str]
) -> None:
    mtn = example_client.save_manifest(
        example("Scenario-1-emanifest-save-valid-Full-Electronic-example.json")
    ).json()["manifestTrackingNumber"]
    outsider = make_client(TSDF_MANAGER)
    response = outsider.get_manifest(mtn)
    assert response.status_code == 403
    assert set(response.json()) == ERROR_FIELDS
    assert response.json()["code"] == "E_SitePermissions"

    paper = example("emanifest-save-valid-Image-Only-Designated-Facility-example.json")
    paper["manifestTrackingNumber"] = printed_mtn()
    refused = outsider.save_manifest(paper, scanned_manifest("x")[1])
    assert refused.status_code == 403
    assert refused.json()["code"] == "E_DesignatedFacilityAuthorizationSave"


def test_tracking_numbers_are_checked_like_epa_does(example_client: RcrainfoClient) -> None:
    cases = {
        "12345ELC": "E_InvalidManifestTrackingNumber",
        "123456789XYZ": "E_InvalidManifestTrackingNumberSuffix",
        "999999998ELC": "E_ManifestTrackingNumberNotFound",
    }
    for mtn, code in cases.items():
        assert example_client.get_manifest(mtn).json()["code"] == code

    seeded = example_client.check_mtn_exists("100100001ELC").json()
    assert seeded == {
        "manifestTrackingNumber": "100100001ELC",
        "status": "Signed",
        "submissionType": "FullElectronic",
        "originType": "Service",
        "result": True,
    }
