"""The manifest in EPA's own vocabulary: every definition of e-Manifest's `emanifest.json` (v1.3).

Attributes are snake_case and encode to EPA's camelCase keys. Every field EPA may omit defaults
to None (lists too), so that a manifest encodes back to exactly the keys it was decoded from: an
empty list and a missing list are different JSON. Date-times stay EPA's strings (see
`datetimes`). Numbers that EPA requires to be integers are typed `int | float`, so that a
fractional quantity survives decoding and a rule can name it instead of losing it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import StrEnum

import msgspec

from haztrak.domain.handlers import Address, Contact, Locality, Phone, SiteType
from haztrak.domain.manifest.tracking_numbers import is_draft_tracking_number


class Status(StrEnum):
    NOT_ASSIGNED = "NotAssigned"
    PENDING = "Pending"
    SCHEDULED = "Scheduled"
    IN_TRANSIT = "InTransit"
    READY_FOR_SIGNATURE = "ReadyForSignature"
    SIGNED = "Signed"
    CORRECTED = "Corrected"
    UNDER_CORRECTION = "UnderCorrection"
    MTN_VALIDATION_FAILED = "MtnValidationFailed"

    def has_reached(self, milestone: Status) -> bool:
        """Whether a manifest in this status is at `milestone` or past it in the lifecycle."""
        return _STATUS_STAGE[self] >= _STATUS_STAGE[milestone]


_STATUS_STAGE = {
    Status.NOT_ASSIGNED: 0,
    Status.PENDING: 1,
    Status.SCHEDULED: 2,
    Status.IN_TRANSIT: 3,
    Status.READY_FOR_SIGNATURE: 4,
    Status.MTN_VALIDATION_FAILED: 4,
    Status.SIGNED: 5,
    Status.CORRECTED: 6,
    Status.UNDER_CORRECTION: 6,
}


class SubmissionType(StrEnum):
    FULL_ELECTRONIC = "FullElectronic"
    DATA_IMAGE_5_COPY = "DataImage5Copy"
    HYBRID = "Hybrid"
    IMAGE = "Image"

    @property
    def is_paper(self) -> bool:
        """Image and DataImage5Copy manifests travel on paper and are uploaded afterwards."""
        return self in (SubmissionType.IMAGE, SubmissionType.DATA_IMAGE_5_COPY)


class OriginType(StrEnum):
    WEB = "Web"
    SERVICE = "Service"
    MAIL = "Mail"


class LockReason(StrEnum):
    ASYNC_SIGN = "AsyncSign"
    EPA_CHANGE_BILLER = "EpaChangeBiller"
    EPA_CORRECTION = "EpaCorrection"


class PpcStatus(StrEnum):
    DRAFT = "Draft"
    PENDING_DATA_ENTRY = "PendingDataEntry"
    DATA_ENTRY_IN_PROGRESS = "DataEntryInProgress"
    PENDING_DATA_QC = "PendingDataQc"
    PENDING_DATA_QA = "PendingDataQa"
    DATA_QA_COMPLETED = "DataQaCompleted"
    PENDING_INDUSTRY_CORRECTIONS = "PendingIndustryCorrections"
    INDUSTRY_CORRECTED = "IndustryCorrected"


class SignatureType(StrEnum):
    NOT_SIGNED = "NotSigned"
    TYPED_NAME = "TypedName"
    QUICK_SIGN = "QuickSign"
    CROMERR_SIGN = "CROMERRSign"
    QUICKER_SIGN = "QuickerSign"


class SignerRole(StrEnum):
    INDUSTRY = "Industry"
    STATE = "State"
    PPC = "PPC"
    EPA = "EPA"


class SignatureMethod(StrEnum):
    QUICKER_SIGN = "QuickerSign"
    QUICK_SIGN = "QuickSign"


class ContactType(StrEnum):
    EMAIL = "Email"
    TEXT = "Text"
    VOICE = "Voice"


class MimeType(StrEnum):
    APPLICATION_PDF = "APPLICATION_PDF"
    TEXT_HTML = "TEXT_HTML"


class RejectionType(StrEnum):
    FULL_REJECT = "FullReject"
    PARTIAL_REJECT = "PartialReject"


class AlternateFacilityType(StrEnum):
    GENERATOR = "Generator"
    TSDF = "Tsdf"


class NewManifestDestination(StrEnum):
    ORIGINAL_GENERATOR = "OriginalGenerator"
    TSDF = "Tsdf"


class CorrectionInitiatorRole(StrEnum):
    INDUSTRY = "Industry"
    STATE = "State"
    PPC = "PPC"
    EPA = "EPA"


class CorrectionUpdateRole(StrEnum):
    """EPA spells these differently from `CorrectionInitiatorRole`; both are kept verbatim."""

    INDUSTRY = "Industry"
    STATE = "State"
    PPC = "Ppc"
    EPA = "Epa"


class CorrectionRequestStatus(StrEnum):
    NOT_SENT = "NotSent"
    SENT = "Sent"
    INDUSTRY_RESPONDED = "IndustryResponded"


class MtnExtractionStatus(StrEnum):
    NOT_STARTED = "NotStarted"
    COMPLETED = "Completed"
    FAILED = "Failed"


class HandlerRole(StrEnum):
    """The part a handler plays on one manifest, spelled as Quicker Sign's `siteType`."""

    GENERATOR = "Generator"
    TRANSPORTER = "Transporter"
    TSDF = "Tsdf"
    BROKER = "Broker"
    ALTERNATE_TSDF = "RejectionInfo_AlternateTsdf"

    @property
    def noun(self) -> str:
        return _ROLE_NOUNS[self]


