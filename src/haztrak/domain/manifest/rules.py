"""e-Manifest's business rules: what a shape-valid manifest still needs, by submission type,
status and what it is checked for.

Each rule is a function of the manifest and a `RuleContext` that yields problems; rules do not
depend on one another, so each can be tested alone. `business_problems` runs them all, and
finds what several of them walk through (the parties and their paths) once for all of them.
Paths are built only for the problems found. Image manifests carry little data (e-Manifest
ignores their waste lines), so most rules skip them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from enum import StrEnum

import msgspec

from haztrak.domain.handlers import Address, Phone, is_epa_id
from haztrak.domain.manifest import codes
from haztrak.domain.manifest.datetimes import parse_epa_datetime
from haztrak.domain.manifest.model import (
    AdditionalInfo,
    AlternateFacilityType,
    CodeDescription,
    HandlerRole,
    Manifest,
    ManifestHandlerSite,
    NewManifestDestination,
    OriginType,
    RejectionInfo,
    RejectionType,
    Status,
    SubmissionType,
    Waste,
)
from haztrak.domain.manifest.problems import Problem
from haztrak.domain.manifest.tracking_numbers import is_draft_tracking_number, is_tracking_number


class CheckPurpose(StrEnum):
    """What the manifest is being checked for; e-Manifest asks different things of each."""

    LOCAL = "local"
    """Kept in Haztrak: a draft, or a copy synced from e-Manifest."""
    EMANIFEST_SAVE = "emanifest_save"
    """About to be created in e-Manifest (the save service)."""
    EMANIFEST_UPDATE = "emanifest_update"
    """About to replace the manifest in e-Manifest (the update service)."""


class RuleContext(msgspec.Struct, frozen=True, kw_only=True):
    now: datetime
    purpose: CheckPurpose = CheckPurpose.LOCAL

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("now must be timezone-aware")

    @property
    def for_emanifest(self) -> bool:
        return self.purpose is not _LOCAL


Rule = Callable[[Manifest, RuleContext], Iterable[Problem]]

PHONE_PATTERN = re.compile(r"^\d{3}-\d{3}-\d{4}$")
US_ZIP_PATTERN = re.compile(r"^\d{5}(?:[-\s]\d{4})?$")
DOT_ID_PATTERN = re.compile(r"^(?:(?:UN|NA)\d{4}|NOID)$")
FEDERAL_WASTE_CODE_PATTERN = re.compile(r"^[DFKPU]\d{3}$")
CONSENT_NUMBER_PATTERN = re.compile(r"^[0-9]{6}I[0-9]{5}$")
MAX_CONTAINER_NUMBER = 9_999
MAX_QUANTITY = 99_999_999_999
MAX_DENSITY = 999.99
MAX_PAPER_WASTE_CODES = 6
"""Waste codes per line on a paper form (EPA, NOTES §2.3: "paper allows 6 codes per line,
electronic is unlimited"): item 13 of form 8700-22 has six boxes."""
MAX_COMMENT_TEXT = 250
"""A comment's label and description, by EPA's validation (the schema allows 255)."""
EPA_ID_RULE = "must be a two-letter state code followed by 2 to 10 letters or digits"
MTN_RULE = "must be nine digits and a three-letter suffix, like 100032437ELC"


def _full_matcher(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    """Whether a text matches `pattern` in full, remembered for recent texts: the same EPA IDs,
    phone numbers and ZIP codes come back manifest after manifest, and a match costs more than
    a look-up."""

    @functools.lru_cache(maxsize=4096)
    def matches(text: str) -> bool:
        return pattern.fullmatch(text) is not None

    return matches


_is_epa_id = functools.lru_cache(maxsize=4096)(is_epa_id)
_is_phone_number = _full_matcher(PHONE_PATTERN)
_is_us_zip_code = _full_matcher(US_ZIP_PATTERN)
_is_dot_id = _full_matcher(DOT_ID_PATTERN)
_is_federal_waste_code = _full_matcher(FEDERAL_WASTE_CODE_PATTERN)

# Members that every run compares with. Python 3.11 does not specialize loading a class
# attribute, so `SubmissionType.IMAGE` is a full look-up each time; a global is not.
_LOCAL = CheckPurpose.LOCAL
_CONTAINER_TYPES, _UNITS = codes.CONTAINER_TYPE_BY_CODE, codes.UNIT_OF_MEASURE_BY_CODE
_IMAGE = SubmissionType.IMAGE
_DATA_IMAGE_5_COPY = SubmissionType.DATA_IMAGE_5_COPY
_GENERATOR, _TRANSPORTER, _TSDF = HandlerRole.GENERATOR, HandlerRole.TRANSPORTER, HandlerRole.TSDF


# Parties


def check_submission_type(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    if context.for_emanifest and manifest.submission_type is None:
        yield Problem("submissionType", "is required to send a manifest to e-Manifest")


def check_parties(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """Image manifests need only the submitting facility; the others need every party."""
    if manifest.submission_type is _IMAGE:
        submitters = (manifest.designated_facility, manifest.generator, _alternate(manifest))
        if not any(site and site.epa_site_id for site in submitters):
            yield Problem(
                "designatedFacility.epaSiteId",
                "is required: an Image manifest names the EPA ID of the facility submitting it",
            )
        return
    if manifest.generator is None:
        yield Problem("generator", "is required")
    if not manifest.transporters:
        yield Problem("transporters", "must list at least one transporter")
    if manifest.designated_facility is None:
        yield Problem("designatedFacility", "is required")
    for path, _, handler in _shared(manifest, context).signing_parties:
        if not handler.epa_site_id:
            yield Problem(f"{path}.epaSiteId", "is required")


def check_unregistered_handlers(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """Only DataImage5Copy and Hybrid generators and DataImage5Copy transporters may be
    unregistered, and then the manifest must say who and where they are."""
    for path, role, handler in _shared(manifest, context).signing_parties:
        if handler.registered is not False:
            continue
        if not _may_be_unregistered(manifest, role):
            yield Problem(
                f"{path}.registered",
                f"an unregistered {role.noun} is not allowed on a {_type_name(manifest)} manifest",
            )
            continue
        for key, value in (
            ("name", handler.name),
            ("siteAddress", handler.site_address),
            ("mailingAddress", handler.mailing_address),
            ("contact.phone", handler.contact.phone if handler.contact else None),
        ):
            if not value:
                yield Problem(f"{path}.{key}", "is required for an unregistered site")


def check_emergency_phones(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """The generator gives an emergency response phone and the designated facility a contact
    phone. The facility's emergency phone comes from its RCRAInfo registration: EPA's valid
    examples and RCRAInfo's own manifests leave it out, so it is not asked for here."""
    if manifest.submission_type is _IMAGE:
        return
    generator, facility = manifest.generator, manifest.designated_facility
    if generator is not None and generator.emergency_phone is None:
        yield Problem("generator.emergencyPhone", "is required")
    if facility is not None and not (facility.contact and facility.contact.phone):
        yield Problem("designatedFacility.contact.phone", "is required")


def check_epa_ids(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    shared = _shared(manifest, context)
    for path, role, handler in shared.parties:
        unregistered = handler.registered is False and _may_be_unregistered(manifest, role)
        if handler.epa_site_id and not unregistered and not _is_epa_id(handler.epa_site_id):
            yield Problem(f"{path}.epaSiteId", EPA_ID_RULE)
    for path, info in shared.additional_infos:
        for index, comment in enumerate(info.comments or ()):
            if comment.handler_id and not _is_epa_id(comment.handler_id):
                yield Problem(f"{path}.comments.{index}.handlerId", EPA_ID_RULE)


def check_generator_state(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """A registered generator's site is in the state its EPA ID begins with."""
    generator = manifest.generator
    if generator is None or generator.registered is False or not generator.epa_site_id:
        return
    state = generator.site_address.state if generator.site_address else None
    expected = generator.epa_site_id[:2]
    if state and _is_epa_id(generator.epa_site_id) and state.code != expected:
        yield Problem(
            "generator.siteAddress.state.code",
            f"must be {expected}, the state of EPA ID {generator.epa_site_id}",
        )


def check_transporter_orders(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    transporters = manifest.transporters or []
    for index, transporter in enumerate(transporters):
        if transporter.order is None:
            yield Problem(f"transporters.{index}.order", "is required")
        elif transporter.order != index + 1:
            yield Problem(
                f"transporters.{index}.order",
                f"must be {index + 1}: transporters are numbered 1 to {len(transporters)} "
                "in the order they carry the waste",
            )


# Waste lines


def check_wastes_present(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    if manifest.submission_type is _IMAGE:
        return
    if not manifest.wastes and manifest.current_status().has_reached(Status.SCHEDULED):
        yield Problem("wastes", "must list at least one waste line from Scheduled on")


def check_line_numbers(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """Waste lines are numbered from 1, in increasing order (EPA: "lineNumber: number, from
    1"). A line left blank on a paper form leaves a gap, which e-Manifest accepts: EPA's own
    valid DataImage5Copy example numbers its lines 1, 2, 4, 5, 6."""
    previous = 0
    for index, waste in _wastes(manifest):
        number = waste.line_number
        if not isinstance(number, int) or number <= previous:
            yield Problem(
                f"wastes.{index}.lineNumber",
                f"must be a whole number above {previous}: waste lines are numbered from 1, "
                "in order",
            )
        if isinstance(number, int):
            previous = max(previous, number)


def check_dot_information(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """DOT information exactly when the waste is DOT hazardous; a description otherwise."""
    for index, waste in _wastes(manifest):
        if waste.dot_hazardous and waste.dot_information is None:
            yield Problem(f"wastes.{index}.dotInformation", "is required when dotHazardous is true")
        if not waste.dot_hazardous and waste.dot_information is not None:
            yield Problem(
                f"wastes.{index}.dotInformation", "must be left out when dotHazardous is false"
            )
        if not waste.dot_hazardous and not waste.waste_description:
            yield Problem(
                f"wastes.{index}.wasteDescription", "is required when dotHazardous is false"
            )
        id_number = waste.dot_information.id_number.code if waste.dot_information else None
        if id_number is not None and not _is_dot_id(id_number):
            yield Problem(
                f"wastes.{index}.dotInformation.idNumber.code",
                "must be UN or NA and four digits (UN1993), or NOID",
            )


def check_federal_waste_codes(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    for index, waste in _wastes(manifest):
        federal = (
            waste.hazardous_waste.federal_waste_codes if waste.hazardous_waste else None
        ) or []
        if federal and not waste.epa_waste:
            yield Problem(
                f"wastes.{index}.hazardousWaste.federalWasteCodes",
                "must be empty when epaWaste is false",
            )
        for code_index, entry in enumerate(federal):
            if not _is_federal_waste_code(entry.code):
                yield Problem(
                    f"wastes.{index}.hazardousWaste.federalWasteCodes.{code_index}.code",
                    "must be a federal waste code: D, F, K, P or U and three digits",
                )


def check_paper_waste_codes(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """A DataImage5Copy line carries what its paper form does: at most six waste codes, federal
    and state together. Electronic manifests have no limit; Image manifests' lines are
    ignored."""
    if manifest.submission_type is not _DATA_IMAGE_5_COPY:
        return
    for index, waste in _wastes(manifest):
        codes_ = waste.hazardous_waste
        if codes_ is None:
            continue
        count = (
            len(codes_.federal_waste_codes or ())
            + len(codes_.tsdf_state_waste_codes or ())
            + len(codes_.generator_state_waste_codes or ())
            + len(codes_.tx_waste_codes or ())
        )
        if count > MAX_PAPER_WASTE_CODES:
            yield Problem(
                f"wastes.{index}.hazardousWaste",
                f"must hold at most {MAX_PAPER_WASTE_CODES} waste codes on a DataImage5Copy "
                f"manifest, federal and state together (the paper form's boxes); it has {count}",
            )


def check_quantities(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """Every line needs whole numbers of containers and of quantity, a container type and a
    unit of measure from EPA's lists."""
    for index, waste in _wastes(manifest):
        quantity = waste.quantity
        if quantity is None:
            yield Problem(f"wastes.{index}.quantity", "is required")
            continue
        for key, fault in (
            ("containerNumber", _count_fault(quantity.container_number, MAX_CONTAINER_NUMBER)),
            ("containerType", _code_fault(quantity.container_type, _CONTAINER_TYPES)),
            ("quantity", _count_fault(quantity.quantity, MAX_QUANTITY)),
            ("unitOfMeasurement", _code_fault(quantity.unit_of_measurement, _UNITS)),
        ):
            if fault is not None:
                rest, message = fault
                yield Problem(f"wastes.{index}.quantity.{key}{rest}", message)


def check_management_methods(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """Required for EPA wastes on DataImage5Copy manifests, and on electronic ones once the
    designated facility has signed; always one of EPA's H codes."""
    for index, waste in _wastes(manifest):
        method = waste.management_method
        if method is None:
            if waste.epa_waste and _management_method_required(manifest):
                yield Problem(
                    f"wastes.{index}.managementMethod",
                    f"is required for an EPA waste {_when(manifest)}",
                )
        elif method.code not in codes.MANAGEMENT_METHOD_BY_CODE:
            yield Problem(
                f"wastes.{index}.managementMethod.code", _one_of(codes.MANAGEMENT_METHOD_BY_CODE)
            )


def _management_method_required(manifest: Manifest) -> bool:
    submission_type = manifest.submission_type
    signed = manifest.current_status().has_reached(Status.SIGNED)
    return submission_type is SubmissionType.DATA_IMAGE_5_COPY or (
        submission_type in (SubmissionType.FULL_ELECTRONIC, SubmissionType.HYBRID) and signed
    )


def check_density(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    for index, waste in _wastes(manifest):
        info = waste.br_info
        if info is None:
            continue
        unit = info.density_unit_of_measurement
        unit_path = f"wastes.{index}.brInfo.densityUnitOfMeasurement"
        if info.density is not None:
            if not 0 < info.density <= MAX_DENSITY or round(info.density, 2) != info.density:
                yield Problem(
                    f"wastes.{index}.brInfo.density",
                    f"must be more than 0 and at most {MAX_DENSITY}, with at most two decimals",
                )
            if unit is None:
                yield Problem(unit_path, "is required when density is given")
        if unit is not None and unit.code not in codes.DENSITY_UNIT_BY_CODE:
            allowed = ", ".join(f"{e.code} ({e.description})" for e in codes.DENSITY_UNITS)
            yield Problem(f"{unit_path}.code", f"must be one of: {allowed}")


def check_pcb_infos(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    for index, waste in _wastes(manifest):
        if not waste.pcb:
            continue
        infos_path = f"wastes.{index}.pcbInfos"
        if not waste.pcb_infos:
            yield Problem(infos_path, "must list at least one PCB entry when pcb is true")
            continue
        for info_index, info in enumerate(waste.pcb_infos):
            info_path = f"{infos_path}.{info_index}"
            load_type = info.load_type.code if info.load_type else None
            if load_type is None:
                yield Problem(f"{info_path}.loadType", "is required")
            elif load_type not in codes.LOAD_TYPE_BY_CODE:
                yield Problem(
                    f"{info_path}.loadType.code",
                    "must be one of: " + ", ".join(codes.codes_of(codes.LOAD_TYPES)),
                )
            elif load_type == codes.BULK_WASTE_LOAD_TYPE and not info.bulk_identity:
                yield Problem(f"{info_path}.bulkIdentity", "is required for BulkWaste")
            elif load_type != codes.BULK_WASTE_LOAD_TYPE and not info.article_container_id:
                yield Problem(f"{info_path}.articleContainerId", f"is required for {load_type}")


def check_discrepancies(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """From ReadyForSignature on, every line says whether it has a discrepancy or residue, and
    explains each one."""
    if not _receiving(manifest):
        return
    for index, waste in _wastes(manifest):
        info = waste.discrepancy_residue_info
        info_path = f"wastes.{index}.discrepancyResidueInfo"
        if info is None:
            yield Problem(info_path, "is required from ReadyForSignature on")
            continue
        for key, flag in (
            ("wasteQuantity", info.waste_quantity),
            ("wasteType", info.waste_type),
            ("residue", info.residue),
        ):
            if flag is None:
                yield Problem(f"{info_path}.{key}", "is required from ReadyForSignature on")
        if (info.waste_quantity or info.waste_type) and not info.discrepancy_comments:
            yield Problem(
                f"{info_path}.discrepancyComments",
                "is required when wasteQuantity or wasteType is true",
            )
        if info.residue and not info.residue_comments:
            yield Problem(f"{info_path}.residueComments", "is required when residue is true")


def check_imports(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """Consent numbers belong to imports only; an import names the foreign generator and the
    port of entry."""
    is_import = manifest.import_ is True
    for index, waste in _wastes(manifest):
        consent = waste.additional_info.consent_number if waste.additional_info else None
        if not consent:
            continue
        consent_path = f"wastes.{index}.additionalInfo.consentNumber"
        if not is_import:
            yield Problem(consent_path, "is allowed only on an import (import is true)")
        elif not CONSENT_NUMBER_PATTERN.fullmatch(consent):
            yield Problem(consent_path, "must be six digits, I and five digits, like 123456I12345")
    if is_import and manifest.submission_type is not _IMAGE:
        info = manifest.import_info
        if info is None or info.import_generator is None:
            yield Problem("importInfo.importGenerator", "is required when import is true")
        if info is None or info.port_of_entry is None:
            yield Problem("importInfo.portOfEntry", "is required when import is true")


# Signatures


def check_paper_signatures(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """Every party signs a DataImage5Copy manifest on paper, and the upload records it."""
    if manifest.submission_type is not _DATA_IMAGE_5_COPY:
        return
    for path, _, handler in _shared(manifest, context).signing_parties:
        signature = handler.paper_signature_info
        signature_path = f"{path}.paperSignatureInfo"
        if signature is None:
            yield Problem(signature_path, "is required on a DataImage5Copy manifest")
            continue
        if not signature.printed_name:
            yield Problem(f"{signature_path}.printedName", "is required")
        if not signature.signature_date:
            yield Problem(f"{signature_path}.signatureDate", "is required")


def check_signature_dates(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """Signatures are dated in signing order (generator, transporters 1..n, designated
    facility, alternate facility) and never in the future; compared by UTC calendar day, the
    precision of a paper signature."""
    signed = _dated_signatures(manifest)
    if not signed:
        return
    today = context.now.astimezone(UTC).date()
    latest: tuple[str, date] | None = None
    for party, dated in signed:
        for path, day in dated:
            if day > today:
                yield Problem(path, "must not be in the future")
        first_path, first_day = min(dated, key=lambda pair: pair[1])
        if latest is not None and first_day < latest[1]:
            yield Problem(
                first_path,
                f"must not be earlier than the {latest[0]}'s signature ({latest[1].isoformat()})",
            )
        if latest is None or first_day > latest[1]:
            latest = (party, first_day)


# Tracking numbers, status and submission


def check_tracking_numbers(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """Paper manifests carry their printed MTN; e-Manifest assigns one to electronic manifests
    on save, so a save must not send one (a local draft number is never sent)."""
    mtn = manifest.manifest_tracking_number
    paper = manifest.submission_type is not None and manifest.submission_type.is_paper
    missing = mtn is None or is_draft_tracking_number(mtn)
    if mtn is not None and not is_tracking_number(mtn):
        yield Problem("manifestTrackingNumber", MTN_RULE)
    elif paper and missing and (context.for_emanifest or not manifest.is_draft()):
        yield Problem(
            "manifestTrackingNumber",
            "is required on Image and DataImage5Copy manifests: the number printed on the form",
        )
    elif context.purpose is CheckPurpose.EMANIFEST_SAVE and not paper and not missing:
        yield Problem(
            "manifestTrackingNumber",
            "must be left out when saving a FullElectronic or Hybrid manifest: "
            "e-Manifest assigns it",
        )
    elif context.purpose is CheckPurpose.EMANIFEST_UPDATE and missing:
        yield Problem("manifestTrackingNumber", "is required to update a manifest in e-Manifest")
    for path, numbers in _tracking_number_lists(manifest, _shared(manifest, context)):
        for index, number in enumerate(numbers):
            if not is_tracking_number(number):
                yield Problem(f"{path}.{index}", MTN_RULE)


def check_status_for_submission(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    if not context.for_emanifest:
        return
    electronic = manifest.submission_type is None or not manifest.submission_type.is_paper
    if electronic and manifest.status not in (None, Status.PENDING, Status.SCHEDULED):
        yield Problem(
            "status",
            "must be Pending or Scheduled when a FullElectronic or Hybrid manifest is sent "
            "to e-Manifest",
        )
    if manifest.origin_type is OriginType.MAIL:
        yield Problem("originType", "a Mail manifest cannot be saved or updated through services")


def check_rejection(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """From ReadyForSignature on, a manifest says whether it is rejected, and a rejection
    explains itself and says where the waste goes."""
    if not _receiving(manifest):
        return
    if manifest.rejection is None:
        yield Problem("rejection", "is required from ReadyForSignature on")
    if manifest.contains_previous_reject_or_residue is None:
        yield Problem("containsPreviousRejectOrResidue", "is required from ReadyForSignature on")
    if not manifest.rejection:
        return
    additional = manifest.additional_info
    destination = additional.new_manifest_destination if additional else None
    if destination is NewManifestDestination.ORIGINAL_GENERATOR:
        yield Problem(
            "rejection", "a manifest returning waste to the original generator cannot be rejected"
        )
    info = manifest.rejection_info
    if info is None:
        yield Problem("rejectionInfo", "is required when rejection is true")
        return
    if not info.rejection_comments:
        yield Problem("rejectionInfo.rejectionComments", "is required when rejection is true")
    if info.transporter_on_site is None:
        yield Problem("rejectionInfo.transporterOnSite", "is required when rejection is true")
    elif info.transporter_on_site:
        if info.rejection_type is RejectionType.PARTIAL_REJECT:
            yield Problem(
                "rejectionInfo.rejectionType", "must be FullReject when the transporter is on site"
            )
        if info.new_manifest_tracking_numbers:
            yield Problem(
                "rejectionInfo.newManifestTrackingNumbers",
                "must be empty when the transporter is on site",
            )
        yield from _alternate_destination_problems(manifest, info)
    elif info.rejection_type is None:
        yield Problem(
            "rejectionInfo.rejectionType", "is required when the transporter is not on site"
        )


# Field formats EPA states in prose


def check_phone_numbers(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    for path, key, phone in _phones(_shared(manifest, context)):
        if not _is_phone_number(phone.number):
            yield Problem(f"{path}.{key}.number", "must be written ###-###-####")
        if phone.extension is not None and len(phone.extension) > 6:
            yield Problem(f"{path}.{key}.extension", "must be at most 6 characters")


def check_zip_codes(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """US addresses (those without a country, too) need a ZIP code in US form."""
    for path, key, address in _addresses(_shared(manifest, context)):
        zip_code = address.zip
        if address.country is not None and address.country.code != "US":
            if zip_code is not None and len(zip_code) > 50:
                yield Problem(f"{path}.{key}.zip", "must be at most 50 characters")
        elif not zip_code:
            yield Problem(f"{path}.{key}.zip", "is required for a US address")
        elif not _is_us_zip_code(zip_code):
            yield Problem(f"{path}.{key}.zip", "must be a US ZIP code: 12345 or 12345-6789")


def check_text_lengths(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    for path, key, text, maximum in _limited_texts(manifest, _shared(manifest, context)):
        if text is not None and len(text) > maximum:
            yield Problem(f"{path}.{key}", f"must be at most {maximum} characters")


def _phones(shared: _Shared) -> Iterator[tuple[str, str, Phone]]:
    """(party's path, key, phone) of every party's contact and emergency phone."""
    for path, _, handler in shared.parties:
        if handler.contact and handler.contact.phone:
            yield path, "contact.phone", handler.contact.phone
        if handler.emergency_phone:
            yield path, "emergencyPhone", handler.emergency_phone


def _addresses(shared: _Shared) -> Iterator[tuple[str, str, Address]]:
    """(party's path, key, address) of every party's site and mailing address."""
    for path, _, handler in shared.parties:
        if handler.site_address:
            yield path, "siteAddress", handler.site_address
        if handler.mailing_address:
            yield path, "mailingAddress", handler.mailing_address


def _limited_texts(
    manifest: Manifest, shared: _Shared
) -> Iterator[tuple[str, str, str | None, int]]:
    """(owner's path, key, text, maximum length) of the texts EPA limits in prose."""
    for path, _, handler in shared.parties:
        contact = handler.contact
        if contact is not None:
            yield path, "contact.firstName", contact.first_name, 38
            yield path, "contact.middleInitial", contact.middle_initial, 1
            yield path, "contact.lastName", contact.last_name, 38
            yield path, "contact.companyName", contact.company_name, 80
    generator = manifest.import_info.import_generator if manifest.import_info else None
    if generator is not None:
        path = "importInfo.importGenerator"
        yield path, "name", generator.name, 80
        yield path, "address", generator.address, 50
        yield path, "city", generator.city, 25
        yield path, "postalCode", generator.postal_code, 25
        yield path, "province", generator.province, 50
    for path, info in shared.additional_infos:
        yield path, "handlingInstructions", info.handling_instructions, 4000
        for index, comment in enumerate(info.comments or ()):
            yield path, f"comments.{index}.label", comment.label, MAX_COMMENT_TEXT
            yield path, f"comments.{index}.description", comment.description, MAX_COMMENT_TEXT
    for index, waste in _wastes(manifest):
        yield f"wastes.{index}", "wasteDescription", waste.waste_description, 500
        for pcb_index, pcb in enumerate(waste.pcb_infos or ()):
            pcb_path = f"wastes.{index}.pcbInfos.{pcb_index}"
            yield pcb_path, "articleContainerId", pcb.article_container_id, 255
            yield pcb_path, "wasteType", pcb.waste_type, 255
            yield pcb_path, "bulkIdentity", pcb.bulk_identity, 255


BUSINESS_RULES: tuple[Rule, ...] = (
    check_submission_type,
    check_tracking_numbers,
    check_status_for_submission,
    check_parties,
    check_unregistered_handlers,
    check_epa_ids,
    check_generator_state,
    check_emergency_phones,
    check_transporter_orders,
    check_wastes_present,
    check_line_numbers,
    check_dot_information,
    check_federal_waste_codes,
    check_paper_waste_codes,
    check_quantities,
    check_management_methods,
    check_density,
    check_pcb_infos,
    check_discrepancies,
    check_imports,
    check_paper_signatures,
    check_signature_dates,
    check_rejection,
    check_phone_numbers,
    check_zip_codes,
    check_text_lengths,
)


def business_problems(
    manifest: Manifest, *, now: datetime, purpose: CheckPurpose = CheckPurpose.LOCAL
) -> list[Problem]:
    """Every business-rule problem of a manifest whose shape is valid, all at once."""
    shared = _Shared(manifest)
    context = _SharedContext(now=now, purpose=purpose, manifest=manifest, shared=shared)
    return [problem for rule in BUSINESS_RULES for problem in rule(manifest, context)]


# Helpers


def _type_name(manifest: Manifest) -> str:
    return (manifest.submission_type or SubmissionType.FULL_ELECTRONIC).value


def _when(manifest: Manifest) -> str:
    if manifest.submission_type is SubmissionType.DATA_IMAGE_5_COPY:
        return "on a DataImage5Copy manifest"
    return "once the designated facility has signed"


def _receiving(manifest: Manifest) -> bool:
    """The stage where the designated facility reports what arrived (not for Image)."""
    return manifest.submission_type is not _IMAGE and (
        manifest.current_status().has_reached(Status.READY_FOR_SIGNATURE)
    )


def _may_be_unregistered(manifest: Manifest, role: HandlerRole) -> bool:
    submission_type = manifest.submission_type
    if role is HandlerRole.GENERATOR:
        return submission_type in (SubmissionType.DATA_IMAGE_5_COPY, SubmissionType.HYBRID)
    if role is HandlerRole.TRANSPORTER:
        return submission_type is SubmissionType.DATA_IMAGE_5_COPY
    return False


def _alternate(manifest: Manifest) -> ManifestHandlerSite | None:
    info = manifest.rejection_info
    return info.alternate_designated_facility if info else None


def _alternate_destination_problems(manifest: Manifest, info: RejectionInfo) -> Iterator[Problem]:
    kind = info.alternate_designated_facility_type
    if kind is None:
        yield Problem(
            "rejectionInfo.alternateDesignatedFacilityType",
            "is required when the transporter is on site: Generator or Tsdf",
        )
    elif kind is AlternateFacilityType.TSDF:
        alternate = info.alternate_designated_facility
        if alternate is None or not alternate.epa_site_id:
            yield Problem(
                "rejectionInfo.alternateDesignatedFacility.epaSiteId",
                "is required when the waste goes to an alternate Tsdf",
            )
    elif (
        manifest.submission_type is SubmissionType.DATA_IMAGE_5_COPY
        and info.generator_paper_signature is None
    ):
        yield Problem(
            "rejectionInfo.generatorPaperSignature",
            "is required when the waste goes back to the generator",
        )


_Party = tuple[str, HandlerRole, ManifestHandlerSite]
"""A party's path, its role on the manifest and the party."""


class _Shared:
    """What several rules walk through, found once for all of them by `business_problems`.

    `signing_parties` are the generator, the transporters (as listed) and the designated
    facility; `parties` are those, then the alternate facility, the broker and the waste lines'
    PCB alternate facilities; `additional_infos` are the manifest's and its waste lines'.
    """

    __slots__ = ("additional_infos", "parties", "signing_parties")

    def __init__(self, manifest: Manifest) -> None:
        self.signing_parties = _signing_parties(manifest)
        self.parties = self.signing_parties + _other_parties(manifest)
        self.additional_infos = _additional_infos(manifest)


class _SharedContext(RuleContext, frozen=True, kw_only=True):
    """The context `business_problems` gives each rule: its manifest's `_Shared` with it."""

    manifest: Manifest
    shared: _Shared


def _shared(manifest: Manifest, context: RuleContext) -> _Shared:
    if isinstance(context, _SharedContext) and context.manifest is manifest:
        return context.shared
    return _Shared(manifest)


def _signing_parties(manifest: Manifest) -> list[_Party]:
    parties = []
    if manifest.generator is not None:
        parties.append(("generator", _GENERATOR, manifest.generator))
    for index, transporter in enumerate(manifest.transporters or ()):
        parties.append((f"transporters.{index}", _TRANSPORTER, transporter))
    if manifest.designated_facility is not None:
        parties.append(("designatedFacility", _TSDF, manifest.designated_facility))
    return parties


def _other_parties(manifest: Manifest) -> list[_Party]:
    parties = []
    alternate = _alternate(manifest)
    if alternate is not None:
        path = "rejectionInfo.alternateDesignatedFacility"
        parties.append((path, HandlerRole.ALTERNATE_TSDF, alternate))
    if manifest.broker is not None:
        parties.append(("broker", HandlerRole.BROKER, manifest.broker))
    for index, waste in enumerate(manifest.wastes or ()):
        info = waste.additional_info
        facility = info.pcb_alternate_designated_facility if info else None
        if facility is not None:
            path = f"wastes.{index}.additionalInfo.pcbAlternateDesignatedFacility"
            parties.append((path, HandlerRole.TSDF, facility))
    return parties


def _wastes(manifest: Manifest) -> Iterable[tuple[int, Waste]]:
    """(index, waste line), but none of an Image manifest: e-Manifest ignores them."""
    if manifest.submission_type is _IMAGE or not manifest.wastes:
        return ()
    return enumerate(manifest.wastes)


def _additional_infos(manifest: Manifest) -> list[tuple[str, AdditionalInfo]]:
    infos = []
    if manifest.additional_info is not None:
        infos.append(("additionalInfo", manifest.additional_info))
    for index, waste in enumerate(manifest.wastes or ()):
        if waste.additional_info is not None:
            infos.append((f"wastes.{index}.additionalInfo", waste.additional_info))
    return infos


def _dated_signatures(manifest: Manifest) -> list[tuple[str, list[tuple[str, date]]]]:
    """Each party that dated a signature, in signing order, with the (path, UTC day) of each."""
    parties: list[tuple[str, str, ManifestHandlerSite | None]] = [
        ("generator", "generator", manifest.generator)
    ]
    if any(map(_has_signatures, manifest.transporters or ())):
        parties.extend(
            (f"transporter {t.order}", f"transporters.{i}", t)
            for i, t in manifest.indexed_transporters()
        )
    parties.append(("designated facility", "designatedFacility", manifest.designated_facility))
    path = "rejectionInfo.alternateDesignatedFacility"
    parties.append(("alternate facility", path, _alternate(manifest)))
    signed = []
    for party, path, handler in parties:
        if handler is not None and _has_signatures(handler):
            days = _handler_signature_days(path, handler)
            if days:
                signed.append((party, days))
    info = manifest.rejection_info
    signature = info.generator_paper_signature if info else None
    if signature and signature.signature_date:
        day = _utc_day(signature.signature_date)
        if day:
            path = "rejectionInfo.generatorPaperSignature.signatureDate"
            signed.append(("generator (rejection)", [(path, day)]))
    return signed


def _has_signatures(handler: ManifestHandlerSite) -> bool:
    return handler.paper_signature_info is not None or bool(handler.electronic_signatures_info)


def _handler_signature_days(path: str, handler: ManifestHandlerSite) -> list[tuple[str, date]]:
    days = []
    paper = handler.paper_signature_info
    if paper and paper.signature_date and (day := _utc_day(paper.signature_date)):
        days.append((f"{path}.paperSignatureInfo.signatureDate", day))
    for index, signature in enumerate(handler.electronic_signatures_info or ()):
        if signature.signature_date and (day := _utc_day(signature.signature_date)):
            days.append((f"{path}.electronicSignaturesInfo.{index}.signatureDate", day))
    return days


def _utc_day(text: str) -> date | None:
    try:
        return parse_epa_datetime(text).date()
    except ValueError:
        return None  # a shape problem, reported by the schema


def _tracking_number_lists(manifest: Manifest, shared: _Shared) -> list[tuple[str, list[str]]]:
    """(path, numbers) of each list of tracking numbers that the manifest fills."""
    rejection_info = manifest.rejection_info
    lists = [
        ("residueNewManifestTrackingNumbers", manifest.residue_new_manifest_tracking_numbers),
        (
            "rejectionInfo.newManifestTrackingNumbers",
            rejection_info.new_manifest_tracking_numbers if rejection_info else None,
        ),
    ]
    for path, info in shared.additional_infos:
        numbers = info.original_manifest_tracking_numbers
        lists.append((f"{path}.originalManifestTrackingNumbers", numbers))
    return [(path, numbers) for path, numbers in lists if numbers]


_Fault = tuple[str, str]
"""What is wrong with a field: the rest of the path to the fault (`.code`, or none) and why."""


def _count_fault(value: int | float | None, maximum: int) -> _Fault | None:
    if value is None:
        return "", "is required"
    if not isinstance(value, int):
        return "", "must be an integer"
    if not 0 <= value <= maximum:
        return "", f"must be between 0 and {maximum}"
    return None


def _code_fault(entry: CodeDescription | None, allowed: Mapping[str, object]) -> _Fault | None:
    """What is wrong with a code from one of EPA's lists (`codes.*_BY_CODE`)."""
    if entry is None:
        return "", "is required"
    if entry.code not in allowed:
        return ".code", _one_of(allowed)
    return None


def _one_of(allowed: Mapping[str, object]) -> str:
    return "must be one of: " + ", ".join(allowed)
