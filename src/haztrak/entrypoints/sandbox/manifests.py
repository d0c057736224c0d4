"""The e-Manifest manifest services: get, exists, search, tracking numbers, save, update,
delete, available-to-sign and attachments (corrections: `corrections`).

Status rules are the sandbox's own reading of EPA's (`rules`); what is checked on save and
update is in `review`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from haztrak.domain.manifest.datetimes import parse_epa_datetime
from haztrak.domain.manifest.tracking_numbers import is_tracking_number
from haztrak.entrypoints.sandbox import lookups, rules
from haztrak.entrypoints.sandbox import receiving as receipt
from haztrak.entrypoints.sandbox.documents import single_pdf, zip_files
from haztrak.entrypoints.sandbox.errors import Findings, RcraError, report
from haztrak.entrypoints.sandbox.review import (
    Review,
    authorize_submission,
    is_paper,
    path,
    site_permission_error,
)
from haztrak.entrypoints.sandbox.schema import SEARCH_SCHEMA, schema_problems
from haztrak.entrypoints.sandbox.sites import check_site_id, check_state_code, parse_site_type
from haztrak.entrypoints.sandbox.state import (
    ManifestDocument,
    SandboxState,
    handler_site_ids,
    user_level_on,
)
from haztrak.entrypoints.sandbox.users import Level, RcraUser

BAD_REQUEST = 400
NOT_FOUND = 404
OK = 200
DATE_FIELDS = {
    "CertifiedDate": "certifiedDate",
    "ReceivedDate": "receivedDate",
    "ShippedDate": "shippedDate",
    "UpdatedDate": "updatedDate",
}


# -- reading --------------------------------------------------------------------------------------


def check_tracking_number(mtn: str) -> str:
    """EPA's tracking-number checks on get, delete and friends: format, then suffix."""
    if not is_tracking_number(mtn):
        raise RcraError(
            "E_InvalidManifestTrackingNumber",
            "Provided Manifest Tracking Number has invalid format",
        )
    if mtn[9:] not in lookups.codes_of(lookups.MTN_SUFFIXES):
        raise RcraError(
            "E_InvalidManifestTrackingNumberSuffix",
            "Provided Manifest Tracking Number has invalid suffix",
        )
    return mtn


def stored_manifest(
    state: SandboxState, user: RcraUser, mtn: str, level: Level = Level.VIEWER
) -> ManifestDocument:
    """A copy of the manifest, if it exists and the user holds `level` on one of its sites."""
    check_tracking_number(mtn)
    document = state.manifest_copy(mtn)
    if document is None:
        raise RcraError(
            "E_ManifestTrackingNumberNotFound",
            "Provided Manifest Tracking Number was not found",
            NOT_FOUND,
        )
    if user_level_on(user, document) < level:
        raise site_permission_error()
    return document


def mtn_exists(state: SandboxState, mtn: str) -> dict[str, Any]:
    check_tracking_number(mtn)
    document = state.manifest_copy(mtn)
    if document is None:
        return {"manifestTrackingNumber": mtn, "result": False}
    return {
        "manifestTrackingNumber": mtn,
        "status": document.get("status"),
        "submissionType": document.get("submissionType"),
        "originType": document.get("originType"),
        "result": True,
    }


def site_tracking_numbers(state: SandboxState, user: RcraUser, site_id: str) -> list[str]:
    check_site_id(site_id)
    if state.site(site_id) is None:
        raise RcraError(
            "E_SiteIdNotFound", "Site with the provided Site ID is not found", NOT_FOUND
        )
    if user.emanifest_level(site_id) is Level.NONE:
        raise site_permission_error()
    return sorted(
        document["manifestTrackingNumber"]
        for document in state.visible_manifests(user)
        if site_id in handler_site_ids(document) and document.get("status") != "NotAssigned"
    )


def site_ids(state: SandboxState, state_code: str, site_type: str) -> list[str]:
    code = check_state_code(state_code)
    kind = parse_site_type(site_type)
    return sorted(
        epa_id
        for epa_id, record in state.sites.items()
        if record.state_code == code and record.site_type is kind
    )


# -- search ---------------------------------------------------------------------------------------