_ROLE_NOUNS = {
    HandlerRole.GENERATOR: "generator",
    HandlerRole.TRANSPORTER: "transporter",
    HandlerRole.TSDF: "designated facility",
    HandlerRole.BROKER: "broker",
    HandlerRole.ALTERNATE_TSDF: "alternate designated facility",
}


class _EpaObject(
    msgspec.Struct, kw_only=True, rename="camel", omit_defaults=True, forbid_unknown_fields=True
):
    """Base of EPA's objects (`additionalProperties: false` unless a subclass says otherwise)."""


class _FrozenEpaObject(
    msgspec.Struct,
    kw_only=True,
    rename="camel",
    omit_defaults=True,
    forbid_unknown_fields=True,
    frozen=True,
):
    """Base of EPA's small code objects, which code lists share and nobody changes in place."""


class Code(_FrozenEpaObject, kw_only=True, frozen=True):
    code: str


class CodeDescription(_FrozenEpaObject, kw_only=True, frozen=True):
    """A code and, optionally, EPA's description of it; also the entry type of `codes`."""

    code: str
    description: str | None = None


class DensityUnitOfMeasurement(_FrozenEpaObject, kw_only=True, frozen=True):
    code: str | None = None
    description: str | None = None


class Document(_EpaObject, kw_only=True):
    name: str | None = None
    size: int | float | None = None
    mime_type: MimeType | None = None


class Signer(_EpaObject, kw_only=True):
    user_id: str | None = None
    first_name: str | None = None
    middle_initial: str | None = None
    last_name: str | None = None
    phone: Phone | None = None
    email: str | None = None
    company_name: str | None = None
    contact_type: ContactType | None = None


class PaperSignature(_EpaObject, kw_only=True):
    printed_name: str | None = None
    signature_date: str | None = None


class ElectronicSignature(_EpaObject, kw_only=True):
    signer: Signer | None = None
    signature_date: str | None = None
    human_readable_document: Document | None = None
    cromerr_activity_id: str | None = None
    cromerr_document_id: str | None = None
    signer_role: SignerRole | None = None
    signature_method: SignatureMethod | None = None
    on_behalf: bool | None = None


