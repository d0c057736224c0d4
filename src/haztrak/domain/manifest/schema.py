"""EPA's manifest JSON schema (`emanifest.json`, draft-04, v1.3) as field specs, and a walk that
reports every place a document breaks it.

The specs restate the schema's rules in Python: types, required keys, closed objects
(`additionalProperties: false`), enums, patterns, lengths, ranges and the one `dependencies`
entry. Limits that EPA gives only in prose ("max length 38") are business rules, not shape.
One key is ours, not EPA's: the read-only `signed` flag on a handler.

Two limits are ours too, because a manifest is stored: no text holds the NUL character
(PostgreSQL cannot store it), and a transporter's `order` fits the 32-bit column that indexes it.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeAlias

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


class NumberSpec(msgspec.Struct, frozen=True, kw_only=True):
    minimum: int | None = None
    maximum: int | None = None


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
# The transporter order is indexed in a 32-bit integer column.
ORDER = NumberSpec(minimum=-(2**31), maximum=2**31 - 1)
NUL = "\x00"
_HAS_NUL = "must not contain the NUL character"
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
        "order": ORDER,
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
    if _passes_quickly(document):
        return []
    problems: list[Problem] = []
    _check_manifest(document, "", "", problems)
    return problems


# The quick pass. Most documents break no rule, and msgspec can tell so in C: the specs are
# restated once as msgspec types (a closed object forbids unknown fields, a string has its
# lengths and pattern, a list of choices is a Literal, an integer has its range), and what
# msgspec cannot state (EPA's date-time, `dependencies`) is checked in `__post_init__`. The
# types decode the document's JSON, so they see JSON only: the document passes when it also
# equals what they decode, which a tuple, a datetime, a key that is not a string or a key of an
# open object outside its spec would not. A document that does not pass is walked: only the
# walk finds and words problems.

_encoder = msgspec.json.Encoder()


def is_well_formed(document: object) -> bool:
    """True only if `schema_problems(document)` is empty, and so `drop_unknown_fields` would
    drop nothing from it (each key it drops is one the walk reports): the quick pass alone.
    False for a few well-formed documents too; `schema_problems` tells those apart."""
    return _passes_quickly(document)


def _passes_quickly(document: object) -> bool:
    """True only if the walk would find no problem in `document`; False for some such, too."""
    try:
        encoded = _encoder.encode(document)
        if b"\\u0000" in encoded:  # a NUL, or text that looks like one: the walk tells
            return False
        decoded = _manifest_decoder.decode(encoded)
        return bool(msgspec.to_builtins(decoded) == document)
    except (TypeError, ValueError, RecursionError, msgspec.MsgspecError):
        return False


def _json_type(spec: Spec) -> Any:
    """The msgspec type of the JSON values that `spec` accepts (see `_passes_quickly`).

    A date-time is a string to msgspec; the object that holds it checks it (`_struct_type`).
    """
    match spec:
        case ObjectSpec():
            return _struct_type(spec)
        case ArraySpec(items=items):
            return list[_json_type(items)]  # type: ignore[misc]
        case StringSpec(choices=None, date_time=True):
            raise ValueError("a date-time is checked only as a property of an object")
        case StringSpec(choices=None):
            pattern = None if spec.pattern is None else rf"\A(?:{spec.pattern})\Z"  # not re.search
            limits = msgspec.Meta(min_length=spec.min_length, max_length=spec.max_length)
            string = Annotated[str, limits, msgspec.Meta(pattern=pattern)]
            return string | None if spec.nullable else string
        case StringSpec(choices=choices):  # the walk does not measure a choice
            return Literal[choices] | None if spec.nullable else Literal[choices]
        case IntegerSpec(minimum=minimum, maximum=maximum):
            return Annotated[int, msgspec.Meta(ge=minimum, le=maximum)]
        case NumberSpec(minimum=minimum, maximum=maximum):
            limits = msgspec.Meta(ge=minimum, le=maximum)
            return Annotated[int, limits] | Annotated[float, limits]
        case BooleanSpec():
            return bool


_struct_types: dict[int, type[msgspec.Struct]] = {}


def _struct_type(spec: ObjectSpec) -> type[msgspec.Struct]:
    if id(spec) in _struct_types:
        return _struct_types[id(spec)]
    names = {key: f"{key}_" if keyword.iskeyword(key) else key for key in spec.properties}
    fields: list[tuple[str, Any, Any]] = []
    date_times: list[str] = []
    for key, item_spec in spec.properties.items():
        if isinstance(item_spec, StringSpec) and item_spec.date_time and item_spec.choices is None:
            date_times.append(names[key])
            json_type = _json_type(msgspec.structs.replace(item_spec, date_time=False))
        else:
            json_type = _json_type(item_spec)
        if key in spec.required:
            fields.append((names[key], json_type, msgspec.field(name=key)))
        else:
            optional = msgspec.field(name=key, default=msgspec.UNSET)
            fields.append((names[key], json_type | msgspec.UnsetType, optional))
    dependencies = [
        (names[key], [names[need] for need in needs]) for key, needs in spec.dependencies.items()
    ]

    def __post_init__(self: msgspec.Struct) -> None:
        for name in date_times:
            value = getattr(self, name)
            if isinstance(value, str) and not is_epa_datetime(value):
                raise ValueError(f"{name} is not a date-time")
        for name, needs in dependencies:
            given = getattr(self, name) is not msgspec.UNSET
            if given and any(getattr(self, need) is msgspec.UNSET for need in needs):
                raise ValueError(f"{name} is given without {needs}")

    struct = msgspec.defstruct(
        f"QuickObject{len(_struct_types)}",
        fields,
        kw_only=True,
        forbid_unknown_fields=spec.closed,
        namespace={"__post_init__": __post_init__} if date_times or dependencies else None,
        gc=False,  # decoded from JSON, so never in a reference cycle
    )
    _struct_types[id(spec)] = struct
    return struct


# The walk. Each spec is compiled once into a checker: a closure that holds its spec's limits
# and the checkers of its items, so that the walk decides nothing about specs as it goes.
# Paths are built only for problems: a checker gets where its value's parent is and the value's
# key there, as a chain of (parent, key) pairs that `_path` joins when a problem is reported.

_Where: TypeAlias = "str | tuple[_Where, str | int]"
"""The path of a node: the document's (`""`), or the pair of its parent's and its key there."""

_Check = Callable[[object, _Where, str | int, list[Problem]], None]
"""Check `value`, found at `key` in the node at `where`, and append its problems."""


def _path(where: _Where, key: str | int) -> str:
    keys = [key]
    while isinstance(where, tuple):
        where, parent_key = where
        keys.append(parent_key)
    keys.reverse()
    return join_path(where, *keys)


def _compile(spec: Spec) -> _Check:
    match spec:
        case ObjectSpec():
            return _object_checker(spec)
        case ArraySpec(items=items):
            return _array_checker(_compile(items))
        case StringSpec():
            return _string_checker(spec)
        case IntegerSpec():
            return _integer_checker(spec)
        case NumberSpec():
            return _number_checker(spec)
        case BooleanSpec():
            return _check_boolean


def _object_checker(spec: ObjectSpec) -> _Check:
    checks = {key: _compile(item_spec) for key, item_spec in spec.properties.items()}
    closed, required, dependent = spec.closed, frozenset(spec.required), tuple(spec.dependencies)

    def check(value: object, where: _Where, key: str | int, problems: list[Problem]) -> None:
        if not isinstance(value, dict):
            problems.append(Problem(_path(where, key), "must be an object"))
            return
        here = (where, key)
        start, unknown = len(problems), False
        for name, item in value.items():
            check_item = checks.get(name)
            if check_item is not None:
                check_item(item, here, name, problems)
            elif closed:
                unknown = True
            else:  # an open object stores what it does not know: it may not hold a NUL either
                _check_unknown(name, item, here, problems)
        keys = value.keys()
        if unknown or not keys >= required or not keys.isdisjoint(dependent):
            # The object's own problems go before its items': unknown keys, then missing ones.
            problems[start:start] = _key_problems(value, here, spec, unknown)

    return check


def _key_problems(
    value: dict[Any, object], here: _Where, spec: ObjectSpec, unknown: bool
) -> list[Problem]:
    problems = [
        Problem(_path(here, name), "unknown field")
        for name in (value if unknown else ())
        if name not in spec.properties
    ]
    problems.extend(
        Problem(_path(here, name), "is required") for name in spec.required if name not in value
    )
    for name, needs in spec.dependencies.items():
        if name in value:
            problems.extend(
                Problem(_path(here, need), f"is required when {name} is given")
                for need in needs
                if need not in value
            )
    return problems


def _check_unknown(name: object, value: object, where: _Where, problems: list[Problem]) -> None:
    """A NUL anywhere in a key or a value of JSON that no spec describes, found without
    recursion (the document may be nested as deeply as the JSON decoder allows)."""
    stack: list[tuple[_Where, str | int, object, object]] = [(where, str(name), name, value)]
    while stack:
        here, key, raw_key, item = stack.pop()
        if isinstance(raw_key, str) and NUL in raw_key:
            problems.append(Problem(_path(here, key), "a key " + _HAS_NUL))
        if isinstance(item, str) and NUL in item:
            problems.append(Problem(_path(here, key), _HAS_NUL))
        elif isinstance(item, dict):
            stack.extend(((here, key), str(k), k, v) for k, v in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend(((here, key), i, i, v) for i, v in reversed(list(enumerate(item))))


def _array_checker(check_item: _Check) -> _Check:
    def check(value: object, where: _Where, key: str | int, problems: list[Problem]) -> None:
        if not isinstance(value, list):
            problems.append(Problem(_path(where, key), "must be a list"))
            return
        here = (where, key)
        for index, item in enumerate(value):
            check_item(item, here, index, problems)

    return check


def _string_checker(spec: StringSpec) -> _Check:
    not_a_string = "must be a string or null" if spec.nullable else "must be a string"
    choices = None if spec.choices is None else frozenset(spec.choices)
    not_a_choice = "must be one of: " + ", ".join(spec.choices or ())
    pattern = None if spec.pattern is None else re.compile(spec.pattern)
    mismatch = spec.pattern_hint or f"must match {spec.pattern}"

    def check(value: object, where: _Where, key: str | int, problems: list[Problem]) -> None:
        if value is None and spec.nullable:
            return
        if not isinstance(value, str):
            problems.append(Problem(_path(where, key), not_a_string))
            return
        if choices is not None:
            if value not in choices:
                problems.append(Problem(_path(where, key), not_a_choice))
            return
        if NUL in value:
            problems.append(Problem(_path(where, key), _HAS_NUL))
        length_problem = _length_problem(len(value), spec.min_length, spec.max_length)
        if length_problem:
            problems.append(Problem(_path(where, key), length_problem))
        if pattern is not None and pattern.fullmatch(value) is None:
            problems.append(Problem(_path(where, key), mismatch))
        if spec.date_time and not is_epa_datetime(value):
            problems.append(Problem(_path(where, key), _NOT_A_DATE_TIME))

    return check


_NOT_A_DATE_TIME = f"must be a date-time such as {DATETIME_EXAMPLE}"


def _length_problem(length: int, minimum: int | None, maximum: int | None) -> str | None:
    if minimum is not None and minimum == maximum and length != minimum:
        return f"must be exactly {minimum} characters"
    if minimum is not None and length < minimum:
        return "must not be empty" if minimum == 1 else f"must be at least {minimum} characters"
    if maximum is not None and length > maximum:
        return f"must be at most {maximum} characters"
    return None


def _integer_checker(spec: IntegerSpec) -> _Check:
    minimum, maximum = spec.minimum, spec.maximum
    out_of_range = _range_message(minimum, maximum)

    def check(value: object, where: _Where, key: str | int, problems: list[Problem]) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(Problem(_path(where, key), "must be an integer"))
        elif (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            problems.append(Problem(_path(where, key), out_of_range))

    return check


def _range_message(minimum: int | None, maximum: int | None) -> str:
    if minimum is not None and maximum is not None:
        return f"must be between {minimum} and {maximum}"
    if minimum is not None:
        return f"must be at least {minimum}"
    return f"must be at most {maximum}"


def _number_checker(spec: NumberSpec) -> _Check:
    minimum, maximum = spec.minimum, spec.maximum
    bounded = minimum is not None or maximum is not None
    out_of_range = _range_message(minimum, maximum) if bounded else ""

    def check(value: object, where: _Where, key: str | int, problems: list[Problem]) -> None:
        if not isinstance(value, int | float) or isinstance(value, bool):
            problems.append(Problem(_path(where, key), "must be a number"))
        elif bounded and (
            (minimum is not None and value < minimum) or (maximum is not None and value > maximum)
        ):
            problems.append(Problem(_path(where, key), out_of_range))

    return check


def _check_boolean(value: object, where: _Where, key: str | int, problems: list[Problem]) -> None:
    if not isinstance(value, bool):
        problems.append(Problem(_path(where, key), "must be true or false"))


_manifest_decoder = msgspec.json.Decoder(_struct_type(MANIFEST))
_check_manifest = _compile(MANIFEST)


# Keys a client adds. EPA's objects are closed, and e-Manifest refuses a key it does not know,
# but a client may carry its own keys on a manifest (the original Haztrak client puts a
# `clientKey` on each transporter). `drop_unknown_fields` takes such keys out before the shape
# is checked, so they are neither stored nor sent, and says which it dropped. A key that holds
# the NUL character, or is not a string, stays: the check refuses it.

IGNORED_FIELD = "unknown field: ignored (neither stored nor sent to e-Manifest)"


def drop_unknown_fields(document: object) -> list[Problem]:
    """Remove, in place, every key of a closed object that EPA's schema does not define; one
    problem (`IGNORED_FIELD`) per key removed, in document order. Values of the wrong type are
    left for `schema_problems` to report."""
    dropped: list[Problem] = []
    _drop_unknown(MANIFEST, document, "", dropped)
    return dropped


def _drop_unknown(spec: Spec, value: object, path: str, dropped: list[Problem]) -> None:
    # Follows the specs, so the recursion is only as deep as EPA's schema.
    if isinstance(spec, ArraySpec) and isinstance(value, list):
        for index, item in enumerate(value):
            _drop_unknown(spec.items, item, join_path(path, index), dropped)
    elif isinstance(spec, ObjectSpec) and isinstance(value, dict):
        for name in list(value):
            item_spec = spec.properties.get(name)
            if item_spec is not None:
                _drop_unknown(item_spec, value[name], join_path(path, name), dropped)
            elif spec.closed and isinstance(name, str) and NUL not in name:
                del value[name]
                dropped.append(Problem(join_path(path, name), IGNORED_FIELD))
