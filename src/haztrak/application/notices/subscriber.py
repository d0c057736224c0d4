"""The notices' subscriber of domain events: each event becomes a notice for every user it
concerns, and an e-mail (or a digest line) for those who asked for one.

Idempotent (application/events/dispatch.py): a notice is keyed by (event, user) and a mail by
(event, user, channel), so an event handed over twice tells each person once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from uuid import uuid4

from haztrak.application.ports.notices import (
    Mailer,
    NoticeAudience,
    NoticeMail,
    NoticeMails,
    NoticePreferenceStore,
    NoticeRepository,
    Recipient,
)
from haztrak.application.ports.security import Clock
from haztrak.application.ports.tasks import QueueUnavailable, TaskQueue, TaskRepository
from haztrak.domain.events import DomainEvent, EventKind
from haztrak.domain.notices import Channel, Delivery, Notice, mail_id
from haztrak.domain.tasks import Task, TaskName

log = logging.getLogger("haztrak.notices")

ENQUEUE_DELAY_SECONDS = 2.0
"""The e-mail task's message waits for the dispatcher's commit (the sweeper sends it again if
it is ever lost)."""


class NoticeSubscriber:
    name = "notices"

    def __init__(
        self,
        audience: NoticeAudience,
        notices: NoticeRepository,
        preferences: NoticePreferenceStore,
        mails: NoticeMails,
        mailer: Mailer,
        tasks: TaskRepository,
        queue: TaskQueue,
        clock: Clock,
    ) -> None:
        self._audience = audience
        self._notices = notices
        self._preferences = preferences
        self._mails = mails
        self._mailer = mailer
        self._tasks = tasks
        self._queue = queue
        self._clock = clock

    async def __call__(self, event: DomainEvent) -> None:
        recipients = await self._recipients(event)
        if not recipients:
            return
        preferences = await self._preferences.get_many([r.user_id for r in recipients])
        now = self._clock.now()
        started: list[Task] = []
        for recipient in recipients:
            notice = Notice.of(event, recipient.user_id)
            await self._notices.add(notice)
            chosen = preferences.get(recipient.user_id)
            delivery = chosen.for_kind(event.kind) if chosen else Delivery.IN_APP
            if delivery is Delivery.IN_APP or not recipient.email or not self._mailer.enabled:
                continue
            channel = Channel.EMAIL if delivery is Delivery.EMAIL else Channel.DIGEST
            mail = NoticeMail(
                id=mail_id(event.id, recipient.user_id, channel),
                event_id=event.id,
                user_id=recipient.user_id,
                channel=channel,
                notice_id=notice.id,
                created_at=now,
            )
            if not await self._mails.add(mail) or channel is Channel.DIGEST:
                continue
            task = Task(
                id=uuid4(),
                name=TaskName.SEND_NOTICE_EMAIL,
                owner_id=None,
                created_at=now,
                payload={"mailId": str(mail.id)},
                subject=str(mail.id),
                enqueued_at=now,
            )
            await self._tasks.add(task)
            started.append(task)
        for task in started:
            try:
                await self._queue.enqueue(task, delay_seconds=ENQUEUE_DELAY_SECONDS)
            except QueueUnavailable:
                log.warning(
                    "notice e-mail task %s: queue unavailable; the sweeper sends it", task.id
                )

    async def _recipients(self, event: DomainEvent) -> Sequence[Recipient]:
        if event.kind is EventKind.TASK_FAILED:
            return await self._audience.users(list(event.user_ids))
        if event.kind is EventKind.CREDENTIALS_FAILING:
            return await self._audience.members_of_orgs(list(event.org_ids))
        if event.site_ids:
            return await self._audience.users_of_sites(list(event.site_ids))
        return []