class ManifestHandlerSite(_EpaObject, kw_only=True):
    """A generator, transporter, designated facility, broker or alternate facility on a manifest.

    `signed` is not EPA's: this service adds it to the manifests it answers with (read-only).
    """

    site_type: SiteType | None = None
    epa_site_id: str | None = None
    name: str | None = None
    mailing_address: Address | None = None
    site_address: Address | None = None
    contact: Contact | None = None
    emergency_phone: Phone | None = None
    paper_signature_info: PaperSignature | None = None
    electronic_signatures_info: list[ElectronicSignature] | None = None
    order: int | float | None = None
    registered: bool | None = None
    modified: bool | None = None
    limited_esign: bool | None = None
    can_esign: bool | None = None
    site_state: Locality | None = None
    has_registered_emanifest_user: bool | None = None
    gis_primary: bool | None = None
    signature_type: SignatureType | None = None
    signed: bool | None = None

    def signature_dates(self) -> list[str]:
        """Dates of the signatures this handler gave: on paper, then electronically."""
        dates = []
        if self.paper_signature_info and self.paper_signature_info.signature_date:
            dates.append(self.paper_signature_info.signature_date)
        dates.extend(
            signature.signature_date
            for signature in self.electronic_signatures_info or ()
            if signature.signature_date
        )
        return dates

    def has_signed(self) -> bool:
        """A signature counts once it has a date; EPA lists unsigned copy-of-record stubs too."""
        return bool(self.signature_dates())


_HandlerChange = Callable[[ManifestHandlerSite], ManifestHandlerSite]


class DotInformation(_EpaObject, kw_only=True):
    id_number: Code
    printed_dot_information: str


class Quantity(_EpaObject, kw_only=True):
    container_number: int | float | None = None
    container_type: CodeDescription | None = None
    quantity: int | float | None = None
    unit_of_measurement: CodeDescription | None = None


class BrInfo(_EpaObject, kw_only=True):
    density: int | float | None = None
    density_unit_of_measurement: DensityUnitOfMeasurement | None = None
    form_code: CodeDescription | None = None
    source_code: CodeDescription | None = None
    waste_minimization_code: CodeDescription | None = None
    mixed_radioactive_waste: bool | None = None


class HazardousWaste(_EpaObject, kw_only=True):
    federal_waste_codes: list[CodeDescription] | None = None
    tsdf_state_waste_codes: list[CodeDescription] | None = None
    tx_waste_codes: list[str] | None = None
    generator_state_waste_codes: list[CodeDescription] | None = None


class PcbInfo(_EpaObject, kw_only=True):
    load_type: Code | None = None
    article_container_id: str | None = None
    date_of_removal: str | None = None
    weight: int | float | None = None
    waste_type: str | None = None
    bulk_identity: str | None = None


class DiscrepancyResidueInfo(_EpaObject, kw_only=True):
    waste_quantity: bool | None = None
    waste_type: bool | None = None
    discrepancy_comments: str | None = None
    residue: bool | None = None
    residue_comments: str | None = None


class Comment(_EpaObject, kw_only=True):
    label: str | None = None
    description: str | None = None
    handler_id: str | None = None


class AdditionalInfo(_EpaObject, kw_only=True):
    original_manifest_tracking_numbers: list[str] | None = None
    new_manifest_destination: NewManifestDestination | None = None
    consent_number: str | None = None
    comments: list[Comment] | None = None
    handling_instructions: str | None = None
    pcb_alternate_designated_facility: ManifestHandlerSite | None = None


class Waste(_EpaObject, kw_only=True):
    line_number: int | float
    dot_hazardous: bool
    epa_waste: bool
    pcb: bool
    br: bool
    dot_information: DotInformation | None = None
    waste_description: str | None = None
    quantity: Quantity | None = None
    br_info: BrInfo | None = None
    hazardous_waste: HazardousWaste | None = None
    pcb_infos: list[PcbInfo] | None = None
    discrepancy_residue_info: DiscrepancyResidueInfo | None = None
    management_method: CodeDescription | None = None
    additional_info: AdditionalInfo | None = None


class RejectionInfo(_EpaObject, kw_only=True):
    transporter_on_site: bool | None = None
    rejection_type: RejectionType | None = None
    alternate_designated_facility_type: AlternateFacilityType | None = None
    generator_paper_signature: PaperSignature | None = None
    generator_electronic_signature: ElectronicSignature | None = None
    alternate_designated_facility: ManifestHandlerSite | None = None
    new_manifest_tracking_numbers: list[str] | None = None
    rejection_comments: str | None = None


