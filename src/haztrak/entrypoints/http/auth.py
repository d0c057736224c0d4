"""Who is calling: a session cookie (with CSRF protection) or a personal API token."""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from dishka import AsyncContainer
from litestar import Request
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from haztrak.application.identity.auth import AuthenticateToken, ResolveSession
from haztrak.domain.identity import User
from haztrak.domain.secrets import Secret
from haztrak.entrypoints.settings import Settings

SESSION_COOKIE = "sessionid"
CSRF_COOKIE = "csrftoken"
CSRF_HEADER = "x-csrftoken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
SESSION_MAX_AGE = 14 * 24 * 3600


def _container(request: Request[Any, Any, Any]) -> AsyncContainer:
    container: AsyncContainer = request.state.dishka_container
    return container


def check_csrf(request: Request[Any, Any, Any], expected: str | None) -> None:
    """Unsafe methods must echo the CSRF token in a header (double submit)."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not expected or not sent or not hmac.compare_digest(sent, expected):
        raise PermissionDeniedException(
            "CSRF token missing or incorrect: send the csrftoken cookie's value in X-CSRFToken"
        )


async def current_user(request: Request[Any, Any, Any]) -> User:
    """The authenticated user; 401 without credentials, 403 on a CSRF failure."""
    authorization = request.headers.get("authorization", "")
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise NotAuthorizedException("use `Authorization: Bearer <token>`")
        authenticate = await _container(request).get(AuthenticateToken)
        user = await authenticate(Secret(value.strip()))
        request.state.user = user
        return user
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        raise NotAuthorizedException("log in first")
    resolve = await _container(request).get(ResolveSession)
    user, data = await resolve(Secret(session_id))
    check_csrf(request, data.csrf_token)
    request.state.user = user
    return user


def session_cookies(settings: Settings, session_id: Secret, csrf_token: str) -> list[Cookie]:
    return [
        Cookie(
            key=SESSION_COOKIE,
            value=session_id.reveal(),
            httponly=True,
            samesite="lax",
            secure=settings.http.secure_cookies,
            max_age=SESSION_MAX_AGE,
            path="/",
        ),
        csrf_cookie(settings, csrf_token),
    ]


def csrf_cookie(settings: Settings, token: str | None = None) -> Cookie:
    return Cookie(
        key=CSRF_COOKIE,
        value=token or secrets.token_urlsafe(32),
        httponly=False,  # the page reads it to send it back in X-CSRFToken
        samesite="lax",
        secure=settings.http.secure_cookies,
        max_age=SESSION_MAX_AGE,
        path="/",
    )


def cleared_session_cookie(settings: Settings) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value="",
        httponly=True,
        samesite="lax",
        secure=settings.http.secure_cookies,
        max_age=0,
        path="/",
    )
