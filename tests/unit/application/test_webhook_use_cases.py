"""Webhook use cases on in-memory fakes: the delivery task's outcomes (delivered, retried,
given up, paused with the admins told, skipped for a paused, switched-off or deleted
endpoint), fan-out, redelivery and endpoint administration."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from haztrak.application.audit import Auditor
from haztrak.application.tasks.errors import RetryLater
from haztrak.application.tasks.launch import TaskLauncher
from haztrak.application.tasks.run import TaskRun
from haztrak.application.webhooks.delivery import DeliverWebhook, FanOutWebhooks
from haztrak.application.webhooks.endpoints import (
    CreateWebhookEndpoint,
    NewWebhookEndpoint,
    RedeliverWebhook,
    WebhookPolicy,
)
from haztrak.domain.errors import Conflict, Forbidden, InvalidValue
from haztrak.domain.events import DomainEvent, EventKind
from haztrak.domain.handlers import SiteType
from haztrak.domain.identity import Org, OrgRole, Site, User
from haztrak.domain.tasks import RetryPolicy, Task, TaskName, TaskStatus
from haztrak.domain.webhooks import (
    DeliveryStatus,
    PauseRule,
    WebhookDelivery,
    WebhookEndpoint,
    verify_signature,
)
from tests.fakes import (
    FixedClock,
    MemoryAuditLog,
    MemoryData,
    MemoryMembershipRepository,
    MemoryOrgRepository,
    MemorySiteRepository,
    MemoryUnitOfWork,
    ReversingBox,
)
from tests.fakes_events import MemoryEventOutbox
from tests.fakes_tasks import MemoryTaskRepository, RecordingQueue
from tests.fakes_webhooks import MemoryWebhookDeliveries, MemoryWebhookEndpoints, ScriptedSender

SIGNED = EventKind.MANIFEST_SIGNED.value
POLICY = WebhookPolicy(
    kinds=(SIGNED, EventKind.MANIFEST_RECEIVED.value),
    retry=RetryPolicy(max_attempts=100, max_seconds=3600.0, first_delay=10.0, max_delay=60.0),
    pause=PauseRule(failures=3, span=timedelta(minutes=10)),
    public_url="https://haztrak.example.org",
)


class World:
    def __init__(self, *answers: int | None) -> None:
        self.data = MemoryData()
        self.clock = FixedClock()
        self.org = Org(id=uuid4(), name="Gen", slug="gen")
        self.admin = User(id=uuid4(), username="boss")
        self.member = User(id=uuid4(), username="clerk")
        self.data.orgs[self.org.id] = self.org
        self.data.users[self.admin.id] = self.admin
        self.data.users[self.member.id] = self.member
        self.data.memberships[(self.org.id, self.admin.id)] = OrgRole.ADMIN
        self.data.memberships[(self.org.id, self.member.id)] = OrgRole.MEMBER
        site = Site(
            id=uuid4(),
            epa_id="VATESTGEN001",
            name="G",
            site_type=SiteType.GENERATOR,
            org_id=self.org.id,
        )
        self.data.sites[site.id] = site
        self.deliveries = MemoryWebhookDeliveries()
        self.endpoints = MemoryWebhookEndpoints(self.deliveries)
        self.sender = ScriptedSender(*answers)
        self.outbox = MemoryEventOutbox()
        self.tasks = MemoryTaskRepository()
        self.queue = RecordingQueue()
        self.uow = MemoryUnitOfWork(self.data)
        self.box = ReversingBox()
        self.auditor = Auditor(MemoryAuditLog(self.data), self.clock)

    def deliver(self) -> DeliverWebhook:
        return DeliverWebhook(
            self.endpoints,
            self.deliveries,
            MemoryOrgRepository(self.data),
            MemoryMembershipRepository(self.data),
            self.outbox,
            self.box,
            self.sender,
            POLICY,
            self.auditor,
            self.clock,
            self.uow,
        )

    def fan_out(self) -> FanOutWebhooks:
        return FanOutWebhooks(
            self.endpoints,
            self.deliveries,
            MemorySiteRepository(self.data),
            self.tasks,
            self.queue,
            POLICY,
            self.clock,
        )

    def admin_case(self, kind: type) -> object:
        args = (
            MemoryMembershipRepository(self.data),
            MemoryOrgRepository(self.data),
            self.endpoints,
            self.deliveries,
            POLICY,
            self.auditor,
            self.clock,
            self.uow,
        )
        if kind is CreateWebhookEndpoint:
            return kind(*args, self.box)
        if kind is RedeliverWebhook:
            launcher = TaskLauncher(self.tasks, self.queue, self.clock, self.uow)
            return kind(*args, launcher, self.tasks)
        return kind(*args)

    async def endpoint(self, **changes: object) -> WebhookEndpoint:
        create = self.admin_case(CreateWebhookEndpoint)
        created = await create(  # type: ignore[operator]
            self.admin, "gen", NewWebhookEndpoint(url="https://h.example.com/x", kinds=(SIGNED,))
        )
        self.secret = created.secret
        endpoint = created.endpoint
        for name, value in changes.items():
            setattr(endpoint, name, value)
        await self.endpoints.update(endpoint)
        return endpoint

    async def event(self, kind: str = SIGNED) -> DomainEvent:
        event = DomainEvent(
            id=uuid4(),
            kind=EventKind(kind),
            at=self.clock.now(),
            mtn="100000001ELC",
            status="Signed",
            site_ids=("VATESTGEN001",),
        )
        await self.fan_out()(event)
        return event

    async def run(self, manual: bool = False) -> tuple[WebhookDelivery, object]:
        [delivery] = self.deliveries.deliveries.values()
        task = Task(
            id=uuid4(),
            name=TaskName.DELIVER_WEBHOOK,
            owner_id=None,
            created_at=self.clock.now(),
            started_at=self.started,
            payload={"deliveryId": str(delivery.id), "manual": manual},
        )
        task.attempts = task.run_attempts + 1
        run = TaskRun(task, self.tasks, self.clock, self.uow, timedelta(minutes=1))
        try:
            outcome: object = await self.deliver()(run)
        except RetryLater as exc:
            outcome = exc
        found = await self.deliveries.get(delivery.id)
        assert found is not None
        return found, outcome

    started = None


async def test_an_event_makes_one_delivery_per_endpoint_and_a_task_once() -> None:
    world = World()
    endpoint = await world.endpoint()
    event = await world.event()
    await world.fan_out()(event)  # handed over again
    await world.event(EventKind.MANIFEST_RECEIVED.value)  # not asked for
    [delivery] = world.deliveries.deliveries.values()
    assert (delivery.endpoint_id, delivery.event_id) == (endpoint.id, event.id)
    assert [t.payload["deliveryId"] for t in world.tasks.tasks.values()] == [str(delivery.id)]
    assert world.queue.sent == [(delivery.task_id, 2.0)]
    assert '"link":"https://haztrak.example.org/api/manifest/100000001ELC"' in delivery.body


async def test_a_delivery_is_signed_and_a_2xx_delivers_it() -> None:
    world = World(204)
    await world.endpoint()
    event = await world.event()
    delivery, _outcome = await world.run()
    assert delivery.status is DeliveryStatus.SUCCEEDED
    assert (delivery.attempts, delivery.response_status) == (1, 204)
    [(url, body, headers)] = world.sender.sent
    assert url == "https://h.example.com/x"
    assert headers["webhook-id"] == str(event.id)
    assert verify_signature(world.secret, headers, body, now=int(world.clock.now().timestamp()))


async def test_a_failure_is_retried_then_given_up_when_time_runs_out() -> None:
    world = World(500, None)
    await world.endpoint()
    await world.event()
    world.started = world.clock.now()
    delivery, outcome = await world.run()
    assert isinstance(outcome, RetryLater)
    assert delivery.status is DeliveryStatus.PENDING
    assert delivery.error == "answered 500"
    world.clock.advance(3600)  # the hour of this policy has passed
    delivery, outcome = await world.run()
    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.error == "gave up: could not connect"
    assert [a.number for a in world.deliveries.attempt_log[delivery.id]] == [1, 2]


async def test_failures_over_the_span_pause_the_endpoint_and_tell_its_admins() -> None:
    world = World(500, 500, 500)
    endpoint = await world.endpoint()
    await world.event()
    world.started = world.clock.now()
    for _ in range(2):
        _, outcome = await world.run()
        assert isinstance(outcome, RetryLater)
        world.clock.advance(300)
    delivery, outcome = await world.run()  # the third, ten minutes after the first
    paused = await world.endpoints.get(endpoint.id)
    assert paused is not None
    assert paused.paused
    assert delivery.status is DeliveryStatus.FAILED
    assert "paused" in (delivery.error or "")
    [notice] = world.outbox.events
    assert notice.user_ids == (world.admin.id,)
    assert [e.action for e in world.data.audit][-1] == "webhook_paused"


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"paused_at": FixedClock().now()}, "paused"),
        ({"active": False}, "switched off"),
    ],
)
async def test_a_paused_or_switched_off_endpoint_gets_no_automatic_attempt(
    changes: dict[str, object], reason: str
) -> None:
    world = World()
    await world.endpoint()
    await world.event()
    endpoint = next(iter(world.endpoints.endpoints.values()))
    for name, value in changes.items():
        setattr(endpoint, name, value)
    delivery, _ = await world.run()
    assert delivery.status is DeliveryStatus.FAILED
    assert reason in (delivery.error or "")
    assert world.sender.sent == []
    delivery.redeliver()
    await world.deliveries.update(delivery)
    delivery, _ = await world.run(manual=True)  # an admin asked: it is tried
    assert delivery.status is DeliveryStatus.SUCCEEDED


async def test_a_deleted_endpoint_takes_its_deliveries_and_their_tasks_do_nothing() -> None:
    world = World()
    endpoint = await world.endpoint()
    await world.event()
    [delivery] = world.deliveries.deliveries.values()
    await world.endpoints.delete(endpoint.id)
    task = Task(
        id=uuid4(),
        name=TaskName.DELIVER_WEBHOOK,
        owner_id=None,
        created_at=world.clock.now(),
        payload={"deliveryId": str(delivery.id), "manual": False},
        attempts=1,
    )
    run = TaskRun(task, world.tasks, world.clock, world.uow, timedelta(minutes=1))
    assert await world.deliver()(run) == {"delivery": str(delivery.id), "status": None}
    assert world.sender.sent == []


async def test_redelivery_waits_for_a_delivery_still_being_tried() -> None:
    world = World()
    await world.endpoint()
    await world.event()
    [delivery] = world.deliveries.deliveries.values()
    redeliver = world.admin_case(RedeliverWebhook)
    with pytest.raises(Conflict):
        await redeliver(world.admin, "gen", delivery.id)  # type: ignore[operator]
    assert delivery.task_id is not None
    world.tasks._update(delivery.task_id, status=TaskStatus.FAILURE)  # its task gave up
    again = await redeliver(world.admin, "gen", delivery.id)  # type: ignore[operator]
    assert again.task_id in world.tasks.tasks
    assert again.task_id != delivery.task_id


async def test_only_org_admins_create_endpoints_and_urls_are_checked() -> None:
    world = World()
    create = world.admin_case(CreateWebhookEndpoint)
    new = NewWebhookEndpoint(url="https://h.example.com/x", kinds=(SIGNED,))
    with pytest.raises(Forbidden):
        await create(world.member, "gen", new)  # type: ignore[operator]
    with pytest.raises(InvalidValue, match="url"):
        await create(  # type: ignore[operator]
            world.admin, "gen", NewWebhookEndpoint(url="https://192.168.0.2/x", kinds=(SIGNED,))
        )
    created = await create(world.admin, "gen", new)  # type: ignore[operator]
    stored = world.endpoints.secrets[created.endpoint.id]
    assert created.secret.reveal().encode() not in stored
    assert world.box.decrypt(stored) == created.secret


async def test_finished_deliveries_are_kept_a_month() -> None:
    world = World()
    await world.endpoint()
    await world.event()
    [first] = world.deliveries.deliveries.values()
    first.status = DeliveryStatus.SUCCEEDED
    await world.deliveries.update(first)
    world.clock.advance(29 * 86_400)
    await world.event()
    assert first.id in world.deliveries.deliveries
    world.clock.advance(2 * 86_400)
    await world.event()
    assert first.id not in world.deliveries.deliveries
    assert len(world.deliveries.deliveries) == 2
