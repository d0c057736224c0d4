"""The sandbox reads the MTN off an Image manifest's scan (mtnValidationInfo), with EPA's
client: a scan printing the number passes, one printing another number or none fails MTN
validation until a new scan or `mtnCorrect` confirms it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emanifest import RcrainfoClient

from haztrak.entrypoints.sandbox.documents import minimal_pdf, zip_files
from haztrak.entrypoints.sandbox.rules import mtn_validation, pdf_tracking_numbers
from tests.integration.sandbox.support import example

IMAGE = "emanifest-save-valid-Image-Only-Designated-Facility-example.json"


def image(mtn: str, pdf: bytes) -> dict[str, Any]:
    sent = example(IMAGE)
    sent["manifestTrackingNumber"] = mtn
    sent["printedDocument"] = {"name": "scan.pdf", "size": len(pdf), "mimeType": "APPLICATION_PDF"}
    return sent


def test_the_number_is_read_from_the_pdf_text() -> None:
    pdf = minimal_pdf(["Manifest 123456789JJK", "see also 000000001FLE", "1234567890123ABCD"])
    assert pdf_tracking_numbers(pdf) == ["123456789JJK", "000000001FLE"]
    assert mtn_validation("123456789JJK", pdf, ["000000001FLE"])[1] is True
    info, passed = mtn_validation("555555555JJK", pdf, ["123456789JJK"])
    assert not passed
    assert info == {
        "mtnExtractionStatus": "Completed",
        "mtnsMatch": False,
        "pdfMtn": "123456789JJK",
        "pdfMtnUnique": False,
        "mtnRerunCounter": 0,
    }
    assert mtn_validation("555555555JJK", minimal_pdf(["no number"]), [])[0] == {
        "mtnExtractionStatus": "Failed",
        "mtnsMatch": False,
        "mtnRerunCounter": 0,
    }


def test_a_scan_of_another_number_fails_until_confirmed(
    example_client: RcrainfoClient, printed_mtn: Callable[[], str]
) -> None:
    mtn, other = printed_mtn(), printed_mtn()
    wrong = minimal_pdf([f"Uniform Hazardous Waste Manifest {other}"])
    saved = example_client.save_manifest(image(mtn, wrong), zip_files([("scan.pdf", wrong)]))
    assert saved.status_code == 200, saved.json()
    assert "Emanifest.mtnValidationInfo" in [w["field"] for w in saved.json()["warnings"]]
    got = example_client.get_manifest(mtn).json()
    assert got["status"] == "MtnValidationFailed"
    assert got["mtnValidationInfo"]["pdfMtn"] == other

    # an update without a new scan keeps the result ...
    kept = example_client.update_manifest(got).json()
    assert kept["operationStatus"] == "Updated", kept
    assert example_client.get_manifest(mtn).json()["status"] == "MtnValidationFailed"
    # ... a new scan of the right number passes, counted as a rerun
    right = minimal_pdf([f"Uniform Hazardous Waste Manifest {mtn}"])
    rescanned = example_client.update_manifest(
        image(mtn, right), zip_files([("scan.pdf", right)])
    ).json()
    assert rescanned["operationStatus"] == "Updated", rescanned
    got = example_client.get_manifest(mtn).json()
    assert got["status"] == "ReadyForSignature"
    assert got["mtnValidationInfo"]["mtnsMatch"] is True
    assert got["mtnValidationInfo"]["mtnRerunCounter"] == 1


def test_the_caller_may_confirm_the_number_with_mtn_correct(
    example_client: RcrainfoClient, printed_mtn: Callable[[], str]
) -> None:
    mtn = printed_mtn()
    blank = minimal_pdf(["a scan the reader could not read"])
    example_client.save_manifest(image(mtn, blank), zip_files([("scan.pdf", blank)]))
    got = example_client.get_manifest(mtn).json()
    assert got["status"] == "MtnValidationFailed"
    assert got["mtnValidationInfo"]["mtnExtractionStatus"] == "Failed"
    got["mtnValidationInfo"] = {"mtnCorrect": True}
    assert example_client.update_manifest(got).json()["operationStatus"] == "Updated"
    confirmed = example_client.get_manifest(mtn).json()
    assert confirmed["status"] == "ReadyForSignature"
    assert confirmed["mtnValidationInfo"]["mtnCorrect"] is True
