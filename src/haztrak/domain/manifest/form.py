"""A manifest as EPA's paper form: Uniform Hazardous Waste Manifest 8700-22 and its
continuation sheet 8700-22A, each box's content in words, and which transporters and waste
lines go on which page.

The main form holds two transporters (items 6 and 7) and four waste lines (items 9-13); each
continuation sheet holds two more transporters (items 25 and 26) and ten more lines (items
27-31). A manifest with more of either gets as many sheets as the larger overflow needs.
A renderer lays these out; it decides nothing about what they say.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import msgspec

from haztrak.domain.handlers import Address, Phone
from haztrak.domain.manifest.datetimes import parse_epa_datetime
from haztrak.domain.manifest.model import (
    AlternateFacilityType,
    ElectronicSignature,
    HazardousWaste,
    Manifest,
    ManifestHandlerSite,
    PaperSignature,
    PcbInfo,
    RejectionType,
    SignatureMethod,
    Waste,
)
from haztrak.domain.manifest.tracking_numbers import is_draft_tracking_number

MAIN_TRANSPORTERS = 2
MAIN_WASTES = 4
SHEET_TRANSPORTERS = 2
SHEET_WASTES = 10

DRAFT_STAMP = "DRAFT \N{EM DASH} NOT VALID FOR SHIPMENT"

GENERATOR_CERTIFICATION = (
    "GENERATOR'S/OFFEROR'S CERTIFICATION: I hereby declare that the contents of this "
    "consignment are fully and accurately described above by the proper shipping name, and "
    "are classified, packaged, marked and labeled/placarded, and are in all respects in proper "
    "condition for transport according to applicable international and national governmental "
    "regulations. If export shipment and I am the Primary Exporter, I certify that the contents "
    "of this consignment conform to the terms of the attached EPA Acknowledgment of Consent. "
    "I certify that the waste minimization statement identified in 40 CFR 262.27(a) (if I am "
    "a large quantity generator) or (b) (if I am a small quantity generator) is true."
)
FACILITY_CERTIFICATION = (
    "Designated Facility Owner or Operator: Certification of receipt of hazardous materials "
    "covered by the manifest except as noted in Item 18a"
)


class FormSignature(msgspec.Struct, frozen=True, kw_only=True):
    """A signature as the form's three cells show it: printed/typed name, signature, date."""

    printed_name: str
    signature: str
    """What stands in the signature cell: how it was given ("e-signed, Quicker Sign")."""
    date: str
    """MM/DD/YYYY, as the form's Month Day Year cells; "" when unknown."""


class FormParty(msgspec.Struct, frozen=True, kw_only=True):
    name: str = ""
    epa_id: str = ""
    mailing_address: tuple[str, ...] = ()
    site_address: tuple[str, ...] = ()
    phone: str = ""
    emergency_phone: str = ""
    number: int | None = None
    """A transporter's number on the manifest (1, 2, ...)."""
    signature: FormSignature | None = None


class FormWaste(msgspec.Struct, frozen=True, kw_only=True):
    line: int
    hazardous: bool
    """Item 9a: an X when the line is a DOT hazardous material."""
    description: str
    containers: str
    container_type: str
    quantity: str
    unit: str
    waste_codes: tuple[str, ...]
    management_method: str
    discrepancy: str = ""
    """What the designated facility found on this line (quantity, type, residue), in words:
    item 18a on the main form, item 35 on a continuation sheet."""


class FormDiscrepancy(msgspec.Struct, frozen=True, kw_only=True):
    """Item 18: what the designated facility found (18a), the facility the waste went on to
    instead (18b) and its signature (18c)."""

    quantity: bool = False
    type: bool = False
    residue: bool = False
    partial_rejection: bool = False
    full_rejection: bool = False
    reference_numbers: tuple[str, ...] = ()
    """Manifest reference numbers: the new manifests of a residue or a rejection."""
    notes: tuple[str, ...] = ()
    """What concerns the whole manifest (a rejection); each line's own is on the line."""
    alternate: FormParty | None = None
    alternate_signature: FormSignature | None = None

    @property
    def any(self) -> bool:
        return any(
            (self.quantity, self.type, self.residue, self.partial_rejection, self.full_rejection)
        ) or bool(self.notes or self.reference_numbers or self.alternate)


