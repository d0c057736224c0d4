"""The shape check: EPA's JSON schema restated as field specs, every problem reported at once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from haztrak.domain.errors import DomainError
from haztrak.domain.handlers import Address, Contact, Locality, Phone
from haztrak.domain.manifest import (
    AdditionalInfo,
    BrInfo,
    Code,
    CodeDescription,
    Comment,
    CorrectionInfo,
    CorrectionRequest,
    DensityUnitOfMeasurement,
    DiscrepancyResidueInfo,
    Document,
    DotInformation,
    ElectronicSignature,
    HazardousWaste,
    ImportGenerator,
    ImportInfo,
    Manifest,
    ManifestHandlerSite,
    ManifestShapeError,
    MtnValidationInfo,
    PaperSignature,
    PcbInfo,
    PortOfEntry,
    Problem,
    Quantity,
    RejectionInfo,
    Section,
    Signer,
    StateUser,
    Waste,
    decode_manifest,
    schema_problems,
)
from haztrak.domain.manifest import schema as specs

SCHEMA_FILE = Path(__file__).parents[4] / "src/haztrak/resources/emanifest/schema/emanifest.json"
OUR_EXTENSIONS = {"ManifestHandlerSite": {"signed"}}


def problems_of(document: Any) -> list[Problem]:
    with pytest.raises(ManifestShapeError) as refused:
        decode_manifest(json.dumps(document))
    return refused.value.problems


def test_every_problem_is_reported_at_once_with_its_path(documents: Any) -> None:
    document = documents.baseline(
        "electronic",
        {
            "status": "Draft",
            "createdDate": "yesterday",
            "generator.name": "N" * 81,
            "generator.nickname": "Gen",
            "transporters.0.order": "1",
            "wastes.0.dotHazardous": ...,
            "wastes.0.quantity.quantity": 1.5,
            "wastes.0.quantity.containerType.code": "XX",
            "wastes.1.hazardousWaste.txWasteCodes": ["123"],
            "printedDocument": {"name": "scan/1.pdf", "mimeType": "PDF"},
            "rejectionInfo": {"rejectionComments": ""},
        },
    )

    assert problems_of(document) == [
        Problem(
            "status",
            "must be one of: NotAssigned, Pending, Scheduled, InTransit, "
            "ReadyForSignature, Signed, Corrected, UnderCorrection, MtnValidationFailed",
        ),
        Problem("generator.nickname", "unknown field"),
        Problem("generator.name", "must be at most 80 characters"),
        Problem("transporters.0.order", "must be a number"),
        Problem("wastes.0.dotHazardous", "is required"),
        Problem(
            "wastes.0.quantity.containerType.code",
            "must be one of: BA, DT, CF, DW, CM, HG, CW, TC, CY, TP, DF, TT, DM",
        ),
        Problem("wastes.0.quantity.quantity", "must be an integer"),
        Problem("wastes.1.hazardousWaste.txWasteCodes.0", "must be exactly 8 characters"),
        Problem("createdDate", "must be a date-time such as 2019-03-13T04:00:00.000+0000"),
        Problem(
            "printedDocument.name",
            "may contain only letters, digits, spaces and the characters _ - .",
        ),
        Problem("printedDocument.mimeType", "must be one of: APPLICATION_PDF, TEXT_HTML"),
        Problem("rejectionInfo.rejectionComments", "must not be empty"),
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"wastes.0.quantity.quantity": 10.0},
            Problem("wastes.0.quantity.quantity", "must be an integer"),
        ),
        (
            {"wastes.0.quantity.quantity": True},
            Problem("wastes.0.quantity.quantity", "must be an integer"),
        ),
        (
            {"wastes.0.quantity.containerNumber": "12"},
            Problem("wastes.0.quantity.containerNumber", "must be an integer"),
        ),
        (
            {"wastes.0.quantity.containerNumber": 100_000},
            Problem("wastes.0.quantity.containerNumber", "must be between 0 and 99999"),
        ),
        (
            {"wastes.0.quantity.quantity": -1},
            Problem("wastes.0.quantity.quantity", "must be between 0 and 99999999999"),
        ),
        (
            {"wastes.0.quantity.unitOfMeasurement": ...},
            Problem("wastes.0.quantity.unitOfMeasurement", "is required when quantity is given"),
        ),
        (
            {"wastes.0.quantity.unitOfMeasurement.code": "X"},
            Problem(
                "wastes.0.quantity.unitOfMeasurement.code", "must be one of: P, T, K, M, G, L, Y, N"
            ),
        ),
        ({"wastes.0.br": "no"}, Problem("wastes.0.br", "must be true or false")),
        ({"wastes.0.lineNumber": "1"}, Problem("wastes.0.lineNumber", "must be a number")),
        (
            {"wastes.0.dotInformation.hazardClass": "3"},
            Problem("wastes.0.dotInformation.hazardClass", "unknown field"),
        ),
        (
            {"wastes.0.dotInformation.printedDotInformation": ...},
            Problem("wastes.0.dotInformation.printedDotInformation", "is required"),
        ),
        ({"wastes": {}}, Problem("wastes", "must be a list")),
        ({"generator.contact.phone": {}}, Problem("generator.contact.phone.number", "is required")),
        (
            {"generator.siteState": {"code": "VIR"}},
            Problem("generator.siteState.code", "must be exactly 2 characters"),
        ),
        (
            {"generator.siteState": {"code": "VA", "name": ""}},
            Problem("generator.siteState.name", "must not be empty"),
        ),
        (
            {"generator.siteType": "TSDF"},
            Problem("generator.siteType", "must be one of: Generator, Transporter, Tsdf, Broker"),
        ),
        (
            {"generator.mailingAddress": {"city": "Arlington"}},
            Problem("generator.mailingAddress.address1", "is required"),
        ),
        (
            {"generator.electronicSignaturesInfo": [{"signatureDate": "2019-03-13"}]},
            Problem(
                "generator.electronicSignaturesInfo.0.signatureDate",
                "must be a date-time such as 2019-03-13T04:00:00.000+0000",
            ),
        ),
        ({"generator.name": 7}, Problem("generator.name", "must be a string")),
        (
            {"generator.contact.email": 7},
            Problem("generator.contact.email", "must be a string or null"),
        ),
        ({"broker": None}, Problem("broker", "must be an object")),
        (
            {"correctionInfo": {"versionNumber": 1.5}},
            Problem("correctionInfo.versionNumber", "must be an integer"),
        ),
    ],
    ids=lambda value: next(iter(value)) if isinstance(value, dict) else "",
)
def test_each_kind_of_problem_says_what_is_allowed(
    documents: Any, changes: dict[str, Any], expected: Problem
) -> None:
    assert problems_of(documents.baseline("electronic", changes)) == [expected]


def test_the_schema_allows_a_null_contact_email(documents: Any) -> None:
    manifest = decode_manifest(
        json.dumps(documents.baseline("electronic", {"generator.contact.email": None}))
    )

    assert manifest.generator is not None
    assert manifest.generator.contact is not None
    assert manifest.generator.contact.email is None


def test_handlers_may_carry_our_read_only_signed_flag_and_nothing_else_may(documents: Any) -> None:
    document = documents.baseline("electronic", {"generator.signed": True, "signed": True})

    assert problems_of(document) == [Problem("signed", "unknown field")]


def test_objects_epa_leaves_open_accept_keys_it_does_not_define() -> None:
    document = {
        "correctionRequests": [
            {"active": True, "reviewer": "x", "sections": [{"sectionNumber": "9", "page": 1}]}
        ]
    }

    manifest = decode_manifest(json.dumps(document))

    assert manifest.correction_requests == [
        CorrectionRequest(active=True, sections=[Section(section_number="9")])
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"[]", Problem("", "must be an object")),
        (b'"manifest"', Problem("", "must be an object")),
    ],
)
def test_a_document_that_is_not_an_object_is_refused(data: bytes, expected: Problem) -> None:
    with pytest.raises(ManifestShapeError) as refused:
        decode_manifest(data)

    assert refused.value.problems == [expected]


def test_text_that_is_not_json_is_refused_as_such() -> None:
    with pytest.raises(ManifestShapeError) as refused:
        decode_manifest(b'{"status": ')

    [problem] = refused.value.problems
    assert problem.field == ""
    assert problem.message.startswith("is not valid JSON")


def test_the_shape_error_is_a_domain_error_that_summarises_its_problems() -> None:
    error = ManifestShapeError(
        [Problem(f"wastes.{i}.br", "must be true or false") for i in range(5)]
    )

    assert isinstance(error, DomainError)
    assert str(error) == (
        "wastes.0.br: must be true or false; wastes.1.br: must be true or false; "
        "wastes.2.br: must be true or false; and 2 more"
    )


def test_schema_problems_is_empty_for_a_valid_document(documents: Any) -> None:
    assert schema_problems(documents.baseline("paper")) == []


# The specs and EPA's schema file say the same.


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    name = None
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["definitions"][name]
    return name, node


def _differences(
    schema: dict[str, Any], node: dict[str, Any], spec: specs.Spec, path: str
) -> list[str]:
    name, node = _resolve(schema, node)
    kind = node.get("type")
    found: list[str] = []
    if kind == "object":
        assert isinstance(spec, specs.ObjectSpec), path
        expected_keys = set(node.get("properties", {})) | OUR_EXTENSIONS.get(name or "", set())
        if set(spec.properties) != expected_keys:
            found.append(f"{path}: keys {sorted(set(spec.properties) ^ expected_keys)}")
        if set(spec.required) != set(node.get("required", [])):
            found.append(f"{path}: required")
        if spec.closed != (node.get("additionalProperties") is False):
            found.append(f"{path}: closed")
        if dict(spec.dependencies) != {
            k: tuple(v) for k, v in node.get("dependencies", {}).items()
        }:
            found.append(f"{path}: dependencies")
        for key, child in node.get("properties", {}).items():
            if key in spec.properties:
                found += _differences(schema, child, spec.properties[key], f"{path}.{key}")
    elif kind == "array":
        assert isinstance(spec, specs.ArraySpec), path
        found += _differences(schema, node["items"], spec.items, f"{path}.[]")
    elif kind in ("string", ["string", "null"]):
        assert isinstance(spec, specs.StringSpec), path
        if spec.nullable != (kind == ["string", "null"]):
            found.append(f"{path}: nullable")
        if set(node.get("enum", ())) != set(spec.choices or ()):
            found.append(f"{path}: enum")
        if not spec.choices and (spec.min_length, spec.max_length) != (
            node.get("minLength") or None,
            node.get("maxLength"),
        ):
            found.append(f"{path}: length")
        if spec.pattern != node.get("pattern") or spec.date_time != (
            node.get("format") == "date-time"
        ):
            found.append(f"{path}: pattern or format")
    elif kind == "integer":
        assert isinstance(spec, specs.IntegerSpec), path
        if (spec.minimum, spec.maximum) != (node.get("minimum"), node.get("maximum")):
            found.append(f"{path}: range")
    elif kind == "number":
        assert isinstance(spec, specs.NumberSpec), path
    elif kind == "boolean":
        assert isinstance(spec, specs.BooleanSpec), path
    else:
        found.append(f"{path}: unknown type {kind}")
    return found


def test_the_specs_restate_every_rule_of_epas_schema_file() -> None:
    """A string with an enum needs no length (EPA gives both for codes; the enum decides)."""
    schema = json.loads(SCHEMA_FILE.read_bytes())

    assert _differences(schema, {"$ref": schema["$ref"]}, specs.MANIFEST, "Emanifest") == []


SPEC_OF_TYPE: list[tuple[specs.ObjectSpec, type[msgspec.Struct]]] = [
    (specs.MANIFEST, Manifest),
    (specs.HANDLER, ManifestHandlerSite),
    (specs.ADDRESS, Address),
    (specs.CONTACT, Contact),
    (specs.PHONE, Phone),
    (specs.LOCALITY, Locality),
    (specs.SIGNER, Signer),
    (specs.DOCUMENT, Document),
    (specs.PAPER_SIGNATURE, PaperSignature),
    (specs.ELECTRONIC_SIGNATURE, ElectronicSignature),
    (specs.CODE, Code),
    (specs.CODE_DESCRIPTION, CodeDescription),
    (specs.UNIT_OF_MEASUREMENT, CodeDescription),
    (specs.CONTAINER_TYPE, CodeDescription),
    (specs.DENSITY_UNIT_OF_MEASUREMENT, DensityUnitOfMeasurement),
    (specs.DOT_INFORMATION, DotInformation),
    (specs.QUANTITY, Quantity),
    (specs.BR_INFO, BrInfo),
    (specs.HAZARDOUS_WASTE, HazardousWaste),
    (specs.PCB_INFO, PcbInfo),
    (specs.DISCREPANCY_RESIDUE_INFO, DiscrepancyResidueInfo),
    (specs.COMMENT, Comment),
    (specs.ADDITIONAL_INFO, AdditionalInfo),
    (specs.WASTE, Waste),
    (specs.REJECTION_INFO, RejectionInfo),
    (specs.IMPORT_GENERATOR, ImportGenerator),
    (specs.PORT_OF_ENTRY, PortOfEntry),
    (specs.IMPORT_INFO, ImportInfo),
    (specs.STATE_USER, StateUser),
    (specs.SECTION, Section),
    (specs.CORRECTION_REQUEST, CorrectionRequest),
    (specs.CORRECTION_INFO, CorrectionInfo),
    (specs.MTN_VALIDATION_INFO, MtnValidationInfo),
]


def test_every_object_spec_has_a_model_type() -> None:
    declared = {id(value) for value in vars(specs).values() if isinstance(value, specs.ObjectSpec)}

    assert declared == {id(spec) for spec, _ in SPEC_OF_TYPE}


@pytest.mark.parametrize(("spec", "model"), SPEC_OF_TYPE, ids=lambda v: getattr(v, "__name__", ""))
def test_the_model_has_the_keys_and_required_fields_of_its_spec(
    spec: specs.ObjectSpec, model: type[msgspec.Struct]
) -> None:
    fields = msgspec.structs.fields(model)

    assert {field.encode_name for field in fields} == set(spec.properties)
    assert {field.encode_name for field in fields if field.required} == set(spec.required)
