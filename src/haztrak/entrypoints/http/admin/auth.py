"""Who may use the admin site: active staff users, logged in with their Haztrak password.

The login goes through the same `LogIn` use case as the API (argon2 hashes, the login rate
limit, the audit log). The admin's session is its own cookie, signed with a key derived from the
secret key, holding the user id, a hash bound to the user's password hash (a password reset ends
every session) and the CSRF token. Each request reloads the user, so a user who is deactivated
or loses staff status is out at once.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any
from uuid import UUID

from dishka import AsyncContainer
from sqladmin.authentication import AuthenticationBackend
from sqladmin.templating import Jinja2Templates
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from haztrak.adapters.security.encryption import derive_key
from haztrak.application.audit import Auditor
from haztrak.application.errors import AuthenticationFailed, RateLimited
from haztrak.application.identity.auth import LogIn
from haztrak.application.ports.persistence import UnitOfWork, UserRepository
from haztrak.domain.identity import User
from haztrak.domain.secrets import Secret
from haztrak.entrypoints.http.admin.audit import ADMIN_ACTOR
from haztrak.entrypoints.http.admin.csrf import CsrfMiddleware, rotate_csrf_token
from haztrak.entrypoints.settings import Settings

SESSION_COOKIE = "haztrak_admin"
IDLE_SECONDS = 8 * 3600  # the cookie's lifetime, renewed by each request
MAX_SESSION_SECONDS = 24 * 3600  # a login lasts at most this long, however busy
REFUSED = (
    "Please enter the username and password of an active staff account. "
    "Both fields may be case-sensitive."
)


def _container(request: Request) -> AsyncContainer:
    """The request's dishka container, opened for every request by `setup_dishka`."""
    container: AsyncContainer = request.state.dishka_container
    return container


class StaffAuthentication(AuthenticationBackend):
    def __init__(self, settings: Settings, base_url: str) -> None:
        session_key = derive_key(settings.secret_key, b"haztrak/admin-session/v1")
        super().__init__(
            session_key.hex(),
            session_cookie=SESSION_COOKIE,
            max_age=IDLE_SECONDS,
            path=base_url,
            same_site="lax",
            https_only=settings.http.secure_cookies,
        )
        # Inside the session middleware: the CSRF token lives in the session.
        self.middlewares.append(Middleware(CsrfMiddleware))
        self._auth_key = derive_key(settings.secret_key, b"haztrak/admin-session-auth/v1")
        self.templates: Jinja2Templates | None = None  # set by the site once built

    def _password_binding(self, password_hash: str | None) -> str:
        return hmac.new(self._auth_key, (password_hash or "").encode(), hashlib.sha256).hexdigest()

    async def login(self, request: Request) -> Response | bool:
        form = await request.form()
        username = str(form.get("username") or "").strip()
        password = Secret(str(form.get("password") or ""))
        client = request.client.host if request.client else "unknown"
        container = _container(request)
        log_in = await container.get(LogIn)
        try:
            user = await log_in(username, password, client)
        except RateLimited:
            return await self._refused(request, "Too many failed logins; try again later.")
        except AuthenticationFailed:
            return await self._refused(request, REFUSED)
        if not user.is_staff:
            auditor = await container.get(Auditor)
            await auditor.record(user, "admin_login_refused", "user", user.username, client=client)
            await (await container.get(UnitOfWork)).commit()
            return await self._refused(request, REFUSED)
        users: UserRepository = await container.get(UserRepository)
        request.session.clear()  # a fresh session: nothing from before the login survives
        request.session.update(
            uid=str(user.id),
            auth=self._password_binding(await users.password_hash(user.id)),
            since=int(time.time()),
        )
        rotate_csrf_token(request.session)
        return True

    async def _refused(self, request: Request, message: str) -> Response:
        assert self.templates is not None
        return await self.templates.TemplateResponse(
            request, "sqladmin/login.html", {"error": message}, status_code=400
        )

    async def logout(self, request: Request) -> Response | bool:
        request.session.clear()
        return False  # sqladmin then shows the login page

    async def authenticate(self, request: Request) -> Response | bool:
        user = await self._session_user(request)
        if user is None:
            for key in ("uid", "auth", "since"):
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
        session = request.session
        try:
            user_id = UUID(str(session.get("uid")))
            since = int(session.get("since", 0))
        except (TypeError, ValueError):
            return None
        if time.time() - since > MAX_SESSION_SECONDS:
            return None
        users: UserRepository = await _container(request).get(UserRepository)
        user = await users.get(user_id)
        if user is None or not user.is_active or not user.is_staff:
            return None
        binding = self._password_binding(await users.password_hash(user.id))
        if not hmac.compare_digest(binding, str(session.get("auth", ""))):
            return None
        return user
