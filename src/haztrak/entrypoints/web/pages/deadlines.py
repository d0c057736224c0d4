"""Deadlines: the RCRA clocks the user's sites owe (exception reports, discrepancies, receipt
signatures), recording that one was dealt with, and a generator site's category."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import msgspec
from dishka import FromDishka
from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Template

from haztrak.application.deadlines import (
    DeadlineQuery,
    GetGeneratorCategory,
    ListDeadlines,
    RecordDeadlineReported,
    ReportDeadline,
    SetGeneratorCategory,
)
from haztrak.domain.errors import Conflict, Forbidden, InvalidValue
from haztrak.domain.identity import User
from haztrak.domain.manifest.deadlines import (
    Deadline,
    DeadlineKind,
    DeadlineState,
    GeneratorCategory,
)
from haztrak.entrypoints.web.flash import redirect
from haztrak.entrypoints.web.templating import page
from haztrak.entrypoints.web.views.text import sentence

Form = Body(media_type=RequestEncodingType.URL_ENCODED)
Token = Annotated[str, msgspec.Meta(max_length=200)]

STATE_BADGES = {
    DeadlineState.LATE: ("badge--error", "Late"),
    DeadlineState.NEAR: ("badge--pending", "Near"),
    DeadlineState.OK: ("badge--scheduled", "Running"),
    DeadlineState.REPORTED: ("badge--signed", "Reported"),
}
STATE_FILTERS = [("", "Every state"), *((s.value, STATE_BADGES[s][1]) for s in DeadlineState)]
CATEGORIES = [
    ("", "Follow the handler record"),
    (GeneratorCategory.LQG.value, "Large quantity generator (LQG)"),
    (GeneratorCategory.SQG.value, "Small quantity generator (SQG)"),
    (GeneratorCategory.VSQG.value, "Very small quantity generator (VSQG)"),
]
CATEGORY_NAMES = {value: label for value, label in CATEGORIES if value}


class DeadlineView(msgspec.Struct, frozen=True, kw_only=True):
    """One deadline as a list shows it: the words are decided here, not in the template."""

    deadline: Deadline
    title: str
    summary: str
    badge: str
    state_label: str
    reportable: bool
    form_id: str

    @classmethod
    def of(cls, deadline: Deadline, today: date) -> DeadlineView:
        badge, label = STATE_BADGES[deadline.state]
        return cls(
            deadline=deadline,
            title=deadline.kind.label,
            summary=deadline.summary(today),
            badge=badge,
            state_label=label,
            reportable=deadline.kind.reportable and deadline.state is not DeadlineState.REPORTED,
            form_id=f"report-{deadline.mtn}-{deadline.kind.value}",
        )


class ReportedForm(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    reported_on: Annotated[str, msgspec.Meta(max_length=20)] = ""
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""
    csrf_token: Token = ""


class CategoryForm(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    category: Annotated[str, msgspec.Meta(max_length=10)] = ""
    csrf_token: Token = ""


def _state(value: str | None) -> DeadlineState | None:
    try:
        return DeadlineState(value) if value else None
    except ValueError:
        raise InvalidValue("state", "must be ok, near, late or reported") from None


class DeadlinePagesController(Controller):
    include_in_schema = False

    @get("/deadlines")
    async def deadlines(
        self,
        request: Request[Any, Any, Any],
        user: User,
        list_deadlines: FromDishka[ListDeadlines],
    ) -> Template:
        site = request.query_params.get("site") or None
        state = _state(request.query_params.get("state"))
        query = DeadlineQuery(site_id=site, states=frozenset({state}) if state else frozenset())
        found = await list_deadlines(user, query)
        return page(
            request,
            "deadlines/list.html",
            {
                "items": [DeadlineView.of(d, found.today) for d in found.items],
                "today": found.today,
                "site": site,
                "state": state.value if state else "",
                "state_filters": STATE_FILTERS,
            },
        )

    @post("/deadlines/{mtn:str}/{kind:str}/reported")
    async def record(
        self,
        user: User,
        mtn: str,
        kind: str,
        data: Annotated[ReportedForm, Form],
        record: FromDishka[RecordDeadlineReported],
    ) -> Response[Any]:
        back = "/deadlines"
        try:
            try:
                deadline_kind = DeadlineKind(kind)
            except ValueError:
                raise InvalidValue("kind", "must be exceptionReport or discrepancy") from None
            try:
                reported_on = date.fromisoformat(data.reported_on) if data.reported_on else None
            except ValueError:
                raise InvalidValue("reportedOn", "must be a date such as 2026-03-01") from None
            deadline = await record(
                user,
                ReportDeadline(
                    mtn=mtn, kind=deadline_kind, reported_on=reported_on, note=data.note or None
                ),
            )
        except InvalidValue as exc:
            field = {"reportedOn": "Reported on"}.get(exc.field, exc.field)
            return redirect(back, "error", f"{field}: {sentence(exc.message)}")
        except (Conflict, Forbidden) as exc:
            return redirect(back, "error", sentence(str(exc)))
        return redirect(
            back,
            "success",
            f"{deadline.kind.label} of manifest {mtn} recorded as reported on "
            f"{deadline.reported_on}.",
        )

    @get("/sites/{epa_id:str}/generator-category")
    async def category(
        self,
        request: Request[Any, Any, Any],
        user: User,
        epa_id: str,
        get_category: FromDishka[GetGeneratorCategory],
    ) -> Template:
        found = await get_category(user, epa_id)
        return page(
            request,
            "deadlines/category.html",
            {
                "found": found,
                "epa_id": epa_id,
                "categories": CATEGORIES,
                "names": CATEGORY_NAMES,
            },
        )

    @post("/sites/{epa_id:str}/generator-category")
    async def set_category(
        self,
        user: User,
        epa_id: str,
        data: Annotated[CategoryForm, Form],
        set_category: FromDishka[SetGeneratorCategory],
    ) -> Response[Any]:
        back = f"/sites/{epa_id}/generator-category"
        category = GeneratorCategory.parse(data.category) if data.category else None
        if data.category and category not in CATEGORY_NAMES:
            return redirect(back, "error", "Category: choose LQG, SQG or VSQG.")
        found = await set_category(user, epa_id, category)
        said = CATEGORY_NAMES.get(found.category.value, "") if found.category else "not known"
        return redirect(back, "success", f"The deadlines of {epa_id} now count it as: {said}.")
