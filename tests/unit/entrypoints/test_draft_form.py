"""The draft editor's form <-> EPA's manifest JSON, and problems placed at inputs."""

from __future__ import annotations

import copy
from typing import Any

from haztrak.application.manifests.documents import read_manifest
from haztrak.entrypoints.web.draft_form import (
    DraftForm,
    input_id,
    join_dot_description,
    label_of,
    place_problems,
    split_dot_description,
)
from tests.manifest_documents import encoded, manifest_document


def flat(form: DraftForm) -> dict[str, str]:
    """The inputs as a browser posts them back."""
    fields = {name: form.value(name) for name in form.field_names()}
    for index, row in enumerate(form.transporters):
        fields[f"transporters.{index}._source"] = "" if row.source is None else str(row.source)
    for index, row in enumerate(form.wastes):
        fields[f"wastes.{index}._source"] = "" if row.source is None else str(row.source)
    return fields


def test_a_stored_manifest_goes_through_the_form_unchanged() -> None:
    document = manifest_document()
    document["generator"]["contact"]["email"] = "KEEP@EXAMPLE.COM"
    document["wastes"][0]["brInfo"] = {"density": 1.2}
    form = DraftForm.from_fields(flat(DraftForm.from_document(document)))
    assert form.build(document) == document


def test_the_form_holds_epa_paths_and_the_dot_description_in_parts() -> None:
    form = DraftForm.from_document(manifest_document())
    assert form.value("generator.epaSiteId") == "VATESTGEN001"
    assert form.value("generator.emergencyPhone.number") == "888-456-1234"
    assert form.value("transporters.1.epaSiteId") == "MOCKTRANS002"
    assert form.value("designatedFacility.siteAddress.city") == "Richmond"
    assert form.value("wastes.0.dotInformation.idNumber.code") == "NA1993"
    assert form.value("wastes.0.dotInformation.shippingName") == "Waste Diesel fuel"
    assert form.value("wastes.0.dotInformation.hazardClass") == "3"
    assert form.value("wastes.0.dotInformation.packingGroup") == "III"
    assert form.value("wastes.0.quantity.containerNumber") == "12"
    assert form.value("wastes.0.hazardousWaste.federalWasteCodes") == "D001"


def test_a_new_form_builds_a_document_of_epas_shape() -> None:
    fields = {
        "generator.epaSiteId": "vatestgen001",
        "generator.emergencyPhone.number": "888-456-1234",
        "transporters.0.epaSiteId": "MOCKTRANS001",
        "transporters.0.name": "Trucks",
        "designatedFacility.epaSiteId": "",
        "wastes.0.dotHazardous": "true",
        "wastes.0.epaWaste": "true",
        "wastes.0.dotInformation.idNumber.code": "un1993",
        "wastes.0.dotInformation.shippingName": "Waste Flammable liquids, n.o.s.",
        "wastes.0.dotInformation.hazardClass": "3",
        "wastes.0.dotInformation.packingGroup": "II",
        "wastes.0.quantity.containerNumber": "2",
        "wastes.0.quantity.containerType.code": "DM",
        "wastes.0.quantity.quantity": "abc",
        "wastes.0.quantity.unitOfMeasurement.code": "",
        "wastes.0.hazardousWaste.federalWasteCodes": "d001, F005 d001",
        "_find.transporters.0": "ignored",
    }
    record = {"epaSiteId": "VATESTGEN001", "name": "Gen", "mailingAddress": {"address1": "x"}}
    document = DraftForm.from_fields(fields).build(
        None, directory={"VATESTGEN001": record}.get, descriptions={"D001": "IGNITABLE"}
    )
    assert document["generator"] == {
        "epaSiteId": "VATESTGEN001",
        "name": "Gen",
        "mailingAddress": {"address1": "x"},
        "emergencyPhone": {"number": "888-456-1234"},
    }
    assert document["transporters"] == [{"epaSiteId": "MOCKTRANS001", "name": "Trucks", "order": 1}]
    assert "designatedFacility" not in document
    waste = document["wastes"][0]
    assert waste["dotInformation"] == {
        "idNumber": {"code": "UN1993"},
        "printedDotInformation": "UN1993, Waste Flammable liquids, n.o.s., 3, II",
    }
    assert waste["quantity"] == {
        "containerNumber": 2,
        "containerType": {"code": "DM"},
        "quantity": "abc",
    }
    assert waste["hazardousWaste"] == {
        "federalWasteCodes": [{"code": "D001", "description": "IGNITABLE"}, {"code": "F005"}]
    }
    assert (waste["lineNumber"], waste["pcb"], waste["br"]) == (1, False, False)


def test_an_incomplete_form_still_has_epas_shape() -> None:
    fields = {"generator.epaSiteId": "VATESTGEN001", "transporters.0.epaSiteId": ""}
    document = DraftForm.from_fields(fields).build()
    read_manifest(encoded(document))  # no shape problem
    assert document["transporters"] == [{"order": 1}]


