"""The sandbox's own reading of EPA's e-Manifest rules, on the JSON documents it stores.

Written from EPA's documents (the services' docs as `shared/emanifest/NOTES.md` §3 records them,
validation.md's messages) and schema, not from Haztrak's domain: the two share nothing but the
date-time format, so a rule the domain reads wrongly shows up as the two disagreeing
(tests/unit/entrypoints/test_two_readings_of_epa.py runs the same documents through both).

- statuses and operations (NOTES §3.2): what update, delete and Quicker Sign allow, with EPA's
  error codes;
- the signing order (§3.1, §3.4): whose Quicker Sign a manifest waits for, what a signature
  does to the status, and the dates a signature may carry;
- what a save or an update must carry (§3.3, validation.md), as field findings.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from haztrak.domain.manifest.datetimes import parse_epa_datetime

Document = dict[str, Any]

PAPER = ("Image", "DataImage5Copy")
ELECTRONIC = ("FullElectronic", "Hybrid")
_ORDER = ("NotAssigned", "Pending", "Scheduled", "InTransit", "ReadyForSignature", "Signed")
_AFTER_SIGNED = ("UnderCorrection", "Corrected")
CONTAINER_TYPES = frozenset(
    {"BA", "DT", "CF", "DW", "CM", "HG", "CW", "TC", "CY", "TP", "DF", "TT", "DM"}
)
UNITS = frozenset({"P", "T", "K", "M", "G", "L", "Y", "N"})
LOAD_TYPES = ("Container", "ArticleInContainer", "ArticleNotInContainer", "BulkWaste")
MAX_CONTAINERS = 9_999  # validation.md (the schema says 99999)
MAX_QUANTITY = 99_999_999_999
MAX_COMMENT = 250  # validation.md: a longer label or description drops the comment
MAX_PAPER_CODES = 6  # NOTES §2.3: "paper allows 6 codes per line"
MISSING = "Mandatory Field is not Provided"
_MTN = re.compile(r"^[0-9]{9}[A-Z]{3}$")
_PHONE = re.compile(r"^\d{3}-\d{3}-\d{4}$")
_US_ZIP = re.compile(r"^\d{5}(?:[-\s]\d{4})?$")


# -- statuses and operations ----------------------------------------------------------------------


def is_paper(document: Document) -> bool:
    return document.get("submissionType") in PAPER


def reached(document: Document, status: str) -> bool:
    """Whether the manifest's status is `status` or later in EPA's lifecycle."""
    current = document.get("status")
    if current in _AFTER_SIGNED:
        current = "Signed"
    if current == "MtnValidationFailed":
        current = "ReadyForSignature"
    if current not in _ORDER:
        return False
    return _ORDER.index(current) >= _ORDER.index(status)


class Refused(Exception):
    """EPA refuses the operation: `code` is its error code, None for a report's error."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


def check_unlocked(document: Document) -> None:
    if document.get("locked"):
        reason = document.get("lockReason") or "AsyncSign"
        raise Refused(
            f"Manifest is locked ({reason}). Manifest cannot be updated, deleted or signed.",
            "E_ManifestLockedEpaChangeBiller"
            if reason == "EpaChangeBiller"
            else "E_ManifestLockedAsyncSign",
        )


def check_update(document: Document) -> None:
    """Update (§3.2): FullElectronic and Hybrid while Pending or Scheduled; paper manifests
    while ReadyForSignature or MtnValidationFailed; never Signed, never a Mail manifest."""
    check_unlocked(document)
    status, kind = document.get("status"), document.get("submissionType")
    if document.get("originType") == "Mail":
        raise Refused("Manifests with Mail origin cannot be updated through services")
    allowed = ("ReadyForSignature", "MtnValidationFailed") if kind in PAPER else _CHANGEABLE
    if status not in allowed:
        raise Refused(f"A {kind} manifest in status {status} cannot be updated")


_CHANGEABLE = ("Pending", "Scheduled")


