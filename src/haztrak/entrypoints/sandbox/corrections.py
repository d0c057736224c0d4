"""Corrections: `PUT …/manifest/correct`, `GET …/manifest/revert/{mtn}`,
`GET …/manifest/correction-details/{mtn}` and `POST …/manifest/correction-version`, and the
signature of a version under correction (Quicker Sign of an UnderCorrection manifest).

A manifest's versions are kept oldest first; the last is the current (active) one and is the
manifest the other services answer with. A manifest never corrected has one version, its
Signed one (seeded Corrected and UnderCorrection manifests have the Signed one before them).
When to allow what is the sandbox's own reading of EPA's rules (`rules.check_correct`,
`rules.check_revert`, `rules.correction_signer`).
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from haztrak.domain.manifest.datetimes import format_epa_datetime
from haztrak.entrypoints.sandbox import rules
from haztrak.entrypoints.sandbox.errors import Findings, RcraError, report
from haztrak.entrypoints.sandbox.manifests import _shape, check_tracking_number, stored_manifest
from haztrak.entrypoints.sandbox.review import path
from haztrak.entrypoints.sandbox.schema import schema_problems
from haztrak.entrypoints.sandbox.state import ManifestDocument, SandboxState, handler_site_ids
from haztrak.entrypoints.sandbox.users import Level, RcraUser

BAD_REQUEST = 400
NOT_FOUND = 404
OK = 200
VERSION_SCHEMA = "emanifest-correction-version.json"


def _author(user: RcraUser) -> dict[str, str]:
    return {"userId": user.user_id, "firstName": user.first_name, "lastName": user.last_name}


def history(state: SandboxState, mtn: str, current: ManifestDocument) -> list[ManifestDocument]:
    """The manifest's versions, oldest first (a copy): kept ones, or those its status implies."""
    with state.lock:
        kept = state.versions.get(mtn)
        if kept is not None:
            return copy.deepcopy(kept)
    status = current.get("status")
    if status not in rules.CORRECTABLE:
        return []
    facility = current.get("designatedFacility") or {}
    signatures = facility.get("electronicSignaturesInfo") or []
    signed = copy.deepcopy(current)
    signed["status"] = "Signed"
    first: ManifestDocument = {
        "versionNumber": 1,
        "status": "Signed",
        "epaSiteId": facility.get("epaSiteId"),
        "createdDate": current.get("createdDate"),
        "updatedDate": current.get("receivedDate") or current.get("updatedDate"),
        "electronicSignaturesInfo": copy.deepcopy(signatures[-1:]),
        "document": signed,
    }
    if status == "Signed":
        first["document"] = copy.deepcopy(current)
        return [first]
    correction = current.get("correctionInfo") or {}
    last: ManifestDocument = {
        "versionNumber": max(int(correction.get("versionNumber") or 2), 2),
        "status": status,
        "epaSiteId": correction.get("epaSiteId"),
        "createdDate": current.get("updatedDate"),
        "updatedDate": current.get("updatedDate"),
        "document": copy.deepcopy(current),
    }
    return [first, last]


def _summary(version: ManifestDocument, active: bool) -> dict[str, Any]:
    """A version as correction details lists it (`EmanifestVersion`)."""
    entry = {k: v for k, v in version.items() if k != "document" and v is not None}
    entry["active"] = active
    return entry


def _site_of(user: RcraUser, document: ManifestDocument) -> str | None:
    """The caller's best site on the manifest (the site a correction is credited to)."""
    sites = sorted(handler_site_ids(document), key=lambda s: -int(user.emanifest_level(s)))
    return sites[0] if sites and user.emanifest_level(sites[0]) > Level.NONE else None


def correct(
    state: SandboxState, user: RcraUser, document: Any, attachment: bytes | None
) -> tuple[int, dict[str, Any]]:
    """`PUT v1/emanifest/manifest/correct`: a new version UnderCorrection (CorrectionCreated),
    or the version under correction changed (CorrectionUpdated)."""
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
        try:
            rules.check_correct(stored)
        except rules.Refused as refused:
            if refused.code is not None:
                raise RcraError(refused.code, str(refused)) from None
            findings = Findings()
            findings.error(path("status"), str(refused), stored.get("status"))
            return BAD_REQUEST, report("Failed", now, tracking_number=mtn, findings=findings)
        corrected = rules.corrected_document(stored, document)
        corrected["status"] = "UnderCorrection"
        findings = Findings()
        for finding in rules.document_findings(corrected, now):
            add = findings.warn if finding.warning else findings.error
            add(path(finding.field), finding.message)
        if not findings.ok:
            return BAD_REQUEST, report("Failed", now, tracking_number=mtn, findings=findings)
        versions = history(state, mtn, stored)
        last = versions[-1]
        updating = stored.get("status") == "UnderCorrection"
        number = int(last["versionNumber"]) + (0 if updating else 1)
        when = format_epa_datetime(state.write_time())
        site = _site_of(user, stored)
        corrected["updatedDate"] = when
        corrected["lastUpdatedBy"] = _author(user)
        corrected["correctionInfo"] = {
            "versionNumber": number,
            "active": True,
            "epaSiteId": site,
            "initiatorRole": "Industry",
            "updateRole": "Industry",
        }
        version: ManifestDocument = {
            "versionNumber": number,
            "status": "UnderCorrection",
            "epaSiteId": site,
            "createdDate": last["createdDate"] if updating else when,
            "updatedDate": when,
            "updatedBy": _author(user),
            "document": corrected,
        }
        versions = [*versions[:-1], version] if updating else [*versions, version]
        state.put_manifest(mtn, corrected, attachment, versions=versions)
    answer = report(
        "CorrectionUpdated" if updating else "CorrectionCreated",
        now,
        tracking_number=mtn,
        findings=findings,
    )
    answer["currentVersionNumber"] = number
    return OK, answer


