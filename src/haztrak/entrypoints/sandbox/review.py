"""What e-Manifest checks and writes when a manifest is saved or updated.

The manifest's own rules (parties, waste lines, signatures, rejection, statuses) are the
sandbox's own reading of EPA's (`rules`). This module adds what only RCRAInfo can know: which
sites are registered and can e-sign (their registered name and addresses replace the ones sent), the
lookups, the printed tracking number and its scanned PDF, and the system fields. A review
collects every error and warning at once; any error means nothing is stored.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime
from typing import Any

from haztrak.domain.handlers import SiteType, is_epa_id
from haztrak.domain.manifest.datetimes import format_epa_datetime
from haztrak.domain.manifest.tracking_numbers import is_tracking_number
from haztrak.entrypoints.sandbox import lookups, rules
from haztrak.entrypoints.sandbox.descriptions import describe_codes
from haztrak.entrypoints.sandbox.documents import AttachedPdf, AttachmentError, single_pdf
from haztrak.entrypoints.sandbox.errors import Findings, RcraError
from haztrak.entrypoints.sandbox.sites import (
    SiteRecord,
    registered_contact,
    registered_emergency_phone,
    registered_fields,
)
from haztrak.entrypoints.sandbox.state import ManifestDocument, SandboxState, handler_site_ids
from haztrak.entrypoints.sandbox.users import Level, RcraUser

ROOT = "Emanifest"
PAPER_TYPES = ("Image", "DataImage5Copy")
ELECTRONIC_STATUSES = ("Pending", "Scheduled")
READY_FOR_SIGNATURE = "ReadyForSignature"

SYSTEM_FIELDS = (
    "createdDate", "updatedDate", "isPublic", "signatureStatus", "originType", "shippedDate",
    "receivedDate", "certifiedDate", "certifiedBy", "lastUpdatedBy", "discrepancy", "residue",
    "correctionRequests", "correctionInfo", "ppcStatus", "provideImageGeneratorInfo", "locked",
    "lockReason", "formDocument",
)  # fmt: skip
"""Set by e-Manifest; whatever a caller sends in them is replaced."""
HANDLER_SYSTEM_FIELDS = ("electronicSignaturesInfo", "signatureType")
RESTORED_ON_UPDATE = (
    "createdDate", "originType", "shippedDate", "receivedDate", "certifiedDate", "certifiedBy",
    "signatureStatus", "correctionInfo", "correctionRequests", "ppcStatus", "formDocument",
    "isPublic",
)  # fmt: skip

_DOT_ID = re.compile(r"^(?:UN|NA)\d{4}$")
_NOT_FOUND = "Provided Value is not Found"
_REPLACED = (
    "Registered site was found. Provided site information will be ignored and replaced with "
    "registered information"
)
_IMAGE_GENERATOR_WARNING = (
    "Not all required Generator site and signature information is provided so system cannot "
    "determine which price to charge for this manifest. To ensure that this manifest is billed "
    "accurately, please update the manifest with all required generator site and signature "
    "information."
)


def path(*parts: str | int) -> str:
    return ".".join([ROOT, *(str(part) for part in parts if part != "")])


def is_paper(document: ManifestDocument) -> bool:
    return document.get("submissionType") in PAPER_TYPES


# -- authorization ------------------------------------------------------------------------------


def submitting_facility(document: ManifestDocument) -> tuple[str | None, str, str]:
    """The site that submits a paper manifest, and the error code and wording if the user is
    not authorized for it (EPA's Manifest Services User Authorization)."""
    rejection_info = document.get("rejectionInfo") or {}
    alternate = rejection_info.get("alternateDesignatedFacility") or {}
    additional = document.get("additionalInfo") or {}
    if (
        document.get("rejection")
        and rejection_info.get("transporterOnSite")
        and (rejection_info.get("alternateDesignatedFacilityType") == "Tsdf" or alternate)
        and alternate.get("epaSiteId")
    ):
        return (
            alternate["epaSiteId"],
            "E_AltFacilityAuthorizationSave",
            "User is not authorized for the Alternate Designated Facility. Cannot create Image "
            "or DataImage5Copy manifests.",
        )
    generator_id = (document.get("generator") or {}).get("epaSiteId")
    facility_id = (document.get("designatedFacility") or {}).get("epaSiteId")
    returning = (
        document.get("containsPreviousRejectOrResidue")
        and additional.get("newManifestDestination") == "OriginalGenerator"
    )
    if generator_id and (returning or not facility_id):
        return (
            generator_id,
            "E_GeneratorAuthorizationSave",
            "User is not authorized for the Generator. Cannot create Image or DataImage5Copy "
            "manifests",
        )
    return (
        facility_id,
        "E_DesignatedFacilityAuthorizationSave",
        "User is not authorized for the Designated Facility. Cannot create Image or "
        "DataImage5Copy manifests.",
    )


def site_permission_error() -> RcraError:
    return RcraError(
        "E_SitePermissions",
        "The user does not have Industry Permissions for either the TSDF Site or Generator Site "
        "or Alternate TSDF site, any Transporter site, or Broker site specified in provided JSON",
        403,
    )


def authorize_submission(
    state: SandboxState, user: RcraUser, document: ManifestDocument, stored: ManifestDocument | None
) -> None:
    """Raise the error document e-Manifest answers when the user may not save this manifest."""
    if stored is not None and not _may_prepare(user, handler_site_ids(stored)):
        raise site_permission_error()
    if is_paper(document):
        site_id, code, message = submitting_facility(document)
        if (
            not site_id
            or state.site(site_id) is None
            or user.emanifest_level(site_id) < Level.PREPARER
        ):
            raise RcraError(code, message, 403)
        if document.get("submissionType") == "Image":
            record = state.site(site_id)
            if record is not None and record.site_type is SiteType.BROKER:
                raise RcraError(
                    "E_BrokerAuthorizationSave",
                    "Brokers are not authorized to create Image manifests",
                    403,
                )
        return
    if not _may_prepare(user, handler_site_ids(document)):
        raise site_permission_error()


def _may_prepare(user: RcraUser, site_ids: set[str]) -> bool:
    return any(user.emanifest_level(site_id) >= Level.PREPARER for site_id in site_ids)


# -- the review ---------------------------------------------------------------------------------


class Review:
    """One save or update: `run()` returns the findings and leaves the document to store in
    `document` (meaningful only when there are no errors)."""

    def __init__(
        self,
        state: SandboxState,
        user: RcraUser,
        submitted: ManifestDocument,
        attachment: bytes | None,
        *,
        now: datetime,
        stored: ManifestDocument | None = None,
        stored_attachment: bytes | None = None,
        receiving: bool = False,
    ) -> None:
        self.state = state
        self.user = user
        self.document = copy.deepcopy(submitted)
        self.origin = submitted.get("originType")
        self.attachment = attachment
        self.stored = stored
        self.stored_attachment = stored_attachment
        self.now = now
        self.findings = Findings()
        self.pdf: AttachedPdf | None = None
        self.receiving = receiving
        """An electronic manifest's receipt, at ReadyForSignature (sandbox.receiving)."""

    @property
    def submission_type(self) -> str | None:
        value = self.document.get("submissionType")
        return value if isinstance(value, str) else None

    def run(self) -> Findings:
        self._strip_system_fields()
        if self.stored is not None:
            self._check_update_transition()
        self._status()
        self._tracking_number()
        self._attachment()
        if self.submission_type == "Image":
            self._image()
        else:
            self._parties()
            self._paper_signatures()
            self._wastes()
            self._import()
        self._epa_rules()
        self._derived_flags()
        return self.findings

    # -- system fields ---------------------------------------------------------------------

    def _strip_system_fields(self) -> None:
        for key in SYSTEM_FIELDS:
            self.document.pop(key, None)
        if self.origin == "Mail":
            self.document["originType"] = "Mail"  # the business rules refuse it
        for handler in self._handlers():
            for key in HANDLER_SYSTEM_FIELDS:
                handler.pop(key, None)

    def _handlers(self) -> list[dict[str, Any]]:
        handlers = [self.document.get(key) for key in ("generator", "designatedFacility", "broker")]
        handlers.extend(self.document.get("transporters") or [])
        alternate = (self.document.get("rejectionInfo") or {}).get("alternateDesignatedFacility")
        handlers.append(alternate)
        return [h for h in handlers if isinstance(h, dict)]

    def finish(self, tracking_number: str, written_at: datetime) -> ManifestDocument:
        """The document to store, with everything e-Manifest sets."""
        document = self.document
        stamp = format_epa_datetime(written_at)
        document["manifestTrackingNumber"] = tracking_number
        if self.stored is None:
            document["createdDate"] = stamp
            document["originType"] = "Service"
        else:
            for key in RESTORED_ON_UPDATE:
                if key in self.stored:
                    document[key] = copy.deepcopy(self.stored[key])
            self._restore_signatures()
        document["updatedDate"] = stamp
        document["lastUpdatedBy"] = self.user.signer()
        describe_codes(document)
        if self.pdf is not None:
            document["printedDocument"]["size"] = len(self.pdf.data)
        if self.submission_type == "Image":
            self._validate_tracking_number(document, tracking_number)
        return _ordered(document)

    def _validate_tracking_number(self, document: ManifestDocument, mtn: str) -> None:
        """e-Manifest reads the MTN off an Image manifest's scan: a scan whose number is not
        the one sent (or is another manifest's) leaves it MtnValidationFailed. Without a new
        scan, the stored result stands unless the caller confirms the number (mtnCorrect)."""
        sent = document.get("mtnValidationInfo")
        sent = sent if isinstance(sent, dict) else {}
        before = (self.stored or {}).get("mtnValidationInfo")
        before = before if isinstance(before, dict) else None
        if self.pdf is None:
            if before is None:
                document.pop("mtnValidationInfo", None)
                return
            info = copy.deepcopy(before)
            failed = (self.stored or {}).get("status") == "MtnValidationFailed"
            if failed and sent.get("mtnCorrect") is True:
                info["mtnCorrect"] = True
                failed = False
            document["mtnValidationInfo"] = info
            if failed:
                document["status"] = "MtnValidationFailed"
            return
        rerun = int(before.get("mtnRerunCounter") or 0) + 1 if before else 0
        others = [number for number in self.state.manifests if number != mtn]
        info, passed = rules.mtn_validation(mtn, self.pdf.data, others, rerun)
        document["mtnValidationInfo"] = info
        if not passed:
            document["status"] = "MtnValidationFailed"
            read = info.get("pdfMtn") or "none"
            self.findings.warn(
                path("mtnValidationInfo"),
                f"The tracking number read from the scanned manifest ({read}) does not "
                f"confirm {mtn}: the manifest is MtnValidationFailed until a scan or "
                "mtnCorrect confirms it",
            )

    def _restore_signatures(self) -> None:
        """Signatures are e-Manifest's record: an update keeps them, whatever it sends."""
        assert self.stored is not None
        pairs = [
            (self.stored.get(key), self.document.get(key))
            for key in ("generator", "designatedFacility", "broker")
        ]
        stored_transporters = {t.get("order"): t for t in self.stored.get("transporters") or []}
        pairs.extend(
            (stored_transporters.get(t.get("order")), t)
            for t in self.document.get("transporters") or []
        )
        for before, after in pairs:
            if not isinstance(before, dict) or not isinstance(after, dict):
                continue
            if before.get("epaSiteId") != after.get("epaSiteId"):
                continue
            for key in HANDLER_SYSTEM_FIELDS:
                if key in before:
                    after[key] = copy.deepcopy(before[key])

    # -- update ------------------------------------------------------------------------------

    def _check_update_transition(self) -> None:
        assert self.stored is not None
        before, after = self.stored.get("submissionType"), self.submission_type
        if (before in PAPER_TYPES) != (after in PAPER_TYPES):
            self.findings.error(
                path("submissionType"),
                f"Submission type cannot be changed from {before} to {after}",
                after,
            )
        if before != after and any(
            handler.get("electronicSignaturesInfo") for handler in _stored_handlers(self.stored)
        ):
            self.findings.error(
                path("submissionType"),
                "Submission type cannot be changed after a handler has signed the manifest",
                after,
            )
        if self.stored.get("status") == "Scheduled" and self.document.get("status") == "Pending":
            self.findings.error(
                path("status"), "Status cannot be changed from Scheduled back to Pending", "Pending"
            )

    # -- status and tracking number ----------------------------------------------------------

    def _status(self) -> None:
        status = self.document.get("status")
        if is_paper(self.document):
            if status not in (None, READY_FOR_SIGNATURE):
                self.findings.warn(
                    path("status"),
                    "Provided Value will be Ignored. Status is assigned by e-Manifest for Image "
                    "and DataImage5Copy manifests",
                    status,
                )
            self.document["status"] = READY_FOR_SIGNATURE
        elif status is None:
            self.findings.warn(path("status"), "Field is not Provided. Pending will be assigned")
            self.document["status"] = "Pending"

    def _tracking_number(self) -> None:
        mtn = self.document.get("manifestTrackingNumber")
        if not is_paper(self.document) or self.stored is not None:
            return
        if not isinstance(mtn, str) or not is_tracking_number(mtn):
            return  # the business rules name the problem
        suffix = mtn[9:]
        if suffix not in lookups.codes_of(lookups.MTN_SUFFIXES) or suffix == "ELC":
            self.findings.error(
                path("manifestTrackingNumber"),
                "Provided Manifest Tracking Number has an invalid suffix: a printed manifest "
                "carries its registered printer's suffix (see printed-tracking-number-suffixes)",
                mtn,
            )
        elif mtn in self.state.manifests:
            self.findings.error(
                path("manifestTrackingNumber"), "Manifest Tracking Number already exists", mtn
            )

    # -- the scanned manifest ------------------------------------------------------------------

    def _attachment(self) -> None:
        if not is_paper(self.document):
            if self.attachment is not None:
                self.findings.error(
                    "attachment",
                    "Attachments are accepted only for Image and DataImage5Copy manifests",
                )
            return
        if self.attachment is None:
            if self.stored_attachment is None:
                self.findings.error(
                    "attachment",
                    "Mandatory Field is not Provided. Image and DataImage5Copy manifests need the "
                    "scanned, signed manifest: a zip file holding one PDF document",
                )
            elif "printedDocument" not in self.document and self.stored is not None:
                self.document["printedDocument"] = copy.deepcopy(self.stored.get("printedDocument"))
            return
        try:
            self.pdf = single_pdf(self.attachment)
        except AttachmentError as error:
            self.findings.error("attachment", str(error))
            return
        document = self.document.get("printedDocument")
        if not isinstance(document, dict):
            self.findings.error(
                path("printedDocument"),
                "Mandatory Field is not Provided. printedDocument must describe the attached PDF "
                "(name, size, mimeType APPLICATION_PDF)",
            )
            return
        if document.get("mimeType") != "APPLICATION_PDF":
            self.findings.error(
                path("printedDocument", "mimeType"),
                "Invalid Value. The attached document is a PDF: APPLICATION_PDF is expected",
                document.get("mimeType"),
            )
        if not document.get("name"):
            self.findings.warn(
                path("printedDocument", "name"),
                "Field is not Provided. The attached file's name will be used",
            )
            document["name"] = self.pdf.name
        size = document.get("size")
        if size != len(self.pdf.data):
            self.findings.warn(
                path("printedDocument", "size"),
                f"Provided size does not match the attached PDF ({len(self.pdf.data)} bytes); "
                "the attached document's size will be stored",
                size,
            )

    # -- parties ---------------------------------------------------------------------------------

    def _parties(self) -> None:
        kind = self.submission_type
        electronic = kind in ("FullElectronic", "Hybrid")
        generator = self.document.get("generator")
        if isinstance(generator, dict):
            self._party(
                path("generator"), generator, SiteType.GENERATOR,
                may_be_unregistered=kind in ("Hybrid", "DataImage5Copy"),
                needs_esign=kind == "FullElectronic",
                keeps_given_site=kind in ("Hybrid", "DataImage5Copy"),
            )  # fmt: skip
        for index, transporter in enumerate(self.document.get("transporters") or []):
            if isinstance(transporter, dict):
                self._party(
                    path("transporters", index), transporter, SiteType.TRANSPORTER,
                    may_be_unregistered=kind == "DataImage5Copy", needs_esign=electronic,
                )  # fmt: skip
        facility = self.document.get("designatedFacility")
        if isinstance(facility, dict):
            self._party(path("designatedFacility"), facility, SiteType.TSDF)
        broker = self.document.get("broker")
        if isinstance(broker, dict):
            self._party(path("broker"), broker, SiteType.BROKER)
        alternate = (self.document.get("rejectionInfo") or {}).get("alternateDesignatedFacility")
        if isinstance(alternate, dict):
            self._party(
                path("rejectionInfo", "alternateDesignatedFacility"), alternate, SiteType.TSDF
            )

    def _party(
        self,
        where: str,
        handler: dict[str, Any],
        role: SiteType,
        *,
        may_be_unregistered: bool = False,
        needs_esign: bool = False,
        keeps_given_site: bool = False,
    ) -> None:
        epa_id = handler.get("epaSiteId")
        record = self.state.site(epa_id) if isinstance(epa_id, str) else None
        if record is None:
            self._unregistered(where, handler, role, may_be_unregistered=may_be_unregistered)
            return
        label = {SiteType.TSDF: "Designated Facility"}.get(role, role.value)
        if role in (SiteType.TSDF, SiteType.TRANSPORTER) and record.site_type is not role:
            self.findings.error(
                f"{where}.epaSiteId",
                f"Provided {label} ID is not registered in RCRAInfo as a {role.value}",
                epa_id,
            )
        esign = self.state.esign(record.epa_id)
        if needs_esign and not esign.can_esign:
            self.findings.error(
                f"{where}.epaSiteId",
                "Site doesn't have any users with Certifier role or with ESA status Received",
                epa_id,
            )
        self._fill(where, handler, record, role, keeps_given_site=keeps_given_site)

    def _unregistered(
        self, where: str, handler: dict[str, Any], role: SiteType, *, may_be_unregistered: bool
    ) -> None:
        epa_id = handler.get("epaSiteId")
        if may_be_unregistered:
            handler["registered"] = False
            if not epa_id:
                return
            message = (
                "Site with provided EPA Site ID is not registered"
                if isinstance(epa_id, str) and is_epa_id(epa_id)
                else "Provided value is not valid. Two Letter Activity Location Code + Up to 10 "
                "alphanumeric characters"
            )
            self.findings.warn(f"{where}.epaSiteId", message, epa_id)
            return
        if not epa_id:
            return  # the business rules say it is required
        label = {SiteType.TSDF: "Designated Facility"}.get(role, role.value)
        message = (
            f"For {self.submission_type} submission type registered {role.value} Site Id must be "
            "provided"
            if role is SiteType.TRANSPORTER
            else f"Provided {label} ID is not registered in RCRAInfo"
        )
        self.findings.error(f"{where}.epaSiteId", message, epa_id)

    def _fill(
        self,
        where: str,
        handler: dict[str, Any],
        record: SiteRecord,
        role: SiteType,
        *,
        keeps_given_site: bool,
    ) -> None:
        registered = registered_fields(record, self.state.esign(record.epa_id), role)
        site_keys = ("name", "siteAddress", "mailingAddress")
        gives_whole_site = all(handler.get(key) for key in site_keys) and bool(
            (handler.get("contact") or {}).get("phone")
        )
        if keeps_given_site and gives_whole_site:
            modified = not all(_agrees(handler[key], registered.get(key)) for key in site_keys)
            handler |= {k: v for k, v in registered.items() if k not in site_keys}
            handler["modified"] = modified
        else:
            for key in site_keys:
                if key in handler and not _agrees(handler[key], registered.get(key)):
                    self.findings.warn(f"{where}.{key}", _REPLACED, handler[key])
            handler |= registered
        contact = handler.get("contact")
        fallback = registered_contact(record) or {}
        if not isinstance(contact, dict):
            if fallback:
                handler["contact"] = fallback
        elif not contact.get("phone") and fallback.get("phone"):
            contact["phone"] = fallback["phone"]
        if role in (SiteType.GENERATOR, SiteType.TSDF) and not handler.get("emergencyPhone"):
            phone = registered_emergency_phone(record)
            if phone is not None:
                handler["emergencyPhone"] = phone

    # -- Image manifests -------------------------------------------------------------------------

    def _image(self) -> None:
        """Only the submitting facility matters; what an Image manifest cannot carry is dropped."""
        for key in ("wastes", "importInfo", "residueNewManifestTrackingNumbers"):
            if self.document.get(key):
                self.findings.warn(path(key), "Provided Value will be Ignored.")
            self.document.pop(key, None)
        for key in ("residue", "import"):
            if self.document.get(key) is True:
                self.findings.warn(
                    path(key),
                    f"Provided Value will be Ignored. Emanifest.{key} = false will be assigned",
                    True,
                )
            self.document[key] = False
        submitter, _, _ = submitting_facility(self.document)
        alternate_submits = submitter is not None and submitter == (
            (self.document.get("rejectionInfo") or {}).get("alternateDesignatedFacility") or {}
        ).get("epaSiteId")
        if not alternate_submits and (
            self.document.get("rejection") or "rejectionInfo" in self.document
        ):
            if self.document.get("rejection"):
                self.findings.warn(
                    path("rejection"),
                    "Provided Value will be Ignored. Emanifest.rejection = false will be assigned",
                    True,
                )
            self.document.pop("rejectionInfo", None)
            self.document["rejection"] = False
        for key, role in (("designatedFacility", SiteType.TSDF), ("broker", SiteType.BROKER)):
            handler = self.document.get(key)
            if isinstance(handler, dict):
                record = self.state.site(str(handler.get("epaSiteId")))
                if record is not None:
                    self._fill(path(key), handler, record, role, keeps_given_site=False)
        alternate = (self.document.get("rejectionInfo") or {}).get("alternateDesignatedFacility")
        if isinstance(alternate, dict):
            record = self.state.site(str(alternate.get("epaSiteId")))
            if record is not None:
                where = path("rejectionInfo", "alternateDesignatedFacility")
                self._fill(where, alternate, record, SiteType.TSDF, keeps_given_site=False)
        self._image_generator(submitter)

    def _image_generator(self, submitter: str | None) -> None:
        generator = self.document.get("generator")
        record = (
            self.state.site(str(generator.get("epaSiteId")))
            if isinstance(generator, dict)
            else None
        )
        signature = (generator or {}).get("paperSignatureInfo") or {}
        provided = (
            isinstance(generator, dict)
            and record is not None
            and bool(signature.get("signatureDate"))
        )
        if isinstance(generator, dict) and record is not None:
            self._fill(
                path("generator"), generator, record, SiteType.GENERATOR, keeps_given_site=True
            )
            if not signature.get("printedName"):
                self.findings.warn(
                    path("generator", "paperSignatureInfo", "printedName"), "Field is not Provided"
                )
        if not provided:
            self.findings.warn(path("generator"), _IMAGE_GENERATOR_WARNING)
            if isinstance(generator, dict) and generator.get("epaSiteId") != submitter:
                self.document.pop("generator")
        self.document["provideImageGeneratorInfo"] = provided

    # -- signatures and waste lines --------------------------------------------------------------

    def _paper_signatures(self) -> None:
        """Paper signatures belong to paper manifests, and to a Hybrid manifest's generator."""
        kind = self.submission_type
        if kind not in ("FullElectronic", "Hybrid"):
            return
        parties: list[tuple[str, Any]] = [(path("generator"), self.document.get("generator"))]
        parties += [
            (path("transporters", i), t)
            for i, t in enumerate(self.document.get("transporters") or [])
        ]
        parties.append((path("designatedFacility"), self.document.get("designatedFacility")))
        for where, handler in parties:
            if not isinstance(handler, dict) or "paperSignatureInfo" not in handler:
                continue
            if kind == "Hybrid" and where == path("generator"):
                continue
            self.findings.warn(
                f"{where}.paperSignatureInfo",
                "Provided Field will be ignored. Paper Signature Information is not applicable "
                f"for {kind} submission type",
                handler["paperSignatureInfo"],
            )
            del handler["paperSignatureInfo"]

    def _wastes(self) -> None:
        federal = dict(lookups.federal_waste_codes())
        electronic = self.submission_type in ("FullElectronic", "Hybrid")
        for index, waste in enumerate(self.document.get("wastes") or []):
            if not isinstance(waste, dict):
                continue
            code = ((waste.get("dotInformation") or {}).get("idNumber") or {}).get("code")
            if (
                isinstance(code, str)
                and _DOT_ID.fullmatch(code)
                and code not in lookups.dot_id_number_set()
            ):
                self.findings.error(
                    path("wastes", index, "dotInformation", "idNumber", "code"), _NOT_FOUND, code
                )
            codes = (waste.get("hazardousWaste") or {}).get("federalWasteCodes") or []
            for position, entry in enumerate(codes):
                value = entry.get("code") if isinstance(entry, dict) else None
                if isinstance(value, str) and value not in federal:
                    self.findings.warn(
                        path(
                            "wastes", index, "hazardousWaste", "federalWasteCodes", position, "code"
                        ),
                        "Provided Value is not Found in the sandbox's federal waste code lookup",
                        value,
                    )
            if electronic and waste.get("epaWaste") and "managementMethod" not in waste:
                self.findings.warn(
                    path("wastes", index, "managementMethod", "code"), "Field is Not Provided"
                )

    def _import(self) -> None:
        port = ((self.document.get("importInfo") or {}).get("portOfEntry")) or {}
        if not port:
            return
        known = {(p["cityPort"].upper(), p["state"]["code"]) for p in lookups.ports_of_entry()}
        city, state = str(port.get("cityPort", "")).upper(), (port.get("state") or {}).get("code")
        if (city, state) not in known:
            self.findings.warn(
                path("importInfo", "portOfEntry"),
                "Provided Value is not Found in the ports-of-entry lookup",
                port,
            )

    # -- EPA's content rules, as the sandbox reads them ----------------------------------------

    def _epa_rules(self) -> None:
        reported = {p.field for p in self.findings.errors}
        found = [
            *rules.submission_findings(
                self.document, saving=self.stored is None, receiving=self.receiving
            ),
            *rules.document_findings(self.document, self.now),
            *rules.drop_long_comments(self.document),
        ]
        for finding in found:
            field = path(finding.field)
            if finding.warning:
                self.findings.warn(field, finding.message)
            elif field not in reported:  # one error a field: the review's own comes first
                reported.add(field)
                self.findings.error(field, finding.message)

    def _derived_flags(self) -> None:
        if self.submission_type == "Image":
            return
        infos = [
            w.get("discrepancyResidueInfo") or {}
            for w in self.document.get("wastes") or []
            if isinstance(w, dict)
        ]
        self.document["discrepancy"] = any(
            i.get("wasteQuantity") or i.get("wasteType") for i in infos
        )
        self.document["residue"] = any(i.get("residue") for i in infos)


def _agrees(given: Any, registered: Any) -> bool:
    """Whether what the caller gave says the same as RCRAInfo (it may leave parts out)."""
    if isinstance(given, dict) and isinstance(registered, dict):
        return all(
            key in registered and _agrees(value, registered[key]) for key, value in given.items()
        )
    if isinstance(given, str) and isinstance(registered, str):
        return given.strip().upper() == registered.strip().upper()
    return bool(given == registered)


def _stored_handlers(document: ManifestDocument) -> list[dict[str, Any]]:
    handlers = [document.get(key) for key in ("generator", "designatedFacility")]
    handlers.extend(document.get("transporters") or [])
    return [h for h in handlers if isinstance(h, dict)]


_KEY_ORDER = (
    "createdDate", "updatedDate", "manifestTrackingNumber", "status", "submissionType",
    "originType",
)  # fmt: skip


def _ordered(document: ManifestDocument) -> ManifestDocument:
    """System fields first, as e-Manifest answers; the rest in the order it was sent."""
    head = {key: document[key] for key in _KEY_ORDER if key in document}
    return head | {key: value for key, value in document.items() if key not in head}