def check_delete(document: Document) -> None:
    """Delete (§3.2): FullElectronic and Hybrid while Pending or Scheduled; DataImage5Copy and
    Image (Web or Service origin) while ReadyForSignature or MtnValidationFailed."""
    check_unlocked(document)
    status, kind = document.get("status"), document.get("submissionType")
    if document.get("originType") == "Mail":  # §2.1: Mail is not deleted through services
        raise Refused("Manifests with Mail origin cannot be deleted", "E_IncorrectOriginForDelete")
    allowed = ("ReadyForSignature", "MtnValidationFailed") if kind in PAPER else _CHANGEABLE
    if status not in allowed:
        raise Refused(
            f"A {kind} manifest in status {status} cannot be deleted", "E_IncorrectStatusForDelete"
        )


# -- the signing order ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    """A party in the signing order: Generator, Transporter (with its order) or Tsdf."""

    site_type: str
    order: int | None = None

    def __str__(self) -> str:
        return f"Transporter {self.order}" if self.site_type == "Transporter" else self.site_type


def _signed(handler: Any) -> bool:
    if not isinstance(handler, dict):
        return False
    paper = handler.get("paperSignatureInfo") or {}
    electronic = handler.get("electronicSignaturesInfo") or []
    return bool(paper.get("signatureDate")) or any(
        isinstance(s, dict) and s.get("signatureDate") for s in electronic
    )


def _transporters(document: Document) -> list[dict[str, Any]]:
    found = [t for t in document.get("transporters") or [] if isinstance(t, dict)]
    return sorted(found, key=lambda t: t.get("order") or 0)


def signing_turn(document: Document) -> Turn | None:
    """Whose Quicker Sign the manifest waits for (§3.1): electronic manifests only; the
    generator while Scheduled (a Hybrid generator signs on paper), then each transporter in
    order, then the designated facility once ReadyForSignature."""
    if document.get("submissionType") not in (*ELECTRONIC, None) or document.get("locked"):
        return None
    status = document.get("status")
    if status == "ReadyForSignature":
        if _signed(document.get("designatedFacility")):
            return _rejection_turn(document)
        return Turn("Tsdf")
    if status not in ("Scheduled", "InTransit"):
        return None
    if status == "Scheduled" and not _signed(document.get("generator")):
        return None if document.get("submissionType") == "Hybrid" else Turn("Generator")
    for transporter in _transporters(document):
        if not _signed(transporter):
            return Turn("Transporter", transporter.get("order"))
    return Turn("Tsdf")


def status_after(document: Document, turn: Turn) -> str:
    """The generator's signature leaves it Scheduled; a transporter's makes it InTransit, the
    last one's ReadyForSignature (one transporter: InTransit is skipped); the facility's Signed,
    unless a rejection's destination signs after it."""
    if _is_rejection_signature(document, turn):
        return "Signed"
    if turn.site_type == "Tsdf" and _rejection_destination(document) is not None:
        return "ReadyForSignature"
    if turn.site_type == "Generator":
        return "Scheduled"
    if turn.site_type == "Transporter":
        orders = [t.get("order") for t in _transporters(document)]
        return "ReadyForSignature" if orders and turn.order == orders[-1] else "InTransit"
    return "Signed"


def _day(text: Any) -> date | None:
    if not isinstance(text, str):
        return None
    try:
        return parse_epa_datetime(text).astimezone(UTC).date()
    except ValueError:
        return None


def _signature_days(handler: Any) -> list[date]:
    if not isinstance(handler, dict):
        return []
    texts = [(handler.get("paperSignatureInfo") or {}).get("signatureDate")]
    texts += [
        s.get("signatureDate")
        for s in handler.get("electronicSignaturesInfo") or []
        if isinstance(s, dict)
    ]
    return [day for day in map(_day, texts) if day is not None]


def _previous_parties(document: Document, turn: Turn) -> list[Any]:
    destination = _is_rejection_signature(document, turn)
    if turn.site_type == "Generator" and not destination:
        return []
    parties: list[Any] = [document.get("generator")]
    for transporter in _transporters(document):
        if (
            turn.site_type == "Tsdf"
            or destination
            or (transporter.get("order") or 0) < (turn.order or 0)
        ):
            parties.append(transporter)
    if destination:
        parties.append(document.get("designatedFacility"))
    return parties


