"""dishka providers of domain events: the outbox, the repositories that record events with
the changes they report, the dispatcher and its subscribers."""

from __future__ import annotations

from dishka import Provider, Scope, decorate, provide, provide_all

from haztrak.adapters.persistence.events import SqlEventOutbox
from haztrak.application.events.dispatch import DispatchEvents, EventSubscribers
from haztrak.application.events.recording import (
    EventRecordingManifests,
    EventRecordingOrgs,
    EventRecordingTasks,
)
from haztrak.application.events.schedule import ScheduleEventDispatch
from haztrak.application.notices.subscriber import NoticeSubscriber
from haztrak.application.ports.events import EventOutbox
from haztrak.application.ports.manifests import ManifestRepository
from haztrak.application.ports.persistence import OrgRepository
from haztrak.application.ports.security import Clock
from haztrak.application.ports.tasks import TaskRepository
from haztrak.application.webhooks.delivery import FanOutWebhooks


class EventProvider(Provider):
    scope = Scope.REQUEST

    outbox = provide(SqlEventOutbox, provides=EventOutbox)

    @decorate
    def manifests(self, inner: ManifestRepository, outbox: EventOutbox) -> ManifestRepository:
        return EventRecordingManifests(inner, outbox)

    @decorate
    def orgs(self, inner: OrgRepository, outbox: EventOutbox, clock: Clock) -> OrgRepository:
        return EventRecordingOrgs(inner, outbox, clock)

    @decorate
    def tasks(self, inner: TaskRepository, outbox: EventOutbox) -> TaskRepository:
        return EventRecordingTasks(inner, outbox)

    @provide
    def subscribers(self, notices: NoticeSubscriber, webhooks: FanOutWebhooks) -> EventSubscribers:
        """Every subscriber, in the order each event reaches them: take one more as an
        argument and append it (application/events/dispatch.py says what one must do)."""
        return EventSubscribers([notices, webhooks])

    use_cases = provide_all(DispatchEvents, ScheduleEventDispatch)
