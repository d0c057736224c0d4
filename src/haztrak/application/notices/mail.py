"""Notices by e-mail: one e-mail per notice for those who chose it, and a daily digest of the
notices of the kinds a user chose it for. Both are sent by the worker as tasks.

An e-mail is sent once per (event, user, channel): its record is marked sent in the same
commit that ends the task, and a task that finds it sent does nothing. Should the mail server
take a message and the commit then fail, the retry sends it again with the same Message-ID,
which mail systems use to drop the copy.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from uuid import UUID

import msgspec

from haztrak.application.ports.notices import (
    Mailer,
    MailMessage,
    MailRefused,
    MailToSend,
    MailUnavailable,
    NoticeMails,
)
from haztrak.application.ports.persistence import UnitOfWork
from haztrak.application.ports.security import Clock
from haztrak.application.ports.tasks import TaskRepository
from haztrak.application.tasks.errors import RetryLater
from haztrak.application.tasks.launch import TaskLauncher
from haztrak.application.tasks.run import TaskRun
from haztrak.domain.errors import DomainError, InvalidValue
from haztrak.domain.notices import Notice
from haztrak.domain.tasks import Task, TaskName

log = logging.getLogger("haztrak.notices")

DIGEST_SUBJECT = "digests"
DIGEST_USERS_PER_RUN = 500


class MailLinks(msgspec.Struct, frozen=True, kw_only=True):
    """The app's address as its users reach it (HT_PUBLIC_URL), for the links in e-mails."""

    base_url: str


class MailNotSent(DomainError):
    """The mail server refused the message for good; the task fails without retrying."""


def _line(notice: Notice, links: MailLinks) -> tuple[str, str]:
    """One notice as plain text and as HTML."""
    title = notice.title
    when = notice.at.strftime("%Y-%m-%d %H:%M UTC")
    link = f"{links.base_url.rstrip('/')}{notice.link}" if notice.link else None
    text = f"{title} ({when})" + (f"\n  {link}" if link else "")
    safe = html.escape(title)
    body = f'<a href="{html.escape(link)}">{safe}</a>' if link else safe
    return text, f"<li>{body} <small>({html.escape(when)})</small></li>"


_FOOTER = "You chose to get these notices by e-mail; change that on your profile page in Haztrak."


def notice_message(item: MailToSend, links: MailLinks) -> MailMessage:
    text, item_html = _line(item.notice, links)
    profile = f"{links.base_url.rstrip('/')}/profile#notices"
    return MailMessage(
        to=item.recipient.email,
        subject=f"Haztrak: {item.notice.title}"[:200],
        text=f"{text}\n\n{_FOOTER}\n{profile}\n",
        html=(
            f"<html><body><ul>{item_html}</ul>"
            f'<p>{html.escape(_FOOTER)} <a href="{html.escape(profile)}">Your profile</a></p>'
            "</body></html>"
        ),
        message_id=f"<notice-{item.mail.id}@haztrak>",
    )


def digest_message(items: Sequence[MailToSend], links: MailLinks) -> MailMessage:
    lines = [_line(item.notice, links) for item in items]
    count = len(items)
    heading = f"{count} notice{'s' if count != 1 else ''} since the last digest"
    profile = f"{links.base_url.rstrip('/')}/profile#notices"
    text = heading + "\n\n" + "\n".join(f"- {t}" for t, _ in lines)
    return MailMessage(
        to=items[0].recipient.email,
        subject=f"Haztrak daily digest: {heading}",
        text=f"{text}\n\n{_FOOTER}\n{profile}\n",
        html=(
            f"<html><body><p>{html.escape(heading)}</p><ul>{''.join(h for _, h in lines)}</ul>"
            f'<p>{html.escape(_FOOTER)} <a href="{html.escape(profile)}">Your profile</a></p>'
            "</body></html>"
        ),
        message_id=f"<digest-{items[0].mail.id}@haztrak>",
    )


async def _send(mailer: Mailer, message: MailMessage) -> None:
    try:
        await mailer.send(message)
    except MailUnavailable as exc:
        raise RetryLater(f"the mail server did not take the e-mail: {exc}") from exc
    except MailRefused as exc:
        raise MailNotSent(f"the mail server refused the e-mail: {exc}") from exc


class SendNoticeEmail:
    """The task of one notice's e-mail (payload `mailId`)."""

    def __init__(
        self, mails: NoticeMails, mailer: Mailer, links: MailLinks, clock: Clock, uow: UnitOfWork
    ) -> None:
        self._mails = mails
        self._mailer = mailer
        self._links = links
        self._clock = clock
        self._uow = uow

    async def __call__(self, run: TaskRun) -> dict[str, bool]:
        try:
            mail_id = UUID(str(run.payload.get("mailId")))
        except ValueError:
            raise InvalidValue("mailId", "is not the id of a notice e-mail") from None
        item = await self._mails.get(mail_id)
        if item is None or item.mail.sent_at is not None:
            return {"sent": False}
        await _send(self._mailer, notice_message(item, self._links))
        await self._mails.mark_sent([mail_id], self._clock.now())
        return {"sent": True}


class SendNoticeDigests:
    """The task of the daily digests: one e-mail per user with digest lines waiting, each
    user's lines marked sent with its e-mail (committed one user at a time)."""

    def __init__(
        self, mails: NoticeMails, mailer: Mailer, links: MailLinks, clock: Clock, uow: UnitOfWork
    ) -> None:
        self._mails = mails
        self._mailer = mailer
        self._links = links
        self._clock = clock
        self._uow = uow

    async def __call__(self, run: TaskRun | None = None) -> dict[str, int]:
        sent = 0
        for user_id in await self._mails.digest_users(limit=DIGEST_USERS_PER_RUN):
            items = [i for i in await self._mails.digest_of(user_id) if i.recipient.email]
            if not items:
                continue
            await _send(self._mailer, digest_message(items, self._links))
            await self._mails.mark_sent([i.mail.id for i in items], self._clock.now())
            await self._uow.commit()
            sent += 1
        return {"digests": sent}


class ScheduleNoticeDigests:
    """Once a day: start the digest task, unless one is under way."""

    def __init__(self, tasks: TaskRepository, launcher: TaskLauncher, mailer: Mailer) -> None:
        self._tasks = tasks
        self._launcher = launcher
        self._mailer = mailer

    async def __call__(self) -> Task | None:
        if not self._mailer.enabled:
            return None
        if await self._tasks.active(TaskName.SEND_NOTICE_DIGESTS, DIGEST_SUBJECT):
            return None
        return await self._launcher.launch(
            TaskName.SEND_NOTICE_DIGESTS, owner=None, payload={}, subject=DIGEST_SUBJECT
        )