def check_signature(
    document: Document, turn: Turn, site_id: str, at: datetime, now: datetime
) -> None:
    """Quicker Sign (§3.4): electronic manifests only, ready for this party's signature, from
    the site on the manifest in that role, dated no earlier than the previous party's signature
    and not in the future."""
    check_unlocked(document)
    if is_paper(document):
        raise Refused("Quicker Sign is for FullElectronic and Hybrid manifests only")
    waiting = signing_turn(document)
    if waiting != turn:
        raise Refused(
            f"Manifest is not ready to be quick signed by handler {site_id}: it waits for "
            f"{waiting or 'no one'}"
        )
    handler = party(document, turn)
    if handler is None or handler.get("epaSiteId") != site_id:
        raise Refused(f"Site {site_id} is not the {turn} on this manifest")
    latest = max(
        (d for p in _previous_parties(document, turn) for d in _signature_days(p)), default=None
    )
    day, today = at.astimezone(UTC).date(), now.astimezone(UTC).date()
    if latest is not None and day < latest:
        raise Refused(f"Signature date must be on or after the previous signature ({latest})")
    if day > today:
        raise Refused("Signature Date cannot be in the future")


def party(document: Document, turn: Turn) -> dict[str, Any] | None:
    """The handler on the manifest in that place of the signing order."""
    if turn.site_type == "Generator":
        found = document.get("generator")
    elif turn.site_type == ALTERNATE_TSDF:
        found = (document.get("rejectionInfo") or {}).get("alternateDesignatedFacility")
    elif turn.site_type == "Tsdf":
        found = document.get("designatedFacility")
    else:
        found = next((t for t in _transporters(document) if t.get("order") == turn.order), None)
    return found if isinstance(found, dict) else None


def record_signature(document: Document, turn: Turn, signature: dict[str, Any]) -> None:
    """Write the signature on the party and move the status on (the document is changed)."""
    if _is_rejection_signature(document, turn):
        _record_rejection_signature(document, turn, signature)
        return
    handler = party(document, turn)
    assert handler is not None, "check_signature first"
    handler["electronicSignaturesInfo"] = [
        *(handler.get("electronicSignaturesInfo") or []),
        signature,
    ]
    handler["signatureType"] = "QuickerSign"
    document["status"] = status_after(document, turn)
    when = signature.get("signatureDate")
    if turn == Turn("Transporter", 1) and not document.get("shippedDate"):
        document["shippedDate"] = when
    if turn.site_type == "Tsdf":
        document["receivedDate"] = when
        document["signatureStatus"] = True


# -- a rejection's destination signs last (§3.1: "on a rejection, then the alternate TSDF or the
# original generator") -----------------------------------------------------------------------------

ALTERNATE_TSDF = "RejectionInfo_AlternateTsdf"
"""Quicker Sign's siteType for the alternate designated facility (§3.4)."""


def _rejection_destination(document: Document) -> str | None:
    """Who signs after the facility that rejected the waste while the transporter was still on
    site: the alternate facility, or the generator it goes back to."""
    info = document.get("rejectionInfo")
    if not document.get("rejection") or not isinstance(info, dict):
        return None
    if not info.get("transporterOnSite"):
        return None
    return {"Tsdf": ALTERNATE_TSDF, "Generator": "Generator"}.get(
        info.get("alternateDesignatedFacilityType") or ""
    )


def _rejection_turn(document: Document) -> Turn | None:
    destination = _rejection_destination(document)
    if destination is None:
        return None
    info = document.get("rejectionInfo") or {}
    if destination == ALTERNATE_TSDF:
        done = _signed(info.get("alternateDesignatedFacility"))
    else:
        done = any(
            isinstance(info.get(key), dict) and info[key].get("signatureDate")
            for key in ("generatorElectronicSignature", "generatorPaperSignature")
        )
    return None if done else Turn(destination)


def _is_rejection_signature(document: Document, turn: Turn) -> bool:
    return (
        turn.site_type in (ALTERNATE_TSDF, "Generator")
        and document.get("status") == "ReadyForSignature"
        and _signed(document.get("designatedFacility"))
        and _rejection_destination(document) == turn.site_type
    )


def _record_rejection_signature(document: Document, turn: Turn, signature: dict[str, Any]) -> None:
    info = document["rejectionInfo"]
    if turn.site_type == ALTERNATE_TSDF:
        alternate = info["alternateDesignatedFacility"]
        alternate["electronicSignaturesInfo"] = [
            *(alternate.get("electronicSignaturesInfo") or []),
            signature,
        ]
        alternate["signatureType"] = "QuickerSign"
    else:
        info["generatorElectronicSignature"] = signature
    document["status"] = "Signed"


