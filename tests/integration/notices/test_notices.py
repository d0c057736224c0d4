"""Notices on each real database, e-mailed through a real SMTP server on 127.0.0.1 (aiosmtpd):
events become notices for the users they concern, once however often they are dispatched;
e-mails are sent once, in plain text and HTML, and retried after the server refused once; the
daily digest gathers a user's lines; the list pages on a keyset."""

from __future__ import annotations

import email
import email.policy
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import update

from haztrak.adapters.mail.smtp import AiosmtplibMailer, NoMailer
from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.events import OutboxEventRow, SqlEventOutbox
from haztrak.adapters.persistence.identity import (
    SqlMembershipRepository,
    SqlOrgRepository,
    SqlSiteRepository,
    SqlUnitOfWork,
    SqlUserRepository,
)
from haztrak.adapters.persistence.notices import (
    SqlNoticeAudience,
    SqlNoticeMails,
    SqlNoticePreferenceStore,
    SqlNoticeRepository,
)
from haztrak.adapters.persistence.tasks import SqlTaskRepository
from haztrak.application.events.dispatch import DispatchEvents, EventSubscribers
from haztrak.application.notices.mail import (
    MailLinks,
    MailNotSent,
    SendNoticeDigests,
    SendNoticeEmail,
)
from haztrak.application.notices.queries import (
    ListNotices,
    MarkAllNoticesRead,
    MarkNoticeRead,
    SetNoticePreferences,
)
from haztrak.application.notices.subscriber import NoticeSubscriber
from haztrak.application.ports.notices import Mailer
from haztrak.application.tasks.errors import RetryLater
from haztrak.application.tasks.run import TaskRun
from haztrak.domain.errors import InvalidValue, NotFound
from haztrak.domain.events import DomainEvent, EventKind, credentials_failing, task_failed
from haztrak.domain.handlers import SiteType
from haztrak.domain.identity import Org, OrgRole, Site, SiteRole, User
from haztrak.domain.notices import Channel
from haztrak.domain.tasks import Task, TaskName
from tests import fakes, ports
from tests.fakes_tasks import RecordingQueue

GEN, TSDF = "VATESTGEN001", "MOCKTSDFS001"
SMTP_PORT = ports.free_port()
"""This worker's (a fixed port collided when two pytest-xdist workers ran this module at once)."""
MTN = "100000001ELC"


