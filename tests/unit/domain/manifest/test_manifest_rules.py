"""e-Manifest's business rules, each passing on clean manifests and failing on a broken one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from haztrak.domain.manifest import (
    BUSINESS_RULES,
    CheckPurpose,
    Manifest,
    Problem,
    RuleContext,
    business_problems,
    decode_manifest,
)
from haztrak.domain.manifest import rules as r
from haztrak.domain.manifest.rules import Rule

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
LOCAL, SAVE, UPDATE = (
    CheckPurpose.LOCAL,
    CheckPurpose.EMANIFEST_SAVE,
    CheckPurpose.EMANIFEST_UPDATE,
)
MTN_RULE = "must be nine digits and a three-letter suffix, like 100032437ELC"
EPA_ID_RULE = "must be a two-letter state code followed by 2 to 10 letters or digits"
CLEAN = (
    "electronic",
    "hybrid",
    "single_transporter",
    "paper",
    "import",
    "rejection",
    "image",
    "signed",
)


def run(rule: Rule, manifest: Manifest, purpose: CheckPurpose = LOCAL) -> list[Problem]:
    return list(rule(manifest, RuleContext(now=NOW, purpose=purpose)))


@pytest.mark.parametrize("name", CLEAN)
@pytest.mark.parametrize("rule", BUSINESS_RULES, ids=lambda rule: rule.__name__)
def test_every_rule_passes_the_published_manifests(documents: Any, rule: Rule, name: str) -> None:
    assert run(rule, documents.manifest(name)) == []


@pytest.mark.parametrize(
    ("name", "purpose"),
    [("electronic", SAVE), ("hybrid", SAVE), ("paper", SAVE), ("single_transporter", UPDATE)],
)
def test_published_save_and_update_requests_pass_for_their_purpose(
    documents: Any, name: str, purpose: CheckPurpose
) -> None:
    assert business_problems(documents.manifest(name), now=NOW, purpose=purpose) == []


def case(
    rule: Rule,
    name: str,
    changes: dict[str, Any],
    expected: list[tuple[str, str]],
    purpose: CheckPurpose = LOCAL,
    *,
    id: str,
) -> Any:
    return pytest.param(rule, name, changes, purpose, expected, id=f"{rule.__name__}-{id}")


FAILING = [
    # Submission
    case(
        r.check_submission_type,
        "electronic",
        {"submissionType": ...},
        [("submissionType", "is required to send a manifest to e-Manifest")],
        SAVE,
        id="missing",
    ),
    case(
        r.check_tracking_numbers,
        "paper",
        {"manifestTrackingNumber": "CHANGE ME"},
        [("manifestTrackingNumber", MTN_RULE)],
        id="placeholder",
    ),
    case(
        r.check_tracking_numbers,
        "paper",
        {"manifestTrackingNumber": ...},
        [
            (
                "manifestTrackingNumber",
                "is required on Image and DataImage5Copy manifests: the number printed on the form",
            )
        ],
        id="paper-without",
    ),
    case(
        r.check_tracking_numbers,
        "paper",
        {"manifestTrackingNumber": "000000001DFT"},
        [
            (
                "manifestTrackingNumber",
                "is required on Image and DataImage5Copy manifests: the number printed on the form",
            )
        ],
        SAVE,
        id="paper-draft-number-on-save",
    ),
    case(
        r.check_tracking_numbers,
        "electronic",
        {"manifestTrackingNumber": "100032437ELC"},
        [
            (
                "manifestTrackingNumber",
                "must be left out when saving a FullElectronic or Hybrid manifest: "
                "e-Manifest assigns it",
            )
        ],
        SAVE,
        id="electronic-save-with-one",
    ),
    case(
        r.check_tracking_numbers,
        "electronic",
        {},
        [("manifestTrackingNumber", "is required to update a manifest in e-Manifest")],
        UPDATE,
        id="update-without",
    ),
    case(
        r.check_tracking_numbers,
        "electronic",
        {"manifestTrackingNumber": "000000007DFT"},
        [("manifestTrackingNumber", "is required to update a manifest in e-Manifest")],
        UPDATE,
        id="update-with-draft-number",
    ),
    case(
        r.check_tracking_numbers,
        "rejection",
        {
            "residueNewManifestTrackingNumbers": ["12345ELC"],
            "rejectionInfo.newManifestTrackingNumbers": ["123456789elc"],
        },
        [
            ("residueNewManifestTrackingNumbers.0", MTN_RULE),
            ("rejectionInfo.newManifestTrackingNumbers.0", MTN_RULE),
        ],
        id="listed",
    ),
    case(
        r.check_tracking_numbers,
        "rejection",
        {"wastes.0.additionalInfo.originalManifestTrackingNumbers": ["X"]},
        [("wastes.0.additionalInfo.originalManifestTrackingNumbers.0", MTN_RULE)],
        id="original",
    ),
    case(
        r.check_status_for_submission,
        "electronic",
        {"status": "InTransit"},
        [
            (
                "status",
                "must be Pending or Scheduled when a FullElectronic or Hybrid manifest "
                "is sent to e-Manifest",
            )
        ],
        SAVE,
        id="in-transit",
    ),
    case(
        r.check_status_for_submission,
        "paper",
        {"originType": "Mail"},
        [("originType", "a Mail manifest cannot be saved or updated through services")],
        UPDATE,
        id="mail",
    ),
    # Parties
    case(
        r.check_parties,
        "electronic",
        {"generator": ..., "transporters": [], "designatedFacility": ...},
        [
            ("generator", "is required"),
            ("transporters", "must list at least one transporter"),
            ("designatedFacility", "is required"),
        ],
        id="none",
    ),
    case(
        r.check_parties,
        "electronic",
        {"transporters.1.epaSiteId": ...},
        [("transporters.1.epaSiteId", "is required")],
        id="no-id",
    ),
    case(
        r.check_parties,
        "image",
        {"designatedFacility.epaSiteId": ...},
        [
            (
                "designatedFacility.epaSiteId",
                "is required: an Image manifest names the EPA ID of the facility submitting it",
            )
        ],
        id="image",
    ),
    case(
        r.check_unregistered_handlers,
        "electronic",
        {"generator.registered": False},
        [
            (
                "generator.registered",
                "an unregistered generator is not allowed on a FullElectronic manifest",
            )
        ],
        id="electronic",
    ),
    case(
        r.check_unregistered_handlers,
        "import",
        {"generator.mailingAddress": ..., "generator.contact": {}},
        [
            ("generator.mailingAddress", "is required for an unregistered site"),
            ("generator.contact.phone", "is required for an unregistered site"),
        ],
        id="incomplete",
    ),
    case(
        r.check_epa_ids,
        "electronic",
        {
            "designatedFacility.epaSiteId": "va000532119",
            "wastes.0.additionalInfo.comments.0.handlerId": "V1",
        },
        [
            ("designatedFacility.epaSiteId", EPA_ID_RULE),
            ("wastes.0.additionalInfo.comments.0.handlerId", EPA_ID_RULE),
        ],
        id="pattern",
    ),
    case(
        r.check_epa_ids,
        "electronic",
        {"transporters.0.registered": False, "transporters.0.epaSiteId": "NOT REGISTERED"},
        [("transporters.0.epaSiteId", EPA_ID_RULE)],
        id="unregistered-transporter-on-electronic",
    ),
    case(
        r.check_generator_state,
        "paper",
        {"generator.siteAddress.state.code": "MD"},
        [("generator.siteAddress.state.code", "must be VA, the state of EPA ID VATEST000004")],
        id="other-state",
    ),
    case(
        r.check_emergency_phones,
        "electronic",
        {"generator.emergencyPhone": ..., "designatedFacility.contact.phone": ...},
        [
            ("generator.emergencyPhone", "is required"),
            ("designatedFacility.contact.phone", "is required"),
        ],
        id="missing",
    ),
    case(
        r.check_transporter_orders,
        "electronic",
        {"transporters.1.order": 3, "transporters.2.order": 2},
        [
            (
                "transporters.1.order",
                "must be 2: transporters are numbered 1 to 3 in the order they carry the waste",
            ),
            (
                "transporters.2.order",
                "must be 3: transporters are numbered 1 to 3 in the order they carry the waste",
            ),
        ],
        id="swapped",
    ),
    case(
        r.check_transporter_orders,
        "electronic",
        {"transporters.0.order": ...},
        [("transporters.0.order", "is required")],
        id="missing",
    ),
    # Waste lines
    case(
        r.check_wastes_present,
        "electronic",
        {"wastes": []},
        [("wastes", "must list at least one waste line from Scheduled on")],
        id="none",
    ),
    case(
        r.check_line_numbers,
        "electronic",
        {"wastes.1.lineNumber": 1},
        [
            (
                "wastes.1.lineNumber",
                "must be a whole number above 1: waste lines are numbered from 1, in order",
            )
        ],
        id="not-increasing",
    ),
    case(
        r.check_dot_information,
        "electronic",
        {"wastes.0.dotInformation": ..., "wastes.1.wasteDescription": ...},
        [
            ("wastes.0.dotInformation", "is required when dotHazardous is true"),
            ("wastes.1.wasteDescription", "is required when dotHazardous is false"),
        ],
        id="missing",
    ),
    case(
        r.check_dot_information,
        "electronic",
        {
            "wastes.1.dotInformation": {
                "idNumber": {"code": "NA1993"},
                "printedDotInformation": "NA1993",
            }
        },
        [("wastes.1.dotInformation", "must be left out when dotHazardous is false")],
        id="not-hazardous",
    ),
    case(
        r.check_dot_information,
        "electronic",
        {"wastes.0.dotInformation.idNumber.code": "1993"},
        [
            (
                "wastes.0.dotInformation.idNumber.code",
                "must be UN or NA and four digits (UN1993), or NOID",
            )
        ],
        id="id-number",
    ),
    case(
        r.check_federal_waste_codes,
        "electronic",
        {"wastes.1.hazardousWaste.federalWasteCodes": [{"code": "D001"}]},
        [("wastes.1.hazardousWaste.federalWasteCodes", "must be empty when epaWaste is false")],
        id="not-epa-waste",
    ),
    case(
        r.check_federal_waste_codes,
        "electronic",
        {"wastes.0.hazardousWaste.federalWasteCodes.0.code": "X001"},
        [
            (
                "wastes.0.hazardousWaste.federalWasteCodes.0.code",
                "must be a federal waste code: D, F, K, P or U and three digits",
            )
        ],
        id="format",
    ),
    case(
        r.check_quantities,
        "electronic",
        {
            "wastes.0.quantity.quantity": 480.5,
            "wastes.0.quantity.containerNumber": 10_000,
            "wastes.1.quantity.containerType.code": "XX",
            "wastes.1.quantity.unitOfMeasurement.code": "LB",
        },
        [
            ("wastes.0.quantity.containerNumber", "must be between 0 and 9999"),
            ("wastes.0.quantity.quantity", "must be an integer"),
            (
                "wastes.1.quantity.containerType.code",
                "must be one of: BA, DT, CF, DW, CM, HG, CW, TC, CY, TP, DF, TT, DM",
            ),
            ("wastes.1.quantity.unitOfMeasurement.code", "must be one of: P, T, K, M, G, L, Y, N"),
        ],
        id="values",
    ),
    case(
        r.check_quantities,
        "electronic",
        {"wastes.0.quantity": ..., "wastes.1.quantity": {"quantity": 5}},
        [
            ("wastes.0.quantity", "is required"),
            ("wastes.1.quantity.containerNumber", "is required"),
            ("wastes.1.quantity.containerType", "is required"),
            ("wastes.1.quantity.unitOfMeasurement", "is required"),
        ],
        id="missing",
    ),
    case(
        r.check_quantities,
        "electronic",
        {"wastes.0.quantity.quantity": 5.0},
        [("wastes.0.quantity.quantity", "must be an integer")],
        id="float-five",
    ),
    case(
        r.check_management_methods,
        "electronic",
        {"wastes.0.managementMethod.code": "H999"},
        [
            (
                "wastes.0.managementMethod.code",
                "must be one of: H010, H011, H020, H039, H040, H050, H061, H070, H077, "
                "H081, H100, H101, H103, H110, H111, H112, H120, H121, H122, H129, H131, "
                "H132, H134, H135, H141",
            )
        ],
        id="unknown",
    ),
    case(
        r.check_management_methods,
        "paper",
        {"wastes.0.managementMethod": ...},
        [
            (
                "wastes.0.managementMethod",
                "is required for an EPA waste on a DataImage5Copy manifest",
            )
        ],
        id="paper",
    ),
    case(
        r.check_management_methods,
        "signed",
        {"wastes.0.managementMethod": ...},
        [
            (
                "wastes.0.managementMethod",
                "is required for an EPA waste once the designated facility has signed",
            )
        ],
        id="signed",
    ),
    case(
        r.check_density,
        "paper",
        {"wastes.4.brInfo.density": 1000},
        [
            (
                "wastes.4.brInfo.density",
                "must be more than 0 and at most 999.99, with at most two decimals",
            )
        ],
        id="too-dense",
    ),
    case(
        r.check_density,
        "paper",
        {"wastes.4.brInfo.density": 1.005},
        [
            (
                "wastes.4.brInfo.density",
                "must be more than 0 and at most 999.99, with at most two decimals",
            )
        ],
        id="decimals",
    ),
    case(
        r.check_density,
        "paper",
        {"wastes.4.brInfo.densityUnitOfMeasurement": ...},
        [("wastes.4.brInfo.densityUnitOfMeasurement", "is required when density is given")],
        id="no-unit",
    ),
    case(
        r.check_density,
        "paper",
        {"wastes.4.brInfo.densityUnitOfMeasurement.code": "3"},
        [("wastes.4.brInfo.densityUnitOfMeasurement.code", "must be one of: 1 (lbs/gal), 2 (sg)")],
        id="unit",
    ),
    case(
        r.check_pcb_infos,
        "electronic",
        {"wastes.1.pcbInfos": []},
        [("wastes.1.pcbInfos", "must list at least one PCB entry when pcb is true")],
        id="none",
    ),
    case(
        r.check_pcb_infos,
        "electronic",
        {"wastes.1.pcbInfos.0.loadType.code": "Crate", "wastes.1.pcbInfos.1.bulkIdentity": ...},
        [
            (
                "wastes.1.pcbInfos.0.loadType.code",
                "must be one of: Container, ArticleInContainer, ArticleNotInContainer, BulkWaste",
            ),
            ("wastes.1.pcbInfos.1.bulkIdentity", "is required for BulkWaste"),
        ],
        id="entries",
    ),
    case(
        r.check_pcb_infos,
        "import",
        {"wastes.0.pcbInfos.1.articleContainerId": ..., "wastes.0.pcbInfos.0.loadType": ...},
        [
            ("wastes.0.pcbInfos.0.loadType", "is required"),
            ("wastes.0.pcbInfos.1.articleContainerId", "is required for Container"),
        ],
        id="containers",
    ),
    case(
        r.check_discrepancies,
        "paper",
        {
            "wastes.0.discrepancyResidueInfo": ...,
            "wastes.2.discrepancyResidueInfo": {
                "wasteQuantity": False,
                "wasteType": True,
                "residue": True,
            },
            "wastes.3.discrepancyResidueInfo.residue": ...,
        },
        [
            ("wastes.0.discrepancyResidueInfo", "is required from ReadyForSignature on"),
            (
                "wastes.2.discrepancyResidueInfo.discrepancyComments",
                "is required when wasteQuantity or wasteType is true",
            ),
            ("wastes.2.discrepancyResidueInfo.residueComments", "is required when residue is true"),
            ("wastes.3.discrepancyResidueInfo.residue", "is required from ReadyForSignature on"),
        ],
        id="incomplete",
    ),
    case(
        r.check_imports,
        "electronic",
        {"wastes.0.additionalInfo.consentNumber": "123456I12345"},
        [
            (
                "wastes.0.additionalInfo.consentNumber",
                "is allowed only on an import (import is true)",
            )
        ],
        id="not-an-import",
    ),
    case(
        r.check_imports,
        "import",
        {"wastes.0.additionalInfo.consentNumber": "123456-12345"},
        [
            (
                "wastes.0.additionalInfo.consentNumber",
                "must be six digits, I and five digits, like 123456I12345",
            )
        ],
        id="pattern",
    ),
    case(
        r.check_imports,
        "import",
        {"importInfo": ...},
        [
            ("importInfo.importGenerator", "is required when import is true"),
            ("importInfo.portOfEntry", "is required when import is true"),
        ],
        id="no-import-info",
    ),
    # Signatures
    case(
        r.check_paper_signatures,
        "paper",
        {"transporters.1.paperSignatureInfo": ..., "generator.paperSignatureInfo.printedName": ...},
        [
            ("generator.paperSignatureInfo.printedName", "is required"),
            ("transporters.1.paperSignatureInfo", "is required on a DataImage5Copy manifest"),
        ],
        id="missing",
    ),
    case(
        r.check_signature_dates,
        "paper",
        {"transporters.1.paperSignatureInfo.signatureDate": "2019-03-13T18:00:00.000-0500"},
        [
            (
                "transporters.1.paperSignatureInfo.signatureDate",
                "must not be earlier than the transporter 1's signature (2019-03-14)",
            )
        ],
        id="out-of-order",
    ),
    case(
        r.check_signature_dates,
        "paper",
        {"designatedFacility.paperSignatureInfo.signatureDate": "2025-06-02T00:00:00Z"},
        [("designatedFacility.paperSignatureInfo.signatureDate", "must not be in the future")],
        id="future",
    ),
    case(
        r.check_signature_dates,
        "signed",
        {
            "designatedFacility.electronicSignaturesInfo.0.signatureDate": (
                "2022-01-20T19:20:41.924+0000"
            )
        },
        [
            (
                "designatedFacility.electronicSignaturesInfo.0.signatureDate",
                "must not be earlier than the generator's signature (2022-01-21)",
            )
        ],
        id="electronic",
    ),
    case(
        r.check_signature_dates,
        "rejection",
        {
            "rejectionInfo.alternateDesignatedFacility.paperSignatureInfo.signatureDate": (
                "2019-05-08T04:00:00.000+0000"
            )
        },
        [
            (
                "rejectionInfo.alternateDesignatedFacility.paperSignatureInfo.signatureDate",
                "must not be earlier than the generator's signature (2019-05-09)",
            )
        ],
        id="alternate-facility",
    ),
    case(
        r.check_rejection,
        "paper",
        {"rejection": ..., "containsPreviousRejectOrResidue": ...},
        [
            ("rejection", "is required from ReadyForSignature on"),
            ("containsPreviousRejectOrResidue", "is required from ReadyForSignature on"),
        ],
        id="undeclared",
    ),
    case(
        r.check_rejection,
        "paper",
        {"rejection": True},
        [("rejectionInfo", "is required when rejection is true")],
        id="no-info",
    ),
    case(
        r.check_rejection,
        "rejection",
        {"rejectionInfo.rejectionComments": ..., "rejectionInfo.transporterOnSite": ...},
        [
            ("rejectionInfo.rejectionComments", "is required when rejection is true"),
            ("rejectionInfo.transporterOnSite", "is required when rejection is true"),
        ],
        id="unexplained",
    ),
    case(
        r.check_rejection,
        "rejection",
        {
            "rejectionInfo.rejectionType": "PartialReject",
            "rejectionInfo.newManifestTrackingNumbers": ["123456789JJK"],
            "rejectionInfo.alternateDesignatedFacility": ...,
        },
        [
            ("rejectionInfo.rejectionType", "must be FullReject when the transporter is on site"),
            (
                "rejectionInfo.newManifestTrackingNumbers",
                "must be empty when the transporter is on site",
            ),
            (
                "rejectionInfo.alternateDesignatedFacility.epaSiteId",
                "is required when the waste goes to an alternate Tsdf",
            ),
        ],
        id="transporter-on-site",
    ),
    case(
        r.check_rejection,
        "rejection",
        {"rejectionInfo.alternateDesignatedFacilityType": ...},
        [
            (
                "rejectionInfo.alternateDesignatedFacilityType",
                "is required when the transporter is on site: Generator or Tsdf",
            )
        ],
        id="no-destination",
    ),
    case(
        r.check_rejection,
        "rejection",
        {"rejectionInfo.alternateDesignatedFacilityType": "Generator"},
        [
            (
                "rejectionInfo.generatorPaperSignature",
                "is required when the waste goes back to the generator",
            )
        ],
        id="back-to-generator",
    ),
    case(
        r.check_rejection,
        "rejection",
        {"rejectionInfo.transporterOnSite": False, "rejectionInfo.rejectionType": ...},
        [("rejectionInfo.rejectionType", "is required when the transporter is not on site")],
        id="transporter-gone",
    ),
    case(
        r.check_rejection,
        "rejection",
        {"additionalInfo.newManifestDestination": "OriginalGenerator"},
        [("rejection", "a manifest returning waste to the original generator cannot be rejected")],
        id="return-shipment",
    ),
    # Formats EPA states in prose
    case(
        r.check_phone_numbers,
        "electronic",
        {"generator.contact.phone": {"number": "(703) 308-0023", "extension": "1234567"}},
        [
            ("generator.contact.phone.number", "must be written ###-###-####"),
            ("generator.contact.phone.extension", "must be at most 6 characters"),
        ],
        id="format",
    ),
    case(
        r.check_zip_codes,
        "paper",
        {"generator.siteAddress.zip": "2220", "generator.mailingAddress.zip": ...},
        [
            ("generator.siteAddress.zip", "must be a US ZIP code: 12345 or 12345-6789"),
            ("generator.mailingAddress.zip", "is required for a US address"),
        ],
        id="us",
    ),
    case(
        r.check_zip_codes,
        "paper",
        {"generator.siteAddress.country": {"code": "CA"}, "generator.siteAddress.zip": "Z" * 51},
        [("generator.siteAddress.zip", "must be at most 50 characters")],
        id="foreign",
    ),
    case(
        r.check_text_lengths,
        "electronic",
        {
            "wastes.1.wasteDescription": "w" * 501,
            "generator.contact.firstName": "f" * 39,
            "wastes.0.additionalInfo.comments.0.label": "l" * 256,
        },
        [
            ("generator.contact.firstName", "must be at most 38 characters"),
            ("wastes.0.additionalInfo.comments.0.label", "must be at most 250 characters"),
            ("wastes.1.wasteDescription", "must be at most 500 characters"),
        ],
        id="long",
    ),
    case(
        r.check_text_lengths,
        "electronic",
        {
            "wastes.0.additionalInfo.comments.0.label": "l" * 253,
            "wastes.0.additionalInfo.comments.0.description": "d" * 251,
        },
        [
            ("wastes.0.additionalInfo.comments.0.label", "must be at most 250 characters"),
            ("wastes.0.additionalInfo.comments.0.description", "must be at most 250 characters"),
        ],
        id="comment-over-250-by-epa-validation-though-the-schema-allows-255",
    ),
    case(
        r.check_paper_waste_codes,
        "paper",
        {
            "wastes.0.hazardousWaste": {
                "federalWasteCodes": [{"code": c} for c in ("D001", "D002", "F001", "F002")],
                "generatorStateWasteCodes": [{"code": "VA01"}],
                "tsdfStateWasteCodes": [{"code": "VA02"}, {"code": "VA03"}],
            }
        },
        [
            (
                "wastes.0.hazardousWaste",
                "must hold at most 6 waste codes on a DataImage5Copy manifest, federal and "
                "state together (the paper form's boxes); it has 7",
            )
        ],
        id="seven-on-paper-epa-allows-six-per-line",
    ),
]


@pytest.mark.parametrize(("rule", "name", "changes", "purpose", "expected"), FAILING)
def test_each_rule_names_the_field_and_what_is_allowed(
    documents: Any,
    rule: Rule,
    name: str,
    changes: dict[str, Any],
    purpose: CheckPurpose,
    expected: list[tuple[str, str]],
) -> None:
    manifest = documents.manifest(name, changes)

    assert run(rule, manifest, purpose) == [Problem(*pair) for pair in expected]


def test_every_rule_has_a_failing_case() -> None:
    tested = {param.values[0] for param in FAILING}

    assert tested == set(BUSINESS_RULES)


PASSING = [
    case(
        r.check_line_numbers,
        "paper",
        {"wastes.2.lineNumber": 4, "wastes.3.lineNumber": 5, "wastes.4.lineNumber": 6},
        [],
        id="a-gap-is-a-line-left-blank-epa-example-numbers-1-2-4-5-6",
    ),
    case(
        r.check_paper_waste_codes,
        "electronic",
        {
            "wastes.0.hazardousWaste": {
                "federalWasteCodes": [{"code": f"D00{n}"} for n in range(1, 9)],
            }
        },
        [],
        id="electronic-lines-have-no-limit-epa",
    ),
    case(
        r.check_paper_waste_codes,
        "paper",
        {
            "wastes.0.hazardousWaste": {
                "federalWasteCodes": [{"code": f"D00{n}"} for n in range(1, 7)]
            }
        },
        [],
        id="six-on-paper-epa",
    ),
    case(
        r.check_text_lengths,
        "electronic",
        {"wastes.0.additionalInfo.comments.0.label": "l" * 250},
        [],
        id="comment-label-of-250-epa-validation",
    ),
    case(
        r.check_submission_type, "electronic", {"submissionType": ...}, [], LOCAL, id="local-draft"
    ),
    case(
        r.check_tracking_numbers,
        "electronic",
        {"manifestTrackingNumber": "000000001DFT"},
        [],
        SAVE,
        id="draft-number-is-not-sent",
    ),
    case(
        r.check_tracking_numbers,
        "paper",
        {"manifestTrackingNumber": ..., "status": "NotAssigned"},
        [],
        LOCAL,
        id="paper-draft",
    ),
    case(
        r.check_status_for_submission,
        "electronic",
        {"status": "InTransit"},
        [],
        LOCAL,
        id="synced-copy",
    ),
    case(
        r.check_wastes_present, "electronic", {"status": "Pending", "wastes": []}, [], id="pending"
    ),
    case(
        r.check_management_methods,
        "electronic",
        {"wastes.0.managementMethod": ...},
        [],
        id="before-signing",
    ),
    case(
        r.check_discrepancies,
        "electronic",
        {"wastes.0.discrepancyResidueInfo": ...},
        [],
        id="before-receipt",
    ),
    case(r.check_rejection, "electronic", {"rejection": ...}, [], id="before-receipt"),
    case(
        r.check_signature_dates,
        "paper",
        {"generator.paperSignatureInfo.signatureDate": "2019-03-14T23:59:00.000+0000"},
        [],
        id="same-day-later-hour",
    ),
    case(
        r.check_signature_dates,
        "paper",
        {"designatedFacility.paperSignatureInfo.signatureDate": "2025-06-01T23:00:00Z"},
        [],
        id="later-today",
    ),
    case(
        r.check_zip_codes,
        "paper",
        {"generator.siteAddress.zip": "22202-1234"},
        [],
        id="zip-plus-four",
    ),
    case(
        r.check_dot_information,
        "electronic",
        {"wastes.0.dotInformation.idNumber.code": "NOID"},
        [],
        id="noid",
    ),
    case(
        r.check_unregistered_handlers,
        "hybrid",
        {
            "generator.registered": False,
            "generator.name": "G",
            "generator.siteAddress": {"address1": "1 A St"},
            "generator.mailingAddress": {"address1": "1 A St"},
        },
        [],
        id="hybrid-generator",
    ),
]


@pytest.mark.parametrize(("rule", "name", "changes", "purpose", "expected"), PASSING)
def test_rules_allow_what_e_manifest_allows(
    documents: Any,
    rule: Rule,
    name: str,
    changes: dict[str, Any],
    purpose: CheckPurpose,
    expected: list[tuple[str, str]],
) -> None:
    assert run(rule, documents.manifest(name, changes), purpose) == []


def test_business_problems_lists_every_rule_s_problems_at_once(documents: Any) -> None:
    manifest = documents.manifest(
        "electronic",
        {
            "manifestTrackingNumber": "100032437ELC",
            "generator.emergencyPhone": ...,
            "wastes.0.quantity.quantity": 1.5,
            "wastes.1.lineNumber": 1,
        },
    )

    assert business_problems(manifest, now=NOW, purpose=SAVE) == [
        Problem(
            "manifestTrackingNumber",
            "must be left out when saving a FullElectronic or Hybrid manifest: "
            "e-Manifest assigns it",
        ),
        Problem("generator.emergencyPhone", "is required"),
        Problem(
            "wastes.1.lineNumber",
            "must be a whole number above 1: waste lines are numbered from 1, in order",
        ),
        Problem("wastes.0.quantity.quantity", "must be an integer"),
    ]


def test_the_rules_need_to_know_what_time_it_is_everywhere(documents: Any) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        business_problems(documents.manifest("paper"), now=datetime(2025, 1, 1))


PUBLISHED_PROBLEMS = {
    # EPA's paper examples carry a placeholder where the printed number goes.
    "emanifest/examples/emanifest-save-valid-Data-and-Image-Full-reject-tranonsite-example.json": [
        ("manifestTrackingNumber", MTN_RULE)
    ],
    "emanifest/examples/emanifest-save-valid-Data-and-Image-Manual-Entry-example.json": [
        ("manifestTrackingNumber", MTN_RULE)
    ],
    (
        "emanifest/examples/"
        "emanifest-save-valid-Image-Only-Designated-Facility-acting-Generator-example.json"
    ): [("manifestTrackingNumber", MTN_RULE)],
    "emanifest/examples/emanifest-save-valid-Image-Only-Designated-Facility-example.json": [
        ("manifestTrackingNumber", MTN_RULE)
    ],
    # Its lines are numbered 1, 2, 4, 5, 6: a line left blank on the form, which EPA accepts.
    "emanifest/examples/emanifest-save-valid-Data-and-Image-example.json": [
        ("manifestTrackingNumber", MTN_RULE),
    ],
    "emanifest/examples/emanifest-save-valid-Full-Electronic-example.json": [],
    "emanifest/examples/emanifest-save-valid-Hybrid-example.json": [],
    "emanifest/examples/Scenario-1-emanifest-save-valid-Full-Electronic-example.json": [],
    "emanifest/examples/Scenario-1-emanifest-update-valid-Full-Electronic-example.json": [],
    # As recorded by the original project: both transporters have order 1.
    "rcrainfo/manifest-100033134ELC.json": [
        (
            "transporters.1.order",
            "must be 2: transporters are numbered 1 to 2 in the order they carry the waste",
        )
    ],
    "rcrainfo/100032524ELC.json": [],
}


@pytest.mark.parametrize(
    ("relative", "expected"),
    PUBLISHED_PROBLEMS.items(),
    ids=lambda value: value.rsplit("/", 1)[-1] if isinstance(value, str) else "",
)
def test_the_published_manifests_have_only_the_problems_we_know_of(
    documents: Any, relative: str, expected: list[tuple[str, str]]
) -> None:
    manifest = decode_manifest((documents.fixtures / relative).read_bytes())

    assert business_problems(manifest, now=NOW) == [Problem(*pair) for pair in expected]