# -- the designated facility's receipt (§3.3 "Discrepancy/residue", "Rejection") ----------------


def check_receipt(document: Document) -> None:
    """The designated facility records what it received by an update of an electronic manifest
    while it is ReadyForSignature and before the facility signs: generator and transporter
    data is ignored then (§3.2). Paper manifests carry their receipt in an ordinary update."""
    check_unlocked(document)
    if document.get("originType") == "Mail":
        raise Refused("Manifests with Mail origin cannot be updated through services")
    if document.get("submissionType") not in ELECTRONIC:
        raise Refused("Receipt information is updated this way on electronic manifests only")
    if document.get("status") != "ReadyForSignature":
        raise Refused(
            f"Receipt information can be updated only in status ReadyForSignature, not "
            f"{document.get('status')}"
        )
    if _signed(document.get("designatedFacility")):
        raise Refused("The designated facility has signed: its receipt cannot be changed")


def is_receipt(stored: Document) -> bool:
    """Whether an update of this stored manifest is the designated facility's receipt."""
    return stored.get("submissionType") in ELECTRONIC and stored.get("status") == (
        "ReadyForSignature"
    )


# -- what a save or an update must carry ----------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    field: str  # below `Emanifest.`
    message: str
    warning: bool = False


def submission_findings(
    document: Document, *, saving: bool, receiving: bool = False
) -> Iterator[Finding]:
    """What a save or update may send (§3.2, §2.1): a submission type; FullElectronic and
    Hybrid manifests only Pending or Scheduled, and no tracking number on a save (e-Manifest
    assigns one); paper manifests their printed number; nothing of Mail origin."""
    kind, mtn = document.get("submissionType"), document.get("manifestTrackingNumber")
    if kind is None:
        yield Finding("submissionType", MISSING)
    if mtn is not None and not (isinstance(mtn, str) and _MTN.fullmatch(mtn)):
        yield Finding("manifestTrackingNumber", "Provided Value has an invalid format")
    elif kind in PAPER and mtn is None:
        yield Finding("manifestTrackingNumber", MISSING)
    elif kind not in PAPER and saving and mtn is not None:
        yield Finding(
            "manifestTrackingNumber",
            "Manifest Tracking Number shall not be provided: e-Manifest assigns it on save",
        )
    allowed = ("ReadyForSignature",) if receiving else (None, *_CHANGEABLE)
    if kind not in PAPER and document.get("status") not in allowed:
        yield Finding("status", "Status can be only Pending or Scheduled")
    if document.get("originType") == "Mail":
        yield Finding("originType", "Mail manifests cannot be saved or updated through services")


def document_findings(document: Document, now: datetime) -> list[Finding]:
    """EPA's content rules for a save or update (§3.3 and validation.md). Image manifests
    carry only the submitting facility, so most rules skip them."""
    if document.get("submissionType") == "Image":
        return []
    return [
        *_parties(document),
        *_phones_and_zips(document),
        *_wastes(document),
        *_paper_signature_dates(document, now),
        *_discrepancies(document),
        *_rejection(document),
    ]


def _parties(document: Document) -> Iterator[Finding]:
    generator, facility = document.get("generator"), document.get("designatedFacility")
    if not isinstance(generator, dict):
        yield Finding("generator", MISSING)
    elif generator.get("emergencyPhone") is None:
        yield Finding("generator.emergencyPhone", MISSING)
    elif generator.get("registered") is not False and isinstance(generator.get("epaSiteId"), str):
        state = ((generator.get("siteAddress") or {}).get("state") or {}).get("code")
        if state and state != generator["epaSiteId"][:2]:
            yield Finding(
                "generator.siteAddress.state.code",
                "Generator site state must match the state of its EPA Site ID",
            )
    if not document.get("transporters"):
        yield Finding("transporters", MISSING)
    for index, transporter in enumerate(document.get("transporters") or []):
        if isinstance(transporter, dict) and transporter.get("order") != index + 1:
            yield Finding(f"transporters.{index}.order", "Transporters must be ordered 1 to n")
    if not isinstance(facility, dict):
        yield Finding("designatedFacility", MISSING)
    elif not ((facility.get("contact") or {}).get("phone")):
        yield Finding("designatedFacility.contact.phone", MISSING)


