"""The dashboard: what needs the user now."""

from __future__ import annotations

from typing import Any

from dishka import FromDishka
from litestar import Controller, Request, get
from litestar.response import Template

from haztrak.application.identity.orgs import GetMyProfile
from haztrak.application.manifests.queries import ListManifests, ManifestFilters
from haztrak.domain.identity import User
from haztrak.entrypoints.web.templating import page


class DashboardController(Controller):
    include_in_schema = False

    @get("/dashboard")
    async def dashboard(
        self,
        request: Request[Any, Any, Any],
        user: User,
        profile: FromDishka[GetMyProfile],
        list_manifests: FromDishka[ListManifests],
    ) -> Template:
        mine = await profile(user)
        recent = await list_manifests(user, ManifestFilters(), limit=10)
        return page(
            request,
            "dashboard.html",
            {"profile": mine, "recent": recent.items, "total": recent.total},
        )
