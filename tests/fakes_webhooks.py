"""In-memory fakes of the webhook ports: endpoints, deliveries, and a sender that answers as
it is told and records what it was sent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from uuid import UUID

import msgspec

from haztrak.application.ports.webhooks import (
    SendResult,
    WebhookDeliveries,
    WebhookEndpoints,
    WebhookSender,
)
from haztrak.domain.webhooks import (
    DeliveryAttempt,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
)


class MemoryWebhookEndpoints(WebhookEndpoints):
    """Deleting an endpoint deletes its deliveries in `deliveries`, as the tables do."""

    def __init__(self, deliveries: MemoryWebhookDeliveries | None = None) -> None:
        self.endpoints: dict[UUID, WebhookEndpoint] = {}
        self.secrets: dict[UUID, bytes] = {}
        self.deliveries = deliveries

    async def add(self, endpoint: WebhookEndpoint, encrypted_secret: bytes) -> None:
        self.endpoints[endpoint.id] = msgspec.structs.replace(endpoint)
        self.secrets[endpoint.id] = encrypted_secret

    async def get(self, endpoint_id: UUID) -> WebhookEndpoint | None:
        found = self.endpoints.get(endpoint_id)
        return msgspec.structs.replace(found) if found else None

    async def for_org(self, org_id: UUID) -> Sequence[WebhookEndpoint]:
        return await self.for_orgs([org_id])

    async def for_orgs(self, org_ids: Sequence[UUID]) -> Sequence[WebhookEndpoint]:
        found = [e for e in self.endpoints.values() if e.org_id in set(org_ids)]
        return [msgspec.structs.replace(e) for e in sorted(found, key=lambda e: e.created_at)]

    async def update(self, endpoint: WebhookEndpoint) -> None:
        stored = self.endpoints.get(endpoint.id)
        if stored is not None:
            self.endpoints[endpoint.id] = msgspec.structs.replace(
                stored,
                url=endpoint.url,
                kinds=endpoint.kinds,
                description=endpoint.description,
                active=endpoint.active,
            )

    async def resume(self, endpoint_id: UUID) -> None:
        if endpoint_id in self.endpoints:
            self.endpoints[endpoint_id].resume()

    async def count_success(self, endpoint_id: UUID) -> None:
        if endpoint_id in self.endpoints:
            self.endpoints[endpoint_id].succeeded()

    async def count_failure(self, endpoint_id: UUID, at: datetime) -> WebhookEndpoint | None:
        endpoint = self.endpoints.get(endpoint_id)
        if endpoint is None:
            return None
        if endpoint.consecutive_failures == 0 or endpoint.failing_since is None:
            endpoint.failing_since = at
        endpoint.consecutive_failures += 1
        return msgspec.structs.replace(endpoint)

    async def pause(self, endpoint_id: UUID, at: datetime) -> bool:
        endpoint = self.endpoints.get(endpoint_id)
        if endpoint is None or endpoint.paused:
            return False
        endpoint.paused_at = at
        return True

    async def delete(self, endpoint_id: UUID) -> None:
        self.endpoints.pop(endpoint_id, None)
        self.secrets.pop(endpoint_id, None)
        if self.deliveries is not None:
            for delivery in list(self.deliveries.deliveries.values()):
                if delivery.endpoint_id == endpoint_id:
                    self.deliveries.deliveries.pop(delivery.id)
                    self.deliveries.attempt_log.pop(delivery.id, None)

    async def encrypted_secret(self, endpoint_id: UUID) -> bytes | None:
        return self.secrets.get(endpoint_id)


class MemoryWebhookDeliveries(WebhookDeliveries):
    def __init__(self) -> None:
        self.deliveries: dict[UUID, WebhookDelivery] = {}
        self.attempt_log: dict[UUID, list[DeliveryAttempt]] = {}

    async def add(self, delivery: WebhookDelivery) -> bool:
        if any(
            d.event_id == delivery.event_id and d.endpoint_id == delivery.endpoint_id
            for d in self.deliveries.values()
        ):
            return False
        self.deliveries[delivery.id] = msgspec.structs.replace(delivery)
        return True

    async def get(self, delivery_id: UUID) -> WebhookDelivery | None:
        found = self.deliveries.get(delivery_id)
        return msgspec.structs.replace(found) if found else None

    async def recent(
        self, org_id: UUID, *, endpoint_id: UUID | None = None, limit: int = 50
    ) -> Sequence[WebhookDelivery]:
        found = [
            d
            for d in self.deliveries.values()
            if d.org_id == org_id and (endpoint_id is None or d.endpoint_id == endpoint_id)
        ]
        found.sort(key=lambda d: (d.created_at, d.id), reverse=True)
        return found[:limit]

    async def update(self, delivery: WebhookDelivery) -> None:
        self.deliveries[delivery.id] = msgspec.structs.replace(delivery)

    async def add_attempt(self, delivery_id: UUID, attempt: DeliveryAttempt) -> None:
        self.attempt_log.setdefault(delivery_id, []).append(attempt)

    async def prune(self, endpoint_id: UUID, *, finished_before: datetime) -> int:
        old = [
            d.id
            for d in self.deliveries.values()
            if d.endpoint_id == endpoint_id
            and d.status is not DeliveryStatus.PENDING
            and d.created_at < finished_before
        ]
        for delivery_id in old:
            self.deliveries.pop(delivery_id)
            self.attempt_log.pop(delivery_id, None)
        return len(old)

    async def attempts(self, delivery_id: UUID) -> Sequence[DeliveryAttempt]:
        return list(self.attempt_log.get(delivery_id, []))


class ScriptedSender(WebhookSender):
    """Answers with the statuses given (then 200); None stands for no answer at all."""

    def __init__(self, *answers: int | None) -> None:
        self.answers = list(answers)
        self.sent: list[tuple[str, bytes, dict[str, str]]] = []

    async def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        self.sent.append((url, body, dict(headers)))
        status = self.answers.pop(0) if self.answers else 200
        if status is None:
            return SendResult(duration_ms=3, error="could not connect")
        return SendResult(duration_ms=3, status=status)
