"""e-Manifest's business rules: what a shape-valid manifest still needs, by submission type,
status and what it is checked for.

Each rule is a function of the manifest and a `RuleContext` that yields problems; rules do not
depend on one another, so each can be tested alone. `business_problems` runs them all. Image
manifests carry little data (e-Manifest ignores their waste lines), so most rules skip them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
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
from haztrak.domain.manifest.problems import Problem, join_path
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
        return self.purpose is not CheckPurpose.LOCAL


Rule = Callable[[Manifest, RuleContext], Iterable[Problem]]

PHONE_PATTERN = re.compile(r"^\d{3}-\d{3}-\d{4}$")
US_ZIP_PATTERN = re.compile(r"^\d{5}(?:[-\s]\d{4})?$")
DOT_ID_PATTERN = re.compile(r"^(?:(?:UN|NA)\d{4}|NOID)$")
FEDERAL_WASTE_CODE_PATTERN = re.compile(r"^[DFKPU]\d{3}$")
CONSENT_NUMBER_PATTERN = re.compile(r"^[0-9]{6}I[0-9]{5}$")
MAX_CONTAINER_NUMBER = 9_999
MAX_QUANTITY = 99_999_999_999
MAX_DENSITY = 999.99
EPA_ID_RULE = "must be a two-letter state code followed by 2 to 10 letters or digits"
MTN_RULE = "must be nine digits and a three-letter suffix, like 100032437ELC"


# Parties


def check_submission_type(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    if context.for_emanifest and manifest.submission_type is None:
        yield Problem("submissionType", "is required to send a manifest to e-Manifest")


def check_parties(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """Image manifests need only the submitting facility; the others need every party."""
    if manifest.submission_type is SubmissionType.IMAGE:
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
    for path, _, handler in _signing_parties(manifest):
        if not handler.epa_site_id:
            yield Problem(join_path(path, "epaSiteId"), "is required")


def check_unregistered_handlers(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """Only DataImage5Copy and Hybrid generators and DataImage5Copy transporters may be
    unregistered, and then the manifest must say who and where they are."""
    for path, role, handler in _signing_parties(manifest):
        if handler.registered is not False:
            continue
        if not _may_be_unregistered(manifest, role):
            yield Problem(
                join_path(path, "registered"),
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
                yield Problem(join_path(path, key), "is required for an unregistered site")


def check_emergency_phones(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """The generator gives an emergency response phone and the designated facility a contact
    phone. The facility's emergency phone comes from its RCRAInfo registration: EPA's valid
    examples and RCRAInfo's own manifests leave it out, so it is not asked for here."""
    if manifest.submission_type is SubmissionType.IMAGE:
        return
    generator, facility = manifest.generator, manifest.designated_facility
    if generator is not None and generator.emergency_phone is None:
        yield Problem("generator.emergencyPhone", "is required")
    if facility is not None and not (facility.contact and facility.contact.phone):
        yield Problem("designatedFacility.contact.phone", "is required")