def _phones_and_zips(document: Document) -> Iterator[Finding]:
    """Phones are written ###-###-####; a US address (or one without a country) has a US ZIP."""
    parties = [("generator", document.get("generator"))]
    parties += [(f"transporters.{i}", t) for i, t in enumerate(document.get("transporters") or [])]
    parties.append(("designatedFacility", document.get("designatedFacility")))
    for where, handler in parties:
        if not isinstance(handler, dict):
            continue
        phones = [("contact.phone", (handler.get("contact") or {}).get("phone"))]
        phones.append(("emergencyPhone", handler.get("emergencyPhone")))
        for key, phone in phones:
            number = phone.get("number") if isinstance(phone, dict) else None
            if isinstance(number, str) and not _PHONE.fullmatch(number):
                yield Finding(f"{where}.{key}.number", "Invalid Field Format: ###-###-####")
        for key in ("siteAddress", "mailingAddress"):
            address = handler.get(key)
            if not isinstance(address, dict):
                continue
            country = (address.get("country") or {}).get("code")
            zip_code = address.get("zip")
            if country in (None, "US") and not (
                isinstance(zip_code, str) and _US_ZIP.fullmatch(zip_code)
            ):
                yield Finding(f"{where}.{key}.zip", "Invalid Field Format: a US ZIP code")


def _wastes(document: Document) -> Iterator[Finding]:
    wastes = [w for w in document.get("wastes") or [] if isinstance(w, dict)]
    if not wastes and reached(document, "Scheduled"):
        yield Finding("wastes", MISSING)
    kind = document.get("submissionType")
    previous = 0
    for index, waste in enumerate(wastes):
        at = f"wastes.{index}"
        number = waste.get("lineNumber")
        # Numbered from 1, in order; a line left blank on the paper form leaves a gap (EPA's
        # own DataImage5Copy example numbers its lines 1, 2, 4, 5, 6).
        if not isinstance(number, int) or number <= previous:
            yield Finding(f"{at}.lineNumber", "Line numbers start at 1 and increase")
        previous = number if isinstance(number, int) else previous
        if waste.get("dotHazardous") and not waste.get("dotInformation"):
            yield Finding(f"{at}.dotInformation", MISSING)
        if waste.get("dotHazardous") is False and not waste.get("wasteDescription"):
            yield Finding(f"{at}.wasteDescription", MISSING)
        yield from _quantity(at, waste.get("quantity"))
        if waste.get("pcb"):
            yield from _pcb(at, waste.get("pcbInfos"))
        method = waste.get("managementMethod")
        needed = kind == "DataImage5Copy" or reached(document, "Signed")
        if waste.get("epaWaste") and needed and not method:
            yield Finding(f"{at}.managementMethod", "Field is Not Provided")
        consent = (waste.get("additionalInfo") or {}).get("consentNumber")
        if consent and not document.get("import"):
            yield Finding(f"{at}.additionalInfo.consentNumber", "Shall not be provided")
        codes = waste.get("hazardousWaste") or {}
        count = sum(len(codes.get(key) or []) for key in _CODE_LISTS)
        if kind == "DataImage5Copy" and count > MAX_PAPER_CODES:
            yield Finding(
                f"{at}.hazardousWaste",
                f"A paper manifest holds at most {MAX_PAPER_CODES} waste codes per line",
            )


_CODE_LISTS = (
    "federalWasteCodes",
    "tsdfStateWasteCodes",
    "generatorStateWasteCodes",
    "txWasteCodes",
)


def _quantity(at: str, quantity: Any) -> Iterator[Finding]:
    if not isinstance(quantity, dict):
        yield Finding(f"{at}.quantity", MISSING)
        return
    for key in ("containerNumber", "containerType", "quantity", "unitOfMeasurement"):
        if quantity.get(key) is None:
            yield Finding(f"{at}.quantity.{key}", MISSING)
    containers, amount = quantity.get("containerNumber"), quantity.get("quantity")
    if isinstance(containers, int | float) and not 0 <= containers <= MAX_CONTAINERS:
        yield Finding(f"{at}.quantity.containerNumber", f"maximum: {MAX_CONTAINERS}")
    if isinstance(amount, float) and not amount.is_integer():
        yield Finding(f"{at}.quantity.quantity", "Numeric instance is not an integer")
    elif isinstance(amount, int | float) and not 0 <= amount <= MAX_QUANTITY:
        yield Finding(f"{at}.quantity.quantity", f"maximum: {MAX_QUANTITY}")
    for key, allowed in (("containerType", CONTAINER_TYPES), ("unitOfMeasurement", UNITS)):
        code = (
            (quantity.get(key) or {}).get("code") if isinstance(quantity.get(key), dict) else None
        )
        if quantity.get(key) is not None and code not in allowed:
            yield Finding(f"{at}.quantity.{key}.code", "Instance value not found in enum")


