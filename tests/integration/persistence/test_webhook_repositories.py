"""One contract for the webhook storage ports, run on the in-memory fakes, SQLite and
PostgreSQL: endpoints with their encrypted secret, one delivery per (event, endpoint), recent
deliveries newest first, attempts in order, deleting an endpoint with its deliveries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.identity import SqlOrgRepository, SqlUnitOfWork
from haztrak.adapters.persistence.webhooks import SqlWebhookDeliveries, SqlWebhookEndpoints
from haztrak.domain.identity import Org
from haztrak.domain.webhooks import (
    DeliveryAttempt,
    DeliveryStatus,
    PauseRule,
    WebhookDelivery,
    WebhookEndpoint,
)
from tests import fakes
from tests.fakes_webhooks import MemoryWebhookDeliveries, MemoryWebhookEndpoints
from tests.seeded import migrated_postgres

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class Ports:
    endpoints: Any
    deliveries: Any
    orgs: Any
    uow: Any


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def ports(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Ports]:
    if request.param == "memory":
        data = fakes.MemoryData()
        deliveries = MemoryWebhookDeliveries()
        yield Ports(
            endpoints=MemoryWebhookEndpoints(deliveries),
            deliveries=deliveries,
            orgs=fakes.MemoryOrgRepository(data),
            uow=fakes.MemoryUnitOfWork(data),
        )
        return
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'hooks.sqlite3'}"
    else:
        url = migrated_postgres(request)
    engine = database.create_engine(url)
    await database.upgrade(engine)
    async with database.session_factory(engine)() as session:
        yield Ports(
            endpoints=SqlWebhookEndpoints(session),
            deliveries=SqlWebhookDeliveries(session),
            orgs=SqlOrgRepository(session),
            uow=SqlUnitOfWork(session),
        )
    await engine.dispose()


async def _endpoint(ports: Ports, **changes: Any) -> WebhookEndpoint:
    org = Org(id=uuid4(), name="Org", slug=f"org-{uuid4().hex[:8]}")
    await ports.orgs.add(org)
    endpoint = WebhookEndpoint(
        id=uuid4(),
        org_id=org.id,
        url="https://h.example.com/x",
        kinds=("manifest.received", "manifest.signed"),
        created_at=T0,
        **changes,
    )
    await ports.endpoints.add(endpoint, b"ciphertext")
    await ports.uow.commit()
    return endpoint


def _delivery(endpoint: WebhookEndpoint, minutes: int = 0, **changes: Any) -> WebhookDelivery:
    return WebhookDelivery(
        id=uuid4(),
        endpoint_id=endpoint.id,
        org_id=endpoint.org_id,
        event_id=changes.pop("event_id", uuid4()),
        kind="manifest.signed",
        body='{"id":"x"}',
        created_at=T0 + timedelta(minutes=minutes),
        **changes,
    )


async def test_an_endpoint_is_stored_with_its_secret_and_updated(ports: Ports) -> None:
    endpoint = await _endpoint(ports, description="ERP")
    assert await ports.endpoints.get(endpoint.id) == endpoint
    assert await ports.endpoints.encrypted_secret(endpoint.id) == b"ciphertext"
    await ports.endpoints.count_failure(endpoint.id, T0)  # a delivery, meanwhile
    assert endpoint.failed(T0, PauseRule(failures=1, span=timedelta(0)))  # a stale copy's
    endpoint.url = "https://other.example.com/y"
    endpoint.kinds = ("manifest.signed",)
    endpoint.active = False
    await ports.endpoints.update(endpoint)
    await ports.uow.commit()
    stored = await ports.endpoints.get(endpoint.id)
    assert (stored.url, stored.kinds, stored.active) == (endpoint.url, endpoint.kinds, False)
    assert not stored.paused  # the admin's change pauses nothing, and counts nothing
    assert stored.consecutive_failures == 1
    await ports.endpoints.pause(endpoint.id, T0)
    await ports.endpoints.resume(endpoint.id)
    await ports.uow.commit()
    resumed = await ports.endpoints.get(endpoint.id)
    assert (resumed.paused, resumed.consecutive_failures, resumed.failing_since) == (
        False,
        0,
        None,
    )
    assert await ports.endpoints.encrypted_secret(endpoint.id) == b"ciphertext"
    other = await _endpoint(ports)
    assert [e.id for e in await ports.endpoints.for_org(endpoint.org_id)] == [endpoint.id]
    both = await ports.endpoints.for_orgs([endpoint.org_id, other.org_id])
    assert {e.id for e in both} == {endpoint.id, other.id}
    assert await ports.endpoints.for_orgs([]) == []


async def test_one_delivery_per_event_and_endpoint(ports: Ports) -> None:
    endpoint = await _endpoint(ports)
    first = _delivery(endpoint)
    assert await ports.deliveries.add(first)
    assert not await ports.deliveries.add(_delivery(endpoint, event_id=first.event_id))
    await ports.uow.commit()
    assert await ports.deliveries.get(first.id) == first
    other = await _endpoint(ports)
    assert await ports.deliveries.add(_delivery(other, event_id=first.event_id))


async def test_attempts_are_recorded_and_deliveries_listed_newest_first(ports: Ports) -> None:
    endpoint = await _endpoint(ports)
    older, newer = _delivery(endpoint, 0), _delivery(endpoint, 5)
    for delivery in (older, newer):
        await ports.deliveries.add(delivery)
    failed = DeliveryAttempt(
        number=1, at=T0, duration_ms=12, response_status=500, error="answered 500"
    )
    done = DeliveryAttempt(
        number=2, at=T0 + timedelta(minutes=1), duration_ms=8, response_status=200
    )
    for attempt in (failed, done):
        older.record(attempt)
        await ports.deliveries.add_attempt(older.id, attempt)
    await ports.deliveries.update(older)
    await ports.uow.commit()
    stored = await ports.deliveries.get(older.id)
    assert stored == older
    assert stored.status is DeliveryStatus.SUCCEEDED
    assert list(await ports.deliveries.attempts(older.id)) == [failed, done]
    recent = await ports.deliveries.recent(endpoint.org_id)
    assert [d.id for d in recent] == [newer.id, older.id]
    assert [d.id for d in await ports.deliveries.recent(endpoint.org_id, limit=1)] == [newer.id]
    assert await ports.deliveries.recent(uuid4()) == []


async def test_deleting_an_endpoint_deletes_its_deliveries(ports: Ports) -> None:
    endpoint = await _endpoint(ports)
    delivery = _delivery(endpoint)
    await ports.deliveries.add(delivery)
    await ports.deliveries.add_attempt(
        delivery.id, DeliveryAttempt(number=1, at=T0, duration_ms=1, error="no answer")
    )
    await ports.uow.commit()
    await ports.endpoints.delete(endpoint.id)
    await ports.uow.commit()
    assert await ports.endpoints.get(endpoint.id) is None
    assert await ports.endpoints.encrypted_secret(endpoint.id) is None
    assert await ports.deliveries.recent(endpoint.org_id, endpoint_id=endpoint.id) == []


async def test_old_finished_deliveries_are_pruned_and_pending_ones_kept(ports: Ports) -> None:
    endpoint = await _endpoint(ports)
    other = await _endpoint(ports)
    old_done = _delivery(endpoint, 0, status=DeliveryStatus.SUCCEEDED)
    old_pending = _delivery(endpoint, 1)
    new_done = _delivery(endpoint, 60, status=DeliveryStatus.FAILED)
    elsewhere = _delivery(other, 0, status=DeliveryStatus.FAILED)
    for delivery in (old_done, old_pending, new_done, elsewhere):
        await ports.deliveries.add(delivery)
    await ports.deliveries.add_attempt(
        old_done.id, DeliveryAttempt(number=1, at=T0, duration_ms=1, response_status=200)
    )
    await ports.uow.commit()
    assert (
        await ports.deliveries.prune(endpoint.id, finished_before=T0 + timedelta(minutes=30)) == 1
    )
    await ports.uow.commit()
    kept = await ports.deliveries.recent(endpoint.org_id, endpoint_id=endpoint.id)
    assert {d.id for d in kept} == {old_pending.id, new_done.id}
    assert [d.id for d in await ports.deliveries.recent(other.org_id)] == [elsewhere.id]
    assert await ports.deliveries.attempts(old_done.id) == []


async def test_failures_are_counted_in_place_and_an_endpoint_paused_once(ports: Ports) -> None:
    endpoint = await _endpoint(ports)
    endpoint.description = "changed by an admin meanwhile"
    await ports.endpoints.update(endpoint)
    first = await ports.endpoints.count_failure(endpoint.id, T0)
    second = await ports.endpoints.count_failure(endpoint.id, T0 + timedelta(minutes=5))
    assert (first.consecutive_failures, first.failing_since) == (1, T0)
    assert (second.consecutive_failures, second.failing_since) == (2, T0)
    assert second.description == "changed by an admin meanwhile"
    assert await ports.endpoints.pause(endpoint.id, T0 + timedelta(minutes=5))
    assert not await ports.endpoints.pause(endpoint.id, T0 + timedelta(minutes=6))
    await ports.endpoints.count_success(endpoint.id)
    await ports.uow.commit()
    stored = await ports.endpoints.get(endpoint.id)
    assert (stored.consecutive_failures, stored.failing_since) == (0, None)
    assert stored.paused_at == T0 + timedelta(minutes=5)
    assert await ports.endpoints.count_failure(uuid4(), T0) is None
