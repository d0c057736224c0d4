"""Attachments through `EmanifestRcrainfo` and EPA's client against the sandbox: a paper
manifest's scan uploaded with its save (multipart), the MTN e-Manifest reads off an Image scan,
and the attachments service (multipart/mixed) read back."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from haztrak.adapters.rcrainfo import EmanifestRcrainfo
from haztrak.application.ports.rcrainfo import RcrainfoError, RcrainfoErrorKind
from haztrak.domain.manifest import Status
from haztrak.entrypoints.sandbox.documents import minimal_pdf, zip_files
from haztrak.entrypoints.sandbox.seed import EXAMPLE_USER_CREDENTIALS
from tests.integration.rcrainfo.conftest import Target, credentials
from tests.integration.rcrainfo.test_contract import manifest_of, save_example

IMAGE = "emanifest-save-valid-Image-Only-Designated-Facility-example.json"
ELECTRONIC = "emanifest-save-valid-Full-Electronic-example.json"


async def test_a_scan_saved_with_its_manifest_comes_back_from_the_attachments_service(
    rcrainfo: EmanifestRcrainfo, target: Target, printed_mtn: Callable[[], str]
) -> None:
    _, mtn = await save_example(rcrainfo, target, IMAGE, printed_mtn)
    got = await rcrainfo.get_manifest_attachments(target.credentials, mtn)
    assert got.manifest.manifest_tracking_number == mtn
    assert got.manifest.current_status() is Status.READY_FOR_SIGNATURE
    info = got.manifest.mtn_validation_info
    assert info is not None
    assert (info.mtns_match, info.pdf_mtn) == (True, mtn)
    scans = [f for f in got.files if f.name == f"{mtn}.pdf"]
    assert len(scans) == 1
    assert scans[0].data.startswith(b"%PDF-")
    assert mtn.encode() in scans[0].data


async def test_an_image_scan_printing_another_number_fails_mtn_validation(
    adapter: EmanifestRcrainfo, printed_mtn: Callable[[], str]
) -> None:
    """Sandbox only: its scans are stand-in PDFs whose text it searches for the number."""
    rcrainfo, account = adapter, credentials(EXAMPLE_USER_CREDENTIALS)
    mtn, other = printed_mtn(), printed_mtn()
    pdf = minimal_pdf([f"Uniform Hazardous Waste Manifest {other}"])
    manifest = manifest_of(
        IMAGE,
        manifestTrackingNumber=mtn,
        printedDocument={"name": "scan.pdf", "size": len(pdf), "mimeType": "APPLICATION_PDF"},
    )
    report = await rcrainfo.save_manifest(account, manifest, zip_files([("scan.pdf", pdf)]))
    assert report.operation_status == "Saved"
    assert any(w.field == "Emanifest.mtnValidationInfo" for w in report.warnings), report
    got = await rcrainfo.get_manifest(account, mtn)
    assert got.current_status() is Status.MTN_VALIDATION_FAILED
    info = got.mtn_validation_info
    assert info is not None
    assert (info.mtns_match, info.pdf_mtn) == (False, other)


async def test_an_electronic_manifest_takes_no_attachment(
    rcrainfo: EmanifestRcrainfo, target: Target
) -> None:
    pdf = minimal_pdf(["not for this manifest"])
    with pytest.raises(RcrainfoError) as caught:
        await rcrainfo.save_manifest(
            target.credentials, manifest_of(ELECTRONIC), zip_files([("x.pdf", pdf)])
        )
    assert caught.value.kind is RcrainfoErrorKind.VALIDATION
    assert [e.field for e in caught.value.field_errors] == ["attachment"]


async def test_a_manifest_without_files_has_empty_attachments(
    rcrainfo: EmanifestRcrainfo, target: Target, printed_mtn: Callable[[], str]
) -> None:
    _, mtn = await save_example(rcrainfo, target, ELECTRONIC, printed_mtn)
    got = await rcrainfo.get_manifest_attachments(target.credentials, mtn)
    assert got.manifest.manifest_tracking_number == mtn
    assert got.files == []


async def test_the_attachments_of_an_unknown_manifest_are_not_found(
    rcrainfo: EmanifestRcrainfo, target: Target
) -> None:
    with pytest.raises(RcrainfoError) as caught:
        await rcrainfo.get_manifest_attachments(target.credentials, "999999999JJK")
    assert caught.value.kind is RcrainfoErrorKind.NOT_FOUND