def search(state: SandboxState, user: RcraUser, criteria: Any) -> list[str]:
    """`POST v1/emanifest/search`: the tracking numbers of the user's manifests that match."""
    problems = schema_problems(criteria, SEARCH_SCHEMA, root="SearchManifest")
    if problems:
        raise RcraError("E_SystemError", f"{problems[0].message}: {problems[0].field}")
    if not criteria.get("stateCode") and not criteria.get("siteId"):
        raise RcraError(
            "E_SearchParameterRequiredStateCodeorSiteId",
            "Missing required search parameter State Code or Site ID",
        )
    state_code = check_state_code(criteria["stateCode"]) if criteria.get("stateCode") else None
    site_id = criteria.get("siteId")
    if site_id:
        check_site_id(site_id)
        if state.site(site_id) is None:
            raise RcraError(
                "E_SiteIsNotFound", "Site with Provided Site ID is not Found", NOT_FOUND
            )
    start, end = _date_range(criteria)
    status = criteria.get("status")
    if status == "SignedComplete":
        status = "Signed"
    matches = []
    for document in state.visible_manifests(user):
        parties = _parties(document, criteria.get("siteType"), criteria.get("transporterOrder"))
        if site_id and not any(h.get("epaSiteId") == site_id for h in parties):
            continue
        if state_code and not any(_state_of(h) == state_code for h in parties):
            continue
        if status and document.get("status") != status:
            continue
        submission_type = criteria.get("submissionType")
        if submission_type and document.get("submissionType") != submission_type:
            continue
        if not _in_range(document, criteria.get("dateType"), start, end):
            continue
        if not _matches_correction_request(document, criteria.get("correctionRequestStatus")):
            continue
        if not _matches_comments(document, criteria.get("comments") or []):
            continue
        matches.append(document["manifestTrackingNumber"])
    return sorted(matches)


