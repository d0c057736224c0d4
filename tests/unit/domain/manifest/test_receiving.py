"""Receiving: the designated facility's discrepancies, residue and rejection (NOTES §2.1, §2.3,
§3.3), the signature of a rejection's destination (§3.1, §3.4), and the new manifest for rejected
or residue waste."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from haztrak.domain.manifest import (
    AlternateFacilityType,
    HandlerRole,
    Manifest,
    ManifestShapeError,
    NewManifestDestination,
    Operation,
    OperationNotAllowed,
    QuickerSignature,
    RejectionType,
    SignatureRefused,
    SigningTurn,
    Status,
    apply_quicker_signature,
    decode_manifest,
    next_signer,
    operations_for,
)
from haztrak.domain.manifest.receiving import (
    Receipt,
    leftover_waste,
    new_tracking_numbers,
    original_tracking_numbers,
    record_receipt,
    rejected_waste_manifest,
)
from haztrak.domain.manifest.search import search_terms

NOW = datetime(2026, 6, 1, 15, tzinfo=UTC)
ALTERNATE = "VATEST000003"


@pytest.fixture
def arrived(documents: Any) -> Manifest:
    """The single-transporter electronic manifest, signed by its transporter: it waits for
    the designated facility."""
    document = documents.baseline("electronic")
    document["transporters"] = document["transporters"][:1]
    document["manifestTrackingNumber"] = "100032437ELC"
    document["status"] = "ReadyForSignature"
    for handler in (document["generator"], document["transporters"][0]):
        handler["electronicSignaturesInfo"] = [{"signatureDate": "2026-05-30T12:00:00.000+0000"}]
    return decode_manifest(msgspec.json.encode(document))


def receipt(**fields: Any) -> Receipt:
    return msgspec.convert(fields, Receipt)


def fields_of(error: pytest.ExceptionInfo[ManifestShapeError]) -> set[str]:
    return {p.field for p in error.value.problems}


def test_a_clean_receipt_says_no_discrepancy_on_every_line(arrived: Manifest) -> None:
    received = record_receipt(arrived, receipt())

    assert received.discrepancy is False
    assert received.residue is False
    assert received.rejection is False
    assert received.rejection_info is None
    assert received.contains_previous_reject_or_residue is False
    for waste in received.wastes or ():
        info = waste.discrepancy_residue_info
        assert info is not None
        assert (info.waste_quantity, info.waste_type, info.residue) == (False, False, False)


def test_the_manifest_flags_follow_the_lines(arrived: Manifest) -> None:
    received = record_receipt(
        arrived,
        receipt(
            wastes=[
                {
                    "lineNumber": 1,
                    "discrepancyResidueInfo": {
                        "wasteQuantity": True,
                        "discrepancyComments": " 2 drums short ",
                    },
                },
                {
                    "lineNumber": 2,
                    "discrepancyResidueInfo": {"residue": True, "residueComments": "sludge"},
                },
            ],
            residueNewManifestTrackingNumbers=["100032999ELC"],
        ),
    )

    assert received.discrepancy is True
    assert received.residue is True
    first = (received.wastes or [])[0].discrepancy_residue_info
    assert first is not None
    assert first.discrepancy_comments == "2 drums short"
    assert received.residue_new_manifest_tracking_numbers == ["100032999ELC"]
    assert leftover_waste(received) is not None
    assert new_tracking_numbers(received) == ["100032999ELC"]


def test_each_flag_needs_its_comment_and_lines_must_exist(arrived: Manifest) -> None:
    with pytest.raises(ManifestShapeError) as error:
        record_receipt(
            arrived,
            receipt(
                wastes=[
                    {"lineNumber": 1, "discrepancyResidueInfo": {"wasteType": True}},
                    {
                        "lineNumber": 2,
                        "discrepancyResidueInfo": {"residue": True, "residueComments": "x" * 256},
                    },
                    {"lineNumber": 9, "discrepancyResidueInfo": {}},
                ],
                residueNewManifestTrackingNumbers=["12"],
            ),
        )

    assert fields_of(error) == {
        "wastes.0.discrepancyResidueInfo.discrepancyComments",
        "wastes.1.discrepancyResidueInfo.residueComments",
        "wastes.2.lineNumber",
        "residueNewManifestTrackingNumbers.0",
    }


def test_a_rejection_explains_itself(arrived: Manifest) -> None:
    with pytest.raises(ManifestShapeError) as error:
        record_receipt(arrived, receipt(rejection=True, rejectionInfo={}))

    assert fields_of(error) == {
        "rejectionInfo.rejectionComments",
        "rejectionInfo.transporterOnSite",
    }
    with pytest.raises(ManifestShapeError) as error:
        record_receipt(
            arrived,
            receipt(
                rejection=True,
                rejectionInfo={"transporterOnSite": False, "rejectionComments": "leaking"},
            ),
        )
    assert fields_of(error) == {"rejectionInfo.rejectionType"}


def test_with_the_transporter_on_site_the_rejection_is_full_and_names_its_destination(
    arrived: Manifest,
) -> None:
    facility = (arrived.designated_facility and arrived.designated_facility.epa_site_id) or ""
    with pytest.raises(ManifestShapeError) as error:
        record_receipt(
            arrived,
            receipt(
                rejection=True,
                rejectionInfo={
                    "transporterOnSite": True,
                    "rejectionType": "PartialReject",
                    "alternateDesignatedFacilityType": "Tsdf",
                    "alternateDesignatedFacility": {"epaSiteId": facility},
                    "newManifestTrackingNumbers": ["100032999ELC"],
                    "rejectionComments": "wrong waste",
                },
            ),
        )
    assert fields_of(error) == {
        "rejectionInfo.rejectionType",
        "rejectionInfo.newManifestTrackingNumbers",
        "rejectionInfo.alternateDesignatedFacility.epaSiteId",
    }
    with pytest.raises(ManifestShapeError) as error:
        record_receipt(
            arrived,
            receipt(
                rejection=True,
                rejectionInfo={"transporterOnSite": True, "rejectionComments": "wrong waste"},
            ),
        )
    assert fields_of(error) == {"rejectionInfo.alternateDesignatedFacilityType"}


def test_a_receipt_is_recorded_only_while_ready_for_signature(arrived: Manifest) -> None:
    for status in (Status.IN_TRANSIT, Status.SIGNED):
        with pytest.raises(OperationNotAllowed):
            record_receipt(msgspec.structs.replace(arrived, status=status), receipt())
    with pytest.raises(OperationNotAllowed):
        record_receipt(msgspec.structs.replace(arrived, locked=True), receipt())


def _sign(manifest: Manifest, role: HandlerRole, site: str) -> Manifest:
    signature = QuickerSignature(site_id=site, site_type=role, printed_name="Pat", signed_at=NOW)
    return apply_quicker_signature(manifest, signature, now=NOW)


def _rejected_on_site(arrived: Manifest, kind: str) -> Manifest:
    info: dict[str, Any] = {
        "transporterOnSite": True,
        "alternateDesignatedFacilityType": kind,
        "rejectionComments": "not the waste we accept",
    }
    if kind == "Tsdf":
        info["alternateDesignatedFacility"] = {"epaSiteId": ALTERNATE}
    return record_receipt(arrived, receipt(rejection=True, rejectionInfo=info))


def test_the_alternate_facility_signs_after_the_designated_facility(arrived: Manifest) -> None:
    rejected = _rejected_on_site(arrived, "Tsdf")
    info = rejected.rejection_info
    assert info is not None
    assert info.rejection_type is RejectionType.FULL_REJECT
    assert info.alternate_designated_facility_type is AlternateFacilityType.TSDF
    facility = rejected.designated_facility
    assert facility is not None
    assert facility.epa_site_id

    signed = _sign(rejected, HandlerRole.TSDF, facility.epa_site_id)

    assert signed.status is Status.READY_FOR_SIGNATURE
    assert next_signer(signed) == SigningTurn(role=HandlerRole.ALTERNATE_TSDF)
    assert Operation.RECEIVE not in operations_for(signed)
    with pytest.raises(SignatureRefused):
        _sign(signed, HandlerRole.ALTERNATE_TSDF, "VATEST999999")
    done = _sign(signed, HandlerRole.ALTERNATE_TSDF, ALTERNATE)
    assert done.status is Status.SIGNED
    assert next_signer(done) is None
    alternate = done.rejection_info and done.rejection_info.alternate_designated_facility
    assert alternate is not None
    assert alternate.has_signed()


def test_waste_returned_to_the_generator_is_signed_by_the_generator(arrived: Manifest) -> None:
    rejected = _rejected_on_site(arrived, "Generator")
    facility, generator = rejected.designated_facility, rejected.generator
    assert facility
    assert facility.epa_site_id
    assert generator
    assert generator.epa_site_id

    signed = _sign(rejected, HandlerRole.TSDF, facility.epa_site_id)
    assert next_signer(signed) == SigningTurn(role=HandlerRole.GENERATOR)
    done = _sign(signed, HandlerRole.GENERATOR, generator.epa_site_id)

    assert done.status is Status.SIGNED
    assert done.rejection_info
    assert done.rejection_info.generator_electronic_signature


def test_without_a_rejection_the_facility_signature_ends_the_walk(arrived: Manifest) -> None:
    received = record_receipt(arrived, receipt())
    facility = received.designated_facility
    assert facility is not None
    assert facility.epa_site_id

    assert _sign(received, HandlerRole.TSDF, facility.epa_site_id).status is Status.SIGNED


def test_the_new_manifest_carries_the_rejected_waste_and_names_the_original(
    arrived: Manifest,
) -> None:
    received = record_receipt(
        arrived,
        receipt(
            rejection=True,
            rejectionInfo={
                "transporterOnSite": False,
                "rejectionType": "PartialReject",
                "rejectionComments": "line 2 is not ours",
            },
            wastes=[
                {
                    "lineNumber": 2,
                    "discrepancyResidueInfo": {
                        "wasteType": True,
                        "discrepancyComments": "not as described",
                    },
                }
            ],
        ),
    )
    facility = received.designated_facility
    assert facility is not None
    assert facility.epa_site_id

    new = rejected_waste_manifest(received)

    assert new.is_draft()
    assert new.contains_previous_reject_or_residue is True
    assert new.generator is not None
    assert new.generator.epa_site_id == facility.epa_site_id
    assert [w.line_number for w in new.wastes or ()] == [1]
    assert original_tracking_numbers(new) == ["100032437ELC"]
    assert new.additional_info is not None
    assert new.additional_info.new_manifest_destination is NewManifestDestination.TSDF
    assert "100032437ELC" in search_terms(new)


def test_no_new_manifest_without_rejected_or_residue_waste(arrived: Manifest) -> None:
    with pytest.raises(OperationNotAllowed):
        rejected_waste_manifest(arrived)
    with pytest.raises(OperationNotAllowed):
        rejected_waste_manifest(record_receipt(arrived, receipt()))
    with pytest.raises(OperationNotAllowed):  # the transporter took it on, on this manifest
        rejected_waste_manifest(_rejected_on_site(arrived, "Tsdf"))
