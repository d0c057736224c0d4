"""The admin site: sqladmin's Starlette app, mounted in the Litestar app at /admin.

It uses the engine of the app's dishka container (the same pool as the API), through its own
session class that audits every write. Litestar hands a mounted app only the part of the path
below the mount; sqladmin's routes and URLs want the whole path, so the mount restores it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from dishka import AsyncContainer
from litestar.datastructures import MutableScopeHeaders
from litestar.handlers import ASGIRouteHandler, asgi
from litestar.types import Message, Receive, Scope, Send
from sqladmin import Admin, ModelView
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from starlette.applications import Starlette
from starlette.routing import Route

from haztrak.adapters.persistence.tables import (
    ApiTokenRow,
    ManifestHandlerRow,
    RcraSitePermissionRow,
    TaskRow,
)
from haztrak.application.ports.security import Clock
from haztrak.domain.errors import DomainError
from haztrak.entrypoints.http.admin.audit import ADMIN_ACTOR, AuditedSession
from haztrak.entrypoints.http.admin.auth import StaffAuthentication
from haztrak.entrypoints.http.admin.views import (
    MANIFEST,
    USER,
    AuditLogView,
    DotLookupView,
    FederalWasteCodeView,
    ManifestView,
    OrgMembershipView,
    OrgView,
    RcrainfoProfileView,
    RcraSiteView,
    SitePermissionView,
    SiteView,
    StateWasteCodeView,
    UserView,
    read_only,
)
from haztrak.entrypoints.settings import Settings

ADMIN_PATH = "/admin"
HERE = Path(__file__).parent

#: Every table the admin site shows, in menu order. A further table is one line here:
#: its own view class, or `read_only(...)` for one staff may only look at.
VIEWS: tuple[type[ModelView], ...] = (
    UserView,
    read_only(
        ApiTokenRow,
        "API token",
        "API tokens",
        slug="api-token",
        category="Accounts",
        icon="fa-solid fa-key",
        references={"user_id": USER},
    ),
    RcrainfoProfileView,
    OrgView,
    OrgMembershipView,
    SiteView,
    SitePermissionView,
    RcraSiteView,
    read_only(
        RcraSitePermissionRow,
        "RCRAInfo site permission",
        "RCRAInfo site permissions",
        slug="rcra-site-permission",
        category="RCRA handlers",
        icon="fa-solid fa-user-check",
        references={"user_id": USER},
    ),
    FederalWasteCodeView,
    StateWasteCodeView,
    DotLookupView,
    ManifestView,
    read_only(
        ManifestHandlerRow,
        "Manifest handler",
        "Manifest handlers",
        slug="manifest-handler",
        category="Manifests",
        icon="fa-solid fa-route",
        references={"manifest_id": MANIFEST},
    ),
    read_only(
        TaskRow,
        "Task",
        "Tasks",
        slug="task",
        category="Tasks",
        icon="fa-solid fa-list-check",
        references={"owner_id": USER},
        columns=[
            TaskRow.name,
            TaskRow.subject,
            TaskRow.status,
            TaskRow.attempts,
            TaskRow.owner_id,
            TaskRow.created_at,
            TaskRow.done_at,
        ],
        newest_first=TaskRow.created_at,
    ),
    AuditLogView,
)


class AdminSite:
    def __init__(self, settings: Settings, container: AsyncContainer) -> None:
        self._container = container
        self._sessions = async_sessionmaker(
            class_=AuditedSession, expire_on_commit=False, autoflush=False
        )
        self._bound = False
        self.app = Starlette()
        auth = StaffAuthentication(settings, ADMIN_PATH)
        admin = Admin(
            self.app,
            session_maker=self._sessions,
            base_url=ADMIN_PATH,
            title="Haztrak admin",
            templates_dir=str(HERE / "templates"),
            authentication_backend=auth,
            static_files_kwargs={"directory": HERE / "statics"},
        )
        auth.templates = admin.templates
        _logout_by_post(admin)
        _quiet_refusals()
        for view in VIEWS:
            # sqladmin keeps its state on the view class: each app gets its own subclasses.
            admin.add_view(type(view.__name__, (view,), {}))

    async def _bind(self) -> None:
        """The container makes the engine on first use; the admin takes the same one."""
        engine = await self._container.get(AsyncEngine)
        clock = await self._container.get(Clock)
        self._sessions.configure(bind=engine, info={"clock": clock})
        self._bound = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._bound:
            await self._bind()
        scope["path"] = _full_path(scope)  # the request log, too, shows the whole path
        statics = scope["path"].startswith(f"{ADMIN_PATH}/statics/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders(message)
                # No framing (clickjacking); pages with data are not kept in caches.
                headers["x-frame-options"] = "DENY"
                headers["content-security-policy"] = "frame-ancestors 'none'"
                headers["x-content-type-options"] = "nosniff"
                if not statics:
                    headers["cache-control"] = "no-store"
            await send(message)

        token = ADMIN_ACTOR.set(None)  # set by the login check of this request only
        try:
            # Starlette's ASGI types and Litestar's describe the same messages.
            starlette_app: Any = self.app
            await starlette_app(dict(scope), receive, send_with_headers)
        finally:
            ADMIN_ACTOR.reset(token)


class _RefusalsAreNotErrors(logging.Filter):
    """sqladmin logs every failed save with a traceback; a rule refusing bad input is an INFO
    line (its message names no secret), not an error."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, DomainError):
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg, record.args = "admin site refused a change: %s", (error,)
            record.exc_info = record.exc_text = None
        return True


def _quiet_refusals() -> None:
    logger = logging.getLogger("sqladmin.application")
    if not any(isinstance(f, _RefusalsAreNotErrors) for f in logger.filters):
        logger.addFilter(_RefusalsAreNotErrors())


def _logout_by_post(admin: Admin) -> None:
    """sqladmin logs out on a GET, which any page can make a browser send: here the GET
    only asks, and the POST, which carries the CSRF token, logs out."""
    for route in admin.admin.router.routes:
        if isinstance(route, Route) and route.name == "logout":
            route.methods = {"GET", "HEAD", "POST"}


def _full_path(scope: Scope) -> str:
    raw = scope.get("raw_path")
    if isinstance(raw, bytes):
        path = unquote(raw.decode("latin-1"))
        root = scope.get("root_path", "")
        return path.removeprefix(root) if root else path
    return ADMIN_PATH + scope["path"]


def admin_mount(settings: Settings, container: AsyncContainer) -> ASGIRouteHandler:
    """The route handler that serves the admin site at /admin."""
    site = AdminSite(settings, container)

    @asgi(ADMIN_PATH, is_mount=True, copy_scope=False)
    async def admin(scope: Scope, receive: Receive, send: Send) -> None:
        await site(scope, receive, send)

    return admin
