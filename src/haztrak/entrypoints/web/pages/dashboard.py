"""The dashboard: what needs the user now."""

from __future__ import annotations

from typing import Any

from dishka import FromDishka
from litestar import Controller, Request, get
from litestar.response import Template

from haztrak.application.overview import GetDashboard
from haztrak.domain.identity import User
from haztrak.domain.manifest import Status
from haztrak.entrypoints.web.pages.deadlines import DeadlineView
from haztrak.entrypoints.web.templating import page
from haztrak.entrypoints.web.views.tasks import task_view

STATUS_ORDER = [
    Status.NOT_ASSIGNED,
    Status.PENDING,
    Status.SCHEDULED,
    Status.IN_TRANSIT,
    Status.READY_FOR_SIGNATURE,
    Status.SIGNED,
    Status.CORRECTED,
    Status.UNDER_CORRECTION,
    Status.MTN_VALIDATION_FAILED,
]
"""The order a site's counts are shown in: the manifest's way through its life."""


class DashboardController(Controller):
    include_in_schema = False

    @get("/dashboard")
    async def dashboard(
        self,
        request: Request[Any, Any, Any],
        user: User,
        get_dashboard: FromDishka[GetDashboard],
    ) -> Template:
        board = await get_dashboard(user)
        return page(
            request,
            "dashboard.html",
            {
                "board": board,
                "statuses": STATUS_ORDER,
                "tasks": [task_view(t) for t in board.tasks],
                "deadlines": [DeadlineView.of(d, board.today) for d in board.deadlines],
                "today": board.today,
            },
        )
