"""Ports of webhooks: endpoints and deliveries in storage, the sender that reaches an endpoint,
and the box that keeps endpoint secrets encrypted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

import msgspec

from haztrak.domain.secrets import Secret
from haztrak.domain.webhooks import DeliveryAttempt, WebhookDelivery, WebhookEndpoint


class WebhookEndpoints(Protocol):
    async def add(self, endpoint: WebhookEndpoint, encrypted_secret: bytes) -> None: ...

    async def get(self, endpoint_id: UUID) -> WebhookEndpoint | None: ...

    async def for_org(self, org_id: UUID) -> Sequence[WebhookEndpoint]:
        """The org's endpoints, oldest first."""

    async def for_orgs(self, org_ids: Sequence[UUID]) -> Sequence[WebhookEndpoint]: ...

    async def update(self, endpoint: WebhookEndpoint) -> None:
        """Store what an admin changes: URL, kinds, description, switched on or off (not the
        failures nor the pause: deliveries count those in place)."""

    async def resume(self, endpoint_id: UUID) -> None:
        """Not paused, and no failure in a row."""

    async def count_success(self, endpoint_id: UUID) -> None:
        """No failure in a row any more (atomic: deliveries run at once)."""

    async def count_failure(self, endpoint_id: UUID, at: datetime) -> WebhookEndpoint | None:
        """One more failure in a row (the first sets `failing_since`), atomically; the
        endpoint as it is now, or None when it is gone."""

    async def pause(self, endpoint_id: UUID, at: datetime) -> bool:
        """Pause it unless it is paused already; True when this call paused it."""

    async def delete(self, endpoint_id: UUID) -> None:
        """Delete it with its deliveries."""

    async def encrypted_secret(self, endpoint_id: UUID) -> bytes | None: ...


class WebhookDeliveries(Protocol):
    async def add(self, delivery: WebhookDelivery) -> bool:
        """Add it; False (and nothing added) when the endpoint already has this event."""

    async def get(self, delivery_id: UUID) -> WebhookDelivery | None: ...

    async def recent(
        self, org_id: UUID, *, endpoint_id: UUID | None = None, limit: int = 50
    ) -> Sequence[WebhookDelivery]:
        """The org's deliveries (or one endpoint's), newest first."""

    async def update(self, delivery: WebhookDelivery) -> None: ...

    async def add_attempt(self, delivery_id: UUID, attempt: DeliveryAttempt) -> None: ...

    async def attempts(self, delivery_id: UUID) -> Sequence[DeliveryAttempt]:
        """Its attempts, first first."""

    async def prune(self, endpoint_id: UUID, *, finished_before: datetime) -> int:
        """Delete the endpoint's finished deliveries made before the time; return how many."""


class SendResult(msgspec.Struct, frozen=True, kw_only=True):
    duration_ms: int
    status: int | None = None
    """The HTTP status of the answer; None when there was none."""
    error: str | None = None
    """Why no answer came (refused address, timeout, connection, TLS), for the org admin."""


class WebhookSender(Protocol):
    async def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        """POST the body to the URL, only to allowed addresses and without following
        redirects; never raises for what the endpoint or the network does."""


class WebhookSecretBox(Protocol):
    """Encrypts endpoint secrets at rest, as the org's RCRAInfo key is (its own derived key)."""

    def encrypt(self, secret: Secret) -> bytes: ...

    def decrypt(self, ciphertext: bytes) -> Secret: ...