def check_epa_ids(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    for path, role, handler in _all_parties(manifest):
        unregistered = handler.registered is False and _may_be_unregistered(manifest, role)
        if handler.epa_site_id and not unregistered and not is_epa_id(handler.epa_site_id):
            yield Problem(join_path(path, "epaSiteId"), EPA_ID_RULE)
    for path, info in _additional_infos(manifest):
        for index, comment in enumerate(info.comments or ()):
            if comment.handler_id and not is_epa_id(comment.handler_id):
                yield Problem(join_path(path, "comments", index, "handlerId"), EPA_ID_RULE)


def check_generator_state(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """A registered generator's site is in the state its EPA ID begins with."""
    generator = manifest.generator
    if generator is None or generator.registered is False or not generator.epa_site_id:
        return
    state = generator.site_address.state if generator.site_address else None
    expected = generator.epa_site_id[:2]
    if state and is_epa_id(generator.epa_site_id) and state.code != expected:
        yield Problem(
            "generator.siteAddress.state.code",
            f"must be {expected}, the state of EPA ID {generator.epa_site_id}",
        )


def check_transporter_orders(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    transporters = manifest.transporters or []
    for index, transporter in enumerate(transporters):
        path = join_path("transporters", index, "order")
        if transporter.order is None:
            yield Problem(path, "is required")
        elif transporter.order != index + 1:
            yield Problem(
                path,
                f"must be {index + 1}: transporters are numbered 1 to {len(transporters)} "
                "in the order they carry the waste",
            )


# Waste lines


def check_wastes_present(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    if manifest.submission_type is SubmissionType.IMAGE:
        return
    if manifest.current_status().has_reached(Status.SCHEDULED) and not manifest.wastes:
        yield Problem("wastes", "must list at least one waste line from Scheduled on")


def check_line_numbers(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    count = len(manifest.wastes or ())
    for index, path, waste in _wastes(manifest):
        if waste.line_number != index + 1:
            yield Problem(
                join_path(path, "lineNumber"),
                f"must be {index + 1}: waste lines are numbered 1 to {count} in order",
            )


def check_dot_information(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """DOT information exactly when the waste is DOT hazardous; a description otherwise."""
    for _, path, waste in _wastes(manifest):
        if waste.dot_hazardous and waste.dot_information is None:
            yield Problem(
                join_path(path, "dotInformation"), "is required when dotHazardous is true"
            )
        if not waste.dot_hazardous and waste.dot_information is not None:
            yield Problem(
                join_path(path, "dotInformation"), "must be left out when dotHazardous is false"
            )
        if not waste.dot_hazardous and not waste.waste_description:
            yield Problem(
                join_path(path, "wasteDescription"), "is required when dotHazardous is false"
            )
        id_number = waste.dot_information.id_number.code if waste.dot_information else None
        if id_number is not None and not DOT_ID_PATTERN.fullmatch(id_number):
            yield Problem(
                join_path(path, "dotInformation.idNumber.code"),
                "must be UN or NA and four digits (UN1993), or NOID",
            )


def check_federal_waste_codes(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    for _, path, waste in _wastes(manifest):
        federal = (
            waste.hazardous_waste.federal_waste_codes if waste.hazardous_waste else None
        ) or []
        codes_path = join_path(path, "hazardousWaste.federalWasteCodes")
        if federal and not waste.epa_waste:
            yield Problem(codes_path, "must be empty when epaWaste is false")
        for index, entry in enumerate(federal):
            if not FEDERAL_WASTE_CODE_PATTERN.fullmatch(entry.code):
                yield Problem(
                    join_path(codes_path, index, "code"),
                    "must be a federal waste code: D, F, K, P or U and three digits",
                )


def check_quantities(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """Every line needs whole numbers of containers and of quantity, a container type and a
    unit of measure from EPA's lists."""
    for _, path, waste in _wastes(manifest):
        quantity = waste.quantity
        quantity_path = join_path(path, "quantity")
        if quantity is None:
            yield Problem(quantity_path, "is required")
            continue
        yield from _whole_number_problems(
            quantity.container_number,
            join_path(quantity_path, "containerNumber"),
            maximum=MAX_CONTAINER_NUMBER,
        )
        yield from _code_problems(
            quantity.container_type,
            join_path(quantity_path, "containerType"),
            codes.CONTAINER_TYPES,
        )
        yield from _whole_number_problems(
            quantity.quantity, join_path(quantity_path, "quantity"), maximum=MAX_QUANTITY
        )
        yield from _code_problems(
            quantity.unit_of_measurement,
            join_path(quantity_path, "unitOfMeasurement"),
            codes.UNITS_OF_MEASURE,
        )


def check_management_methods(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """Required for EPA wastes on DataImage5Copy manifests, and on electronic ones once the
    designated facility has signed; always one of EPA's H codes."""
    submission_type = manifest.submission_type
    signed = manifest.current_status().has_reached(Status.SIGNED)
    required = submission_type is SubmissionType.DATA_IMAGE_5_COPY or (
        submission_type in (SubmissionType.FULL_ELECTRONIC, SubmissionType.HYBRID) and signed
    )
    for _, path, waste in _wastes(manifest):
        method_path = join_path(path, "managementMethod")
        if waste.management_method is None:
            if required and waste.epa_waste:
                yield Problem(method_path, f"is required for an EPA waste {_when(manifest)}")
            continue
        yield from _code_problems(waste.management_method, method_path, codes.MANAGEMENT_METHODS)


def check_density(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    for _, path, waste in _wastes(manifest):
        info = waste.br_info
        if info is None:
            continue
        unit = info.density_unit_of_measurement
        unit_path = join_path(path, "brInfo.densityUnitOfMeasurement")
        if info.density is not None:
            if not 0 < info.density <= MAX_DENSITY or round(info.density, 2) != info.density:
                yield Problem(
                    join_path(path, "brInfo.density"),
                    f"must be more than 0 and at most {MAX_DENSITY}, with at most two decimals",
                )
            if unit is None:
                yield Problem(unit_path, "is required when density is given")
        if unit is not None and unit.code not in codes.DENSITY_UNIT_BY_CODE:
            allowed = ", ".join(f"{e.code} ({e.description})" for e in codes.DENSITY_UNITS)
            yield Problem(join_path(unit_path, "code"), f"must be one of: {allowed}")


def check_pcb_infos(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    for _, path, waste in _wastes(manifest):
        if not waste.pcb:
            continue
        infos_path = join_path(path, "pcbInfos")
        if not waste.pcb_infos:
            yield Problem(infos_path, "must list at least one PCB entry when pcb is true")
            continue
        for index, info in enumerate(waste.pcb_infos):
            info_path = join_path(infos_path, index)
            load_type = info.load_type.code if info.load_type else None
            if load_type is None:
                yield Problem(join_path(info_path, "loadType"), "is required")
            elif load_type not in codes.LOAD_TYPE_BY_CODE:
                yield Problem(
                    join_path(info_path, "loadType.code"),
                    "must be one of: " + ", ".join(codes.codes_of(codes.LOAD_TYPES)),
                )
            elif load_type == codes.BULK_WASTE_LOAD_TYPE and not info.bulk_identity:
                yield Problem(join_path(info_path, "bulkIdentity"), "is required for BulkWaste")
            elif load_type != codes.BULK_WASTE_LOAD_TYPE and not info.article_container_id:
                yield Problem(
                    join_path(info_path, "articleContainerId"), f"is required for {load_type}"
                )


def check_discrepancies(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """From ReadyForSignature on, every line says whether it has a discrepancy or residue, and
    explains each one."""
    if not _receiving(manifest):
        return
    for _, path, waste in _wastes(manifest):
        info = waste.discrepancy_residue_info
        info_path = join_path(path, "discrepancyResidueInfo")
        if info is None:
            yield Problem(info_path, "is required from ReadyForSignature on")
            continue
        for key, flag in (
            ("wasteQuantity", info.waste_quantity),
            ("wasteType", info.waste_type),
            ("residue", info.residue),
        ):
            if flag is None:
                yield Problem(join_path(info_path, key), "is required from ReadyForSignature on")
        if (info.waste_quantity or info.waste_type) and not info.discrepancy_comments:
            yield Problem(
                join_path(info_path, "discrepancyComments"),
                "is required when wasteQuantity or wasteType is true",
            )
        if info.residue and not info.residue_comments:
            yield Problem(
                join_path(info_path, "residueComments"), "is required when residue is true"
            )


def check_imports(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """Consent numbers belong to imports only; an import names the foreign generator and the
    port of entry."""
    is_import = manifest.import_ is True
    for _, path, waste in _wastes(manifest):
        consent = waste.additional_info.consent_number if waste.additional_info else None
        consent_path = join_path(path, "additionalInfo.consentNumber")
        if consent and not is_import:
            yield Problem(consent_path, "is allowed only on an import (import is true)")
        elif consent and not CONSENT_NUMBER_PATTERN.fullmatch(consent):
            yield Problem(consent_path, "must be six digits, I and five digits, like 123456I12345")
    if is_import and manifest.submission_type is not SubmissionType.IMAGE:
        info = manifest.import_info
        if info is None or info.import_generator is None:
            yield Problem("importInfo.importGenerator", "is required when import is true")
        if info is None or info.port_of_entry is None:
            yield Problem("importInfo.portOfEntry", "is required when import is true")


# Signatures


def check_paper_signatures(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """Every party signs a DataImage5Copy manifest on paper, and the upload records it."""
    if manifest.submission_type is not SubmissionType.DATA_IMAGE_5_COPY:
        return
    for path, _, handler in _signing_parties(manifest):
        signature = handler.paper_signature_info
        signature_path = join_path(path, "paperSignatureInfo")
        if signature is None:
            yield Problem(signature_path, "is required on a DataImage5Copy manifest")
            continue
        if not signature.printed_name:
            yield Problem(join_path(signature_path, "printedName"), "is required")
        if not signature.signature_date:
            yield Problem(join_path(signature_path, "signatureDate"), "is required")


def check_signature_dates(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """Signatures are dated in signing order (generator, transporters 1..n, designated
    facility, alternate facility) and never in the future; compared by UTC calendar day, the
    precision of a paper signature."""
    today = context.now.astimezone(UTC).date()
    latest: tuple[str, date] | None = None
    for party, dated in _dated_signatures(manifest):
        for path, day in dated:
            if day > today:
                yield Problem(path, "must not be in the future")
        if not dated:
            continue
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
    for path, number in _listed_tracking_numbers(manifest):
        if not is_tracking_number(number):
            yield Problem(path, MTN_RULE)


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
    for path, phone in _phones(manifest):
        if not PHONE_PATTERN.fullmatch(phone.number):
            yield Problem(join_path(path, "number"), "must be written ###-###-####")
        if phone.extension is not None and len(phone.extension) > 6:
            yield Problem(join_path(path, "extension"), "must be at most 6 characters")


def check_zip_codes(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    """US addresses (those without a country, too) need a ZIP code in US form."""
    for path, address in _addresses(manifest):
        zip_path = join_path(path, "zip")
        if address.country is not None and address.country.code != "US":
            if address.zip is not None and len(address.zip) > 50:
                yield Problem(zip_path, "must be at most 50 characters")
        elif not address.zip:
            yield Problem(zip_path, "is required for a US address")
        elif not US_ZIP_PATTERN.fullmatch(address.zip):
            yield Problem(zip_path, "must be a US ZIP code: 12345 or 12345-6789")


def check_text_lengths(manifest: Manifest, context: RuleContext) -> Iterator[Problem]:
    for path, text, maximum in _limited_texts(manifest):
        if text is not None and len(text) > maximum:
            yield Problem(path, f"must be at most {maximum} characters")


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
    context = RuleContext(now=now, purpose=purpose)
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
    return manifest.submission_type is not SubmissionType.IMAGE and (
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


def _signing_parties(manifest: Manifest) -> Iterator[tuple[str, HandlerRole, ManifestHandlerSite]]:
    """Generator, transporters (as listed) and designated facility, with their paths."""
    if manifest.generator is not None:
        yield "generator", HandlerRole.GENERATOR, manifest.generator
    for index, transporter in enumerate(manifest.transporters or ()):
        yield join_path("transporters", index), HandlerRole.TRANSPORTER, transporter
    if manifest.designated_facility is not None:
        yield "designatedFacility", HandlerRole.TSDF, manifest.designated_facility


def _all_parties(manifest: Manifest) -> Iterator[tuple[str, HandlerRole, ManifestHandlerSite]]:
    yield from _signing_parties(manifest)
    alternate = _alternate(manifest)
    if alternate is not None:
        yield "rejectionInfo.alternateDesignatedFacility", HandlerRole.ALTERNATE_TSDF, alternate
    if manifest.broker is not None:
        yield "broker", HandlerRole.BROKER, manifest.broker
    for _, path, waste in _wastes(manifest, include_image=True):
        info = waste.additional_info
        facility = info.pcb_alternate_designated_facility if info else None
        if facility is not None:
            facility_path = join_path(path, "additionalInfo.pcbAlternateDesignatedFacility")
            yield facility_path, HandlerRole.TSDF, facility


def _wastes(manifest: Manifest, *, include_image: bool = False) -> Iterator[tuple[int, str, Waste]]:
    if manifest.submission_type is SubmissionType.IMAGE and not include_image:
        return
    for index, waste in enumerate(manifest.wastes or ()):
        yield index, join_path("wastes", index), waste


def _additional_infos(manifest: Manifest) -> Iterator[tuple[str, AdditionalInfo]]:
    if manifest.additional_info is not None:
        yield "additionalInfo", manifest.additional_info
    for _, path, waste in _wastes(manifest, include_image=True):
        if waste.additional_info is not None:
            yield join_path(path, "additionalInfo"), waste.additional_info


def _dated_signatures(manifest: Manifest) -> Iterator[tuple[str, list[tuple[str, date]]]]:
    """Each party in signing order, with the (path, UTC day) of every dated signature."""
    transporters = manifest.indexed_transporters()
    parties: list[tuple[str, str, ManifestHandlerSite | None]] = [
        ("generator", "generator", manifest.generator),
        *((f"transporter {t.order}", join_path("transporters", i), t) for i, t in transporters),
        ("designated facility", "designatedFacility", manifest.designated_facility),
        ("alternate facility", "rejectionInfo.alternateDesignatedFacility", _alternate(manifest)),
    ]
    for party, path, handler in parties:
        if handler is not None:
            yield party, list(_handler_signature_days(path, handler))
    info = manifest.rejection_info
    signature = info.generator_paper_signature if info else None
    if signature and signature.signature_date:
        day = _utc_day(signature.signature_date)
        path = "rejectionInfo.generatorPaperSignature.signatureDate"
        yield "generator (rejection)", [(path, day)] if day else []


def _handler_signature_days(path: str, handler: ManifestHandlerSite) -> Iterator[tuple[str, date]]:
    paper = handler.paper_signature_info
    if paper and paper.signature_date and (day := _utc_day(paper.signature_date)):
        yield join_path(path, "paperSignatureInfo.signatureDate"), day
    for index, signature in enumerate(handler.electronic_signatures_info or ()):
        if signature.signature_date and (day := _utc_day(signature.signature_date)):
            yield join_path(path, "electronicSignaturesInfo", index, "signatureDate"), day


def _utc_day(text: str) -> date | None:
    try:
        return parse_epa_datetime(text).date()
    except ValueError:
        return None  # a shape problem, reported by the schema


def _listed_tracking_numbers(manifest: Manifest) -> Iterator[tuple[str, str]]:
    lists: list[tuple[str, list[str] | None]] = [
        ("residueNewManifestTrackingNumbers", manifest.residue_new_manifest_tracking_numbers),
        (
            "rejectionInfo.newManifestTrackingNumbers",
            manifest.rejection_info.new_manifest_tracking_numbers
            if manifest.rejection_info
            else None,
        ),
    ]
    lists.extend(
        (
            join_path(path, "originalManifestTrackingNumbers"),
            info.original_manifest_tracking_numbers,
        )
        for path, info in _additional_infos(manifest)
    )
    for path, numbers in lists:
        for index, number in enumerate(numbers or ()):
            yield join_path(path, index), number


def _phones(manifest: Manifest) -> Iterator[tuple[str, Phone]]:
    for path, _, handler in _all_parties(manifest):
        if handler.contact and handler.contact.phone:
            yield join_path(path, "contact.phone"), handler.contact.phone
        if handler.emergency_phone:
            yield join_path(path, "emergencyPhone"), handler.emergency_phone


def _addresses(manifest: Manifest) -> Iterator[tuple[str, Address]]:
    for path, _, handler in _all_parties(manifest):
        if handler.site_address:
            yield join_path(path, "siteAddress"), handler.site_address
        if handler.mailing_address:
            yield join_path(path, "mailingAddress"), handler.mailing_address


def _limited_texts(manifest: Manifest) -> Iterator[tuple[str, str | None, int]]:
    for path, _, handler in _all_parties(manifest):
        contact = handler.contact
        if contact is not None:
            yield join_path(path, "contact.firstName"), contact.first_name, 38
            yield join_path(path, "contact.middleInitial"), contact.middle_initial, 1
            yield join_path(path, "contact.lastName"), contact.last_name, 38
            yield join_path(path, "contact.companyName"), contact.company_name, 80
    generator = manifest.import_info.import_generator if manifest.import_info else None
    if generator is not None:
        yield "importInfo.importGenerator.name", generator.name, 80
        yield "importInfo.importGenerator.address", generator.address, 50
        yield "importInfo.importGenerator.city", generator.city, 25
        yield "importInfo.importGenerator.postalCode", generator.postal_code, 25
        yield "importInfo.importGenerator.province", generator.province, 50
    for path, info in _additional_infos(manifest):
        yield join_path(path, "handlingInstructions"), info.handling_instructions, 4000
        for index, comment in enumerate(info.comments or ()):
            yield join_path(path, "comments", index, "label"), comment.label, 255
            yield join_path(path, "comments", index, "description"), comment.description, 255
    for _, path, waste in _wastes(manifest):
        yield join_path(path, "wasteDescription"), waste.waste_description, 500
        for index, pcb in enumerate(waste.pcb_infos or ()):
            pcb_path = join_path(path, "pcbInfos", index)
            yield join_path(pcb_path, "articleContainerId"), pcb.article_container_id, 255
            yield join_path(pcb_path, "wasteType"), pcb.waste_type, 255
            yield join_path(pcb_path, "bulkIdentity"), pcb.bulk_identity, 255


def _whole_number_problems(
    value: int | float | None, path: str, *, maximum: int
) -> Iterator[Problem]:
    if value is None:
        yield Problem(path, "is required")
    elif not isinstance(value, int):
        yield Problem(path, "must be an integer")
    elif not 0 <= value <= maximum:
        yield Problem(path, f"must be between 0 and {maximum}")


def _code_problems(
    entry: CodeDescription | None, path: str, allowed: tuple[CodeDescription, ...]
) -> Iterator[Problem]:
    if entry is None:
        yield Problem(path, "is required")
    elif entry.code not in {e.code for e in allowed}:
        yield Problem(
            join_path(path, "code"), "must be one of: " + ", ".join(codes.codes_of(allowed))
        )
