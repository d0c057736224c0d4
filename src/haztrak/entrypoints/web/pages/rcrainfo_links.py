"""'Open in RCRAInfo': a manifest's page in RCRAInfo itself (View, Edit, Sign), for the steps
that must happen there. The address comes from EPA's UI-link service; the browser is sent on
to it, or to the task's page when RCRAInfo is slow to answer."""

from __future__ import annotations

from typing import Any

from dishka import FromDishka
from litestar import Controller, Request, Response, post
from litestar.response import Redirect

from haztrak.application.rcrainfo.accounts import RcrainfoNotConfigured
from haztrak.application.rcrainfo.links import GetRcrainfoLink, LinkRequest
from haztrak.application.tasks.errors import TaskFailed, TaskStillRunning
from haztrak.domain.errors import Conflict, Forbidden, InvalidValue
from haztrak.domain.identity import User
from haztrak.domain.rcrainfo_links import UiPage
from haztrak.entrypoints.web.flash import redirect
from haztrak.entrypoints.web.views.text import sentence

MANIFEST_PAGES = (UiPage.VIEW.value, UiPage.EDIT.value, UiPage.SIGN.value)


class RcrainfoLinkPagesController(Controller):
    include_in_schema = False

    @post("/manifests/{mtn:str}/rcrainfo")
    async def open_in_rcrainfo(
        self,
        request: Request[Any, Any, Any],
        user: User,
        mtn: str,
        get_link: FromDishka[GetRcrainfoLink],
    ) -> Response[Any]:
        form = await request.form()
        page = str(form.get("page") or UiPage.VIEW.value)[:20]
        back = f"/manifests/{mtn}"
        if page not in MANIFEST_PAGES:
            return redirect(back, "error", "Choose the View, Edit or Sign page of RCRAInfo.")
        try:
            url = await get_link(
                user, LinkRequest(page=page, site_id="", manifest_tracking_number=mtn)
            )
        except TaskStillRunning as running:
            return redirect(
                f"/tasks/{running.task_id}",
                "info",
                "RCRAInfo is slow to answer: the link to its page appears here when it does.",
            )
        except TaskFailed as failed:
            reason = sentence(failed.problem.detail)
            return redirect(back, "error", f"RCRAInfo gave no link: {reason}")
        except InvalidValue as error:
            return redirect(back, "error", sentence(error.message))
        except (Conflict, Forbidden, RcrainfoNotConfigured) as error:
            return redirect(back, "error", sentence(str(error)))
        # RCRAInfo's own address (EPA's service answered it): the user signs in there
        return Redirect(url, status_code=303)
