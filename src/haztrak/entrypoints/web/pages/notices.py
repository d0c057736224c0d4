"""The notices page: what happened to the user's manifests, sites and tasks, newest first;
marking them read; and the form (on the profile page) choosing how each kind arrives."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from dishka import FromDishka
from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from haztrak.application.notices.queries import (
    ListNotices,
    MarkAllNoticesRead,
    MarkNoticeRead,
    PreferencesView,
    SetNoticePreferences,
    encode_cursor,
)
from haztrak.domain.events import EventKind
from haztrak.domain.identity import User
from haztrak.domain.notices import KIND_LABELS, Delivery, Notice
from haztrak.entrypoints.web.flash import redirect
from haztrak.entrypoints.web.templating import page

PAGE = 25

DELIVERY_LABELS = {
    Delivery.IN_APP: "In Haztrak only",
    Delivery.EMAIL: "Also by e-mail, at once",
    Delivery.DIGEST: "Also in a daily e-mail",
}


class NoticeView(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    title: str
    at: Any
    link: str | None
    mtn: str | None
    read: bool

    @classmethod
    def of(cls, notice: Notice) -> NoticeView:
        return cls(
            id=notice.id,
            title=notice.title,
            at=notice.at,
            link=notice.link,
            mtn=notice.mtn,
            read=notice.read,
        )


class PreferenceRow(msgspec.Struct, frozen=True, kw_only=True):
    kind: str
    label: str
    delivery: str


def preference_form(view: PreferencesView) -> dict[str, Any]:
    """What the profile page's notices form shows."""
    email = view.email_enabled and view.has_email
    options = [(d.value, DELIVERY_LABELS[d]) for d in Delivery if email or d is Delivery.IN_APP]
    return {
        "rows": [
            PreferenceRow(kind=kind.value, label=KIND_LABELS[kind], delivery=delivery.value)
            for kind, delivery in view.deliveries.items()
        ],
        "options": options,
        "email_enabled": view.email_enabled,
        "has_email": view.has_email,
    }


class NoticePagesController(Controller):
    include_in_schema = False

    @get("/notices")
    async def notices(
        self,
        request: Request[Any, Any, Any],
        user: User,
        list_notices: FromDishka[ListNotices],
    ) -> Template:
        cursor = request.query_params.get("cursor")
        unread_only = request.query_params.get("unread") == "1"
        listing = await list_notices(
            user, limit=PAGE, cursor=cursor or None, unread_only=unread_only
        )
        more = "&unread=1" if unread_only else ""
        return page(
            request,
            "notices/list.html",
            {
                "notices": [NoticeView.of(n) for n in listing.items],
                "unread": listing.unread,
                "unread_only": unread_only,
                "next_url": (
                    f"/notices?cursor={encode_cursor(listing.next)}{more}" if listing.next else None
                ),
                "first_page": not cursor,
            },
        )

    @post("/notices/{notice_id:uuid}/read")
    async def mark_read(
        self, user: User, notice_id: UUID, mark_read: FromDishka[MarkNoticeRead]
    ) -> Response[Any]:
        await mark_read(user, notice_id)
        return redirect("/notices", "success", "Marked read.")

    @post("/notices/read")
    async def mark_all_read(
        self, user: User, mark_all: FromDishka[MarkAllNoticesRead]
    ) -> Response[Any]:
        marked = await mark_all(user)
        text = f"{marked} notice{'s' if marked != 1 else ''} marked read."
        return redirect("/notices", "success", text)

    @post("/notices/preferences")
    async def set_preferences(
        self,
        request: Request[Any, Any, Any],
        user: User,
        set_preferences: FromDishka[SetNoticePreferences],
    ) -> Response[Any]:
        form = await request.form()
        kinds = {k.value for k in EventKind}
        chosen = {
            name: str(value)[:10]
            for name, value in form.multi_items()
            if name in kinds and isinstance(value, str)
        }
        await set_preferences(user, chosen)
        return redirect("/profile#notices", "success", "Your notice settings are saved.")
