"""Sign in and sign out. The session is the REST API's: one login serves both."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from dishka import FromDishka
from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect

from haztrak.application.errors import AuthenticationFailed, RateLimited
from haztrak.application.identity.auth import LogIn, ResolveSession, Sessions
from haztrak.domain.secrets import Secret
from haztrak.entrypoints.http.auth import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    cleared_session_cookie,
    csrf_cookie,
    session_cookies,
)
from haztrak.entrypoints.settings import Settings
from haztrak.entrypoints.web.flash import redirect
from haztrak.entrypoints.web.forms import SignInForm
from haztrak.entrypoints.web.session import local_path
from haztrak.entrypoints.web.templating import page


class SignInController(Controller):
    include_in_schema = False

    @get("/")
    async def home(self) -> Redirect:
        return Redirect("/dashboard", status_code=303)

    @get("/login")
    async def sign_in_page(
        self,
        request: Request[Any, Any, Any],
        resolve: FromDishka[ResolveSession],
        settings: FromDishka[Settings],
    ) -> Response[Any]:
        target = local_path(request.query_params.get("next"))
        session_id = request.cookies.get(SESSION_COOKIE)
        if session_id:
            try:
                await resolve(Secret(session_id))
            except AuthenticationFailed:
                pass
            else:
                return Redirect(target, status_code=303)
        return _sign_in_form(request, settings, target)

    @post("/login")
    async def sign_in(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[SignInForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
        log_in: FromDishka[LogIn],
        sessions: FromDishka[Sessions],
        settings: FromDishka[Settings],
    ) -> Response[Any]:
        target = local_path(data.next)
        expected = request.cookies.get(CSRF_COOKIE, "")
        if not expected or not hmac.compare_digest(data.csrf_token, expected):
            return _sign_in_form(
                request,
                settings,
                target,
                error="The sign-in form had expired. Please try again.",
                username=data.username,
                status_code=403,
            )
        client = request.client.host if request.client else "unknown"
        try:
            user = await log_in(data.username, Secret(data.password), client)
        except AuthenticationFailed:
            return _sign_in_form(
                request,
                settings,
                target,
                error="The username or password is not correct.",
                username=data.username,
                status_code=400,
            )
        except RateLimited as exc:
            minutes = max(1, exc.retry_after // 60)
            return _sign_in_form(
                request,
                settings,
                target,
                error=(
                    "Too many failed sign-ins. For your account's safety, wait "
                    f"{minutes} minutes and try again."
                ),
                username=data.username,
                status_code=429,
            )
        old = request.cookies.get(SESSION_COOKIE)
        if old:
            await sessions.end(Secret(old))
        session_id, session = await sessions.start(user)
        response = Redirect(target, status_code=303)
        for cookie in session_cookies(settings, session_id, session.csrf_token):
            response.set_cookie(cookie)
        return response

    @post("/logout")
    async def sign_out(
        self,
        request: Request[Any, Any, Any],
        sessions: FromDishka[Sessions],
        settings: FromDishka[Settings],
    ) -> Response[Any]:
        session_id = request.cookies.get(SESSION_COOKIE)
        if session_id:
            data = await sessions.load(Secret(session_id))
            form = await request.form()
            sent = form.get("csrf_token", "")
            if data is not None:
                if not isinstance(sent, str) or not hmac.compare_digest(sent, data.csrf_token):
                    return redirect("/dashboard", "error", "Sign-out failed; please try again.")
                await sessions.end(Secret(session_id))
        response = redirect("/login", "success", "You are signed out.")
        response.set_cookie(cleared_session_cookie(settings))
        return response


def _sign_in_form(
    request: Request[Any, Any, Any],
    settings: Settings,
    target: str,
    *,
    error: str | None = None,
    username: str = "",
    status_code: int = 200,
) -> Response[Any]:
    token = request.cookies.get(CSRF_COOKIE)
    cookie = None if token else csrf_cookie(settings)
    response = page(
        request,
        "auth/login.html",
        {
            "next": target,
            "login_csrf": token or (cookie.value if cookie else ""),
            "error": error,
            "username": username[:150],
        },
        status_code=status_code,
    )
    if cookie is not None:
        response.set_cookie(cookie)
    return response
