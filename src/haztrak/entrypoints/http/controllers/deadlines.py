"""Deadlines: the RCRA clocks of the manifests of your sites (`GET /api/deadlines`), recording
that one was dealt with, and a generator site's category."""

from __future__ import annotations

from datetime import date
from typing import Annotated, TypeVar

import msgspec
from dishka import FromDishka
from litestar import Controller, get, post, put

from haztrak.application.deadlines import (
    DeadlineList,
    DeadlineQuery,
    GetGeneratorCategory,
    ListDeadlines,
    RecordDeadlineReported,
    ReportDeadline,
    SetGeneratorCategory,
)
from haztrak.application.ports.deadlines import SiteCategory
from haztrak.application.ports.security import Clock
from haztrak.domain.errors import InvalidValue
from haztrak.domain.identity import User
from haztrak.domain.manifest import HandlerRole
from haztrak.domain.manifest.deadlines import (
    Deadline,
    DeadlineKind,
    DeadlineState,
    GeneratorCategory,
)
from haztrak.entrypoints.http import text as limits
from haztrak.entrypoints.http.openapi import answers
from haztrak.entrypoints.http.text import text, text_path, text_query

_LIST_PARAM = 100


class DeadlineOut(msgspec.Struct, kw_only=True, rename="camel"):
    kind: DeadlineKind
    manifest_tracking_number: str
    site_id: str
    """The EPA ID of your site that owes it."""
    role: HandlerRole
    started: date
    near_on: date
    due: date
    days_left: int
    """Negative when late."""
    state: DeadlineState
    reported_on: date | None
    generator_category: GeneratorCategory | None
    summary: str

    @classmethod
    def of(cls, deadline: Deadline, today: date) -> DeadlineOut:
        return cls(
            kind=deadline.kind,
            manifest_tracking_number=deadline.mtn,
            site_id=deadline.site_id,
            role=deadline.role,
            started=deadline.started,
            near_on=deadline.near_on,
            due=deadline.due,
            days_left=deadline.days_left(today),
            state=deadline.state,
            reported_on=deadline.reported_on,
            generator_category=deadline.generator_category,
            summary=deadline.summary(today),
        )


class DeadlinesOut(msgspec.Struct, kw_only=True, rename="camel"):
    today: date
    items: list[DeadlineOut]

    @classmethod
    def of(cls, found: DeadlineList) -> DeadlinesOut:
        return cls(today=found.today, items=[DeadlineOut.of(d, found.today) for d in found.items])


class ReportedBody(msgspec.Struct, kw_only=True, rename="camel", forbid_unknown_fields=True):
    reported_on: Annotated[str, text(10)] | None = None
    """The day it was reported or settled (YYYY-MM-DD); today when left out."""
    note: Annotated[str, text(500)] | None = None


class CategoryOut(msgspec.Struct, kw_only=True, rename="camel"):
    epa_id: str
    category: GeneratorCategory | None
    """The one the clocks use: the setting here, else the handler record's."""
    setting: GeneratorCategory | None
    handler: GeneratorCategory | None

    @classmethod
    def of(cls, found: SiteCategory) -> CategoryOut:
        return cls(
            epa_id=found.epa_id,
            category=found.category,
            setting=found.setting,
            handler=found.handler,
        )


class CategoryBody(msgspec.Struct, kw_only=True, rename="camel", forbid_unknown_fields=True):
    category: GeneratorCategory | None
    """LQG, SQG or VSG (RCRAInfo's codes), or null to follow the handler record again."""


_E = TypeVar("_E", DeadlineState, DeadlineKind)


def _choices(kind: type[_E], text_value: str | None, field: str) -> frozenset[_E]:
    if not text_value:
        return frozenset()
    found = set()
    for part in text_value.split(","):
        try:
            found.add(kind(part.strip()))
        except ValueError:
            allowed = ", ".join(m.value for m in kind)
            raise InvalidValue(field, f"must be among {allowed} (comma-separated)") from None
    return frozenset(found)


def parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidValue("reportedOn", "must be a date such as 2026-03-01") from None


def parse_kind(value: str) -> DeadlineKind:
    try:
        return DeadlineKind(value)
    except ValueError:
        allowed = ", ".join(k.value for k in DeadlineKind if k.reportable)
        raise InvalidValue("kind", f"must be one of {allowed}") from None


