"""dishka providers of notices: their storage, the mail server, the events' subscriber and
the use cases of the API, the pages and the worker."""

from __future__ import annotations

from dishka import Provider, Scope, provide, provide_all
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from haztrak.adapters.mail.smtp import AiosmtplibMailer, NoMailer
from haztrak.adapters.persistence.notice_reads import PgUnreadNotices, SessionUnreadNotices
from haztrak.adapters.persistence.notices import (
    SqlNoticeAudience,
    SqlNoticeMails,
    SqlNoticePreferenceStore,
    SqlNoticeRepository,
)
from haztrak.adapters.persistence.pgpool import ReadPool
from haztrak.application.notices.deadlines import CheckDeadlines, ScheduleDeadlineCheck
from haztrak.application.notices.mail import (
    MailLinks,
    ScheduleNoticeDigests,
    SendNoticeDigests,
    SendNoticeEmail,
)
from haztrak.application.notices.queries import (
    CountUnreadNotices,
    GetNoticePreferences,
    ListNotices,
    MarkAllNoticesRead,
    MarkNoticeRead,
    SetNoticePreferences,
)
from haztrak.application.notices.subscriber import NoticeSubscriber
from haztrak.application.ports.notices import (
    Mailer,
    NoticeAudience,
    NoticeMails,
    NoticePreferenceStore,
    NoticeRepository,
    UnreadNotices,
)
from haztrak.entrypoints.manifest_providers import POSTGRES
from haztrak.entrypoints.settings import Settings


def mailer_of(settings: Settings) -> Mailer:
    smtp = settings.smtp
    if not smtp.host:
        return NoMailer()
    return AiosmtplibMailer(
        host=smtp.host,
        port=smtp.port,
        sender=smtp.sender,
        security=smtp.security,
        username=smtp.username,
        password=smtp.password,
        timeout=smtp.timeout_seconds,
    )


class NoticeProvider(Provider):
    scope = Scope.REQUEST

    audience = provide(SqlNoticeAudience, provides=NoticeAudience)
    notices = provide(SqlNoticeRepository, provides=NoticeRepository)
    preferences = provide(SqlNoticePreferenceStore, provides=NoticePreferenceStore)
    mails = provide(SqlNoticeMails, provides=NoticeMails)

    @provide(scope=Scope.APP)
    def mailer(self, settings: Settings) -> Mailer:
        return mailer_of(settings)

    @provide(scope=Scope.APP)
    def links(self, settings: Settings) -> MailLinks:
        return MailLinks(base_url=settings.webhooks.public_url)

    @provide(scope=Scope.APP)
    def unread(self, sessions: async_sessionmaker[AsyncSession]) -> UnreadNotices:
        return SessionUnreadNotices(sessions)

    @provide(scope=Scope.APP, when=POSTGRES)
    def pg_unread(self, pool: ReadPool) -> UnreadNotices:
        return PgUnreadNotices(pool)

    # every page asks it: one for the process, nothing built per request
    count_unread = provide(CountUnreadNotices, scope=Scope.APP)
    subscriber = provide(NoticeSubscriber)
    use_cases = provide_all(
        ListNotices,
        MarkNoticeRead,
        MarkAllNoticesRead,
        GetNoticePreferences,
        SetNoticePreferences,
        SendNoticeEmail,
        SendNoticeDigests,
        ScheduleNoticeDigests,
        CheckDeadlines,
        ScheduleDeadlineCheck,
    )