class FormSheet(msgspec.Struct, frozen=True, kw_only=True):
    """One page: the main form (page 1) or a continuation sheet, with its share of the
    transporters and waste lines."""

    page: int
    transporters: tuple[FormParty, ...] = ()
    wastes: tuple[FormWaste, ...] = ()

    @property
    def continuation(self) -> bool:
        return self.page > 1


class ManifestForm(msgspec.Struct, frozen=True, kw_only=True):
    tracking_number: str
    draft: bool
    status: str
    generator: FormParty
    facility: FormParty
    special_handling: tuple[str, ...]
    """Item 14's paragraphs: handling instructions, comments, per-line instructions."""
    importing: bool
    port_of_entry: str
    discrepancy: FormDiscrepancy
    sheets: tuple[FormSheet, ...]
    """The main form first, then the continuation sheets."""

    @property
    def page_count(self) -> int:
        return len(self.sheets)

    def with_sheets(self, continuation_sheets: int) -> ManifestForm:
        """A copy with at least this many continuation sheets (more room for item 14's text
        on items 32 when it does not fit the main form)."""
        missing = continuation_sheets - (len(self.sheets) - 1)
        if missing <= 0:
            return self
        extra = tuple(FormSheet(page=len(self.sheets) + i + 1) for i in range(missing))
        return msgspec.structs.replace(self, sheets=self.sheets + extra)