def _pcb(at: str, infos: Any) -> Iterator[Finding]:
    if not infos:
        yield Finding(f"{at}.pcbInfos", MISSING)
        return
    for index, info in enumerate(infos):
        where = f"{at}.pcbInfos.{index}"
        load = ((info or {}).get("loadType") or {}).get("code")
        if load is None:
            yield Finding(f"{where}.loadType", MISSING)
        elif load not in LOAD_TYPES:
            yield Finding(f"{where}.loadType.code", "Invalid Field Format")
        elif load == "BulkWaste" and not info.get("bulkIdentity"):
            yield Finding(f"{where}.bulkIdentity", MISSING)
        elif load != "BulkWaste" and not info.get("articleContainerId"):
            yield Finding(f"{where}.articleContainerId", MISSING)


def _paper_signature_dates(document: Document, now: datetime) -> Iterator[Finding]:
    """Signature dates are non-decreasing (generator, transporters, facility) and never in the
    future; on DataImage5Copy every party's paper signature date is mandatory."""
    parties = [("generator", document.get("generator"))]
    parties += [(f"transporters.{i}", t) for i, t in enumerate(document.get("transporters") or [])]
    parties.append(("designatedFacility", document.get("designatedFacility")))
    latest: date | None = None
    for where, handler in parties:
        if not isinstance(handler, dict):
            continue
        paper = handler.get("paperSignatureInfo")
        if document.get("submissionType") == "DataImage5Copy" and not (paper or {}).get(
            "signatureDate"
        ):
            yield Finding(f"{where}.paperSignatureInfo.signatureDate", MISSING)
        days = _signature_days(handler)
        if any(day > now.astimezone(UTC).date() for day in days):
            yield Finding(f"{where}.paperSignatureInfo.signatureDate", "cannot be in the future")
        if days and latest is not None and min(days) < latest:
            yield Finding(
                f"{where}.paperSignatureInfo.signatureDate",
                "Signature date must be on or after the previous party's",
            )
        if days:
            latest = max(latest or min(days), *days)


def _discrepancies(document: Document) -> Iterator[Finding]:
    if not reached(document, "ReadyForSignature"):
        return
    for index, waste in enumerate(document.get("wastes") or []):
        info = (waste or {}).get("discrepancyResidueInfo")
        where = f"wastes.{index}.discrepancyResidueInfo"
        if not isinstance(info, dict):
            yield Finding(where, MISSING)
            continue
        for key in ("wasteQuantity", "wasteType", "residue"):
            if info.get(key) is None:
                yield Finding(f"{where}.{key}", MISSING)
        if (info.get("wasteQuantity") or info.get("wasteType")) and not info.get(
            "discrepancyComments"
        ):
            yield Finding(f"{where}.discrepancyComments", MISSING)
        if info.get("residue") and not info.get("residueComments"):
            yield Finding(f"{where}.residueComments", MISSING)


def _rejection(document: Document) -> Iterator[Finding]:
    if not reached(document, "ReadyForSignature"):
        return
    for key in ("rejection", "containsPreviousRejectOrResidue"):
        if document.get(key) is None:
            yield Finding(key, MISSING)
    if not document.get("rejection"):
        return
    info = document.get("rejectionInfo")
    if not isinstance(info, dict):
        yield Finding("rejectionInfo", MISSING)
        return
    for key in ("rejectionComments", "transporterOnSite"):
        if info.get(key) is None:
            yield Finding(f"rejectionInfo.{key}", MISSING)
    if info.get("transporterOnSite") is False and not info.get("rejectionType"):
        yield Finding("rejectionInfo.rejectionType", MISSING)
    if info.get("transporterOnSite") and not info.get("alternateDesignatedFacilityType"):
        yield Finding("rejectionInfo.alternateDesignatedFacilityType", MISSING)
    if info.get("transporterOnSite"):
        yield from _rejection_on_site(info)
    additional = document.get("additionalInfo") or {}
    if additional.get("newManifestDestination") == "OriginalGenerator":
        yield Finding(
            "rejection", "A manifest returning waste to the original generator cannot be rejected"
        )