class Inbox:
    """An SMTP server's handler: keeps what it takes; refuses the next `refuse` messages
    with 451 (try again later)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = 0
        self.reject = False

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reject:
            return "550 5.7.1 message refused"
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture(scope="module")
def smtp() -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    yield inbox
    controller.stop()


@dataclass
class World:
    session: Any
    clock: fakes.FixedClock
    queue: RecordingQueue
    mailer: Mailer
    gen_user: User
    gen_admin: User
    tsdf_user: User
    org: Org

    def outbox(self) -> SqlEventOutbox:
        return SqlEventOutbox(self.session)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.session)

    def notices(self) -> SqlNoticeRepository:
        return SqlNoticeRepository(self.session)

    def mails(self) -> SqlNoticeMails:
        return SqlNoticeMails(self.session)

    def dispatch(self) -> DispatchEvents:
        subscriber = NoticeSubscriber(
            SqlNoticeAudience(self.session),
            self.notices(),
            SqlNoticePreferenceStore(self.session),
            self.mails(),
            self.mailer,
            SqlTaskRepository(self.session),
            self.queue,
            self.clock,
        )
        return DispatchEvents(self.outbox(), EventSubscribers([subscriber]), self.clock, self.uow())

    def preferences(self) -> SetNoticePreferences:
        return SetNoticePreferences(SqlNoticePreferenceStore(self.session), self.mailer, self.uow())

    def send(self) -> SendNoticeEmail:
        links = MailLinks(base_url="https://haztrak.example.org")
        return SendNoticeEmail(self.mails(), self.mailer, links, self.clock, self.uow())

    def digests(self) -> SendNoticeDigests:
        links = MailLinks(base_url="https://haztrak.example.org")
        return SendNoticeDigests(self.mails(), self.mailer, links, self.clock, self.uow())

    async def run_mail_task(self, mail_id: uuid.UUID) -> Any:
        task = Task(
            id=uuid.uuid4(),
            name=TaskName.SEND_NOTICE_EMAIL,
            owner_id=None,
            created_at=self.clock.now(),
            payload={"mailId": str(mail_id)},
        )
        tasks = SqlTaskRepository(self.session)
        run = TaskRun(task, tasks, self.clock, self.uow(), timedelta(minutes=1))
        result = await self.send()(run)
        await self.uow().commit()
        return result


@pytest.fixture
async def world(database_url: str, smtp: Inbox) -> AsyncIterator[World]:
    smtp.messages.clear()
    smtp.refuse = 0
    smtp.reject = False
    engine = database.create_engine(database_url)
    await database.upgrade(engine)
    async with database.session_factory(engine)() as session:
        users, orgs = SqlUserRepository(session), SqlOrgRepository(session)
        sites, memberships = SqlSiteRepository(session), SqlMembershipRepository(session)
        org = Org(id=uuid.uuid4(), name="Generator Co", slug="gen-co")
        other = Org(id=uuid.uuid4(), name="Facility Co", slug="tsdf-co")
        for o in (org, other):
            await orgs.add(o)
        gen = Site(
            id=uuid.uuid4(), epa_id=GEN, name="Gen", site_type=SiteType.GENERATOR, org_id=org.id
        )
        tsdf = Site(
            id=uuid.uuid4(), epa_id=TSDF, name="Tsdf", site_type=SiteType.TSDF, org_id=other.id
        )
        for s in (gen, tsdf):
            await sites.add(s)
        people = {}
        for name in ("gen-user", "gen-admin", "tsdf-user"):
            user = User(id=uuid.uuid4(), username=name, email=f"{name}@example.org")
            await users.add(user, None)
            people[name] = user
        await memberships.set_org_role(org.id, people["gen-user"].id, OrgRole.MEMBER)
        await memberships.set_site_role(gen.id, people["gen-user"].id, SiteRole.SIGNER)
        await memberships.set_org_role(org.id, people["gen-admin"].id, OrgRole.ADMIN)
        await memberships.set_org_role(other.id, people["tsdf-user"].id, OrgRole.MEMBER)
        await memberships.set_site_role(tsdf.id, people["tsdf-user"].id, SiteRole.VIEWER)
        await session.commit()
        mailer = AiosmtplibMailer(
            host="127.0.0.1",
            port=SMTP_PORT,
            sender="Haztrak <noreply@example.org>",
            security="none",
        )
        yield World(
            session=session,
            clock=fakes.FixedClock(datetime(2026, 3, 1, 12, tzinfo=UTC)),
            queue=RecordingQueue(),
            mailer=mailer,
            gen_user=people["gen-user"],
            gen_admin=people["gen-admin"],
            tsdf_user=people["tsdf-user"],
            org=org,
        )
    await engine.dispose()


def _waiting(world: World, at: datetime | None = None) -> DomainEvent:
    return DomainEvent(
        id=uuid.uuid4(),
        kind=EventKind.MANIFEST_AWAITING_SIGNATURE,
        at=at or world.clock.now(),
        mtn=MTN,
        status="Scheduled",
        site_ids=(GEN,),
        detail={"role": "Generator", "turn": "generator"},
    )


async def _dispatch(world: World, *events: DomainEvent) -> dict[str, int]:
    await world.outbox().add(list(events))
    await world.uow().commit()
    return await world.dispatch()()


async def _notices(world: World, user: User) -> list[Any]:
    page = await ListNotices(world.notices())(user, limit=100)
    return page.items


async def test_an_event_tells_the_users_of_its_sites_once(world: World) -> None:
    event = _waiting(world)
    assert await _dispatch(world, event) == {"dispatched": 1, "failed": 0, "pruned": 0}
    (notice,) = await _notices(world, world.gen_user)
    assert notice.kind is EventKind.MANIFEST_AWAITING_SIGNATURE
    assert notice.mtn == MTN
    assert notice.title == f"Manifest {MTN} is waiting for the signature of the generator"
    assert notice.link == f"/manifests/{MTN}"
    assert len(await _notices(world, world.gen_admin)) == 1  # the org's admin sees every site
    assert await _notices(world, world.tsdf_user) == []
    # handed over again (a dispatcher that died before its commit): still one notice each
    await world.session.execute(
        update(OutboxEventRow).where(OutboxEventRow.id == event.id).values(dispatched_at=None)
    )
    await world.uow().commit()
    assert await world.dispatch()() == {"dispatched": 1, "failed": 0, "pruned": 0}
    assert len(await _notices(world, world.gen_user)) == 1
    assert len(await _notices(world, world.gen_admin)) == 1
    # and recorded twice in the outbox, it is one event
    await world.outbox().add([event])
    await world.uow().commit()
    assert not await world.outbox().has_pending(world.clock.now() + timedelta(days=1))


async def test_credentials_and_failed_tasks_tell_their_people(world: World) -> None:
    await _dispatch(
        world,
        credentials_failing(world.org.id, world.clock.now()),
        task_failed(
            uuid.uuid4(), "quicker_sign", world.tsdf_user.id, world.clock.now(), title="No"
        ),
    )
    assert [n.kind for n in await _notices(world, world.gen_user)] == [
        EventKind.CREDENTIALS_FAILING
    ]
    assert [n.kind for n in await _notices(world, world.gen_admin)] == [
        EventKind.CREDENTIALS_FAILING
    ]
    (failed,) = await _notices(world, world.tsdf_user)
    assert failed.title == "Your task 'quicker sign' failed: No"


async def test_the_list_pages_newest_first_and_counts_unread(world: World) -> None:
    start = world.clock.now()
    events = [_waiting(world, start + timedelta(minutes=i)) for i in range(5)]
    await _dispatch(world, *events)
    listing = ListNotices(world.notices())
    first = await listing(world.gen_user, limit=2)
    assert [n.event_id for n in first.items] == [events[4].id, events[3].id]
    assert first.unread == 5
    assert first.next is not None
    from haztrak.application.notices.queries import encode_cursor

    second = await listing(world.gen_user, limit=2, cursor=encode_cursor(first.next))
    assert [n.event_id for n in second.items] == [events[2].id, events[1].id]
    third = await listing(world.gen_user, limit=2, cursor=encode_cursor(second.next))  # type: ignore[arg-type]
    assert [n.event_id for n in third.items] == [events[0].id]
    assert third.next is None

    await MarkNoticeRead(world.notices(), world.clock, world.uow())(
        world.gen_user, first.items[0].id
    )
    assert (await listing(world.gen_user, limit=10)).unread == 4
    unread = await listing(world.gen_user, limit=10, unread_only=True)
    assert first.items[0].id not in [n.id for n in unread.items]
    with pytest.raises(NotFound):  # another user's notice is not yours to mark
        await MarkNoticeRead(world.notices(), world.clock, world.uow())(
            world.tsdf_user, first.items[1].id
        )
    assert await MarkAllNoticesRead(world.notices(), world.clock, world.uow())(world.gen_user) == 4
    assert (await listing(world.gen_user, limit=10)).unread == 0
    with pytest.raises(InvalidValue, match="cursor"):
        await listing(world.gen_user, cursor="not-a-cursor")


async def test_an_email_is_sent_once_in_text_and_html(world: World, smtp: Inbox) -> None:
    await world.preferences()(world.gen_user, {"manifest.awaiting_signature": "email"})
    event = _waiting(world)
    await _dispatch(world, event)
    assert len(world.queue.sent) == 1  # the admin did not ask for e-mail
    (item,) = [world.mails()]
    mail = await item.get(_mail_id(event, world.gen_user, Channel.EMAIL))
    assert mail is not None
    assert await world.run_mail_task(mail.mail.id) == {"sent": True}
    (message,) = smtp.messages
    assert message["To"] == "gen-user@example.org"
    subject = str(message["Subject"]).strip()  # a long subject is folded
    assert subject == f"Haztrak: Manifest {MTN} is waiting for the signature of the generator"
    assert message["Message-ID"] == f"<notice-{mail.mail.id}@haztrak>"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    assert f"https://haztrak.example.org/manifests/{MTN}" in text.get_content()
    assert f'<a href="https://haztrak.example.org/manifests/{MTN}">' in html.get_content()
    # delivered again, dispatched again: no second e-mail
    assert await world.run_mail_task(mail.mail.id) == {"sent": False}
    await world.session.execute(
        update(OutboxEventRow).where(OutboxEventRow.id == event.id).values(dispatched_at=None)
    )
    await world.uow().commit()
    await world.dispatch()()
    assert len(world.queue.sent) == 1
    assert len(smtp.messages) == 1


async def test_an_email_the_server_refused_once_is_sent_on_the_retry(
    world: World, smtp: Inbox
) -> None:
    await world.preferences()(world.gen_user, {"manifest.awaiting_signature": "email"})
    event = _waiting(world)
    await _dispatch(world, event)
    mail_id = _mail_id(event, world.gen_user, Channel.EMAIL)
    smtp.refuse = 1
    with pytest.raises(RetryLater):
        await world.run_mail_task(mail_id)
    await world.uow().rollback()
    assert smtp.messages == []
    assert await world.run_mail_task(mail_id) == {"sent": True}
    assert len(smtp.messages) == 1


async def test_a_server_that_refuses_for_good_fails_the_task(world: World, smtp: Inbox) -> None:
    await world.preferences()(world.gen_user, {"manifest.awaiting_signature": "email"})
    event = _waiting(world)
    await _dispatch(world, event)
    smtp.reject = True
    with pytest.raises(MailNotSent, match="550"):
        await world.run_mail_task(_mail_id(event, world.gen_user, Channel.EMAIL))
    world.mailer = AiosmtplibMailer(
        host="127.0.0.1", port=SMTP_PORT, sender="not an address", security="none"
    )
    smtp.reject = False
    with pytest.raises(MailNotSent, match="address"):
        await world.run_mail_task(_mail_id(event, world.gen_user, Channel.EMAIL))
    assert smtp.messages == []


async def test_the_daily_digest_gathers_a_users_lines_once(world: World, smtp: Inbox) -> None:
    await world.preferences()(
        world.gen_user,
        {"manifest.awaiting_signature": "digest", "credentials.failing": "digest"},
    )
    await _dispatch(world, _waiting(world), credentials_failing(world.org.id, world.clock.now()))
    assert world.queue.sent == []  # digests wait for the daily job
    assert await world.digests()() == {"digests": 1}
    (message,) = smtp.messages
    assert message["To"] == "gen-user@example.org"
    assert (
        str(message["Subject"]).strip() == "Haztrak daily digest: 2 notices since the last digest"
    )
    text = message.get_body(("plain",))
    assert text is not None
    assert "RCRAInfo refused your organization's API credentials" in text.get_content()
    assert await world.digests()() == {"digests": 0}


async def test_without_smtp_notices_stay_in_the_app(world: World) -> None:
    await world.preferences()(world.gen_user, {"manifest.awaiting_signature": "email"})
    world.mailer = NoMailer()
    await _dispatch(world, _waiting(world))
    assert len(await _notices(world, world.gen_user)) == 1
    assert world.queue.sent == []


async def test_preferences_name_the_field_they_refuse(world: World) -> None:
    with pytest.raises(InvalidValue) as refused:
        await world.preferences()(world.gen_user, {"manifest.eaten": "email"})
    assert refused.value.field == "manifest.eaten"
    with pytest.raises(InvalidValue) as refused:
        await world.preferences()(world.gen_user, {"manifest.signed": "pigeon"})
    assert refused.value.field == "manifest.signed"
    nobody = User(id=uuid.uuid4(), username="no-mail")
    with pytest.raises(InvalidValue, match="e-mail address"):
        await world.preferences()(nobody, {"manifest.signed": "email"})


def _mail_id(event: DomainEvent, user: User, channel: Channel) -> uuid.UUID:
    from haztrak.domain.notices import mail_id

    return mail_id(event.id, user.id, channel)
