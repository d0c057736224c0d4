"""The user's sites, and one site: its handler record, its manifests, and a sync with
RCRAInfo whose progress shows in place."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode
from uuid import UUID

from dishka import FromDishka
from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template

from haztrak.application.identity.orgs import GetMyProfile
from haztrak.application.overview import GetSiteOverview
from haztrak.application.rcrainfo.accounts import RcrainfoNotConfigured
from haztrak.application.rcrainfo.manifests import SyncSiteManifests
from haztrak.application.tasks.queries import GetTask
from haztrak.domain.errors import InvalidValue, NotFound
from haztrak.domain.identity import User
from haztrak.domain.manifest.reports import RegisterPeriod
from haztrak.domain.tasks import TaskName
from haztrak.entrypoints.web.flash import redirect
from haztrak.entrypoints.web.pages.dashboard import STATUS_ORDER
from haztrak.entrypoints.web.templating import page
from haztrak.entrypoints.web.views.tasks import TaskView, task_view
from haztrak.entrypoints.web.views.text import sentence

SYNC_BOX = "site-sync"
REGISTER_FORMATS = (("xlsx", "Excel"), ("csv", "CSV"), ("json", "JSON"))


class SitePagesController(Controller):
    include_in_schema = False

    @get("/sites")
    async def sites(
        self,
        request: Request[Any, Any, Any],
        user: User,
        profile: FromDishka[GetMyProfile],
    ) -> Template:
        mine = await profile(user)
        return page(request, "sites/list.html", {"sites": mine.sites})

    @get("/sites/{epa_id:str}")
    async def site(
        self,
        request: Request[Any, Any, Any],
        user: User,
        epa_id: str,
        overview: FromDishka[GetSiteOverview],
        get_task: FromDishka[GetTask],
    ) -> Template:
        site = await overview(user, epa_id)
        sync = await _sync_task(request, user, get_task, epa_id)
        last_year = datetime.now(UTC).year - 1  # the register form starts at last year
        return page(
            request,
            "sites/site.html",
            {
                "o": site,
                "statuses": STATUS_ORDER,
                "sync": sync,
                "sync_box": SYNC_BOX,
                "register": {"from": f"{last_year}-01-01", "to": f"{last_year}-12-31"},
                "register_formats": REGISTER_FORMATS,
            },
        )

    @get("/sites/{epa_id:str}/register")
    async def register(self, request: Request[Any, Any, Any], user: User, epa_id: str) -> Redirect:
        """The register form's door: a period that reads goes on to the API's download (the
        API checks the site); one that does not comes back to the site's page, in words."""
        query = request.query_params
        wanted = query.get("format") or "xlsx"
        try:
            RegisterPeriod.parse(query.get("from"), query.get("to"))
        except InvalidValue as problem:
            label = {"from": "From", "to": "To"}.get(problem.field, problem.field)
            return redirect(
                f"/sites/{quote(epa_id)}", "error", f"Register: {label} {problem.message}."
            )
        if wanted not in dict(REGISTER_FORMATS):
            return redirect(f"/sites/{quote(epa_id)}", "error", "Register: choose a format.")
        given = {"from": query.get("from", ""), "to": query.get("to", ""), "format": wanted}
        return Redirect(f"/api/sites/{quote(epa_id)}/register?{urlencode(given)}", status_code=303)

    @post("/sites/{epa_id:str}/sync")
    async def sync(
        self,
        request: Request[Any, Any, Any],
        user: User,
        epa_id: str,
        sync: FromDishka[SyncSiteManifests],
    ) -> Response[Any]:
        htmx = bool(request.headers.get("hx-request"))
        try:
            task = task_view(await sync(user, epa_id))
        except RcrainfoNotConfigured as exc:
            text = sentence(str(exc))
            if htmx:
                return page(
                    request,
                    "partials/alert.html",
                    {"level": "error", "text": text, "box_id": SYNC_BOX},
                    status_code=409,
                )
            return redirect(f"/sites/{epa_id}", "error", text)
        if htmx:
            return page(
                request,
                "partials/task_progress.html",
                {"task": task, "target_id": SYNC_BOX, "announce_start": True},
            )
        return redirect(f"/sites/{epa_id}?task={task.id}")


async def _sync_task(
    request: Request[Any, Any, Any], user: User, get_task: GetTask, epa_id: str
) -> TaskView | None:
    """The sync this page was sent back to follow (?task=), if it is the user's sync of
    this site."""
    raw = request.query_params.get("task")
    if not raw:
        return None
    try:
        task = await get_task(user, UUID(raw))
    except (ValueError, NotFound):
        return None
    if task.name is not TaskName.SYNC_SITE_MANIFESTS or task.subject != epa_id:
        return None
    return task_view(task)
