"""The browser UI: server-rendered pages on the same use cases and session as the REST API.

Pages are Jinja2 templates rendered from view models; htmx (served from /static, like every
asset) adds partial updates. Every page reads with JavaScript off and every form posts as a
plain form.
"""

from __future__ import annotations

from litestar import Router
from litestar.datastructures import CacheControlHeader, ResponseHeader
from litestar.di import Provide
from litestar.static_files import create_static_files_router

from haztrak.entrypoints.web.assets import STATIC_DIR, STATIC_PATH
from haztrak.entrypoints.web.errors import WEB_EXCEPTION_HANDLERS
from haztrak.entrypoints.web.routes import PAGE_CONTROLLERS
from haztrak.entrypoints.web.session import page_user, refuse_nul
from haztrak.entrypoints.web.templating import template_config

__all__ = ["template_config", "web_routers"]

# No inline script or style anywhere: everything comes from /static. htmx runs with eval off.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = [
    ResponseHeader(name="Content-Security-Policy", value=CONTENT_SECURITY_POLICY),
    ResponseHeader(name="X-Frame-Options", value="DENY"),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
    ResponseHeader(name="Cache-Control", value="private, no-store"),
]


def web_routers() -> list[Router]:
    """The pages (with the dishka request scope) and the static files."""
    from dishka.integrations.litestar import DishkaRouter

    pages = DishkaRouter(
        path="/",
        route_handlers=list(PAGE_CONTROLLERS),
        dependencies={"user": Provide(page_user)},
        exception_handlers=WEB_EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        response_headers=SECURITY_HEADERS,
        before_request=refuse_nul,
        include_in_schema=False,
    )
    static = create_static_files_router(
        path=STATIC_PATH,
        directories=[STATIC_DIR],
        cache_control=CacheControlHeader(public=True, max_age=31536000),
        include_in_schema=False,
        name="web-static",
    )
    return [pages, static]
