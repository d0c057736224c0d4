"""A manifest as form 8700-22: which transporters and lines go on which page, and what each
box says."""

from __future__ import annotations

import msgspec
import pytest
from tests.manifest_documents import manifest_document
from tests.manifest_forms import SIGNED_MTN, signed_document, signed_manifest

from haztrak.domain.manifest import manifest_from_document
from haztrak.domain.manifest.form import (
    DRAFT_STAMP,
    FormSignature,
    continuation_sheets,
    manifest_form,
)


@pytest.mark.parametrize(
    ("transporters", "wastes", "sheets"),
    [
        (1, 1, 0),
        (2, 4, 0),
        (3, 4, 1),
        (2, 5, 1),
        (3, 6, 1),
        (4, 14, 1),
        (5, 14, 2),
        (2, 15, 2),
        (6, 30, 3),
    ],
)
def test_continuation_sheets_hold_two_transporters_and_ten_lines(
    transporters: int, wastes: int, sheets: int
) -> None:
    assert continuation_sheets(transporters, wastes) == sheets


def test_the_main_form_takes_the_first_two_transporters_and_four_lines() -> None:
    form = manifest_form(signed_manifest(transporters=5, wastes=15))
    assert form.page_count == 3
    assert [s.page for s in form.sheets] == [1, 2, 3]
    assert [[t.number for t in s.transporters] for s in form.sheets] == [[1, 2], [3, 4], [5]]
    assert [[w.line for w in s.wastes] for s in form.sheets] == [
        [1, 2, 3, 4],
        list(range(5, 15)),
        [15],
    ]
    assert not form.sheets[0].continuation
    assert form.sheets[1].continuation


def test_the_boxes_say_who_signed_when_and_how() -> None:
    form = manifest_form(signed_manifest())
    assert form.tracking_number == SIGNED_MTN
    assert not form.draft
    assert form.status == "Signed"
    assert form.generator.epa_id == "VATESTGEN001"
    assert form.generator.emergency_phone == "888-456-1234"
    assert form.generator.mailing_address == ("1 Main St", "Richmond, VA 23220")
    assert form.generator.signature == FormSignature(
        printed_name="Gina Generator", signature="e-signed (Quicker Sign)", date="03/10/2026"
    )
    third = form.sheets[1].transporters[0]
    assert third.number == 3
    assert third.signature is not None
    assert third.signature.printed_name == "Terry Trucker3"
    assert form.facility.signature is not None
    assert form.facility.signature.date == "03/12/2026"
    first = form.sheets[0].wastes[0]
    assert first.hazardous
    assert first.description == "NA1993, Waste Diesel fuel, 3, III"
    assert (first.containers, first.container_type, first.quantity, first.unit) == (
        "12",
        "DM",
        "480",
        "G",
    )
    assert first.waste_codes == ("D001",)
    assert first.management_method == "H141"
    assert form.special_handling == ("Keep away from heat.", "PO: PO-4471")


def test_discrepancies_check_their_boxes_and_name_their_lines() -> None:
    form = manifest_form(signed_manifest())
    found = form.discrepancy
    assert found.quantity
    assert found.residue
    assert not found.type
    assert not found.full_rejection
    assert found.reference_numbers == ("100000009ELC",)
    assert form.sheets[0].wastes[1].discrepancy == "Line 2 quantity: Received 10 drums, not 12"
    assert form.sheets[1].wastes[1].discrepancy == "Line 6 residue: Residue left in the tank"
    assert found.any


def test_a_rejection_names_the_alternate_facility_and_its_signature() -> None:
    document = signed_document()
    alternate = manifest_document(tsdf="VAALTTSDF001")["designatedFacility"]
    alternate["electronicSignaturesInfo"] = [
        {
            "signer": {"firstName": "Al", "lastName": "Ternate"},
            "signatureDate": "2026-03-14T15:00:00.000+00:00",
            "signatureMethod": "QuickerSign",
        }
    ]
    document["rejection"] = True
    document["rejectionInfo"] = {
        "transporterOnSite": True,
        "rejectionType": "FullReject",
        "alternateDesignatedFacilityType": "Tsdf",
        "alternateDesignatedFacility": alternate,
        "newManifestTrackingNumbers": ["100000010ELC"],
        "rejectionComments": "Wrong waste",
    }
    found = manifest_form(manifest_from_document(document)).discrepancy
    assert found.full_rejection
    assert not found.partial_rejection
    assert found.reference_numbers == ("100000009ELC", "100000010ELC")
    assert "Rejection: Wrong waste" in found.notes
    assert found.alternate is not None
    assert found.alternate.epa_id == "VAALTTSDF001"
    assert found.alternate_signature is not None
    assert found.alternate_signature.printed_name == "Al Ternate"


def test_a_draft_is_a_draft_and_nobody_has_signed_it() -> None:
    form = manifest_form(manifest_from_document(manifest_document(mtn="000000007DFT")))
    assert form.draft
    assert form.tracking_number == "000000007DFT"
    assert form.generator.signature is None
    assert not form.discrepancy.any
    assert "NOT VALID FOR SHIPMENT" in DRAFT_STAMP


def test_more_sheets_can_be_asked_for_and_never_fewer() -> None:
    form = manifest_form(signed_manifest(transporters=1, wastes=1))
    assert form.with_sheets(0) is form
    more = form.with_sheets(2)
    assert more.page_count == 3
    assert more.sheets[2].page == 3
    assert more.sheets[2].wastes == ()
    assert more.with_sheets(1) is more
    assert msgspec.structs.replace(more, sheets=more.sheets[:1]) == form


def test_an_import_names_the_foreign_generator_and_its_port_of_entry() -> None:
    document = signed_document(1, 1)
    document["import"] = True
    document["importInfo"] = {
        "importGenerator": {
            "name": "Fabrique Lyon",
            "address": "1 rue de la Paix",
            "city": "Lyon",
            "postalCode": "69001",
            "country": {"code": "FR", "name": "France"},
        },
        "portOfEntry": {"state": {"code": "NY"}, "cityPort": "Buffalo"},
    }
    form = manifest_form(manifest_from_document(document))
    assert form.importing
    assert form.port_of_entry == "Buffalo, NY"
    assert form.generator.epa_id == "VATESTGEN001"
    assert form.generator.name == "Fabrique Lyon"
    assert form.generator.mailing_address == ("1 rue de la Paix", "Lyon 69001", "France")


def test_pcb_articles_are_described_in_item_14() -> None:
    document = signed_document(1, 1)
    document["wastes"][0]["pcb"] = True
    document["wastes"][0]["pcbInfos"] = [
        {
            "loadType": {"code": "ArticleInContainer"},
            "articleContainerId": "TR-7",
            "dateOfRemoval": "2026-02-01T00:00:00.000+00:00",
            "weight": 120.5,
            "wasteType": "Transformer",
        }
    ]
    form = manifest_form(manifest_from_document(document))
    assert form.special_handling[-1] == (
        "Line 1 PCB: ArticleInContainer, TR-7, removed 02/01/2026, 120.5 kg, Transformer"
    )
