"""What every RCRAInfo route shares: the bearer-token guard, the caller, and body parsing.

The `emanifest` client sends keyword bodies with no Content-Type header, so bodies are read
as JSON whatever the header says.
"""

from __future__ import annotations

import json
from typing import Any, cast

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State, UploadFile
from litestar.handlers import BaseRouteHandler

from haztrak.entrypoints.sandbox.auth import authenticate
from haztrak.entrypoints.sandbox.errors import RcraError
from haztrak.entrypoints.sandbox.state import SandboxState
from haztrak.entrypoints.sandbox.users import RcraUser

AnyRequest = Request[Any, Any, Any]
REST_PREFIX = "/rest/api/v1"


def sandbox_of(state: State) -> SandboxState:
    return cast(SandboxState, state.sandbox)


def provide_sandbox(state: State) -> SandboxState:
    return sandbox_of(state)


def require_token(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Every service but auth needs a live bearer token; its user rides on the request."""
    sandbox = sandbox_of(connection.app.state)
    connection.state.rcra_user = authenticate(sandbox, connection.headers.get("authorization"))


def provide_user(request: AnyRequest) -> RcraUser:
    return cast(RcraUser, request.state.rcra_user)


async def json_body(request: AnyRequest) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise RcraError("E_SystemError", f"The request body is not valid JSON: {error}") from None


async def json_object(request: AnyRequest) -> dict[str, Any]:
    body = await json_body(request)
    if not isinstance(body, dict):
        raise RcraError("E_SystemError", "The request body must be a JSON object")
    return body


class Submission:
    """A save or update request: the manifest JSON and, for paper manifests, the zip."""

    def __init__(self, document: Any, attachment: bytes | None) -> None:
        self.document = document
        self.attachment = attachment


async def submission(request: AnyRequest) -> Submission:
    """The multipart parts `manifest` and `attachment` as the client sends them; a plain JSON
    body is taken as the manifest."""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/"):
        return Submission(await json_body(request), None)
    form = await request.form()
    manifest = form.get("manifest")
    if manifest is None:
        raise RcraError("E_SystemError", "The multipart request has no part named manifest")
    text = await _part_bytes(manifest)
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise RcraError("E_SystemError", f"The manifest part is not valid JSON: {error}") from None
    attachment = form.get("attachment")
    return Submission(document, None if attachment is None else await _part_bytes(attachment))


async def _part_bytes(part: Any) -> bytes:
    if isinstance(part, UploadFile):
        return await part.read()
    if isinstance(part, bytes):
        return part
    return str(part).encode()
