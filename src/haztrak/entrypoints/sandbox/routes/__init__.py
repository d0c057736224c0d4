"""The sandbox's routers: RCRAInfo's REST API under `/rest/api/v1`, controls under `/sandbox`."""

from __future__ import annotations

from litestar import Router
from litestar.di import Provide

from haztrak.entrypoints.sandbox.routes import auth, control, links, lookups, manifests, sites
from haztrak.entrypoints.sandbox.routes.common import REST_PREFIX, provide_user, require_token


def rest_routers() -> list[Router]:
    return [
        Router(path=REST_PREFIX, route_handlers=auth.ROUTES),
        Router(
            path=REST_PREFIX,
            route_handlers=[*sites.ROUTES, *lookups.ROUTES, *manifests.ROUTES, *links.ROUTES],
            guards=[require_token],
            dependencies={"user": Provide(provide_user, sync_to_thread=False)},
        ),
    ]


def control_router() -> Router:
    return Router(path="/sandbox", route_handlers=control.ROUTES)
