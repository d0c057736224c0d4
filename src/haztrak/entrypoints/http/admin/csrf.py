"""CSRF protection for the admin site, which sqladmin does not provide.

The token lives in the admin's session, a cookie signed with a key derived from the secret key,
so a page cannot plant its own. Every unsafe request must send the same token back: forms in a
hidden `csrf_token` field, sqladmin's JavaScript (delete) in the `X-CSRFToken` header.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrftoken"
SESSION_KEY = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
MAX_BODY = 1024 * 1024  # the admin's forms are small; nothing here uploads files

_REFUSED = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Forbidden</title></head>
<body><h1>403 Forbidden</h1>
<p>The form's security token is missing or does not match this session.
Go back, reload the page and try again.</p></body></html>
"""


def csrf_token(scope: MutableMapping[str, Any]) -> str:
    """The session's token, made on first use; templates render it into every form."""
    session: dict[str, Any] = scope["session"]
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def rotate_csrf_token(session: dict[str, Any]) -> None:
    """A new token for a new login, so a token seen before it is worthless after it."""
    session[SESSION_KEY] = secrets.token_urlsafe(32)


class CsrfMiddleware:
    """Refuses unsafe requests whose token does not match the session's. Runs inside the
    session middleware and before sqladmin reads the body, which it replays afterwards."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        expected = csrf_token(scope)
        scope.setdefault("state", {})["csrf_token"] = expected
        if scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:
            await PlainTextResponse("Request body too large", status_code=413)(scope, receive, send)
            return
        sent = await _sent_token(scope, body)
        if not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
            await _refuse(scope, receive, send)
            return
        await self.app(scope, _replay(body), send)


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _sent_token(scope: Scope, body: bytes) -> str:
    headers = Headers(scope=scope)
    if header := headers.get(CSRF_HEADER):
        return header
    content_type = headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return ""
    request = Request(scope, _replay(body))
    try:
        async with request.form() as form:
            value = form.get(CSRF_FIELD)
    except (HTTPException, ValueError):  # a malformed body carries no token
        return ""
    return value if isinstance(value, str) else ""


def _replay(body: bytes) -> Callable[[], Awaitable[Message]]:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
    response: Response = HTMLResponse(_REFUSED, status_code=403)
    await response(scope, receive, send)