class ImportGenerator(_EpaObject, kw_only=True):
    name: str | None = None
    address: str | None = None
    city: str | None = None
    country: Locality | None = None
    postal_code: str | None = None
    province: str | None = None


class PortOfEntry(_EpaObject, kw_only=True):
    state: Locality | None = None
    city_port: str | None = None


class ImportInfo(_EpaObject, kw_only=True):
    import_generator: ImportGenerator | None = None
    port_of_entry: PortOfEntry | None = None


class StateUser(_EpaObject, kw_only=True, forbid_unknown_fields=False):
    """EPA leaves this object open; keys it does not define are dropped on decoding."""

    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: Phone | None = None


class Section(_EpaObject, kw_only=True, forbid_unknown_fields=False):
    """EPA leaves this object open; keys it does not define are dropped on decoding."""

    section_number: str | None = None
    comments: str | None = None


class CorrectionRequest(_EpaObject, kw_only=True, forbid_unknown_fields=False):
    """EPA leaves this object open; keys it does not define are dropped on decoding."""

    correction_request_status: CorrectionRequestStatus | None = None
    correction_request_date: str | None = None
    initiator_state: Code | None = None
    active: bool | None = None
    state_user: StateUser | None = None
    sections: list[Section] | None = None


class CorrectionInfo(_EpaObject, kw_only=True):
    version_number: int | None = None
    active: bool | None = None
    ppc_active: bool | None = None
    electronic_signature_info: ElectronicSignature | None = None
    epa_site_id: str | None = None
    initiator_role: CorrectionInitiatorRole | None = None
    update_role: CorrectionUpdateRole | None = None


class MtnValidationInfo(_EpaObject, kw_only=True):
    mtn_extraction_status: MtnExtractionStatus | None = None
    mtns_match: bool | None = None
    pdf_mtn: str | None = None
    pdf_mtn_unique: bool | None = None
    mtn_correct: bool | None = None
    mtn_rerun_counter: int | None = None
    mtn_discrepancy_correction: bool | None = None