def test_transporters_move_with_their_stored_fields() -> None:
    document = manifest_document(transporters=("MOCKTRANS001", "MOCKTRANS002", "MOCKTRANS003"))
    document["transporters"][2]["contact"]["email"] = "THIRD@EXAMPLE.COM"
    form = DraftForm.from_fields(flat(DraftForm.from_document(document)))
    assert form.apply("up:2")
    assert form.apply("remove_transporter:0")
    assert form.apply("add_transporter")
    assert not form.apply("up:0")
    assert not form.apply("remove_transporter:9")
    built = form.build(document)
    ids = [t.get("epaSiteId") for t in built["transporters"]]
    assert ids == ["MOCKTRANS003", "MOCKTRANS002", None]
    assert [t["order"] for t in built["transporters"]] == [1, 2, 3]
    assert built["transporters"][0]["contact"]["email"] == "THIRD@EXAMPLE.COM"


def test_waste_lines_are_added_removed_and_renumbered() -> None:
    document = manifest_document(wastes=2)
    document["wastes"][1]["wasteDescription"] = "SECOND"
    form = DraftForm.from_fields(flat(DraftForm.from_document(document)))
    form.apply("remove_waste:0")
    form.apply("add_waste")
    built = form.build(document)
    assert [w["lineNumber"] for w in built["wastes"]] == [1, 2]
    assert built["wastes"][0]["wasteDescription"] == "SECOND"
    assert "quantity" not in built["wastes"][1]


def test_a_party_with_a_new_epa_id_starts_from_its_record() -> None:
    document = manifest_document()
    form = DraftForm.from_fields(flat(DraftForm.from_document(document)))
    record: dict[str, Any] = {
        "epaSiteId": "VATSDF000002",
        "name": "Other facility",
        "siteAddress": {"address1": "2 Oak", "state": {"code": "VA", "name": "Virginia"}},
        "mailingAddress": {"address1": "PO Box 1"},
    }
    assert form.fill_party("designatedFacility", record)
    built = form.build(document, directory={"VATSDF000002": copy.deepcopy(record)}.get)
    facility = built["designatedFacility"]
    assert facility["name"] == "Other facility"
    assert facility["mailingAddress"] == {"address1": "PO Box 1"}
    assert facility["siteAddress"]["state"] == {"code": "VA", "name": "Virginia"}
    assert "contact" not in facility


def test_the_printed_dot_description_splits_and_joins_back() -> None:
    for printed, id_number in [
        ("UN1993, Waste Flammable liquids, n.o.s., 3, II", "UN1993"),
        ("NA1993, Waste Diesel fuel, 3, III", "NA1993"),
        ("UN3082, Environmentally hazardous substance, liquid, n.o.s., 9, III", "UN3082"),
        ("Just a name", ""),
    ]:
        name, hazard_class, group = split_dot_description(printed, id_number)
        assert join_dot_description(id_number, name, hazard_class, group) == printed
    assert split_dot_description("UN1830, Sulfuric acid, 8, II", "UN1830") == (
        "Sulfuric acid",
        "8",
        "II",
    )


def test_problems_find_their_inputs() -> None:
    form = DraftForm.from_document(manifest_document(transporters=("MOCKTRANS001",), wastes=1))
    placed = place_problems(
        form,
        [
            ("wastes.0.quantity.unitOfMeasurement.code", "must be one of: P, T", "error"),
            ("wastes.0.hazardousWaste.federalWasteCodes.1.code", "must be a code", "warning"),
            ("wastes.0.dotInformation", "is required", "warning"),
            ("wastes.0.dotInformation.printedDotInformation", "is too long", "error"),
            ("generator", "is required", "warning"),
            ("transporters", "must list one", "warning"),
            ("transporters.0.siteAddress", "is odd", "error"),
        ],
    )
    names = [p.name for p in placed]
    assert names == [
        "wastes.0.quantity.unitOfMeasurement.code",
        "wastes.0.hazardousWaste.federalWasteCodes",
        "wastes.0.dotInformation.idNumber.code",
        "wastes.0.dotInformation.shippingName",
        "generator.epaSiteId",
        "transporters.0.epaSiteId",
        "transporters.0.siteAddress.streetNumber",
    ]
    assert placed[0].anchor == input_id(placed[0].name or "")
    assert placed[0].anchor == "f-wastes-0-quantity-unitOfMeasurement-code"
    assert placed[0].text == "Waste line 1: Unit: must be one of: P, T"
    empty = place_problems(DraftForm(), [("transporters", "must list one", "warning")])
    assert (empty[0].name, empty[0].anchor) == (None, "sec-transporters")
    assert label_of("transporters.1.siteAddress.city") == "Transporter 2: City"


def test_a_hand_made_form_cannot_ask_for_endless_rows_or_foreign_keys() -> None:
    form = DraftForm.from_fields(
        {"wastes.5000.quantity.quantity": "1", "generator.status": "Signed", "status": "Signed"}
    )
    assert form.wastes == []
    assert "status" not in form.build()
    assert "generator" not in form.build()
