"""EPA's UI-link service: `POST v1/links/emanifest` answers the address of an RCRAInfo
e-Manifest page for the caller's user, as a JSON string.

The sandbox's own reading of EPA's rules (NOTES §3.5), checked in EPA's order: `page` and
`epaSiteId` are required; a tracking number is required for View, Edit and Sign and not
allowed for the others; `filter` lists tracking numbers for Dashboard, BulkSign and
BulkQuickSign; `view` takes the values of its page. The user needs e-Manifest access to the
site; a manifest must exist, name the site, and (for Sign) wait for a signature. Refusals are
`{"errors": [{message, field, value}]}` with HTTP 400.
"""

from __future__ import annotations

import re
from typing import Any

from haztrak.entrypoints.sandbox import rules
from haztrak.entrypoints.sandbox.errors import RcraError
from haztrak.entrypoints.sandbox.review import site_permission_error
from haztrak.entrypoints.sandbox.state import SandboxState, handler_site_ids, user_level_on
from haztrak.entrypoints.sandbox.users import Level, RcraUser

LINK_ROOT = "/rcrainfo/action/industry/secured/e-manifest/links"
_SITE_ID = re.compile(r"^([A-Z][A-Z][A-Za-z0-9]{2,10})$")
_MTN = re.compile(r"^[0-9]{9}[A-Z]{3}$")
_ONE_MANIFEST = frozenset({"View", "Edit", "Sign"})
_VIEWS = {
    "Dashboard": {"Incoming", "Outgoing", "All", "Transporting", "Broker", "CorrectionRequests"},
    "BulkSign": {"Original", "Corrections", "CorrectionRequests"},
    "BulkQuickSign": {"Incoming", "Outgoing", "Transporting"},
}
_PAGES = ("Dashboard", "BulkSign", "BulkQuickSign", "View", "Edit", "Sign")
_SIGNABLE = frozenset({"Scheduled", "InTransit", "ReadyForSignature"})
_KNOWN = frozenset({"page", "epaSiteId", "manifestTrackingNumber", "filter", "view"})


class LinkRefused(Exception):
    def __init__(self, message: str, field: str, value: Any = None) -> None:
        super().__init__(message)
        self.entry = {"message": message, "field": field, "value": value}


def ui_link(state: SandboxState, user: RcraUser, body: Any, origin: str) -> str:
    """The page's address; raises LinkRefused (400, errors list) or RcraError (permissions)."""
    if not isinstance(body, dict):
        raise LinkRefused("The request body must be a JSON object", "body")
    for key in body:
        if key not in _KNOWN:
            raise LinkRefused(f"Unknown property {key}", str(key), body[key])
    page = body.get("page")
    if page not in _PAGES:
        raise LinkRefused(f"Page must be one of {', '.join(_PAGES)}", "page", page)
    site_id = body.get("epaSiteId")
    if not isinstance(site_id, str) or not _SITE_ID.fullmatch(site_id):
        raise LinkRefused("Invalid EPA Site Id", "epaSiteId", site_id)
    mtn = body.get("manifestTrackingNumber")
    if page in _ONE_MANIFEST and mtn is None:
        raise LinkRefused(
            f"Manifest Tracking Number is required for page {page}", "manifestTrackingNumber"
        )
    if page not in _ONE_MANIFEST and mtn is not None:
        raise LinkRefused(
            f"Manifest Tracking Number is not allowed for page {page}",
            "manifestTrackingNumber",
            mtn,
        )
    if mtn is not None and (not isinstance(mtn, str) or not _MTN.fullmatch(mtn)):
        raise LinkRefused("Invalid Manifest Tracking Number", "manifestTrackingNumber", mtn)
    numbers = body.get("filter")
    if numbers is not None:
        if page in _ONE_MANIFEST:
            raise LinkRefused(f"Filter is not allowed for page {page}", "filter")
        if not isinstance(numbers, list) or not all(
            isinstance(n, str) and _MTN.fullmatch(n) for n in numbers
        ):
            raise LinkRefused("Filter must list Manifest Tracking Numbers", "filter", numbers)
    view = body.get("view")
    if view is not None and view not in _VIEWS.get(page, set()):
        raise LinkRefused(f"Invalid view {view} for page {page}", "view", view)
    if user.emanifest_level(site_id) < Level.VIEWER:
        raise site_permission_error()
    path = f"{LINK_ROOT}/{site_id}/{page[0].lower()}{page[1:]}"
    if mtn is not None:
        _check_manifest(state, user, page, site_id, mtn)
        path += f"/{mtn}"
    query = []
    if numbers:
        query.append("filter=" + ",".join(numbers))
    if view:
        query.append(f"view={view}")
    return origin + path + ("?" + "&".join(query) if query else "")


def _check_manifest(state: SandboxState, user: RcraUser, page: str, site_id: str, mtn: str) -> None:
    with state.lock:
        stored = state.manifests.get(mtn)
        if stored is None or user_level_on(user, stored) is Level.NONE:
            raise RcraError("E_ManifestTrackingNumberNotFound", f"Manifest {mtn} not found", 404)
        if site_id not in handler_site_ids(stored):
            raise LinkRefused(
                f"Site {site_id} is not a handler on manifest {mtn}", "epaSiteId", site_id
            )
        status = stored.get("status")
        if page == "Sign":
            refusal = _sign_refusal(state, stored, site_id)
            if refusal is not None:
                raise LinkRefused(
                    f"Manifest {mtn} is not ready to be signed by {site_id}: {refusal}",
                    "manifestTrackingNumber",
                    mtn,
                )
        if page == "Edit" and status == "Signed":
            raise LinkRefused(
                f"Manifest {mtn} is signed: it can be corrected, not edited",
                "manifestTrackingNumber",
                mtn,
            )


def _sign_refusal(state: SandboxState, stored: dict[str, Any], site_id: str) -> str | None:
    """Why the site may not sign the manifest now (Quicker Sign's rules), or None."""
    if stored.get("status") not in _SIGNABLE:
        return f"its status is {stored.get('status')}"
    turns = []
    generator = stored.get("generator") or {}
    if generator.get("epaSiteId") == site_id:
        turns.append(rules.Turn("Generator"))
    for transporter in stored.get("transporters") or ():
        if isinstance(transporter, dict) and transporter.get("epaSiteId") == site_id:
            turns.append(rules.Turn("Transporter", transporter.get("order")))
    facility = stored.get("designatedFacility") or {}
    if facility.get("epaSiteId") == site_id:
        turns.append(rules.Turn("Tsdf"))
    now = state.now()
    reasons = []
    for turn in turns:
        try:
            rules.check_signature(stored, turn, site_id, now, now)
        except rules.Refused as refused:
            reasons.append(str(refused))
            continue
        return None
    return "; ".join(reasons) or "the site does not sign it"