def revert(state: SandboxState, user: RcraUser, mtn: str) -> dict[str, Any]:
    """`GET v1/emanifest/manifest/revert/{mtn}`: the version under correction is dropped and the
    one before is current again (E_NoVersionForUnderCorrectionStatus when there is none)."""
    with state.lock:
        stored = stored_manifest(state, user, mtn, Level.PREPARER)
        try:
            rules.check_revert(stored)
        except rules.Refused as refused:
            raise RcraError(refused.code or "E_SystemError", str(refused)) from None
        versions = history(state, mtn, stored)[:-1]
        previous = versions[-1]
        current = copy.deepcopy(previous["document"])
        current["updatedDate"] = format_epa_datetime(state.write_time())
        previous["document"] = current
        state.put_manifest(mtn, current, versions=versions)
    answer = report("Reverted", state.now(), tracking_number=mtn)
    answer["currentVersionNumber"] = previous["versionNumber"]
    return answer


def correction_details(state: SandboxState, user: RcraUser, mtn: str) -> dict[str, Any]:
    """`GET v1/emanifest/manifest/correction-details/{mtn}`: every version, oldest first."""
    document = stored_manifest(state, user, mtn)
    versions = history(state, mtn, document)
    return {
        "manifestTrackingNumber": mtn,
        "emanifestVersions": [
            _summary(v, active=i == len(versions) - 1) for i, v in enumerate(versions)
        ],
    }


def correction_version(state: SandboxState, user: RcraUser, criteria: Any) -> dict[str, Any]:
    """`POST v1/emanifest/manifest/correction-version`: one version's content, by its number,
    else the newest with the status asked for, else the current one."""
    problems = schema_problems(criteria, VERSION_SCHEMA, root="CorrectionVersion")
    if problems:
        raise RcraError("E_SystemError", f"{problems[0].message}: {problems[0].field}")
    mtn = check_tracking_number(criteria["manifestTrackingNumber"])
    document = stored_manifest(state, user, mtn)
    versions = history(state, mtn, document)
    number, status = criteria.get("versionNumber"), criteria.get("status")
    found = [
        v
        for v in versions
        if (number is None or v["versionNumber"] == number)
        and (status is None or v["status"] == status)
    ]
    if not found:
        raise RcraError(
            "E_ManifestVersionNotFound",
            "Manifest version with the provided criteria was not found",
            NOT_FOUND,
        )
    chosen: dict[str, Any] = found[-1]["document"]
    return chosen


def sign(
    state: SandboxState,
    user: RcraUser,
    mtn: str,
    stored: ManifestDocument,
    turn: rules.Turn,
    site_id: str,
    signature: dict[str, Any],
    signed_at: datetime,
) -> ManifestDocument:
    """Sign the version under correction (held under the state's lock by the caller): the
    version is Corrected, credited to the site. Raises rules.Refused."""
    rules.correction_signer(stored, site_id, turn)
    if signed_at.date() > state.now().date():
        raise rules.Refused("Signature Date cannot be in the future")
    versions = history(state, mtn, stored)
    document = copy.deepcopy(stored)
    document["status"] = "Corrected"
    document["updatedDate"] = format_epa_datetime(state.write_time())
    info = dict(document.get("correctionInfo") or {})
    info.update({"electronicSignatureInfo": signature, "epaSiteId": site_id, "active": True})
    document["correctionInfo"] = info
    last = versions[-1]
    last.update(
        {
            "status": "Corrected",
            "epaSiteId": site_id,
            "updatedDate": document["updatedDate"],
            "updatedBy": _author(user),
            "electronicSignaturesInfo": [signature],
            "document": document,
        }
    )
    state.put_manifest(mtn, document, versions=versions)
    return document


def set_lock(state: SandboxState, mtn: str, reason: str | None) -> dict[str, Any]:
    """Lock a manifest as e-Manifest does (`AsyncSign`: in the signing queue;
    `EpaChangeBiller`; `EpaCorrection`), or unlock it (None): a control of the sandbox's own,
    so that what waits on a lock can be seen."""
    if reason is not None and reason not in rules.LOCK_CODES:
        raise ValueError(f"lockReason must be one of {', '.join(rules.LOCK_CODES)}")
    with state.lock:
        document = state.manifest_copy(check_tracking_number(mtn))
        if document is None:
            raise KeyError(mtn)
        if reason is None:
            document.pop("locked", None)
            document.pop("lockReason", None)
        else:
            document["locked"] = True
            document["lockReason"] = reason
        state.put_manifest(mtn, document)
    return {"manifestTrackingNumber": mtn, "locked": reason is not None, "lockReason": reason}
