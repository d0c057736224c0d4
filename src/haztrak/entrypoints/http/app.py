"""The Litestar application: routes under /api, dishka for dependencies, one error table."""

from __future__ import annotations

import gc
import itertools
import logging
import os
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from dishka import AsyncContainer, Provider, make_async_container
from dishka.integrations.litestar import DishkaRouter, make_add_request_container_middleware
from litestar import Litestar, get
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException, NotFoundException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.response import Redirect
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from haztrak import __version__
from haztrak.adapters.rcrainfo import RcrainfoEndpoint
from haztrak.entrypoints.http.admin import admin_mount
from haztrak.entrypoints.http.auth import current_user
from haztrak.entrypoints.http.controllers.auth import SessionController
from haztrak.entrypoints.http.controllers.corrections import ManifestCorrectionController
from haztrak.entrypoints.http.controllers.deadlines import DeadlineController
from haztrak.entrypoints.http.controllers.documents import ManifestDocumentController
from haztrak.entrypoints.http.controllers.health import HealthController, alive
from haztrak.entrypoints.http.controllers.links import LinkController
from haztrak.entrypoints.http.controllers.lookups import LookupController
from haztrak.entrypoints.http.controllers.manifests import ManifestController
from haztrak.entrypoints.http.controllers.notices import NoticeController
from haztrak.entrypoints.http.controllers.orgs import OrgController, SiteController
from haztrak.entrypoints.http.controllers.printing import ManifestPdfController
from haztrak.entrypoints.http.controllers.rcrainfo import RcrainfoController
from haztrak.entrypoints.http.controllers.receiving import ReceivingController
from haztrak.entrypoints.http.controllers.tasks import TaskController
from haztrak.entrypoints.http.controllers.users import UserController
from haztrak.entrypoints.http.controllers.webhooks import WebhookController
from haztrak.entrypoints.http.docs import docs_assets_router, swagger_plugin
from haztrak.entrypoints.http.errors import EXCEPTION_HANDLERS
from haztrak.entrypoints.http.requests import HaztrakRequest
from haztrak.entrypoints.logs import REQUEST_ID
from haztrak.entrypoints.providers import core_providers
from haztrak.entrypoints.settings import Settings
from haztrak.entrypoints.telemetry import http_middleware, telemetry_providers
from haztrak.entrypoints.web import template_config, web_routers
from haztrak.entrypoints.web.errors import not_found_anywhere
from haztrak.entrypoints.worker.embedded import embedded_background
from haztrak.entrypoints.worker.providers import worker_providers

log = logging.getLogger("haztrak.http")


@get("/docs", include_in_schema=False)
async def docs() -> Redirect:
    return Redirect("/api/schema/swagger")


# Request ids: this process's random prefix and a counter, unique across processes and cheaper
# than fresh random bytes per request (a system call); they need not be unguessable.
_REQUEST_PREFIX = os.urandom(4).hex()
_REQUEST_NUMBERS = itertools.count(1)