def continuation_sheets(transporters: int, wastes: int) -> int:
    """How many 8700-22A sheets a manifest with this many transporters and lines needs."""
    over_transporters = max(0, transporters - MAIN_TRANSPORTERS)
    over_wastes = max(0, wastes - MAIN_WASTES)
    return max(-(-over_transporters // SHEET_TRANSPORTERS), -(-over_wastes // SHEET_WASTES))


def manifest_form(manifest: Manifest) -> ManifestForm:
    transporters = [
        _party(t, number=position)
        for position, t in enumerate(manifest.ordered_transporters(), start=1)
    ]
    wastes = sorted(manifest.wastes or (), key=lambda w: w.line_number)
    lines = [_waste(w) for w in wastes]
    sheets = [
        FormSheet(
            page=1,
            transporters=tuple(transporters[:MAIN_TRANSPORTERS]),
            wastes=tuple(lines[:MAIN_WASTES]),
        )
    ]
    for sheet in range(continuation_sheets(len(transporters), len(lines))):
        first_t = MAIN_TRANSPORTERS + sheet * SHEET_TRANSPORTERS
        first_w = MAIN_WASTES + sheet * SHEET_WASTES
        sheets.append(
            FormSheet(
                page=sheet + 2,
                transporters=tuple(transporters[first_t : first_t + SHEET_TRANSPORTERS]),
                wastes=tuple(lines[first_w : first_w + SHEET_WASTES]),
            )
        )
    mtn = manifest.manifest_tracking_number or ""
    port = ""
    if manifest.import_info and manifest.import_info.port_of_entry:
        entry = manifest.import_info.port_of_entry
        port = ", ".join(p for p in (entry.city_port, entry.state.code if entry.state else "") if p)
    return ManifestForm(
        tracking_number=mtn,
        draft=manifest.is_draft() or is_draft_tracking_number(mtn),
        status=manifest.current_status().value,
        generator=_generator(manifest),
        facility=(
            _party(manifest.designated_facility) if manifest.designated_facility else FormParty()
        ),
        special_handling=tuple(_special_handling(manifest, wastes)),
        importing=bool(manifest.import_),
        port_of_entry=port,
        discrepancy=_discrepancy(manifest, wastes),
        sheets=tuple(sheets),
    )


def _date(text: str | None) -> str:
    if not text:
        return ""
    try:
        return parse_epa_datetime(text).strftime("%m/%d/%Y")
    except ValueError:
        return text


def _address(address: Address | None) -> tuple[str, ...]:
    if address is None:
        return ()
    street = " ".join(p for p in (address.street_number, address.address1) if p)
    place = ", ".join(p for p in (address.city, address.state.code if address.state else None) if p)
    if address.zip:
        place = f"{place} {address.zip}".strip()
    lines = [street, address.address2 or "", place]
    if address.country and address.country.code not in ("US", "USA"):
        lines.append(address.country.name or address.country.code)
    return tuple(line for line in lines if line)


def _phone(phone: Phone | None) -> str:
    if phone is None:
        return ""
    return f"{phone.number} ext. {phone.extension}" if phone.extension else phone.number


def _electronic(signature: ElectronicSignature) -> FormSignature:
    signer = signature.signer
    name = ""
    if signer is not None:
        name = " ".join(
            p for p in (signer.first_name, signer.middle_initial, signer.last_name) if p
        )
    method = signature.signature_method
    how = "Quicker Sign" if method is SignatureMethod.QUICKER_SIGN else "CROMERR"
    if method is SignatureMethod.QUICK_SIGN:
        how = "Quick Sign"
    return FormSignature(
        printed_name=name,
        signature=f"e-signed ({how})" + (" on behalf" if signature.on_behalf else ""),
        date=_date(signature.signature_date),
    )


def _paper(signature: PaperSignature) -> FormSignature:
    return FormSignature(
        printed_name=signature.printed_name or "",
        signature="signed on paper",
        date=_date(signature.signature_date),
    )


def _signature(
    electronic: Iterable[ElectronicSignature], paper: PaperSignature | None
) -> FormSignature | None:
    """The latest dated e-signature, else the paper one; None when nobody has signed."""
    for signature in reversed(list(electronic)):
        if signature.signature_date:
            return _electronic(signature)
    if paper is not None and paper.signature_date:
        return _paper(paper)
    return None


def _party(handler: ManifestHandlerSite, number: int | None = None) -> FormParty:
    contact_phone = handler.contact.phone if handler.contact else None
    return FormParty(
        name=handler.name or "",
        epa_id=handler.epa_site_id or "",
        mailing_address=_address(handler.mailing_address),
        site_address=_address(handler.site_address),
        phone=_phone(contact_phone),
        emergency_phone=_phone(handler.emergency_phone),
        number=number,
        signature=_signature(
            handler.electronic_signatures_info or (), handler.paper_signature_info
        ),
    )


def _number(value: int | float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _codes(codes: HazardousWaste | None) -> tuple[str, ...]:
    if codes is None:
        return ()
    return (
        *(c.code for c in codes.federal_waste_codes or ()),
        *(c.code for c in codes.generator_state_waste_codes or ()),
        *(c.code for c in codes.tsdf_state_waste_codes or ()),
        *(codes.tx_waste_codes or ()),
    )


def _waste(waste: Waste) -> FormWaste:
    quantity = waste.quantity
    if waste.dot_information is not None:
        description = waste.dot_information.printed_dot_information
    else:
        description = waste.waste_description or ""
    return FormWaste(
        line=int(waste.line_number),
        hazardous=waste.dot_hazardous,
        description=description,
        containers=_number(quantity.container_number) if quantity else "",
        container_type=(
            quantity.container_type.code if quantity and quantity.container_type else ""
        ),
        quantity=_number(quantity.quantity) if quantity else "",
        unit=(
            quantity.unit_of_measurement.code if quantity and quantity.unit_of_measurement else ""
        ),
        waste_codes=_codes(waste.hazardous_waste),
        management_method=waste.management_method.code if waste.management_method else "",
        discrepancy=_line_discrepancy(waste),
    )


def _line_discrepancy(waste: Waste) -> str:
    found = waste.discrepancy_residue_info
    if found is None:
        return ""
    line = int(waste.line_number)
    notes = []
    what = [
        name
        for name, flag in (("quantity", found.waste_quantity), ("type", found.waste_type))
        if flag
    ]
    if what or found.discrepancy_comments:
        text = f"Line {line} " + (" and ".join(what) or "discrepancy")
        notes.append(
            text + (f": {found.discrepancy_comments}" if found.discrepancy_comments else "")
        )
    if found.residue or found.residue_comments:
        notes.append(
            f"Line {line} residue"
            + (f": {found.residue_comments}" if found.residue_comments else "")
        )
    return "; ".join(notes)


def _special_handling(manifest: Manifest, wastes: Sequence[Waste]) -> list[str]:
    paragraphs = []
    info = manifest.additional_info
    if info is not None:
        if info.handling_instructions:
            paragraphs.append(info.handling_instructions)
        paragraphs.extend(
            f"{c.label}: {c.description}" if c.label else c.description
            for c in info.comments or ()
            if c.description
        )
        if info.consent_number:
            paragraphs.append(f"Consent number: {info.consent_number}")
    for waste in wastes:
        line = int(waste.line_number)
        if waste.dot_information is not None and waste.waste_description:
            paragraphs.append(f"Line {line}: {waste.waste_description}")
        extra = waste.additional_info
        if extra is None:
            continue
        if extra.handling_instructions:
            paragraphs.append(f"Line {line}: {extra.handling_instructions}")
        paragraphs.extend(
            f"Line {line}: " + (f"{c.label}: {c.description}" if c.label else c.description)
            for c in extra.comments or ()
            if c.description
        )
        if extra.consent_number:
            paragraphs.append(f"Line {line}: consent number {extra.consent_number}")
    for waste in wastes:
        paragraphs.extend(_pcb(int(waste.line_number), pcb) for pcb in waste.pcb_infos or ())
    if manifest.broker is not None:
        broker = manifest.broker
        paragraphs.append(f"Broker: {broker.name or ''} ({broker.epa_site_id or ''})".strip())
    return paragraphs


def _pcb(line: int, pcb: PcbInfo) -> str:
    """A PCB article or container as 40 CFR 761.207 asks the manifest to describe it."""
    parts = [
        pcb.load_type.code if pcb.load_type else "",
        pcb.article_container_id or "",
        f"removed {_date(pcb.date_of_removal)}" if pcb.date_of_removal else "",
        f"{_number(pcb.weight)} kg" if pcb.weight is not None else "",
        pcb.waste_type or "",
        pcb.bulk_identity or "",
    ]
    return f"Line {line} PCB: " + ", ".join(p for p in parts if p)


def _generator(manifest: Manifest) -> FormParty:
    """Item 5: the generator; on an import, the foreign generator's name and address (the
    importer's EPA ID stays in item 1)."""
    party = _party(manifest.generator) if manifest.generator else FormParty()
    foreign = manifest.import_info.import_generator if manifest.import_info else None
    if not manifest.import_ or foreign is None:
        return party
    place = " ".join(p for p in (foreign.city, foreign.province, foreign.postal_code) if p)
    country = (foreign.country.name or foreign.country.code) if foreign.country else ""
    address = tuple(p for p in (foreign.address, place, country) if p)
    return msgspec.structs.replace(
        party, name=foreign.name or party.name, mailing_address=address, site_address=address
    )


def _discrepancy(manifest: Manifest, wastes: Sequence[Waste]) -> FormDiscrepancy:
    notes: list[str] = []
    quantity = kind = residue = False
    for waste in wastes:
        found = waste.discrepancy_residue_info
        if found is not None:
            quantity = quantity or bool(found.waste_quantity)
            kind = kind or bool(found.waste_type)
            residue = residue or bool(found.residue)
    rejection = manifest.rejection_info if manifest.rejection else None
    references = list(manifest.residue_new_manifest_tracking_numbers or ())
    alternate = None
    alternate_signature = None
    partial = full = False
    if rejection is not None:
        partial = rejection.rejection_type is RejectionType.PARTIAL_REJECT
        full = rejection.rejection_type is RejectionType.FULL_REJECT
        references.extend(rejection.new_manifest_tracking_numbers or ())
        if rejection.rejection_comments:
            notes.append("Rejection: " + rejection.rejection_comments)
        if rejection.transporter_on_site:
            notes.append("The transporter was on site.")
        facility = rejection.alternate_designated_facility
        to_generator = (
            rejection.alternate_designated_facility_type is AlternateFacilityType.GENERATOR
        )
        if facility is not None:
            alternate = _party(facility)
            alternate_signature = alternate.signature
        elif to_generator and manifest.generator is not None:
            alternate = msgspec.structs.replace(_party(manifest.generator), signature=None)
        if to_generator:
            notes.append("Returned to the generator.")
            electronic = (
                [rejection.generator_electronic_signature]
                if rejection.generator_electronic_signature
                else []
            )
            alternate_signature = (
                _signature(electronic, rejection.generator_paper_signature) or alternate_signature
            )
    return FormDiscrepancy(
        quantity=quantity,
        type=kind,
        residue=residue or bool(manifest.residue),
        partial_rejection=partial,
        full_rejection=full,
        reference_numbers=tuple(dict.fromkeys(references)),
        notes=tuple(notes),
        alternate=alternate,
        alternate_signature=alternate_signature,
    )
