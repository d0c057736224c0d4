"""Who is looking at a page: the same cookie session as the REST API, so signing in on one
signs in on the other. Forms carry the session's CSRF token in a hidden field, htmx requests
in the X-CSRFToken header (from `hx-headers` on the body)."""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import quote, urlsplit

from dishka import AsyncContainer
from litestar import Request
from litestar.exceptions import PermissionDeniedException

from haztrak.application.errors import AuthenticationFailed
from haztrak.application.identity.auth import ResolveSession
from haztrak.application.notices.queries import CountUnreadNotices
from haztrak.domain.errors import InvalidValue
from haztrak.domain.identity import User
from haztrak.domain.secrets import Secret
from haztrak.entrypoints.http.auth import CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE

CSRF_FIELD = "csrf_token"


class SignInRequired(Exception):
    """The page needs a signed-in user; the handler sends the browser to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__("sign in first")
        self.next_path = next_path


def local_path(target: str | None, default: str = "/dashboard") -> str:
    """`target` when it is a path on this site, else `default` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(c) < 32 for c in target):
        return default
    return target


def sign_in_url(next_path: str) -> str:
    return "/login?next=" + quote(local_path(next_path), safe="/")


async def check_form_csrf(request: Request[Any, Any, Any], expected: str | None) -> None:
    """Unsafe requests carry the token in the X-CSRFToken header or the `csrf_token` field."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent:
        form = await request.form()
        value = form.get(CSRF_FIELD, "")
        sent = value if isinstance(value, str) else ""
    if not expected or not sent or not hmac.compare_digest(sent, expected):
        raise PermissionDeniedException(
            "This form has expired or did not come from Haztrak. Reload the page and try again."
        )


async def refuse_nul(request: Request[Any, Any, Any]) -> None:
    """No NUL character enters through a page: not in the address, not in a form (PostgreSQL
    cannot store one; SQLite could, so both refuse it the same way, before any use case)."""
    if "\x00" in request.scope["path"]:
        raise InvalidValue("path", NUL_MESSAGE)
    for name, value in request.query_params.items():
        if "\x00" in name or "\x00" in value:
            raise InvalidValue(name.replace("\x00", ""), NUL_MESSAGE)
    if request.method in SAFE_METHODS:
        return
    content_type, _ = request.content_type
    if content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return
    form = await request.form()
    for name, value in form.multi_items():
        if "\x00" in name or (isinstance(value, str) and "\x00" in value):
            raise InvalidValue(name.replace("\x00", ""), NUL_MESSAGE)


NUL_MESSAGE = "must not contain the NUL character"


async def page_user(request: Request[Any, Any, Any]) -> User:
    """The signed-in user of a page, after the CSRF check of an unsafe request."""
    session_id = request.cookies.get(SESSION_COOKIE)
    next_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method not in SAFE_METHODS:  # back to the page the form was on
        came_from = urlsplit(
            str(request.headers.get("hx-current-url") or request.headers.get("referer") or "")
        )
        next_path = came_from.path + (f"?{came_from.query}" if came_from.query else "")
    if not session_id:
        raise SignInRequired(next_path)
    container: AsyncContainer = request.state.dishka_container
    resolve = await container.get(ResolveSession)
    try:
        user, data = await resolve(Secret(session_id))
    except AuthenticationFailed:
        raise SignInRequired(next_path) from None
    await check_form_csrf(request, data.csrf_token)
    request.state.user = user
    request.state.csrf_token = data.csrf_token
    if request.method == "GET" and not request.headers.get("hx-request"):
        # the badge of the navigation of a whole page: one indexed count
        count_unread = await container.get(CountUnreadNotices)
        request.state.unread_notices = await count_unread(user)
    return user