class DeadlineController(Controller):
    tags = ["deadlines"]

    @get(
        "/deadlines",
        responses=answers(400, 404, 422),
        summary="The RCRA clocks running on your sites' manifests, most urgent first",
        description=(
            "`{today, items}`. Each item is one clock a site of yours owes: `exceptionReport` "
            "(a generator without the facility's signed copy: an LQG contacts the transporter "
            "and facility after 35 days and reports by 45, an SQG reports by 60, from the first "
            "transporter's pick-up; the clock stops at the facility's signature), "
            "`discrepancy` (a facility settles or reports a discrepancy or rejection within 15 "
            "days of receipt) and `receiptSignature` (a facility signs within 30 days of "
            "delivery). `state` is ok, near (from `nearOn`), late (after `due`) or reported. "
            "The generator's category is its site setting, else RCRAInfo's handler record, "
            "else LQG. Filters: `site` (one of your sites), `state` and `kind` "
            "(comma-separated)."
        ),
    )
    async def list_deadlines(
        self,
        user: User,
        list_deadlines: FromDishka[ListDeadlines],
        site: Annotated[
            str | None, text_query(limits.EPA_ID, description="EPA ID of one of your sites")
        ] = None,
        states: Annotated[
            str | None,
            text_query(_LIST_PARAM, name="state", description="ok, near, late, reported"),
        ] = None,
        kind: Annotated[
            str | None,
            text_query(_LIST_PARAM, description="exceptionReport, discrepancy, receiptSignature"),
        ] = None,
    ) -> DeadlinesOut:
        query = DeadlineQuery(
            site_id=site,
            states=_choices(DeadlineState, states, "state"),
            kinds=_choices(DeadlineKind, kind, "kind"),
        )
        return DeadlinesOut.of(await list_deadlines(user, query))

    @post(
        "/manifest/{mtn:str}/deadlines/{kind:str}/reported",
        responses=answers(400, 403, 404, 409, 422),
        status_code=200,
        summary="Record that a manifest's clock was dealt with (audited)",
        description=(
            "Body `{reportedOn?, note?}` (`{}` for today). "
            "`kind` is exceptionReport (the generator filed its exception report) or "
            "discrepancy (the facility settled or reported it). Needs the preparer role on the "
            "site that owes it; `reportedOn` defaults to today and may not be in the future or "
            "before the clock started. Recording again replaces the day and note. Answers the "
            "deadline, now `reported`; 409 when no such clock of your sites runs on the "
            "manifest."
        ),
    )
    async def record_reported(
        self,
        user: User,
        record: FromDishka[RecordDeadlineReported],
        clock: FromDishka[Clock],
        mtn: Annotated[str, text_path(limits.MTN, "100000001ELC")],
        kind: Annotated[str, text_path(30, "exceptionReport")],
        data: ReportedBody,
    ) -> DeadlineOut:
        command = ReportDeadline(
            mtn=mtn,
            kind=parse_kind(kind),
            reported_on=parse_day(data.reported_on),
            note=data.note,
        )
        deadline = await record(user, command)
        return DeadlineOut.of(deadline, clock.now().date())

    @get(
        "/sites/{epa_id:str}/generator-category",
        responses=answers(400, 404, 422),
        summary="A site's generator category, as the deadlines use it",
        description=(
            "`{epaId, category, setting, handler}`: `setting` is the one set here, `handler` "
            "RCRAInfo's handler record's (`federalGeneratorStatus`), `category` the one used."
        ),
    )
    async def get_category(
        self,
        user: User,
        get_category: FromDishka[GetGeneratorCategory],
        epa_id: Annotated[str, text_path(limits.EPA_ID, "VATESTGEN001")],
    ) -> CategoryOut:
        return CategoryOut.of(await get_category(user, epa_id))

    @put(
        "/sites/{epa_id:str}/generator-category",
        responses=answers(400, 403, 404, 422),
        summary="Set a site's generator category where the handler record lacks it (audited)",
        description="Site managers only. `{category: LQG|SQG|VSG|null}`; null follows the "
        "handler record again.",
    )
    async def set_category(
        self,
        user: User,
        data: CategoryBody,
        set_category: FromDishka[SetGeneratorCategory],
        epa_id: Annotated[str, text_path(limits.EPA_ID, "VATESTGEN001")],
    ) -> CategoryOut:
        return CategoryOut.of(await set_category(user, epa_id, data.category))