def _rejection_on_site(info: dict[str, Any]) -> Iterator[Finding]:
    """§3.3: with the transporter on site the rejection becomes FullReject (a warning, and the
    stored document says so), no new tracking numbers are allowed, and an alternate Tsdf is
    named by its registered ID."""
    if info.get("rejectionType") not in (None, "FullReject"):
        info["rejectionType"] = "FullReject"
        yield Finding(
            "rejectionInfo.rejectionType",
            "Provided Value will be Ignored. FullReject is assigned when the transporter is on "
            "site",
            warning=True,
        )
    if info.get("newManifestTrackingNumbers"):
        yield Finding(
            "rejectionInfo.newManifestTrackingNumbers",
            "Shall not be provided when the transporter is on site",
        )
    alternate = info.get("alternateDesignatedFacility")
    if info.get("alternateDesignatedFacilityType") == "Tsdf" and not (
        isinstance(alternate, dict) and alternate.get("epaSiteId")
    ):
        yield Finding("rejectionInfo.alternateDesignatedFacility.epaSiteId", MISSING)


def drop_long_comments(document: Document) -> list[Finding]:
    """validation.md: a comment whose label or description is longer than 250 characters is
    ignored, with a warning; the document keeps the others."""
    warnings = []
    infos = [("additionalInfo", document.get("additionalInfo"))]
    infos += [
        (f"wastes.{i}.additionalInfo", (w or {}).get("additionalInfo"))
        for i, w in enumerate(document.get("wastes") or [])
        if isinstance(w, dict)
    ]
    for where, info in infos:
        if not isinstance(info, dict) or not isinstance(info.get("comments"), list):
            continue
        kept = []
        for comment in info["comments"]:
            long = [
                key
                for key in ("label", "description")
                if isinstance((comment or {}).get(key), str) and len(comment[key]) > MAX_COMMENT
            ]
            if long:
                warnings.append(
                    Finding(
                        f"{where}.comments.{long[0]}",
                        "Comment will be ignored. Invalid Value. Text can be no longer than "
                        f"{MAX_COMMENT} characters.",
                        warning=True,
                    )
                )
            else:
                kept.append(comment)
        info["comments"] = kept
    return warnings


# -- corrections (§3.2: correct, revert; a correction is signed by a party on the manifest) -----

CORRECTABLE = ("Signed", "Corrected", "UnderCorrection")
_PPC_WORKING = ("PendingDataEntry", "DataEntryInProgress", "PendingDataQc", "PendingDataQa")
_PPC_FINISHED = ("DataQaCompleted", "PendingIndustryCorrections", "IndustryCorrected")
LOCK_CODES = {
    "AsyncSign": "E_ManifestLockedAsyncSign",
    "EpaChangeBiller": "E_ManifestLockedEpaChangeBiller",
    "EpaCorrection": "E_ManifestLockedEpaCorrection",
}


def check_unlocked_for_correction(document: Document) -> None:
    """A lock refuses correct and revert with the lock's own code."""
    if document.get("locked"):
        reason = document.get("lockReason") or "AsyncSign"
        raise Refused(
            f"Manifest is locked ({reason}). Manifest cannot be corrected or reverted.",
            LOCK_CODES.get(reason, "E_ManifestLockedAsyncSign"),
        )


def check_correct(document: Document) -> None:
    """Correct: from Signed or Corrected (a new version UnderCorrection) or UnderCorrection (that
    version changes); Image and DataImage5Copy not while the Paper Processing Center works on
    them; a mailed manifest only once the Paper Processing Center has processed it."""
    check_unlocked_for_correction(document)
    status = document.get("status")
    if status not in CORRECTABLE:
        raise Refused(f"A manifest in status {status} cannot be corrected")
    ppc = document.get("ppcStatus")
    if is_paper(document) and ppc in _PPC_WORKING:
        raise Refused("Manifest is being processed by the Paper Processing Center")
    if document.get("originType") == "Mail" and ppc not in _PPC_FINISHED:
        raise Refused("A Mail manifest can be corrected only after the PPC has processed it")


