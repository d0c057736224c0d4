"""Quicker Sign: `POST v1/emanifest/manifest/quicker-sign`.

Whose turn it is and what a signature does to the status are the sandbox's own reading of
EPA's rules (`rules.check_signature`, `rules.record_signature`); this module checks the request
as e-Manifest does, dates the signature noon UTC of the printed date (with EPA's warning) and
answers with EPA's quicker-sign report (`quicker-sign-return.json`).
"""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, time
from typing import Any

import msgspec

from haztrak.domain.manifest.datetimes import format_epa_datetime, parse_epa_datetime
from haztrak.entrypoints.sandbox import corrections, rules
from haztrak.entrypoints.sandbox.errors import MAX_MESSAGE, RcraError
from haztrak.entrypoints.sandbox.review import site_permission_error
from haztrak.entrypoints.sandbox.schema import QUICKER_SIGN_SCHEMA, schema_problems
from haztrak.entrypoints.sandbox.state import SandboxState, user_level_on
from haztrak.entrypoints.sandbox.users import Level, RcraUser

MAX_PRINTED_NAME = 80
BAD_REQUEST = 400
OK = 200
_REPORT_SITE_TYPES = {"RejectionInfo_AlternateTsdf": "RejectionInfoAlternateTsdf"}


class SignRequest(msgspec.Struct, kw_only=True, rename="camel"):
    site_id: str
    site_type: str
    printed_signature_name: str
    printed_signature_date: str
    manifest_tracking_numbers: list[str]
    transporter_order: int | None = None


def quicker_sign(state: SandboxState, user: RcraUser, body: Any) -> tuple[int, dict[str, Any]]:
    request = _request(body)
    if request.site_type == "Transporter" and request.transporter_order is None:
        raise RcraError(
            "E_SystemError", "Transporter Order is required when site type is Transporter"
        )
    printed_at = _printed_date(request.printed_signature_date)
    if user.emanifest_level(request.site_id) < Level.CERTIFIER or not user.can_esign:
        raise site_permission_error()

    warnings: list[dict[str, str]] = []
    name = request.printed_signature_name.strip()
    signer_report: dict[str, Any] = {}
    if not name:
        signer_report["signerError"] = {
            "message": "Printed Signature Name is required",
            "field": "printedSignatureName",
        }
    elif len(name) > MAX_PRINTED_NAME:
        name = name[:MAX_PRINTED_NAME]
        warnings.append(
            {
                "field": "printedSignatureName",
                "message": "Printed Signature Name must be 80 characters or less",
                "value": request.printed_signature_name,
            }
        )
    noon = datetime.combine(printed_at.date(), time(12), tzinfo=UTC)
    if printed_at != noon:
        warnings.append(
            {
                "field": "printedSignatureDate",
                "message": (
                    "Printed Signature Date is set to noon UTC of the day of the provided date"
                ),
                "value": request.printed_signature_date,
            }
        )

    reports = []
    signed = 0
    for mtn in request.manifest_tracking_numbers:
        if "signerError" in signer_report:
            break
        outcome = _sign_one(state, user, request, name, noon, mtn)
        signed += "manifestSigned" in outcome
        reports.append(outcome)
    now = state.now()
    signer_report |= {
        "printedSignatureName": name,
        "printedSignatureDate": format_epa_datetime(noon),
        "electronicSignatureDate": format_epa_datetime(now),
        "firstName": user.first_name,
        "lastName": user.last_name,
        "userId": user.user_id,
        "warnings": warnings,
    }
    site_report: dict[str, Any] = {
        "siteId": request.site_id,
        "siteType": _REPORT_SITE_TYPES.get(request.site_type, request.site_type),
    }
    if request.transporter_order is not None:
        site_report["transporterOrder"] = request.transporter_order
    total = len(request.manifest_tracking_numbers)
    if total and signed == total:
        status = "AllSigned"
    elif signed:
        status = "PartiallySigned"
    else:
        status = "Failed"
    document = {
        "reportId": str(uuid.uuid4()),
        "date": format_epa_datetime(now),
        "operationStatus": status,
        "manifestReports": reports,
        "signerReport": signer_report,
        "siteReport": site_report,
    }
    return (BAD_REQUEST if status == "Failed" else OK), document


def _request(body: Any) -> SignRequest:
    problems = schema_problems(body, QUICKER_SIGN_SCHEMA, root="ManifestsForSign")
    if problems:
        first = problems[0]
        raise RcraError("E_SystemError", f"{first.message}: {first.field}")
    return msgspec.convert(body, SignRequest)


def _printed_date(text: str) -> datetime:
    try:
        return parse_epa_datetime(text)
    except ValueError:
        raise RcraError(
            "E_SystemError",
            f'String "{text}" is invalid against requested date format(s) '
            f"[yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.SSSZ]: {text}",
        ) from None


def _sign_one(
    state: SandboxState,
    user: RcraUser,
    request: SignRequest,
    printed_name: str,
    signed_at: datetime,
    mtn: str,
) -> dict[str, Any]:
    def refused(message: str) -> dict[str, Any]:
        return {
            "manifestTrackingNumber": mtn,
            "manifestError": {
                "message": message[:MAX_MESSAGE],
                "field": "manifestTrackingNumber",
                "value": mtn,
            },
        }

    with state.lock:
        stored = state.manifests.get(mtn)
        if stored is None or user_level_on(user, stored) is Level.NONE:
            return refused("Manifest not found")
        order = request.transporter_order if request.site_type == "Transporter" else None
        turn = rules.Turn(request.site_type, order)
        signature = {
            "signer": {
                "userId": user.user_id,
                "firstName": user.first_name,
                "lastName": user.last_name,
            },
            "signatureDate": format_epa_datetime(signed_at),
            "signerRole": "Industry",
            "signatureMethod": "QuickerSign",
        }
        if stored.get("status") == "UnderCorrection":  # the version under correction
            try:
                document = corrections.sign(
                    state, user, mtn, stored, turn, request.site_id, signature, signed_at
                )
            except rules.Refused as error:
                return refused(f"The correction cannot be signed by {request.site_id}: {error}")
            return {
                "manifestTrackingNumber": mtn,
                "manifestSigned": {
                    "message": f"Correction signed by {request.site_type} {request.site_id}; "
                    f"status is {document.get('status')}"
                },
            }
        try:
            rules.check_signature(stored, turn, request.site_id, signed_at, state.now())
        except rules.Refused as error:
            return refused(
                f"Manifest is not ready to be quick signed by handler {request.site_id}: {error}"
            )
        document = copy.deepcopy(stored)
        rules.record_signature(document, turn, signature)
        _attach_copy_of_record(document)
        document["updatedDate"] = format_epa_datetime(state.write_time())
        state.put_manifest(mtn, document)
    return {
        "manifestTrackingNumber": mtn,
        "manifestSigned": {
            "message": f"Signed by {request.site_type} {request.site_id}; "
            f"status is {document.get('status')}"
        },
    }


def _attach_copy_of_record(document: dict[str, Any]) -> None:
    """e-Manifest renders a human-readable copy of record for every electronic signature."""
    handlers = [document.get("generator"), document.get("designatedFacility")]
    handlers += document.get("transporters") or []
    for handler in handlers:
        if not isinstance(handler, dict):
            continue
        for signature in handler.get("electronicSignaturesInfo") or []:
            if signature.get("signatureDate") and "humanReadableDocument" not in signature:
                signature["humanReadableDocument"] = {
                    "name": "human-readable.html",
                    "size": 1024,
                    "mimeType": "TEXT_HTML",
                }
