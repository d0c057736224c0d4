"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from dishka import AsyncContainer
from litestar import Controller, Request, Response, get
from litestar.openapi import ResponseSpec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from haztrak import __version__
from haztrak.application.ports.cache import Cache
from haztrak.application.ports.tasks import TaskQueue
from haztrak.entrypoints.http.schemas import CheckOut, HealthOut

_ALIVE = HealthOut(status="ok", version=__version__)


@get("/api/health", tags=["operations"], summary="Liveness: the process answers")
async def alive() -> HealthOut:
    """Outside the dishka router: a liveness probe needs no request scope."""
    return _ALIVE


class HealthController(Controller):
    path = "/health"
    tags = ["operations"]

    @get(
        "/ready",
        summary="Readiness: the database, the cache and the task queue answer",
        responses={
            503: ResponseSpec(HealthOut, description="Not ready: `checks` says what is failing")
        },
    )
    async def ready(self, request: Request[Any, Any, Any]) -> Response[HealthOut]:
        container: AsyncContainer = request.state.dishka_container
        checks = {
            "database": await _check_database(await container.get(AsyncEngine)),
            "cache": await _check_cache(await container.get(Cache)),
            "broker": await _check_broker(await container.get(TaskQueue)),
        }
        ok = all(c.status == "ok" for c in checks.values())
        return Response(
            HealthOut(status="ok" if ok else "failing", version=__version__, checks=checks),
            status_code=200 if ok else 503,
        )


async def _check_database(engine: AsyncEngine) -> CheckOut:
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        return CheckOut(status="failing", detail=type(exc).__name__)
    return CheckOut(status="ok")


async def _check_cache(cache: Cache) -> CheckOut:
    return CheckOut(status="ok") if await cache.ping() else CheckOut(status="failing")


async def _check_broker(queue: TaskQueue) -> CheckOut:
    return CheckOut(status="ok") if await queue.ping() else CheckOut(status="failing")
