"""dishka providers of notices: their storage, the mail server, the events' subscriber and
the use cases of the API, the pages and the worker."""

from __future__ import annotations

from dishka import Provider, Scope, provide, provide_all

from haztrak.adapters.mail.smtp import AiosmtplibMailer, NoMailer
from haztrak.adapters.persistence.notices import (
    SqlNoticeAudience,
    SqlNoticeMails,
    SqlNoticePreferenceStore,
    SqlNoticeRepository,
)
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
)
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

    subscriber = provide(NoticeSubscriber)
    use_cases = provide_all(
        ListNotices,
        CountUnreadNotices,
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