def parse_search_date(text: str, field: str) -> datetime:
    """EPA's date-times; a search date without an offset is taken as UTC."""
    try:
        return parse_epa_datetime(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RcraError(
            "E_SystemError",
            f'String "{text}" is invalid against requested date format(s) '
            f"[yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.SSSZ]: {field}",
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _date_range(criteria: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    start = criteria.get("startDate")
    end = criteria.get("endDate")
    return (
        parse_search_date(start, "startDate") if start else None,
        parse_search_date(end, "endDate") if end else None,
    )


def _parties(
    document: ManifestDocument, site_type: str | None, transporter_order: int | None
) -> list[dict[str, Any]]:
    generator = document.get("generator")
    facility = document.get("designatedFacility")
    transporters = [t for t in document.get("transporters") or [] if isinstance(t, dict)]
    if transporter_order is not None:
        transporters = [t for t in transporters if t.get("order") == transporter_order]
    chosen: list[Any]
    if site_type == "Generator":
        chosen = [generator]
    elif site_type == "Tsdf":
        chosen = [facility]
    elif site_type == "Transporter":
        chosen = list(transporters)
    else:
        chosen = [generator, facility, *transporters]
    return [h for h in chosen if isinstance(h, dict)]


def _state_of(handler: dict[str, Any]) -> str | None:
    """The handler's location state, or the state its EPA ID begins with."""
    state = (handler.get("siteAddress") or {}).get("state") or {}
    code = state.get("code")
    if isinstance(code, str):
        return code
    epa_id = handler.get("epaSiteId")
    return epa_id[:2] if isinstance(epa_id, str) else None


def _in_range(
    document: ManifestDocument, date_type: str | None, start: datetime | None, end: datetime | None
) -> bool:
    if date_type is None or (start is None and end is None):
        return True
    if date_type == "QuickSignDate":
        moments = [
            signature.get("signatureDate")
            for handler in _signers(document)
            for signature in handler.get("electronicSignaturesInfo") or []
            if signature.get("signatureMethod") == "QuickerSign"
        ]
        text = max((m for m in moments if isinstance(m, str)), default=None, key=parse_epa_datetime)
    else:
        text = document.get(DATE_FIELDS[date_type])
    if not isinstance(text, str):
        return False
    moment = parse_epa_datetime(text)
    return (start is None or moment >= start) and (end is None or moment <= end)


def _signers(document: ManifestDocument) -> list[dict[str, Any]]:
    handlers = [document.get("generator"), document.get("designatedFacility")]
    handlers += document.get("transporters") or []
    return [h for h in handlers if isinstance(h, dict)]


def _matches_correction_request(document: ManifestDocument, wanted: str | None) -> bool:
    if wanted is None:
        return True
    return any(
        request.get("correctionRequestStatus") == wanted
        for request in document.get("correctionRequests") or []
    )


def _matches_comments(document: ManifestDocument, wanted: list[dict[str, Any]]) -> bool:
    if not wanted:
        return True
    comments = (document.get("additionalInfo") or {}).get("comments") or []
    return all(
        any(all(comment.get(k) == v for k, v in criterion.items()) for comment in comments)
        for criterion in wanted
    )


# -- writing --------------------------------------------------------------------------------------


def save(
    state: SandboxState, user: RcraUser, document: Any, attachment: bytes | None
) -> tuple[int, dict[str, Any]]:
    """`POST v1/emanifest/manifest/save`: a Saved report with the new MTN, or a Failed one."""
    now = state.now()
    findings = _shape(document)
    if findings is not None:
        return BAD_REQUEST, report("Failed", now, findings=findings)
    authorize_submission(state, user, document, None)
    with state.lock:
        review = Review(state, user, document, attachment, now=now)
        findings = review.run()
        if not findings.ok:
            return BAD_REQUEST, report("Failed", now, findings=findings)
        if is_paper(review.document):
            mtn = str(review.document["manifestTrackingNumber"])
        else:
            mtn = state.allocate_tracking_number()
        state.put_manifest(mtn, review.finish(mtn, state.write_time()), attachment)
    return OK, report("Saved", now, tracking_number=mtn, findings=findings)


def update(
    state: SandboxState, user: RcraUser, document: Any, attachment: bytes | None
) -> tuple[int, dict[str, Any]]:
    """`PUT v1/emanifest/manifest/update`: the whole manifest again, under its MTN."""
    now = state.now()
    findings = _shape(document)
    if findings is not None:
        return BAD_REQUEST, report("Failed", now, findings=findings)
    mtn = document.get("manifestTrackingNumber")
    if not isinstance(mtn, str) or not mtn:
        findings = Findings()
        findings.error(path("manifestTrackingNumber"), "Mandatory Field is not Provided")
        return BAD_REQUEST, report("Failed", now, findings=findings)
    with state.lock:
        stored = stored_manifest(state, user, mtn, Level.PREPARER)
        receiving = rules.is_receipt(stored)
        ignored: list[tuple[str, str]] = []
        if receiving:  # the designated facility's receipt: only its fields are taken
            receipt.authorize_receipt(user, stored)
            document, ignored = receipt.receipt_document(stored, document)
        authorize_submission(state, user, document, stored)
        refusal = _refusal(stored, rules.check_receipt if receiving else rules.check_update)
        if refusal is not None:
            findings = Findings()
            findings.error(path("status"), refusal, stored.get("status"))
            return BAD_REQUEST, report("Failed", now, tracking_number=mtn, findings=findings)
        review = Review(
            state, user, document, attachment, now=now,
            stored=stored, stored_attachment=state.attachments.get(mtn), receiving=receiving,
        )  # fmt: skip
        findings = review.run()
        for field, message in ignored:
            findings.warn(field, message)
        if not findings.ok:
            return BAD_REQUEST, report("Failed", now, tracking_number=mtn, findings=findings)
        state.put_manifest(mtn, review.finish(mtn, state.write_time()), attachment)
    return OK, report("Updated", now, tracking_number=mtn, findings=findings)


def delete(state: SandboxState, user: RcraUser, mtn: str) -> dict[str, Any]:
    with state.lock:
        stored = stored_manifest(state, user, mtn, Level.PREPARER)
        _refusal(stored, rules.check_delete)  # its refusals carry EPA's error codes
        state.remove_manifest(mtn)
    return report("Deleted", state.now(), tracking_number=mtn)


def _shape(document: Any) -> Findings | None:
    """Schema problems, in EPA's words; None when the document has EPA's shape."""
    if not isinstance(document, dict):
        findings = Findings()
        findings.error(
            "Emanifest", "Instance type does not match: a manifest JSON object is expected"
        )
        return findings
    problems = schema_problems(document)
    if not problems:
        return None
    findings = Findings()
    findings.errors.extend(problems)
    return findings


def _refusal(stored: ManifestDocument, check: Callable[[ManifestDocument], None]) -> str | None:
    """Why EPA refuses the operation now, or None; a refusal with an error code (a lock, a
    delete) is an error document."""
    try:
        check(stored)
    except rules.Refused as refused:
        if refused.code is not None:
            raise RcraError(refused.code, str(refused)) from None
        return str(refused)
    return None


# -- signatures and versions ----------------------------------------------------------------------


def available_to_sign(state: SandboxState, user: RcraUser, mtn: str) -> dict[str, Any]:
    """Who has signed, whose turn it is, and whether the caller may sign now.

    RCRAInfo does not document this service's answer; this shape is the sandbox's.
    """
    document = stored_manifest(state, user, mtn)
    turn = rules.signing_turn(document)
    parties: list[tuple[str, dict[str, Any], int | None]] = []
    if isinstance(document.get("generator"), dict):
        parties.append(("Generator", document["generator"], None))
    for transporter in document.get("transporters") or []:
        parties.append(("Transporter", transporter, transporter.get("order")))
    if isinstance(document.get("designatedFacility"), dict):
        parties.append(("Tsdf", document["designatedFacility"], None))
    alternate = (document.get("rejectionInfo") or {}).get("alternateDesignatedFacility")
    if isinstance(alternate, dict):  # signs after the facility on a rejection (rules)
        parties.append((rules.ALTERNATE_TSDF, alternate, None))
    sites = []
    for site_type, handler, order in parties:
        is_next = turn is not None and turn == rules.Turn(site_type, order)
        site_id = handler.get("epaSiteId")
        entry: dict[str, Any] = {"siteId": site_id, "siteType": site_type}
        if order is not None:
            entry["transporterOrder"] = order
        signatures = handler.get("electronicSignaturesInfo") or []
        paper = handler.get("paperSignatureInfo") or {}
        entry["signed"] = bool(paper.get("signatureDate")) or any(
            s.get("signatureDate") for s in signatures
        )
        entry["availableToSign"] = is_next
        entry["userCanSign"] = bool(
            is_next
            and isinstance(site_id, str)
            and user.emanifest_level(site_id) >= Level.CERTIFIER
            and user.can_esign
        )
        sites.append(entry)
    next_entry: dict[str, Any] | None = None
    if turn is not None:
        next_entry = {"siteType": turn.site_type}
        if turn.order is not None:
            next_entry["transporterOrder"] = turn.order
    return {
        "manifestTrackingNumber": mtn,
        "status": document.get("status"),
        "submissionType": document.get("submissionType"),
        "nextSigner": next_entry,
        "sites": sites,
    }


# -- attachments ----------------------------------------------------------------------------------


def attachments(state: SandboxState, user: RcraUser, mtn: str) -> tuple[bytes, str]:
    """`GET .../manifest/{mtn}/attachments`: multipart/mixed, the manifest JSON then a zip."""
    document = stored_manifest(state, user, mtn)
    files: list[tuple[str, bytes]] = []
    uploaded = state.attachments.get(mtn)
    if uploaded is not None:
        pdf = single_pdf(uploaded)
        files.append(
            (str((document.get("printedDocument") or {}).get("name") or pdf.name), pdf.data)
        )
    for name, handler in _copy_of_record_parties(document):
        for signature in handler.get("electronicSignaturesInfo") or []:
            if signature.get("signatureDate"):
                files.append((name, _copy_of_record(mtn, handler, signature)))
                break
    boundary = uuid.uuid4().hex
    parts = [
        (b"Content-Type: application/json\r\n", json.dumps(document).encode()),
    ]
    if files:
        parts.append(
            (
                b"Content-Type: application/octet-stream\r\n"
                b'Content-Disposition: attachment; filename="attachments.zip"\r\n',
                zip_files(files),
            )
        )
    body = b"".join(
        b"--" + boundary.encode() + b"\r\n" + headers + b"\r\n" + content + b"\r\n"
        for headers, content in parts
    )
    body += b"--" + boundary.encode() + b"--\r\n"
    return body, f"multipart/mixed; boundary={boundary}"


def _copy_of_record_parties(document: ManifestDocument) -> list[tuple[str, dict[str, Any]]]:
    parties: list[tuple[str, dict[str, Any]]] = []
    if isinstance(document.get("generator"), dict):
        parties.append(("cor-g.html", document["generator"]))
    for transporter in document.get("transporters") or []:
        parties.append((f"cor-t-{transporter.get('order')}.html", transporter))
    if isinstance(document.get("designatedFacility"), dict):
        parties.append(("cor-tsdf.html", document["designatedFacility"]))
    return parties


def _copy_of_record(mtn: str, handler: dict[str, Any], signature: dict[str, Any]) -> bytes:
    signer = signature.get("signer") or {}
    return (
        "<!DOCTYPE html><html><head><title>Copy of record</title></head><body>"
        f"<h1>Manifest {mtn}</h1><p>Signed for {handler.get('epaSiteId')} by "
        f"{signer.get('firstName', '')} {signer.get('lastName', '')} ({signer.get('userId', '')}) "
        f"on {signature.get('signatureDate')}.</p><p>e-Manifest sandbox: not a legal record.</p>"
        "</body></html>"
    ).encode()
