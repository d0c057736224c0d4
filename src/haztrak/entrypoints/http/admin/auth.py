"""Who may use the admin site: active staff users, logged in with their Haztrak password.

The rules are the application's (`LogInStaff`, `ResumeStaffSession`): the API's login checks
(argon2 hashes, the rate limit, the audit log), staff only, an 8-hour idle limit and a 24-hour
session limit, a new password or a lost staff status ends the session. This module keeps the
session in the admin's own cookie, signed with a key derived from the secret key: the user id,
when the session began and was last seen, the password stamp and the CSRF token. Logging out is
a POST (with the CSRF token); its GET page only asks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from dishka import AsyncContainer
from sqladmin.authentication import AuthenticationBackend
from sqladmin.templating import Jinja2Templates
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from haztrak.adapters.security.encryption import derive_key
from haztrak.application.errors import AuthenticationFailed, RateLimited
from haztrak.application.identity.staff import (
    STAFF_IDLE_LIMIT,
    LogInStaff,
    ResumeStaffSession,
    StaffSession,
)
from haztrak.domain.identity import User
from haztrak.domain.secrets import Secret
from haztrak.entrypoints.http.admin.audit import ADMIN_ACTOR
from haztrak.entrypoints.http.admin.csrf import CsrfMiddleware, rotate_csrf_token
from haztrak.entrypoints.settings import Settings

SESSION_COOKIE = "haztrak_admin"
SESSION_KEYS = ("uid", "since", "seen", "auth")
REFUSED = (
    "Please enter the username and password of an active staff account. "
    "Both fields may be case-sensitive."
)


def _container(request: Request) -> AsyncContainer:
    """The request's dishka container, opened for every request by `setup_dishka`."""
    container: AsyncContainer = request.state.dishka_container
    return container


def _epoch(moment: datetime) -> float:
    return moment.timestamp()


def _moment(epoch: Any) -> datetime:
    return datetime.fromtimestamp(float(epoch), UTC)


class StaffAuthentication(AuthenticationBackend):
    def __init__(self, settings: Settings, base_url: str) -> None:
        session_key = derive_key(settings.secret_key, b"haztrak/admin-session/v1")
        super().__init__(
            session_key.hex(),
            session_cookie=SESSION_COOKIE,
            # The browser forgets an idle cookie too; ResumeStaffSession decides either way.
            max_age=int(STAFF_IDLE_LIMIT.total_seconds()),
            path=base_url,
            same_site="lax",
            https_only=settings.http.secure_cookies,
        )
        # Inside the session middleware: the CSRF token lives in the session.
        self.middlewares.append(Middleware(CsrfMiddleware))
        self.templates: Jinja2Templates | None = None  # set by the site once built

    async def login(self, request: Request) -> Response | bool:
        form = await request.form()
        username = str(form.get("username") or "").strip()
        password = Secret(str(form.get("password") or ""))
        client = request.client.host if request.client else "unknown"
        log_in = await _container(request).get(LogInStaff)
        try:
            session = await log_in(username, password, client)
        except RateLimited:
            return await self._refused(request, "Too many failed logins; try again later.")
        except AuthenticationFailed:
            return await self._refused(request, REFUSED)
        request.session.clear()  # a fresh session: nothing from before the login survives
        self._store(request, session)
        rotate_csrf_token(request.session)
        return True

    @staticmethod
    def _store(request: Request, session: StaffSession) -> None:
        request.session.update(
            uid=str(session.user_id),
            since=_epoch(session.started_at),
            seen=_epoch(session.last_seen_at),
            auth=session.password_stamp,
        )

    async def _refused(self, request: Request, message: str) -> Response:
        assert self.templates is not None
        return await self.templates.TemplateResponse(
            request, "sqladmin/login.html", {"error": message}, status_code=400
        )

    async def logout(self, request: Request) -> Response | bool:
        """GET asks; only a POST (CSRF-checked by the middleware) ends the session."""
        if request.method != "POST":
            assert self.templates is not None
            return await self.templates.TemplateResponse(request, "sqladmin/logout.html", {})
        request.session.clear()
        return RedirectResponse(request.url_for("admin:login"), status_code=303)

    async def authenticate(self, request: Request) -> Response | bool:
        user = await self._session_user(request)
        if user is None:
            for key in SESSION_KEYS:
                request.session.pop(key, None)
            return False
        request.state.admin_user = user
        request.state.user = user  # the request log names the user
        ADMIN_ACTOR.set(user)
        return True

    async def get_user_id(self, request: Request) -> Any:
        user: User | None = getattr(request.state, "admin_user", None)
        return user.id if user else None

    async def _session_user(self, request: Request) -> User | None:
        stored = request.session
        try:
            session = StaffSession(
                user_id=UUID(str(stored.get("uid"))),
                started_at=_moment(stored["since"]),
                last_seen_at=_moment(stored["seen"]),
                password_stamp=str(stored["auth"]),
            )
        except (KeyError, TypeError, ValueError, OverflowError, OSError):
            return None
        resume = await _container(request).get(ResumeStaffSession)
        try:
            user, seen = await resume(session)
        except AuthenticationFailed:
            return None
        self._store(request, seen)
        return user
