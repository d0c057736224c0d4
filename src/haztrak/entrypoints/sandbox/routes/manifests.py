"""The e-Manifest manifest services, as thin handlers over `manifests` and `signing`."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, delete, get, post, put

from haztrak.entrypoints.sandbox import corrections, manifests
from haztrak.entrypoints.sandbox.routes.common import json_body, json_object, submission
from haztrak.entrypoints.sandbox.signing import quicker_sign
from haztrak.entrypoints.sandbox.state import SandboxState
from haztrak.entrypoints.sandbox.users import RcraUser

OK = 200
BASE = "/emanifest"
AnyRequest = Request[Any, Any, Any]


@get(f"{BASE}/manifest/{{mtn:str}}", sync_to_thread=False)
def get_manifest(sandbox: SandboxState, user: RcraUser, mtn: str) -> dict[str, Any]:
    return manifests.stored_manifest(sandbox, user, mtn)


@get(f"{BASE}/manifest/{{mtn:str}}/attachments", sync_to_thread=False)
def get_attachments(sandbox: SandboxState, user: RcraUser, mtn: str) -> Response[bytes]:
    body, content_type = manifests.attachments(sandbox, user, mtn)
    return Response(body, media_type=content_type)


@get(f"{BASE}/manifest/mtn-exists/{{mtn:str}}", sync_to_thread=False)
def mtn_exists(sandbox: SandboxState, mtn: str) -> dict[str, Any]:
    return manifests.mtn_exists(sandbox, mtn)


@post(f"{BASE}/search", status_code=OK)
async def search(sandbox: SandboxState, user: RcraUser, request: AnyRequest) -> list[str]:
    return manifests.search(sandbox, user, await json_object(request))


@get(f"{BASE}/manifest-tracking-numbers/{{site_id:str}}", sync_to_thread=False)
def site_tracking_numbers(sandbox: SandboxState, user: RcraUser, site_id: str) -> list[str]:
    return manifests.site_tracking_numbers(sandbox, user, site_id)


@get(f"{BASE}/site-ids/{{state_code:str}}/{{site_type:str}}", sync_to_thread=False)
def site_ids(sandbox: SandboxState, state_code: str, site_type: str) -> list[str]:
    return manifests.site_ids(sandbox, state_code, site_type)


@post(f"{BASE}/manifest/save", status_code=OK)
async def save(sandbox: SandboxState, user: RcraUser, request: AnyRequest) -> Response[Any]:
    sent = await submission(request)
    status, report = manifests.save(sandbox, user, sent.document, sent.attachment)
    return Response(report, status_code=status)


@put(f"{BASE}/manifest/update", status_code=OK)
async def update(sandbox: SandboxState, user: RcraUser, request: AnyRequest) -> Response[Any]:
    sent = await submission(request)
    status, report = manifests.update(sandbox, user, sent.document, sent.attachment)
    return Response(report, status_code=status)


@delete(f"{BASE}/manifest/delete/{{mtn:str}}", status_code=OK, sync_to_thread=False)
def delete_manifest(sandbox: SandboxState, user: RcraUser, mtn: str) -> dict[str, Any]:
    return manifests.delete(sandbox, user, mtn)


@get(f"{BASE}/manifest/correction-details/{{mtn:str}}", sync_to_thread=False)
def correction_details(sandbox: SandboxState, user: RcraUser, mtn: str) -> dict[str, Any]:
    return corrections.correction_details(sandbox, user, mtn)


@put(f"{BASE}/manifest/correct", status_code=OK)
async def correct(sandbox: SandboxState, user: RcraUser, request: AnyRequest) -> Response[Any]:
    # A multipart body without its Content-Type (emanifest 5.1.0's correct_manifest) has no
    # boundary to read it by: it reads as a body that is not JSON (E_SystemError), as at EPA.
    sent = await submission(request)
    status, report = corrections.correct(sandbox, user, sent.document, sent.attachment)
    return Response(report, status_code=status)


@get(f"{BASE}/manifest/revert/{{mtn:str}}", sync_to_thread=False)
def revert(sandbox: SandboxState, user: RcraUser, mtn: str) -> dict[str, Any]:
    return corrections.revert(sandbox, user, mtn)


@post(f"{BASE}/manifest/correction-version", status_code=OK)
async def correction_version(
    sandbox: SandboxState, user: RcraUser, request: AnyRequest
) -> dict[str, Any]:
    return corrections.correction_version(sandbox, user, await json_body(request))


@get(f"{BASE}/manifest/available-to-sign/{{mtn:str}}", sync_to_thread=False)
def available_to_sign(sandbox: SandboxState, user: RcraUser, mtn: str) -> dict[str, Any]:
    return manifests.available_to_sign(sandbox, user, mtn)


@post(f"{BASE}/manifest/quicker-sign", status_code=OK)
async def sign(sandbox: SandboxState, user: RcraUser, request: AnyRequest) -> Response[Any]:
    status, report = quicker_sign(sandbox, user, await json_body(request))
    return Response(report, status_code=status)


ROUTES = [
    get_manifest, get_attachments, mtn_exists, search, site_tracking_numbers, site_ids, save,
    update, delete_manifest, correction_details, available_to_sign, sign,
    correct, revert, correction_version,
]  # fmt: skip
