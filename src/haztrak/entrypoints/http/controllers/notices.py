"""A user's notices (issue 15): `GET /api/notices`, marking them read, and how each kind of
notice reaches the user (`GET/PUT /api/notices/preferences`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from dishka import FromDishka
from litestar import Controller, get, post, put
from litestar.params import QueryParameter

from haztrak.application.notices.queries import (
    GetNoticePreferences,
    ListNotices,
    MarkAllNoticesRead,
    MarkNoticeRead,
    PreferencesView,
    SetNoticePreferences,
    encode_cursor,
)
from haztrak.application.ports.notices import NoticePage
from haztrak.domain.events import EventKind
from haztrak.domain.identity import User
from haztrak.domain.notices import Delivery, Notice
from haztrak.entrypoints.http import text as limits
from haztrak.entrypoints.http.openapi import answers
from haztrak.entrypoints.http.text import text_query


class NoticeOut(msgspec.Struct, kw_only=True, rename="camel"):
    id: UUID
    kind: EventKind
    at: datetime
    title: str
    manifest_tracking_number: str | None
    link: str | None
    """Where the notice leads in the web UI."""
    read: bool
    read_at: datetime | None
    detail: dict[str, str]

    @classmethod
    def of(cls, notice: Notice) -> NoticeOut:
        return cls(
            id=notice.id,
            kind=notice.kind,
            at=notice.at,
            title=notice.title,
            manifest_tracking_number=notice.mtn,
            link=notice.link,
            read=notice.read,
            read_at=notice.read_at,
            detail=notice.detail,
        )


class NoticePageOut(msgspec.Struct, kw_only=True, rename="camel"):
    items: list[NoticeOut]
    next: str | None
    """The cursor of the next page; null on the last."""
    unread: int

    @classmethod
    def of(cls, page: NoticePage) -> NoticePageOut:
        return cls(
            items=[NoticeOut.of(n) for n in page.items],
            next=encode_cursor(page.next) if page.next else None,
            unread=page.unread,
        )


class MarkedOut(msgspec.Struct, kw_only=True):
    marked: int


class PreferencesOut(msgspec.Struct, kw_only=True, rename="camel"):
    deliveries: dict[EventKind, Delivery]
    email_enabled: bool
    has_email: bool

    @classmethod
    def of(cls, view: PreferencesView) -> PreferencesOut:
        return cls(
            deliveries=view.deliveries,
            email_enabled=view.email_enabled,
            has_email=view.has_email,
        )


_DELIVERIES_SCHEMA = {
    "propertyNames": {"enum": [k.value for k in EventKind]},
    "additionalProperties": {"type": "string", "enum": [d.value for d in Delivery]},
}


class PreferencesIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    deliveries: Annotated[
        dict[Annotated[str, limits.text(40)], Annotated[str, limits.text(10)]],
        msgspec.Meta(max_length=len(EventKind), extra_json_schema={"extra": _DELIVERIES_SCHEMA}),
    ]
    """kind -> in_app, email or digest; kinds left out are in the app only. Checked by the
    use case, which names the kind it refuses."""


class NoticeController(Controller):
    path = "/notices"
    tags = ["notices"]

    @get(
        "/",
        responses=answers(400, 422),
        summary="Your notices, newest first, a page at a time",
        description=(
            "Answers `{items, next, unread}`: each item has its `kind` (manifest.signed, "
            "deadline.near, ...), `at`, a `title` in words, the manifest's "
            "`manifestTrackingNumber` when it is about one, the `link` of its page in the web "
            "UI, and whether it is `read`; `unread` counts your unread notices. `next` is the "
            "cursor of the next page (null on the last); pages follow a keyset."
        ),
    )
    async def list_notices(
        self,
        user: User,
        list_notices: FromDishka[ListNotices],
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        cursor: Annotated[
            str | None, text_query(limits.CURSOR, description="`next` of the page before")
        ] = None,
        unread: Annotated[bool, QueryParameter(description="only unread notices")] = False,
    ) -> NoticePageOut:
        page = await list_notices(user, limit=limit, cursor=cursor, unread_only=unread)
        return NoticePageOut.of(page)

    @post(
        "/{notice_id:uuid}/read",
        status_code=204,
        responses=answers(400, 404, 422),
        summary="Mark one of your notices read",
    )
    async def mark_read(
        self, user: User, notice_id: UUID, mark_read: FromDishka[MarkNoticeRead]
    ) -> None:
        await mark_read(user, notice_id)

    @post(
        "/read",
        status_code=200,
        responses=answers(400),
        summary="Mark all your notices read",
        description="Answers `{marked}`: how many were unread.",
    )
    async def mark_all_read(
        self, user: User, mark_all: FromDishka[MarkAllNoticesRead]
    ) -> MarkedOut:
        return MarkedOut(marked=await mark_all(user))

    @get(
        "/preferences",
        responses=answers(400),
        summary="How each kind of notice reaches you",
        description=(
            "`{deliveries, emailEnabled, hasEmail}`: `deliveries` maps every kind of notice to "
            "`in_app` (the default), `email` (an e-mail at once) or `digest` (in a daily "
            "e-mail). E-mail needs `emailEnabled` (the service has a mail server) and an "
            "e-mail address on your profile."
        ),
    )
    async def get_preferences(
        self, user: User, get_preferences: FromDishka[GetNoticePreferences]
    ) -> PreferencesOut:
        return PreferencesOut.of(await get_preferences(user))

    @put(
        "/preferences",
        responses=answers(400, 422),
        summary="Choose how each kind of notice reaches you",
        description=(
            "Send `{deliveries: {kind: in_app | email | digest}}`; kinds left out are in the "
            "app only. A kind or a delivery not offered is 422 naming it; e-mail without an "
            "address on your profile is 422."
        ),
    )
    async def set_preferences(
        self,
        user: User,
        data: PreferencesIn,
        set_preferences: FromDishka[SetNoticePreferences],
    ) -> PreferencesOut:
        return PreferencesOut.of(await set_preferences(user, data.deliveries))
