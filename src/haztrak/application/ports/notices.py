"""Notices: who is told (the audience), what they were told (notices), how they want it
(preferences), the e-mails owed, and the mail server."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

import msgspec

from haztrak.domain.notices import Channel, Notice, NoticePreferences


class Recipient(msgspec.Struct, frozen=True, kw_only=True):
    user_id: UUID
    username: str
    email: str = ""
    name: str = ""


class NoticeAudience(Protocol):
    async def users_of_sites(self, epa_ids: Sequence[str]) -> Sequence[Recipient]:
        """Active users with a role on one of these sites, or admins of an org that owns one."""

    async def members_of_orgs(self, org_ids: Sequence[UUID]) -> Sequence[Recipient]: ...

    async def users(self, user_ids: Sequence[UUID]) -> Sequence[Recipient]:
        """These users, if active."""

    async def all_site_ids(self) -> Sequence[str]:
        """The EPA ID of every site kept here (whose deadlines are watched)."""


class NoticeCursor(msgspec.Struct, frozen=True):
    """Where a page of notices ended: newest `at` first, then `id`."""

    at: datetime
    id: UUID


class NoticePage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[Notice]
    next: NoticeCursor | None
    unread: int


class NoticeRepository(Protocol):
    async def add(self, notice: Notice) -> bool:
        """Store the notice unless the user was told this event already; True when stored."""

    async def page(
        self, user_id: UUID, *, limit: int, after: NoticeCursor | None = None, unread_only: bool
    ) -> Sequence[Notice]:
        """Up to `limit` of the user's notices after `after`, newest first."""

    async def unread_count(self, user_id: UUID) -> int: ...

    async def mark_read(self, user_id: UUID, notice_id: UUID, at: datetime) -> bool:
        """False when the user has no such notice."""

    async def mark_all_read(self, user_id: UUID, at: datetime) -> int: ...


class UnreadNotices(Protocol):
    """The navigation's badge, read outside any unit of work (every page asks it)."""

    async def unread_count(self, user_id: UUID) -> int: ...


class NoticePreferenceStore(Protocol):
    async def get(self, user_id: UUID) -> NoticePreferences: ...

    async def get_many(self, user_ids: Sequence[UUID]) -> Mapping[UUID, NoticePreferences]: ...

    async def set(self, user_id: UUID, preferences: NoticePreferences) -> None: ...


class NoticeMail(msgspec.Struct, frozen=True, kw_only=True):
    """A notice owed by e-mail on one channel; (event, user, channel) is its key."""

    id: UUID
    event_id: UUID
    user_id: UUID
    channel: Channel
    notice_id: UUID
    created_at: datetime
    sent_at: datetime | None = None
    attempts: int = 0


class MailToSend(msgspec.Struct, frozen=True, kw_only=True):
    mail: NoticeMail
    notice: Notice
    recipient: Recipient


class NoticeMails(Protocol):
    async def add(self, mail: NoticeMail) -> bool:
        """Record the mail unless its key exists; True when recorded."""

    async def get(self, mail_id: UUID) -> MailToSend | None: ...

    async def count_attempt(self, mail_id: UUID) -> None: ...

    async def mark_sent(self, mail_ids: Sequence[UUID], at: datetime) -> None: ...

    async def digest_users(self, *, limit: int) -> Sequence[UUID]:
        """Users with digest lines not sent yet."""

    async def digest_of(self, user_id: UUID) -> Sequence[MailToSend]:
        """The user's digest lines not sent yet, oldest first."""


class MailMessage(msgspec.Struct, frozen=True, kw_only=True):
    to: str
    subject: str
    text: str
    html: str
    message_id: str
    """Stable per e-mail, so a mail system that sees one twice can tell."""


class MailUnavailable(Exception):
    """The mail server could not take the message now (down, refused for a while): retry."""


class MailRefused(Exception):
    """The mail server refused the message for good (a bad address): do not retry."""


class Mailer(Protocol):
    @property
    def enabled(self) -> bool:
        """Whether e-mail is configured at all; without it notices stay in the app."""

    async def send(self, message: MailMessage) -> None:
        """Raises MailUnavailable (retry) or MailRefused (give up)."""
