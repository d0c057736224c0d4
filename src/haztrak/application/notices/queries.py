"""A user's notices: the list (newest first, a page at a time), marking them read, and the
choice per kind of how they are delivered."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

import msgspec

from haztrak.application.ports.notices import (
    Mailer,
    NoticeCursor,
    NoticePage,
    NoticePreferenceStore,
    NoticeRepository,
    UnreadNotices,
)
from haztrak.application.ports.persistence import UnitOfWork
from haztrak.application.ports.security import Clock
from haztrak.domain.errors import InvalidValue, NotFound
from haztrak.domain.events import EventKind
from haztrak.domain.identity import User
from haztrak.domain.notices import Delivery, NoticePreferences

MAX_PAGE = 100


class ListNotices:
    def __init__(self, notices: NoticeRepository) -> None:
        self._notices = notices

    async def __call__(
        self, user: User, *, limit: int = 50, cursor: str | None = None, unread_only: bool = False
    ) -> NoticePage:
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidValue("limit", f"must be 1-{MAX_PAGE}")
        after = decode_cursor(cursor) if cursor else None
        items = list(
            await self._notices.page(user.id, limit=limit + 1, after=after, unread_only=unread_only)
        )
        more = len(items) > limit
        items = items[:limit]
        return NoticePage(
            items=items,
            next=NoticeCursor(items[-1].at, items[-1].id) if more else None,
            unread=await self._notices.unread_count(user.id),
        )


class CountUnreadNotices:
    """The badge in the navigation: one indexed count."""

    def __init__(self, notices: UnreadNotices) -> None:
        self._notices = notices

    async def __call__(self, user: User) -> int:
        return await self._notices.unread_count(user.id)


class MarkNoticeRead:
    def __init__(self, notices: NoticeRepository, clock: Clock, uow: UnitOfWork) -> None:
        self._notices = notices
        self._clock = clock
        self._uow = uow

    async def __call__(self, user: User, notice_id: UUID) -> None:
        if not await self._notices.mark_read(user.id, notice_id, self._clock.now()):
            raise NotFound("notice", str(notice_id))
        await self._uow.commit()


class MarkAllNoticesRead:
    def __init__(self, notices: NoticeRepository, clock: Clock, uow: UnitOfWork) -> None:
        self._notices = notices
        self._clock = clock
        self._uow = uow

    async def __call__(self, user: User) -> int:
        marked = await self._notices.mark_all_read(user.id, self._clock.now())
        await self._uow.commit()
        return marked


class PreferencesView(msgspec.Struct, frozen=True, kw_only=True):
    deliveries: dict[EventKind, Delivery]
    """Every kind, with the user's choice (in_app when not chosen)."""
    email_enabled: bool
    """Whether this service sends e-mail at all; without it every notice stays in the app."""
    has_email: bool


class GetNoticePreferences:
    def __init__(self, preferences: NoticePreferenceStore, mailer: Mailer) -> None:
        self._preferences = preferences
        self._mailer = mailer

    async def __call__(self, user: User) -> PreferencesView:
        chosen = await self._preferences.get(user.id)
        return PreferencesView(
            deliveries=chosen.every_kind(),
            email_enabled=self._mailer.enabled,
            has_email=bool(user.email),
        )


class SetNoticePreferences:
    """Replace the user's choices with `deliveries` (kind -> in_app, email or digest); kinds
    left out are in the app only. A choice of e-mail needs an e-mail address on the profile."""

    def __init__(self, preferences: NoticePreferenceStore, mailer: Mailer, uow: UnitOfWork) -> None:
        self._preferences = preferences
        self._mailer = mailer
        self._uow = uow

    async def __call__(self, user: User, deliveries: Mapping[str, str]) -> PreferencesView:
        parsed: dict[EventKind, Delivery] = {}
        for key, value in deliveries.items():
            try:
                kind = EventKind(key)
            except ValueError:
                allowed = ", ".join(k.value for k in EventKind)
                raise InvalidValue(key, f"is not a kind of notice; use one of: {allowed}") from None
            try:
                delivery = Delivery(value)
            except ValueError:
                allowed = ", ".join(d.value for d in Delivery)
                raise InvalidValue(key, f"must be one of: {allowed}") from None
            if delivery is not Delivery.IN_APP and not user.email:
                raise InvalidValue(
                    key, "e-mail needs an e-mail address on your profile; add one first"
                )
            if delivery is not Delivery.IN_APP:
                parsed[kind] = delivery
        chosen = NoticePreferences(deliveries=parsed)
        await self._preferences.set(user.id, chosen)
        await self._uow.commit()
        return PreferencesView(
            deliveries=chosen.every_kind(),
            email_enabled=self._mailer.enabled,
            has_email=bool(user.email),
        )


_cursor_encoder = msgspec.json.Encoder()
_cursor_decoder = msgspec.json.Decoder(tuple[datetime, UUID])


def encode_cursor(cursor: NoticeCursor) -> str:
    raw = _cursor_encoder.encode((cursor.at, cursor.id))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> NoticeCursor:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        at, notice_id = _cursor_decoder.decode(raw)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        raise InvalidValue("cursor", "is not a cursor this service gave out") from None
    if at.tzinfo is None:
        raise InvalidValue("cursor", "is not a cursor this service gave out")
    return NoticeCursor(at, notice_id)
