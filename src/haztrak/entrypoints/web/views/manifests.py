"""A manifest as the manifest pages show it: EPA form 8700-22's items in their order, in words.

Plain structs built from the domain's Manifest; templates lay them out and decide nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import msgspec

from haztrak.application.ports.manifests import ListedManifest, Party
from haztrak.domain.audit import AuditEntry
from haztrak.domain.handlers import Address, Phone
from haztrak.domain.manifest import (
    HandlerRole,
    HazardousWaste,
    Manifest,
    ManifestHandlerSite,
    Status,
    SubmissionType,
    Waste,
    parse_epa_datetime,
)
from haztrak.domain.manifest_actions import ManifestActions, SigningSeat

STATUS_LABELS: dict[str, str] = {
    "NotAssigned": "Draft",
    "Pending": "Pending",
    "Scheduled": "Scheduled",
    "InTransit": "In transit",
    "ReadyForSignature": "Ready for signature",
    "Signed": "Signed",
    "Corrected": "Corrected",
    "UnderCorrection": "Under correction",
    "MtnValidationFailed": "Validation failed",
}
SUBMISSION_LABELS: dict[str, str] = {
    SubmissionType.FULL_ELECTRONIC: "Fully electronic",
    SubmissionType.HYBRID: "Hybrid (generator signs on paper)",
    SubmissionType.DATA_IMAGE_5_COPY: "Paper, data and image",
    SubmissionType.IMAGE: "Paper, image only",
}
ROLE_LABELS: dict[HandlerRole, str] = {
    HandlerRole.GENERATOR: "Generator",
    HandlerRole.TRANSPORTER: "Transporter",
    HandlerRole.TSDF: "Designated facility",
    HandlerRole.BROKER: "Broker",
    HandlerRole.ALTERNATE_TSDF: "Alternate designated facility",
}


class SignatureView(msgspec.Struct, frozen=True, kw_only=True):
    printed_name: str
    at: datetime | str | None
    how: str


class PartyView(msgspec.Struct, frozen=True, kw_only=True):
    role: str
    number: int | None = None
    name: str
    epa_id: str
    site_address: tuple[str, ...] = ()
    mailing_address: tuple[str, ...] = ()
    phone: str = ""
    emergency_phone: str = ""
    contact: str = ""
    signature: SignatureView | None = None


class WasteLineView(msgspec.Struct, frozen=True, kw_only=True):
    line: int
    hazardous: bool
    description: str
    containers: str
    container_type: str
    quantity: str
    unit: str
    federal_codes: tuple[str, ...]
    state_codes: tuple[str, ...]
    management_method: str
    notes: tuple[str, ...] = ()


class ManifestView(msgspec.Struct, frozen=True, kw_only=True):
    mtn: str
    status: str
    status_label: str
    draft: bool
    submission: str
    emergency_phone: str
    generator: PartyView | None
    transporters: tuple[PartyView, ...]
    facility: PartyView | None
    broker: PartyView | None
    wastes: tuple[WasteLineView, ...]
    handling_instructions: str
    comments: tuple[str, ...]
    discrepancies: tuple[str, ...]
    potential_ship_date: datetime | str | None
    shipped: datetime | str | None
    received: datetime | str | None
    import_note: str
    locked: str


class ActionsView(msgspec.Struct, frozen=True, kw_only=True):
    """Which actions a page offers (each decided by the application)."""

    edit: bool = False
    submit: bool = False
    update: bool = False
    schedule: bool = False
    delete: bool = False
    sign: bool = False
    sync: bool = False
    receive: bool = False
    start_rejected_waste: bool = False
    correct: bool = False
    sign_correction: bool = False
    revert_correction: bool = False
    versions: bool = False


def actions_view(actions: ManifestActions) -> ActionsView:
    return ActionsView(**{action.value: True for action in actions.actions})


class HistoryItem(msgspec.Struct, frozen=True, kw_only=True):
    at: datetime | str | None
    who: str
    what: str


class SeatView(msgspec.Struct, frozen=True, kw_only=True):
    """Where the user signs, in words: "MOCK TRANSPORTER 2 (MOCKTRANS002) as transporter 2"."""

    site_id: str
    site_name: str
    role: str
    role_value: str
    transporter_order: int | None
    describe: str
    certification: str


class ListedView(msgspec.Struct, frozen=True, kw_only=True):
    mtn: str
    status: str
    generator: str
    generator_id: str
    facility: str
    facility_id: str
    transporters: tuple[str, ...]
    lines: int
    ship_date: datetime | str | None
    updated: datetime


def _date(text: str | None) -> datetime | str | None:
    if not text:
        return None
    try:
        return parse_epa_datetime(text)
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


def _signature(handler: ManifestHandlerSite) -> SignatureView | None:
    for signature in reversed(handler.electronic_signatures_info or ()):
        if not signature.signature_date:
            continue
        signer = signature.signer
        name = ""
        if signer is not None:
            name = " ".join(p for p in (signer.first_name, signer.last_name) if p)
        method = signature.signature_method.value if signature.signature_method else "electronic"
        how = "Quicker Sign" if method == "QuickerSign" else f"electronic ({method})"
        return SignatureView(printed_name=name or "—", at=_date(signature.signature_date), how=how)
    paper = handler.paper_signature_info
    if paper is not None and paper.signature_date:
        return SignatureView(
            printed_name=paper.printed_name or "—", at=_date(paper.signature_date), how="on paper"
        )
    return None


def party_view(
    role: HandlerRole, handler: ManifestHandlerSite, number: int | None = None
) -> PartyView:
    contact = handler.contact
    contact_name = (
        " ".join(p for p in (contact.first_name, contact.last_name) if p) if contact else ""
    )
    return PartyView(
        role=ROLE_LABELS[role],
        number=number,
        name=handler.name or "—",
        epa_id=handler.epa_site_id or "—",
        site_address=_address(handler.site_address),
        mailing_address=_address(handler.mailing_address),
        phone=_phone(contact.phone) if contact else "",
        emergency_phone=_phone(handler.emergency_phone),
        contact=contact_name,
        signature=_signature(handler),
    )


def _number(value: int | float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _waste_line(waste: Waste) -> WasteLineView:
    quantity = waste.quantity
    codes = waste.hazardous_waste
    if waste.dot_information is not None:
        description = waste.dot_information.printed_dot_information
    else:
        description = waste.waste_description or "—"
    codes = codes or HazardousWaste()
    state = [
        *(c.code for c in codes.generator_state_waste_codes or ()),
        *(c.code for c in codes.tsdf_state_waste_codes or ()),
        *(codes.tx_waste_codes or ()),
    ]
    notes = []
    if waste.dot_information is not None and waste.waste_description:
        notes.append(waste.waste_description)
    if waste.additional_info and waste.additional_info.handling_instructions:
        notes.append(waste.additional_info.handling_instructions)
    residue = waste.discrepancy_residue_info
    if residue and residue.discrepancy_comments:
        notes.append("Discrepancy: " + residue.discrepancy_comments)
    method = waste.management_method
    return WasteLineView(
        line=int(waste.line_number),
        hazardous=waste.dot_hazardous,
        description=description,
        containers=_number(quantity.container_number) if quantity else "",
        container_type=(
            (quantity.container_type.description or quantity.container_type.code)
            if quantity and quantity.container_type
            else ""
        ),
        quantity=_number(quantity.quantity) if quantity else "",
        unit=(
            (quantity.unit_of_measurement.description or quantity.unit_of_measurement.code)
            if quantity and quantity.unit_of_measurement
            else ""
        ),
        federal_codes=tuple(c.code for c in codes.federal_waste_codes or ()),
        state_codes=tuple(state),
        management_method=(
            f"{method.code} {method.description or ''}".strip() if method is not None else ""
        ),
        notes=tuple(notes),
    )


def manifest_view(manifest: Manifest) -> ManifestView:
    status = manifest.current_status()
    info = manifest.additional_info
    comments = tuple(
        f"{c.label}: {c.description}" if c.label else (c.description or "")
        for c in (info.comments if info and info.comments else ())
        if c.description
    )
    discrepancies: list[str] = []
    if manifest.rejection:
        rejection = manifest.rejection_info
        kind = rejection.rejection_type.value if rejection and rejection.rejection_type else ""
        text = "Rejected" + (f" ({'full' if kind == 'FullReject' else 'partial'})" if kind else "")
        if rejection and rejection.rejection_comments:
            text += ": " + rejection.rejection_comments
        discrepancies.append(text)
        discrepancies.extend(rejection_destination_notes(manifest))
    if manifest.residue:
        discrepancies.append("Residue noted")
    if manifest.discrepancy and not discrepancies:
        discrepancies.append("Discrepancy noted (see the waste lines)")
    generator = manifest.generator
    import_note = ""
    if manifest.import_ and manifest.import_info and manifest.import_info.port_of_entry:
        port = manifest.import_info.port_of_entry
        import_note = "Import, port of entry: " + ", ".join(
            p for p in (port.city_port, port.state.code if port.state else None) if p
        )
    transporters = tuple(
        party_view(HandlerRole.TRANSPORTER, t, number=position)
        for position, t in enumerate(manifest.ordered_transporters(), start=1)
    )
    return ManifestView(
        mtn=manifest.manifest_tracking_number or "",
        status=status.value,
        status_label=STATUS_LABELS.get(status.value, status.value),
        draft=status is Status.NOT_ASSIGNED,
        submission=SUBMISSION_LABELS.get(manifest.submission_type or "", "Not chosen yet"),
        emergency_phone=_phone(generator.emergency_phone) if generator else "",
        generator=party_view(HandlerRole.GENERATOR, generator) if generator else None,
        transporters=transporters,
        facility=(
            party_view(HandlerRole.TSDF, manifest.designated_facility)
            if manifest.designated_facility
            else None
        ),
        broker=party_view(HandlerRole.BROKER, manifest.broker) if manifest.broker else None,
        wastes=tuple(_waste_line(w) for w in manifest.wastes or ()),
        handling_instructions=(info.handling_instructions or "") if info else "",
        comments=comments,
        discrepancies=tuple(discrepancies),
        potential_ship_date=_date(manifest.potential_ship_date),
        shipped=_date(manifest.shipped_date),
        received=_date(manifest.received_date),
        import_note=import_note,
        locked=(
            "Locked while e-Manifest processes a signature or a correction."
            if manifest.is_locked()
            else ""
        ),
    )


CERTIFICATIONS: dict[HandlerRole, str] = {
    HandlerRole.GENERATOR: (
        "As the generator (or offeror), I declare that the contents of this consignment are "
        "fully and accurately described above by the proper shipping name, and are classified, "
        "packaged, marked and labeled/placarded, and are in all respects in proper condition "
        "for transport according to applicable international and national governmental "
        "regulations; and that the waste minimization statement is true for a large or small "
        "quantity generator."
    ),
    HandlerRole.TRANSPORTER: (
        "As the transporter, I acknowledge receipt of the materials described on this manifest."
    ),
    HandlerRole.TSDF: (
        "As the designated facility's owner or operator, I certify receipt of the hazardous "
        "materials covered by this manifest, except as noted under discrepancies."
    ),
    HandlerRole.ALTERNATE_TSDF: (
        "As the alternate facility's owner or operator, I certify receipt of the hazardous "
        "materials rejected by the designated facility and covered by this manifest."
    ),
}


def seat_view(seat: SigningSeat) -> SeatView:
    return SeatView(
        site_id=seat.site_id,
        site_name=seat.name or seat.site_id,
        role=ROLE_LABELS[seat.role],
        role_value=seat.role.value,
        transporter_order=seat.transporter_order,
        describe=seat.describe(),
        certification=CERTIFICATIONS.get(seat.role, ""),
    )


def waiting_text(actions: ManifestActions, manifest: Manifest) -> str:
    """Whose signature the manifest waits for, in words ("" when no one can sign it now)."""
    turn = actions.waiting_for
    if turn is None:
        return ""
    if turn.role is HandlerRole.TRANSPORTER:
        found = next(
            (
                t
                for position, t in enumerate(manifest.ordered_transporters(), start=1)
                if (int(t.order) if t.order is not None else position) == turn.transporter_order
            ),
            None,
        )
    elif turn.role is HandlerRole.GENERATOR:
        found = manifest.generator
    elif turn.role is HandlerRole.ALTERNATE_TSDF:
        rejection = manifest.rejection_info
        found = rejection.alternate_designated_facility if rejection else None
    else:
        found = manifest.designated_facility
    who = f" ({found.name or found.epa_site_id})" if found is not None else ""
    return f"Waiting for the {turn.describe()}{who} to sign."


_ACTIONS: dict[str, str] = {
    "create": "Draft created",
    "update": "Changed here",
    "delete": "Draft deleted",
    "submit_to_emanifest": "Sent to e-Manifest",
    "quicker_sign": "Quicker Sign requested",
    "refuse_rcrainfo_copy": "An RCRAInfo copy was not taken: it disagreed with the copy here",
}


def _role_words(value: str) -> str:
    try:
        return ROLE_LABELS[HandlerRole(value)].lower()
    except ValueError:
        return value


def history_view(entries: Iterable[AuditEntry], manifest: Manifest) -> tuple[HistoryItem, ...]:
    """The audit entries in words, with the signatures the manifest records (e-Manifest's
    side of the story), oldest first."""
    items: list[tuple[str, HistoryItem]] = []
    for entry in entries:
        what = _ACTIONS.get(entry.action, entry.action.replace("_", " ").capitalize())
        detail = entry.detail
        if entry.action == "quicker_sign" and detail.get("role"):
            what += f" as {_role_words(detail['role'])} for {detail.get('site', '')}".rstrip()
        items.append((entry.at.isoformat(), HistoryItem(at=entry.at, who=entry.actor, what=what)))
    for role, handler in manifest.handlers():
        signature = _signature(handler)
        if signature is None:
            continue
        at = signature.at
        key = at.isoformat() if isinstance(at, datetime) else str(at or "")
        items.append(
            (
                key,
                HistoryItem(
                    at=at,
                    who=signature.printed_name,
                    what=f"Signed as {ROLE_LABELS[role].lower()} {handler.epa_site_id or ''} "
                    f"({signature.how})",
                ),
            )
        )
    items.sort(key=lambda pair: pair[0])
    return tuple(item for _, item in items)


def _party_name(party: Party | None) -> tuple[str, str]:
    if party is None:
        return "—", ""
    return party.name or party.epa_site_id or "—", party.epa_site_id or ""


def listed_view(item: ListedManifest) -> ListedView:
    h = item.headline
    generator, generator_id = _party_name(h.generator)
    facility, facility_id = _party_name(h.designated_facility)
    return ListedView(
        mtn=h.manifest_tracking_number,
        status=h.status.value,
        generator=generator,
        generator_id=generator_id,
        facility=facility,
        facility_id=facility_id,
        transporters=tuple(_party_name(t)[0] for t in h.transporters),
        lines=len(h.wastes),
        ship_date=_date(h.shipped_date or h.potential_ship_date),
        updated=item.updated_at,
    )


def rejection_destination_notes(manifest: Manifest) -> list[str]:
    """Item 18b of the form: where rejected waste goes when it leaves on this manifest, and,
    when it left on new manifests, their numbers as e-Manifest lists them."""
    info = manifest.rejection_info
    if info is None:
        return []
    notes = []
    if info.transporter_on_site:
        alternate = info.alternate_designated_facility
        if alternate is not None:
            name = alternate.name or alternate.epa_site_id or ""
            notes.append(f"Goes to the alternate facility {name} ({alternate.epa_site_id})")
        elif info.alternate_designated_facility_type is not None:
            notes.append("Goes back to the generator")
    elif info.transporter_on_site is False:
        notes.append("The transporter had left: the waste leaves on a new manifest")
    if info.new_manifest_tracking_numbers:
        notes.append("New manifests: " + ", ".join(info.new_manifest_tracking_numbers))
    return notes