def check_revert(document: Document) -> None:
    check_unlocked_for_correction(document)
    if document.get("status") != "UnderCorrection":
        raise Refused(
            "There is no manifest version in UnderCorrection status",
            "E_NoVersionForUnderCorrectionStatus",
        )


def correction_signer(document: Document, site_id: str, turn: Turn) -> dict[str, Any]:
    """Who signs a version under correction: a party on the manifest, in its place there (the
    generator, a transporter by its order, the designated facility, the alternate facility)."""
    check_unlocked_for_correction(document)
    if document.get("status") != "UnderCorrection":
        raise Refused("Manifest has no version in UnderCorrection status to sign")
    if turn.site_type == "RejectionInfo_AlternateTsdf":
        found = (document.get("rejectionInfo") or {}).get("alternateDesignatedFacility")
    else:
        found = party(document, turn)
    if not isinstance(found, dict) or found.get("epaSiteId") != site_id:
        raise Refused(f"Site {site_id} is not the {turn} on this manifest")
    return found


_KEPT_ON_CORRECTION = (
    "createdDate",
    "originType",
    "submissionType",
    "shippedDate",
    "receivedDate",
    "certifiedDate",
    "certifiedBy",
    "signatureStatus",
    "formDocument",
    "isPublic",
    "ppcStatus",
)


def corrected_document(stored: Document, sent: Document) -> Document:
    """The new version's content: what was sent, with what the system keeps from the version
    before (dates, origin, type, every party's electronic signatures by its place)."""
    document = {k: v for k, v in sent.items() if k not in ("locked", "lockReason")}
    for key in _KEPT_ON_CORRECTION:
        if key in stored:
            document[key] = stored[key]
        else:
            document.pop(key, None)
    places: list[tuple[Any, Any]] = [(stored.get("generator"), document.get("generator"))]
    places.append((stored.get("designatedFacility"), document.get("designatedFacility")))
    sent_transporters = {t.get("order"): t for t in _transporters(document)}
    places += [(t, sent_transporters.get(t.get("order"))) for t in _transporters(stored)]
    for before, after in places:
        if not isinstance(before, dict) or not isinstance(after, dict):
            continue
        if before.get("epaSiteId") != after.get("epaSiteId"):
            continue
        for key in ("electronicSignaturesInfo", "signatureType"):
            if key in before:
                after[key] = before[key]
            else:
                after.pop(key, None)
    return document


# -- the scanned form of an Image manifest ------------------------------------------------------

_MTN_IN_PDF = re.compile(rb"(?<![0-9])([0-9]{9}[A-Z]{3})(?![A-Za-z0-9])")


def pdf_tracking_numbers(pdf: bytes) -> list[str]:
    """The tracking numbers printed in a PDF's text, in order, each once. e-Manifest reads the
    scan's pages; the sandbox searches the bytes for the MTN pattern, which finds the numbers
    of text streams and metadata that are not compressed."""
    return list(dict.fromkeys(m.decode() for m in _MTN_IN_PDF.findall(pdf)))


def mtn_validation(
    mtn: str, pdf: bytes, other_mtns: Collection[str], rerun: int = 0
) -> tuple[Document, bool]:
    """`mtnValidationInfo` for an Image manifest's upload (NOTES §2.1, §3.1): the MTN read off
    the scan, whether it matches the one sent and is not another manifest's; and whether the
    manifest passes (ReadyForSignature) or not (MtnValidationFailed)."""
    found = pdf_tracking_numbers(pdf)
    if not found:
        return {
            "mtnExtractionStatus": "Failed",
            "mtnsMatch": False,
            "mtnRerunCounter": rerun,
        }, False
    pdf_mtn = mtn if mtn in found else found[0]
    unique = pdf_mtn == mtn or pdf_mtn not in other_mtns
    match = pdf_mtn == mtn
    info = {
        "mtnExtractionStatus": "Completed",
        "mtnsMatch": match,
        "pdfMtn": pdf_mtn,
        "pdfMtnUnique": unique,
        "mtnRerunCounter": rerun,
    }
    return info, match and unique
