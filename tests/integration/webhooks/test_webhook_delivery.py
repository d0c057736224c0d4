"""Webhooks end to end in a process's background machinery, on each backend (SQLite with the
in-memory queue, PostgreSQL with Redis): an event fans out to the org's endpoint, the worker
delivers it to a receiver on 127.0.0.1 that checks the signature; failures are retried, an
endpoint that keeps failing is paused (and the org admins told), one delivery is delivered
again by hand, and a test event reaches the endpoint. Retries wait 0 s here."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import msgspec
import pytest
from dishka import AsyncContainer

from haztrak.application.events.dispatch import DispatchEvents
from haztrak.application.ports.events import EventOutbox
from haztrak.application.ports.persistence import AuditLog, UnitOfWork, UserRepository
from haztrak.application.ports.webhooks import WebhookDeliveries, WebhookEndpoints
from haztrak.application.webhooks.delivery import FanOutWebhooks
from haztrak.application.webhooks.endpoints import (
    CreateWebhookEndpoint,
    NewWebhookEndpoint,
    PingWebhookEndpoint,
    RedeliverWebhook,
    UpdateWebhookEndpoint,
    WebhookEndpointChange,
)
from haztrak.domain.events import DomainEvent, EventKind
from haztrak.domain.identity import User
from haztrak.domain.secrets import Secret
from haztrak.domain.webhooks import DeliveryStatus, WebhookDelivery, verify_signature
from haztrak.entrypoints.settings import Settings
from tests.integration.tasks.support import (
    background_container,
    fake_rcrainfo,
    running_worker,
    seeded,
    task_settings,
)
from tests.polling import eventually
from tests.webhook_receiver import Receiver, receiver

ORG = "generators-org-llc"
GEN = "VATESTGEN001"
SIGNED = EventKind.MANIFEST_SIGNED.value


@pytest.fixture(params=["embedded", "services"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    hooks = {
        "HT_WEBHOOKS_ALLOW_PRIVATE": "true",
        "HT_WEBHOOKS_RETRY_DELAY_SECONDS": "0",
        "HT_WEBHOOKS_RETRY_MAX_DELAY_SECONDS": "1",
        "HT_WEBHOOKS_PAUSE_AFTER_FAILURES": "4",
        "HT_WEBHOOKS_PAUSE_AFTER": "0",
        "HT_PUBLIC_URL": "https://haztrak.example.org",
    }
    if request.param == "embedded":
        return task_settings(tmp_path, **hooks)
    return task_settings(
        tmp_path,
        HT_DATABASE_URL=request.getfixturevalue("postgres_databases").create(),
        HT_REDIS_URL=request.getfixturevalue("flushed_redis"),
        **hooks,
    )


@pytest.fixture
async def container(settings: Settings) -> AsyncIterator[AsyncContainer]:
    container = background_container(settings, fake_rcrainfo())
    await seeded(settings, container)
    yield container
    await container.close()


async def _admin(container: AsyncContainer) -> User:
    async with container() as scope:
        user = await (await scope.get(UserRepository)).by_username("orgadmin")
    assert user is not None
    return user


async def _endpoint(container: AsyncContainer, url: str) -> tuple[UUID, Secret]:
    async with container() as scope:
        create = await scope.get(CreateWebhookEndpoint)
        created = await create(
            await _admin(container), ORG, NewWebhookEndpoint(url=url, kinds=(SIGNED,))
        )
    return created.endpoint.id, created.secret


def _event(kind: str = SIGNED) -> DomainEvent:
    return DomainEvent(
        id=uuid4(),
        kind=EventKind(kind),
        at=datetime.now(UTC),
        mtn="100000001ELC",
        status="Scheduled",
        site_ids=(GEN, "MOCKTRANS001"),
    )


async def _fan_out(container: AsyncContainer, event: DomainEvent) -> None:
    """What the dispatcher does with the event: hand it over, then commit."""
    async with container() as scope:
        await (await scope.get(FanOutWebhooks))(event)
        await (await scope.get(UnitOfWork)).commit()


async def _deliveries(container: AsyncContainer, endpoint_id: UUID) -> list[WebhookDelivery]:
    async with container() as scope:
        endpoints = await scope.get(WebhookEndpoints)
        endpoint = await endpoints.get(endpoint_id)
        assert endpoint is not None
        found = await (await scope.get(WebhookDeliveries)).recent(
            endpoint.org_id, endpoint_id=endpoint_id
        )
    return list(found)


async def _ended(
    container: AsyncContainer, endpoint_id: UUID, count: int = 1
) -> list[WebhookDelivery]:
    async def check() -> list[WebhookDelivery] | None:
        found = await _deliveries(container, endpoint_id)
        done = [d for d in found if d.status is not DeliveryStatus.PENDING]
        return found if len(found) >= count and len(done) == len(found) else None

    return await eventually(check, within=30)


def _signed_by(hooks: Receiver, secret: Secret) -> None:
    for request in hooks.received:
        assert verify_signature(secret, request.headers, request.body, now=int(time.time()))


async def test_an_event_reaches_the_endpoint_signed_once(container: AsyncContainer) -> None:
    async with receiver() as hooks, running_worker(container):
        endpoint_id, secret = await _endpoint(container, hooks.url)
        event = _event()
        await _fan_out(container, event)
        await _fan_out(container, event)  # handed over again: still one delivery
        [delivery] = await _ended(container, endpoint_id)
    assert delivery.status is DeliveryStatus.SUCCEEDED
    assert (delivery.attempts, delivery.response_status) == (1, 200)
    assert delivery.duration_ms is not None
    [request] = hooks.received
    _signed_by(hooks, secret)
    assert request.headers["webhook-id"] == str(event.id)
    assert msgspec.json.decode(request.body) == {
        "id": str(event.id),
        "kind": SIGNED,
        "time": event.at.isoformat().replace("+00:00", "Z"),
        "manifestTrackingNumber": "100000001ELC",
        "status": "Scheduled",
        "link": "https://haztrak.example.org/api/manifest/100000001ELC",
    }


async def test_the_event_dispatcher_hands_events_from_the_outbox_to_webhooks(
    container: AsyncContainer,
) -> None:
    async with receiver() as hooks, running_worker(container):
        endpoint_id, secret = await _endpoint(container, hooks.url)
        event = _event()
        async with container() as scope:
            await (await scope.get(EventOutbox)).add([event])
            await (await scope.get(UnitOfWork)).commit()
        async with container() as scope:
            await (await scope.get(DispatchEvents))()
        [delivery] = await _ended(container, endpoint_id)
    assert delivery.event_id == event.id
    assert delivery.status is DeliveryStatus.SUCCEEDED
    _signed_by(hooks, secret)


async def test_failures_are_retried_until_the_endpoint_answers(container: AsyncContainer) -> None:
    async with receiver(answers=[500, 503]) as hooks, running_worker(container):
        endpoint_id, secret = await _endpoint(container, hooks.url)
        await _fan_out(container, _event())
        [delivery] = await _ended(container, endpoint_id)
        async with container() as scope:
            attempts = await (await scope.get(WebhookDeliveries)).attempts(delivery.id)
    assert delivery.status is DeliveryStatus.SUCCEEDED
    assert [a.response_status for a in attempts] == [500, 503, 200]
    assert [a.error for a in attempts] == ["answered 500", "answered 503", None]
    assert len({r.headers["webhook-id"] for r in hooks.received}) == 1  # the same event
    _signed_by(hooks, secret)


async def test_an_endpoint_that_keeps_failing_is_paused_and_the_admins_told(
    container: AsyncContainer,
) -> None:
    async with receiver(always=500) as hooks, running_worker(container):
        endpoint_id, _ = await _endpoint(container, hooks.url)
        await _fan_out(container, _event())
        [delivery] = await _ended(container, endpoint_id)
        await _fan_out(container, _event())  # paused: nothing more is made
        async with container() as scope:
            endpoint = await (await scope.get(WebhookEndpoints)).get(endpoint_id)
            audit = await (await scope.get(AuditLog)).list(object_type="org", object_id=ORG)
            waiting = await (await scope.get(EventOutbox)).pending(limit=50, at=datetime.now(UTC))
    admin = await _admin(container)
    [notice] = [p.event for p in waiting if p.event.kind is EventKind.TASK_FAILED]
    assert notice.user_ids == (admin.id,)  # the org's only admin
    assert "is paused" in notice.detail["title"]
    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.attempts == 4
    assert "paused" in (delivery.error or "")
    assert endpoint is not None
    assert endpoint.paused
    assert len(hooks.received) == 4
    assert len(await _deliveries(container, endpoint_id)) == 1
    paused = [e for e in audit if e.action == "webhook_paused"]
    assert [e.detail["endpoint"] for e in paused] == [str(endpoint_id)]


async def test_an_admin_redelivers_a_failed_delivery_and_resumes_the_endpoint(
    container: AsyncContainer,
) -> None:
    async with receiver(always=500) as hooks, running_worker(container):
        endpoint_id, secret = await _endpoint(container, hooks.url)
        event = _event()
        await _fan_out(container, event)
        [failed] = await _ended(container, endpoint_id)
        assert failed.status is DeliveryStatus.FAILED
        hooks.always = 204
        admin = await _admin(container)
        async with container() as scope:
            await (await scope.get(RedeliverWebhook))(admin, ORG, failed.id)

        async def delivered() -> WebhookDelivery | None:
            [found] = await _deliveries(container, endpoint_id)
            return found if found.status is DeliveryStatus.SUCCEEDED else None

        again = await eventually(delivered, within=30)
        async with container() as scope:
            resumed = await (await scope.get(UpdateWebhookEndpoint))(
                admin, ORG, endpoint_id, WebhookEndpointChange(paused=False)
            )
    assert again.id == failed.id
    assert again.attempts == 5
    assert again.response_status == 204
    assert hooks.received[-1].headers["webhook-id"] == str(event.id)
    _signed_by(hooks, secret)
    assert not resumed.paused
    assert resumed.consecutive_failures == 0


async def test_a_test_event_reaches_the_endpoint(container: AsyncContainer) -> None:
    async with receiver() as hooks, running_worker(container):
        endpoint_id, secret = await _endpoint(container, hooks.url)
        async with container() as scope:
            ping = await scope.get(PingWebhookEndpoint)
            sent = await ping(await _admin(container), ORG, endpoint_id)
        [delivery] = await _ended(container, endpoint_id)
    assert delivery.id == sent.id
    assert delivery.status is DeliveryStatus.SUCCEEDED
    _signed_by(hooks, secret)
    assert msgspec.json.decode(hooks.received[0].body)["kind"] == "ping"


async def test_a_private_address_is_refused_without_the_setting(tmp_path: Path) -> None:
    settings = task_settings(
        tmp_path, HT_WEBHOOKS_RETRY_DELAY_SECONDS="0", HT_WEBHOOKS_RETRY_FOR="1s"
    )
    container = background_container(settings, fake_rcrainfo())
    await seeded(settings, container)
    try:
        from haztrak.domain.errors import InvalidValue

        with pytest.raises(InvalidValue, match="https"):
            await _endpoint(container, "http://127.0.0.1:8171/hook")
        with pytest.raises(InvalidValue, match="public address"):
            await _endpoint(container, "https://127.0.0.1:8171/hook")
    finally:
        await container.close()


async def test_a_delivery_that_fails_until_its_time_runs_out_is_failed(tmp_path: Path) -> None:
    settings = task_settings(
        tmp_path,
        HT_WEBHOOKS_ALLOW_PRIVATE="true",
        HT_WEBHOOKS_RETRY_DELAY_SECONDS="0",
        HT_WEBHOOKS_RETRY_FOR="1s",
    )
    container = background_container(settings, fake_rcrainfo())
    await seeded(settings, container)
    try:
        async with receiver(always=503) as hooks, running_worker(container):
            endpoint_id, _ = await _endpoint(container, hooks.url)
            await _fan_out(container, _event())
            [delivery] = await _ended(container, endpoint_id)
            async with container() as scope:
                endpoint = await (await scope.get(WebhookEndpoints)).get(endpoint_id)
    finally:
        await container.close()
    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.error == "gave up: answered 503"
    assert delivery.response_status == 503
    assert endpoint is not None
    assert not endpoint.paused  # one failure is not a pattern
    assert endpoint.consecutive_failures == delivery.attempts


async def test_only_endpoints_that_asked_for_the_kind_get_the_event(
    container: AsyncContainer,
) -> None:
    async with receiver() as hooks:
        endpoint_id, _ = await _endpoint(container, hooks.url)
        await _fan_out(container, _event(EventKind.MANIFEST_RECEIVED.value))
        await _fan_out(container, _event(EventKind.TASK_FAILED.value))
    assert await _deliveries(container, endpoint_id) == []
