"""EPA's manifest JSON schema (`emanifest.json`, draft-04, v1.3) as field specs, and a walk that
reports every place a document breaks it.

The specs restate the schema's rules in Python: types, required keys, closed objects
(`additionalProperties: false`), enums, patterns, lengths, ranges and the one `dependencies`
entry. Limits that EPA gives only in prose ("max length 38") are business rules, not shape.
One key is ours, not EPA's: the read-only `signed` flag on a handler.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum

import msgspec

from haztrak.domain.handlers import SiteType
from haztrak.domain.manifest import codes
from haztrak.domain.manifest.datetimes import DATETIME_EXAMPLE, is_epa_datetime
from haztrak.domain.manifest.model import (
    AlternateFacilityType,
    ContactType,
    CorrectionInitiatorRole,
    CorrectionRequestStatus,
    CorrectionUpdateRole,
    LockReason,
    MimeType,
    MtnExtractionStatus,
    NewManifestDestination,
    OriginType,
    PpcStatus,
    RejectionType,
    SignatureMethod,
    SignatureType,
    SignerRole,
    Status,
    SubmissionType,
)
from haztrak.domain.manifest.problems import Problem, join_path


class StringSpec(msgspec.Struct, frozen=True, kw_only=True):
    min_length: int | None = None
    max_length: int | None = None
    choices: tuple[str, ...] | None = None
    pattern: str | None = None
    pattern_hint: str | None = None
    date_time: bool = False
    nullable: bool = False


class IntegerSpec(msgspec.Struct, frozen=True, kw_only=True):
    minimum: int | None = None
    maximum: int | None = None


class NumberSpec(msgspec.Struct, frozen=True):
    pass


class BooleanSpec(msgspec.Struct, frozen=True):
    pass


class ArraySpec(msgspec.Struct, frozen=True):
    items: Spec


class ObjectSpec(msgspec.Struct, frozen=True, kw_only=True):
    properties: Mapping[str, Spec]
    required: tuple[str, ...] = ()
    closed: bool = True
    dependencies: Mapping[str, tuple[str, ...]] = msgspec.field(default_factory=dict)


Spec = StringSpec | IntegerSpec | NumberSpec | BooleanSpec | ArraySpec | ObjectSpec

TEXT = StringSpec()
BOOLEAN = BooleanSpec()
NUMBER = NumberSpec()
DATE_TIME = StringSpec(date_time=True)


def _one_of(values: type[StrEnum] | tuple[str, ...]) -> StringSpec:
    return StringSpec(choices=tuple(str(value) for value in values))


LOCALITY = ObjectSpec(
    properties={
        "code": StringSpec(min_length=2, max_length=2),
        "name": StringSpec(min_length=1, max_length=100),
    },
    required=("code",),
)
PHONE = ObjectSpec(properties={"number": TEXT, "extension": TEXT}, required=("number",))
CONTACT = ObjectSpec(
    properties={
        "firstName": TEXT,
        "middleInitial": TEXT,
        "lastName": TEXT,
        "phone": PHONE,
        "email": StringSpec(nullable=True),
        "companyName": TEXT,
    }
)
ADDRESS = ObjectSpec(
    properties={
        "streetNumber": StringSpec(max_length=12),
        "address1": StringSpec(max_length=50),
        "address2": StringSpec(max_length=50),
        "city": StringSpec(max_length=25),
        "state": LOCALITY,
        "country": LOCALITY,
        "zip": TEXT,
    },
    required=("address1",),
)
SIGNER = ObjectSpec(
    properties={
        "userId": TEXT,
        "firstName": TEXT,
        "middleInitial": TEXT,
        "lastName": TEXT,
        "phone": PHONE,
        "email": TEXT,
        "companyName": TEXT,
        "contactType": _one_of(ContactType),
    }
)
DOCUMENT = ObjectSpec(
    properties={
        "name": StringSpec(
            pattern=r"^[0-9a-zA-Z_\-. ]+$",
            pattern_hint="may contain only letters, digits, spaces and the characters _ - .",
        ),
        "size": NUMBER,
        "mimeType": _one_of(MimeType),
    }
)
PAPER_SIGNATURE = ObjectSpec(
    properties={"printedName": StringSpec(max_length=255), "signatureDate": DATE_TIME}
)
ELECTRONIC_SIGNATURE = ObjectSpec(
    properties={
        "signer": SIGNER,
        "signatureDate": DATE_TIME,
        "humanReadableDocument": DOCUMENT,
        "cromerrActivityId": TEXT,
        "cromerrDocumentId": TEXT,
        "signerRole": _one_of(SignerRole),
        "signatureMethod": _one_of(SignatureMethod),
        "onBehalf": BOOLEAN,
    }
)
CODE = ObjectSpec(properties={"code": TEXT}, required=("code",))
CODE_DESCRIPTION = ObjectSpec(properties={"code": TEXT, "description": TEXT}, required=("code",))
HANDLER = ObjectSpec(
    properties={
        "siteType": _one_of(SiteType),
        "epaSiteId": TEXT,
        "name": StringSpec(max_length=80),
        "mailingAddress": ADDRESS,
        "siteAddress": ADDRESS,
        "contact": CONTACT,
        "emergencyPhone": PHONE,
        "paperSignatureInfo": PAPER_SIGNATURE,
        "electronicSignaturesInfo": ArraySpec(ELECTRONIC_SIGNATURE),
        "order": NUMBER,
        "registered": BOOLEAN,
        "modified": BOOLEAN,
        "limitedEsign": BOOLEAN,
        "canEsign": BOOLEAN,
        "siteState": LOCALITY,
        "hasRegisteredEmanifestUser": BOOLEAN,
        "gisPrimary": BOOLEAN,
        "signatureType": _one_of(SignatureType),
        "signed": BOOLEAN,
    }
)
DOT_INFORMATION = ObjectSpec(
    properties={"idNumber": CODE, "printedDotInformation": StringSpec(max_length=500)},
    required=("idNumber", "printedDotInformation"),
)
UNIT_OF_MEASUREMENT = ObjectSpec(
    properties={
        "code": _one_of(codes.codes_of(codes.UNITS_OF_MEASURE)),
        "description": _one_of(tuple(str(e.description) for e in codes.UNITS_OF_MEASURE)),
    },
    required=("code",),
)
CONTAINER_TYPE = ObjectSpec(
    properties={
        "code": _one_of(codes.codes_of(codes.CONTAINER_TYPES)),
        "description": _one_of(tuple(str(e.description) for e in codes.CONTAINER_TYPES)),
    },
    required=("code",),
)
DENSITY_UNIT_OF_MEASUREMENT = ObjectSpec(properties={"code": TEXT, "description": TEXT})
QUANTITY = ObjectSpec(
    properties={
        "containerNumber": IntegerSpec(minimum=0, maximum=99_999),
        "containerType": CONTAINER_TYPE,
        "quantity": IntegerSpec(minimum=0, maximum=99_999_999_999),
        "unitOfMeasurement": UNIT_OF_MEASUREMENT,
    },
    dependencies={"quantity": ("unitOfMeasurement",)},
)
BR_INFO = ObjectSpec(
    properties={
        "density": NUMBER,
        "densityUnitOfMeasurement": DENSITY_UNIT_OF_MEASUREMENT,
        "formCode": CODE_DESCRIPTION,
        "sourceCode": CODE_DESCRIPTION,
        "wasteMinimizationCode": CODE_DESCRIPTION,
        "mixedRadioactiveWaste": BOOLEAN,
    }
)
HAZARDOUS_WASTE = ObjectSpec(
    properties={
        "federalWasteCodes": ArraySpec(CODE_DESCRIPTION),
        "tsdfStateWasteCodes": ArraySpec(CODE_DESCRIPTION),
        "txWasteCodes": ArraySpec(StringSpec(min_length=8, max_length=8)),
        "generatorStateWasteCodes": ArraySpec(CODE_DESCRIPTION),
    }
)
PCB_INFO = ObjectSpec(
    properties={
        "loadType": CODE,
        "articleContainerId": TEXT,
        "dateOfRemoval": DATE_TIME,
        "weight": NUMBER,
        "wasteType": TEXT,
        "bulkIdentity": TEXT,
    }
)
DISCREPANCY_RESIDUE_INFO = ObjectSpec(
    properties={
        "wasteQuantity": BOOLEAN,
        "wasteType": BOOLEAN,
        "discrepancyComments": StringSpec(min_length=1, max_length=255),
        "residue": BOOLEAN,
        "residueComments": StringSpec(min_length=1, max_length=255),
    }
)
COMMENT = ObjectSpec(properties={"label": TEXT, "description": TEXT, "handlerId": TEXT})
ADDITIONAL_INFO = ObjectSpec(
    properties={
        "originalManifestTrackingNumbers": ArraySpec(TEXT),
        "newManifestDestination": _one_of(NewManifestDestination),
        "consentNumber": TEXT,
        "comments": ArraySpec(COMMENT),
        "handlingInstructions": TEXT,
        "pcbAlternateDesignatedFacility": HANDLER,
    }
)
WASTE = ObjectSpec(
    properties={
        "dotHazardous": BOOLEAN,
        "dotInformation": DOT_INFORMATION,
        "wasteDescription": TEXT,
        "quantity": QUANTITY,
        "brInfo": BR_INFO,
        "br": BOOLEAN,
        "hazardousWaste": HAZARDOUS_WASTE,
        "pcb": BOOLEAN,
        "pcbInfos": ArraySpec(PCB_INFO),
        "discrepancyResidueInfo": DISCREPANCY_RESIDUE_INFO,
        "managementMethod": CODE_DESCRIPTION,
        "additionalInfo": ADDITIONAL_INFO,
        "lineNumber": NUMBER,
        "epaWaste": BOOLEAN,
    },
    required=("dotHazardous", "br", "pcb", "lineNumber", "epaWaste"),
)
REJECTION_INFO = ObjectSpec(
    properties={
        "transporterOnSite": BOOLEAN,
        "rejectionType": _one_of(RejectionType),
        "alternateDesignatedFacilityType": _one_of(AlternateFacilityType),
        "generatorPaperSignature": PAPER_SIGNATURE,
        "generatorElectronicSignature": ELECTRONIC_SIGNATURE,
        "alternateDesignatedFacility": HANDLER,
        "newManifestTrackingNumbers": ArraySpec(TEXT),
        "rejectionComments": StringSpec(min_length=1, max_length=255),
    }
)
IMPORT_GENERATOR = ObjectSpec(
    properties={
        "name": TEXT,
        "address": TEXT,
        "city": TEXT,
        "country": LOCALITY,
        "postalCode": TEXT,
        "province": TEXT,
    }
)
PORT_OF_ENTRY = ObjectSpec(properties={"state": LOCALITY, "cityPort": StringSpec(max_length=100)})
IMPORT_INFO = ObjectSpec(
    properties={"importGenerator": IMPORT_GENERATOR, "portOfEntry": PORT_OF_ENTRY}
)
STATE_USER = ObjectSpec(
    properties={"email": TEXT, "firstName": TEXT, "lastName": TEXT, "phone": PHONE}, closed=False
)
SECTION = ObjectSpec(properties={"sectionNumber": TEXT, "comments": TEXT}, closed=False)
CORRECTION_REQUEST = ObjectSpec(
    properties={
        "correctionRequestStatus": _one_of(CorrectionRequestStatus),
        "correctionRequestDate": DATE_TIME,
        "initiatorState": CODE,
        "active": BOOLEAN,
        "stateUser": STATE_USER,
        "sections": ArraySpec(SECTION),
    },
    closed=False,
)
CORRECTION_INFO = ObjectSpec(
    properties={
        "versionNumber": IntegerSpec(),
        "active": BOOLEAN,
        "ppcActive": BOOLEAN,
        "electronicSignatureInfo": ELECTRONIC_SIGNATURE,
        "epaSiteId": TEXT,
        "initiatorRole": _one_of(CorrectionInitiatorRole),
        "updateRole": _one_of(CorrectionUpdateRole),
    }
)
MTN_VALIDATION_INFO = ObjectSpec(
    properties={
        "mtnExtractionStatus": _one_of(MtnExtractionStatus),
        "mtnsMatch": BOOLEAN,
        "pdfMtn": TEXT,
        "pdfMtnUnique": BOOLEAN,
        "mtnCorrect": BOOLEAN,
        "mtnRerunCounter": IntegerSpec(),
        "mtnDiscrepancyCorrection": BOOLEAN,
    }
)
MANIFEST = ObjectSpec(
    properties={
        "createdDate": DATE_TIME,
        "updatedDate": DATE_TIME,
        "manifestTrackingNumber": TEXT,
        "status": _one_of(Status),
        "isPublic": BOOLEAN,
        "submissionType": _one_of(SubmissionType),
        "signatureStatus": BOOLEAN,
        "originType": _one_of(OriginType),
        "shippedDate": DATE_TIME,
        "potentialShipDate": TEXT,
        "receivedDate": DATE_TIME,
        "certifiedDate": DATE_TIME,
        "certifiedBy": SIGNER,
        "lastUpdatedBy": SIGNER,
        "generator": HANDLER,
        "transporters": ArraySpec(HANDLER),
        "designatedFacility": HANDLER,
        "broker": HANDLER,
        "wastes": ArraySpec(WASTE),
        "rejection": BOOLEAN,
        "rejectionInfo": REJECTION_INFO,
        "discrepancy": BOOLEAN,
        "residue": BOOLEAN,
        "residueNewManifestTrackingNumbers": ArraySpec(TEXT),
        "import": BOOLEAN,
        "importInfo": IMPORT_INFO,
        "correctionRequests": ArraySpec(CORRECTION_REQUEST),
        "containsPreviousRejectOrResidue": BOOLEAN,
        "printedDocument": DOCUMENT,
        "formDocument": DOCUMENT,
        "additionalInfo": ADDITIONAL_INFO,
        "correctionInfo": CORRECTION_INFO,
        "ppcStatus": _one_of(PpcStatus),
        "mtnValidationInfo": MTN_VALIDATION_INFO,
        "provideImageGeneratorInfo": BOOLEAN,
        "locked": BOOLEAN,
        "lockReason": _one_of(LockReason),
    }
)


def schema_problems(document: object) -> list[Problem]:
    """Every way `document` (parsed JSON) breaks the manifest schema, in document order."""
    problems: list[Problem] = []
    _check(document, MANIFEST, "", problems)
    return problems


def _check(value: object, spec: Spec, path: str, problems: list[Problem]) -> None:
    match spec:
        case ObjectSpec():
            _check_object(value, spec, path, problems)
        case ArraySpec(items=items):
            if not isinstance(value, list):
                problems.append(Problem(path, "must be a list"))
                return
            for index, item in enumerate(value):
                _check(item, items, join_path(path, index), problems)
        case StringSpec():
            _check_string(value, spec, path, problems)
        case IntegerSpec():
            _check_integer(value, spec, path, problems)
        case NumberSpec():
            if not _is_number(value):
                problems.append(Problem(path, "must be a number"))
        case BooleanSpec():
            if not isinstance(value, bool):
                problems.append(Problem(path, "must be true or false"))


def _check_object(value: object, spec: ObjectSpec, path: str, problems: list[Problem]) -> None:
    if not isinstance(value, dict):
        problems.append(Problem(path, "must be an object"))
        return
    if spec.closed:
        problems.extend(
            Problem(join_path(path, key), "unknown field")
            for key in value
            if key not in spec.properties
        )
    problems.extend(
        Problem(join_path(path, key), "is required") for key in spec.required if key not in value
    )
    for key, needs in spec.dependencies.items():
        if key in value:
            problems.extend(
                Problem(join_path(path, need), f"is required when {key} is given")
                for need in needs
                if need not in value
            )
    for key, item in value.items():
        item_spec = spec.properties.get(key)
        if item_spec is not None:
            _check(item, item_spec, join_path(path, key), problems)


def _check_string(value: object, spec: StringSpec, path: str, problems: list[Problem]) -> None:
    if value is None and spec.nullable:
        return
    if not isinstance(value, str):
        problems.append(
            Problem(path, "must be a string or null" if spec.nullable else "must be a string")
        )
        return
    if spec.choices is not None:
        if value not in spec.choices:
            problems.append(Problem(path, "must be one of: " + ", ".join(spec.choices)))
        return
    length_problem = _length_problem(len(value), spec.min_length, spec.max_length)
    if length_problem:
        problems.append(Problem(path, length_problem))
    if spec.pattern is not None and re.fullmatch(spec.pattern, value) is None:
        problems.append(Problem(path, spec.pattern_hint or f"must match {spec.pattern}"))
    if spec.date_time and not is_epa_datetime(value):
        problems.append(Problem(path, f"must be a date-time such as {DATETIME_EXAMPLE}"))


def _length_problem(length: int, minimum: int | None, maximum: int | None) -> str | None:
    if minimum is not None and minimum == maximum and length != minimum:
        return f"must be exactly {minimum} characters"
    if minimum is not None and length < minimum:
        return "must not be empty" if minimum == 1 else f"must be at least {minimum} characters"
    if maximum is not None and length > maximum:
        return f"must be at most {maximum} characters"
    return None


def _check_integer(value: object, spec: IntegerSpec, path: str, problems: list[Problem]) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        problems.append(Problem(path, "must be an integer"))
        return
    below = spec.minimum is not None and value < spec.minimum
    above = spec.maximum is not None and value > spec.maximum
    if below or above:
        problems.append(Problem(path, _range_message(spec.minimum, spec.maximum)))


def _range_message(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"must be between {minimum} and {maximum}"
    if minimum is not None:
        return f"must be at least {minimum}"
    return f"must be at most {maximum}"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
