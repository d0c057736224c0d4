"""Cookie-session login in the shape of django-allauth's headless browser API."""

from __future__ import annotations

from typing import Any

from dishka import FromDishka
from litestar import Controller, Request, Response, delete, get, post
from litestar.exceptions import HTTPException
from litestar.openapi import ResponseSpec
from litestar.status_codes import HTTP_400_BAD_REQUEST

from haztrak.application.errors import AuthenticationFailed
from haztrak.application.identity.auth import LogIn, ResolveSession, Sessions
from haztrak.domain.secrets import Secret
from haztrak.entrypoints.http.auth import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    check_csrf,
    cleared_session_cookie,
    csrf_cookie,
    session_cookies,
)
from haztrak.entrypoints.http.openapi import problems
from haztrak.entrypoints.http.problems import litestar_field_problems
from haztrak.entrypoints.http.schemas import (
    ANONYMOUS,
    AllauthAnonymous,
    AllauthError,
    AllauthErrors,
    AllauthSession,
    LoginRequest,
    allauth_session,
)
from haztrak.entrypoints.settings import Settings

_LOGGED_OUT = ResponseSpec(
    AllauthAnonymous, description="No session: log in", generate_examples=False
)


def _bad_credentials(_: Request[Any, Any, Any], exc: AuthenticationFailed) -> Response[Any]:
    error = AllauthError(
        message="The username and/or password you specified are not correct.",
        code="username_password_mismatch",
        param="password",
    )
    return Response(AllauthErrors(status=400, errors=[error]), status_code=400)


def _bad_login_body(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Any 400 of the login (a body that is no JSON, a field of the wrong type) in allauth's
    shape, as the browser client reads it."""
    errors = [
        AllauthError(message=p.message, code="invalid", param=p.field)
        for p in litestar_field_problems(exc.extra)
    ] or [AllauthError(message=exc.detail, code="invalid", param="body")]
    return Response(AllauthErrors(status=400, errors=errors), status_code=400)


def _anonymous(settings: Settings, request: Request[Any, Any, Any]) -> Response[Any]:
    cookies = [cleared_session_cookie(settings)] if request.cookies.get(SESSION_COOKIE) else []
    if not request.cookies.get(CSRF_COOKIE):
        cookies.append(csrf_cookie(settings))
    return Response(ANONYMOUS, status_code=401, cookies=cookies)


class SessionController(Controller):
    path = "/browser/v1/auth"
    tags = ["session"]

    @post(
        "/login",
        status_code=200,
        exception_handlers={
            AuthenticationFailed: _bad_credentials,
            HTTP_400_BAD_REQUEST: _bad_login_body,
        },
        summary="Log in with a username and password; sets the session and CSRF cookies",
        responses={
            400: ResponseSpec(
                AllauthErrors,
                description="Wrong username or password, or a malformed body (`param` names it)",
                generate_examples=False,
            )
        }
        | problems(403, 429, 503),
    )
    async def login(
        self,
        request: Request[Any, Any, Any],
        data: LoginRequest,
        log_in: FromDishka[LogIn],
        sessions: FromDishka[Sessions],
        settings: FromDishka[Settings],
    ) -> Response[AllauthSession]:
        check_csrf(request, request.cookies.get(CSRF_COOKIE))
        client = request.client.host if request.client else "unknown"
        user = await log_in(data.username, Secret(data.password), client)
        old = request.cookies.get(SESSION_COOKIE)
        if old:
            await sessions.end(Secret(old))
        session_id, session = await sessions.start(user)
        return Response(
            allauth_session(user, session.created_at),
            cookies=session_cookies(settings, session_id, session.csrf_token),
        )

    @get(
        "/session",
        summary="The current session, or 401 with the login flow",
        responses={401: _LOGGED_OUT} | problems(503),
    )
    async def session(
        self,
        request: Request[Any, Any, Any],
        resolve: FromDishka[ResolveSession],
        settings: FromDishka[Settings],
    ) -> Response[AllauthSession | AllauthAnonymous]:
        session_id = request.cookies.get(SESSION_COOKIE)
        if not session_id:
            return _anonymous(settings, request)
        try:
            user, data = await resolve(Secret(session_id))
        except AuthenticationFailed:
            return _anonymous(settings, request)
        response: Response[AllauthSession | AllauthAnonymous] = Response(
            allauth_session(user, data.created_at)
        )
        if request.cookies.get(CSRF_COOKIE) != data.csrf_token:
            response.set_cookie(csrf_cookie(settings, data.csrf_token))
        return response

    @delete(
        "/session",
        status_code=401,
        summary="Log out (answers 401, as allauth does)",
        responses=problems(403, 503),
    )
    async def end_session(
        self,
        request: Request[Any, Any, Any],
        sessions: FromDishka[Sessions],
        settings: FromDishka[Settings],
    ) -> Response[AllauthAnonymous]:
        await self._end(request, sessions)
        return Response(ANONYMOUS, status_code=401, cookies=[cleared_session_cookie(settings)])

    @post("/logout", status_code=200, summary="Log out", responses=problems(403, 503))
    async def logout(
        self,
        request: Request[Any, Any, Any],
        sessions: FromDishka[Sessions],
        settings: FromDishka[Settings],
    ) -> Response[AllauthAnonymous]:
        await self._end(request, sessions)
        return Response(
            AllauthAnonymous(status=200, data=ANONYMOUS.data, meta=ANONYMOUS.meta),
            cookies=[cleared_session_cookie(settings)],
        )

    @staticmethod
    async def _end(request: Request[Any, Any, Any], sessions: Sessions) -> None:
        session_id = request.cookies.get(SESSION_COOKIE)
        if not session_id:
            return
        data = await sessions.load(Secret(session_id))
        if data is not None:
            check_csrf(request, data.csrf_token)
            await sessions.end(Secret(session_id))