def request_log_middleware(app: ASGIApp) -> ASGIApp:
    """One line per request: method, path (no query string), status, duration, user. Every
    line logged while serving it carries its request id, which the response's X-Request-ID
    header tells the client."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        request_id = f"{_REQUEST_PREFIX}{next(_REQUEST_NUMBERS) & 0xFFFFFFFF:08x}"
        request_token = REQUEST_ID.set(request_id)

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", ()),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await app(scope, receive, capture)
        finally:
            if log.isEnabledFor(logging.INFO) and not scope["path"].startswith("/api/health"):
                state = scope.get("state", {})
                user = state.get("user")
                log.info(
                    "%s %s %s %.1fms",
                    scope.get("method"),
                    scope["path"],
                    status,
                    (time.perf_counter() - started) * 1000,
                    extra={"user": user.username if user else None},
                )
            REQUEST_ID.reset(request_token)

    return middleware


# Liveness needs nothing from the container; sparing it a request scope keeps it cheap.
NO_REQUEST_SCOPE = frozenset({"/api/health"})
# The lookups (waste codes, DOT values, e-Manifest's code lists) need only what the process
# holds: they take it from the app's container, without a request scope of their own.
APP_SCOPE_PREFIXES = ("/api/waste/", "/api/emanifest/code")


def install_dishka(container: AsyncContainer, app: Litestar) -> None:
    """dishka's Litestar integration, minus the request scope on the liveness probe and the
    lookups."""
    plain = app.asgi_handler
    scoped = make_add_request_container_middleware(plain)

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if path in NO_REQUEST_SCOPE:
            await plain(scope, receive, send)
        elif path.startswith(APP_SCOPE_PREFIXES) and scope["type"] == ScopeType.HTTP:
            scope.setdefault("state", {})["dishka_container"] = container
            await plain(scope, receive, send)
        else:
            await scoped(scope, receive, send)

    app.asgi_handler = handler
    app.state.dishka_container = container


def api_router() -> DishkaRouter:
    return DishkaRouter(
        path="/api",
        route_handlers=[
            SessionController,
            UserController,
            OrgController,
            SiteController,
            HealthController,
            ManifestController,
            ManifestDocumentController,
            ManifestCorrectionController,
            ManifestPdfController,
            LookupController,
            RcrainfoController,
            ReceivingController,
            TaskController,
            WebhookController,
            NoticeController,
            DeadlineController,
            LinkController,
            docs,
        ],
        dependencies={"user": Provide(current_user)},
    )


def create_app(
    settings: Settings,
    *,
    container: AsyncContainer | None = None,
    providers: Sequence[Provider] = (),
    background: bool | None = None,
) -> Litestar:
    """Build the app; a given container (tests) is used as is, otherwise one is made.

    `background` runs the task worker and the scheduler in this process; by default it does
    on embedded defaults (no HT_REDIS_URL) with a container of its own making.
    """
    owned = container is None
    if background is None:
        background = owned and settings.redis_url is None
    di = container or make_async_container(
        *core_providers(),
        *(worker_providers() if background else ()),
        *providers,
        *telemetry_providers(),  # empty unless this process turned telemetry on
        context={Settings: settings},
    )

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        try:
            if owned:  # HT_RCRAINFO_ENV=sandbox: the embedded e-Manifest sandbox starts now
                await di.get(RcrainfoEndpoint)
            yield
        finally:
            if owned:
                await di.close()

    @asynccontextmanager
    async def background_work(_: Litestar) -> AsyncIterator[None]:
        async with embedded_background(di, settings):
            yield

    # A path no route knows is a page for a browser, a problem document for the API.
    exception_handlers = dict(EXCEPTION_HANDLERS)
    exception_handlers[NotFoundException] = not_found_anywhere(EXCEPTION_HANDLERS[HTTPException])
    app = Litestar(
        route_handlers=[
            alive,
            api_router(),
            docs_assets_router(),
            admin_mount(settings, di),
            *web_routers(),
        ],
        template_config=template_config(),
        exception_handlers=exception_handlers,  # type: ignore[arg-type]
        request_class=HaztrakRequest,
        cors_config=CORSConfig(
            allow_origins=list(settings.http.cors_origins),
            allow_credentials=True,
            allow_headers=["Content-Type", "X-CSRFToken", "Authorization", "If-Match"],
            expose_headers=["ETag"],
        )
        if settings.http.cors_origins
        else None,
        openapi_config=OpenAPIConfig(
            title="Haztrak",
            version=__version__,
            description=(
                "Hazardous-waste manifests with EPA's e-Manifest. Log in with "
                "POST /api/browser/v1/auth/login, or send `Authorization: Bearer <token>` "
                "with a personal API token from POST /api/user/tokens."
            ),
            path="/api/schema",
            render_plugins=[
                JsonRenderPlugin(path=["/", "/openapi.json"]),
                swagger_plugin(path="/swagger"),  # its assets from docs_assets_router
            ],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(type="http", scheme="bearer"),
                    "session": SecurityScheme(
                        type="apiKey", name="sessionid", security_scheme_in="cookie"
                    ),
                }
            ),
            security=[{"bearer": []}, {"session": []}],
        ),
        middleware=[*http_middleware(), request_log_middleware],
        logging_config=None,  # the process configured logging (entrypoints.logs)
        lifespan=[lifespan, background_work] if background else [lifespan],
        debug=False,
    )
    install_dishka(di, app)
    return app


def app_from_environment() -> Litestar:
    """The factory `uvicorn --factory` calls in each worker process."""
    from haztrak.entrypoints.logs import configure_logging
    from haztrak.entrypoints.settings import load_settings
    from haztrak.entrypoints.telemetry import install

    settings = load_settings()
    configure_logging(settings.log)
    install(settings.telemetry, process="api")
    app = create_app(settings)
    # Everything built so far lives as long as the process: keep it out of the collector's
    # sight, so full collections under load stay short (p99 of the lookups: 105 ms -> 11 ms).
    # Raising the thresholds too bought 20% more throughput but broke the 150 MiB budget.
    gc.freeze()
    return app