class Manifest(_EpaObject, kw_only=True):
    """The aggregate: one hazardous-waste manifest (EPA's `Emanifest`)."""

    created_date: str | None = None
    updated_date: str | None = None
    manifest_tracking_number: str | None = None
    status: Status | None = None
    is_public: bool | None = None
    submission_type: SubmissionType | None = None
    signature_status: bool | None = None
    origin_type: OriginType | None = None
    shipped_date: str | None = None
    potential_ship_date: str | None = None
    received_date: str | None = None
    certified_date: str | None = None
    certified_by: Signer | None = None
    last_updated_by: Signer | None = None
    generator: ManifestHandlerSite | None = None
    transporters: list[ManifestHandlerSite] | None = None
    designated_facility: ManifestHandlerSite | None = None
    broker: ManifestHandlerSite | None = None
    wastes: list[Waste] | None = None
    rejection: bool | None = None
    rejection_info: RejectionInfo | None = None
    discrepancy: bool | None = None
    residue: bool | None = None
    residue_new_manifest_tracking_numbers: list[str] | None = None
    import_: bool | None = msgspec.field(default=None, name="import")
    import_info: ImportInfo | None = None
    correction_requests: list[CorrectionRequest] | None = None
    contains_previous_reject_or_residue: bool | None = None
    printed_document: Document | None = None
    form_document: Document | None = None
    additional_info: AdditionalInfo | None = None
    correction_info: CorrectionInfo | None = None
    ppc_status: PpcStatus | None = None
    mtn_validation_info: MtnValidationInfo | None = None
    provide_image_generator_info: bool | None = None
    locked: bool | None = None
    lock_reason: LockReason | None = None

    def current_status(self) -> Status:
        """A manifest without a status is a local draft: `NotAssigned`."""
        return self.status or Status.NOT_ASSIGNED

    def is_draft(self) -> bool:
        return self.current_status() is Status.NOT_ASSIGNED

    def is_locked(self) -> bool:
        return bool(self.locked)

    def ordered_transporters(self) -> list[ManifestHandlerSite]:
        return [transporter for _, transporter in self.indexed_transporters()]

    def indexed_transporters(self) -> list[tuple[int, ManifestHandlerSite]]:
        """(list index, transporter) by `order`; any without one keep their place after the rest."""
        indexed = list(enumerate(self.transporters or ()))
        indexed.sort(key=lambda pair: (pair[1].order is None, pair[1].order or 0, pair[0]))
        return indexed

    def transporter(self, order: int) -> ManifestHandlerSite | None:
        return next((t for t in self.transporters or () if t.order == order), None)

    def handlers(self) -> Iterator[tuple[HandlerRole, ManifestHandlerSite]]:
        """Every party on the manifest, in signing order, then the broker."""
        if self.generator is not None:
            yield HandlerRole.GENERATOR, self.generator
        for transporter in self.ordered_transporters():
            yield HandlerRole.TRANSPORTER, transporter
        if self.designated_facility is not None:
            yield HandlerRole.TSDF, self.designated_facility
        alternate = (
            self.rejection_info.alternate_designated_facility if self.rejection_info else None
        )
        if alternate is not None:
            yield HandlerRole.ALTERNATE_TSDF, alternate
        if self.broker is not None:
            yield HandlerRole.BROKER, self.broker

    def site_ids(self) -> frozenset[str]:
        return frozenset(h.epa_site_id for _, h in self.handlers() if h.epa_site_id)

    def with_signed_flags(self) -> Manifest:
        """A copy whose handlers carry the read-only `signed` flag this service answers with."""
        return self._map_handlers(lambda h: msgspec.structs.replace(h, signed=h.has_signed()))

    def for_emanifest(self) -> Manifest:
        """A copy fit to send to e-Manifest: no `signed` flags and no local draft number."""
        copy = self._map_handlers(lambda h: msgspec.structs.replace(h, signed=None))
        if is_draft_tracking_number(copy.manifest_tracking_number):
            copy = msgspec.structs.replace(copy, manifest_tracking_number=None)
        return copy

    def _map_handlers(self, change: _HandlerChange) -> Manifest:
        def apply(handler: ManifestHandlerSite | None) -> ManifestHandlerSite | None:
            return None if handler is None else change(handler)

        rejection_info = self.rejection_info
        if rejection_info is not None and rejection_info.alternate_designated_facility:
            rejection_info = msgspec.structs.replace(
                rejection_info,
                alternate_designated_facility=apply(rejection_info.alternate_designated_facility),
            )
        transporters = self.transporters
        if transporters is not None:
            transporters = [change(t) for t in transporters]
        return msgspec.structs.replace(
            self,
            generator=apply(self.generator),
            transporters=transporters,
            designated_facility=apply(self.designated_facility),
            broker=apply(self.broker),
            rejection_info=rejection_info,
        )


class _PartyId(msgspec.Struct, kw_only=True, rename="camel"):
    epa_site_id: str | None = None


class _RejectionParties(msgspec.Struct, kw_only=True, rename="camel"):
    alternate_designated_facility: _PartyId | None = None


class ManifestParties(msgspec.Struct, kw_only=True, rename="camel"):
    """Who is on a manifest, read from its JSON without decoding the rest (unknown keys are
    skipped): the same parties as Manifest.handlers()."""

    generator: _PartyId | None = None
    transporters: list[_PartyId] | None = None
    designated_facility: _PartyId | None = None
    rejection_info: _RejectionParties | None = None
    broker: _PartyId | None = None

    def site_ids(self) -> frozenset[str]:
        alternate = (
            self.rejection_info.alternate_designated_facility if self.rejection_info else None
        )
        parties = [self.generator, *(self.transporters or ()), self.designated_facility]
        parties += [alternate, self.broker]
        return frozenset(p.epa_site_id for p in parties if p is not None and p.epa_site_id)


_parties_decoder = msgspec.json.Decoder(ManifestParties)


def parties_from_json(document: bytes | str) -> ManifestParties:
    """The parties of a manifest kept as JSON (as Manifest encodes it)."""
    return _parties_decoder.decode(document)
