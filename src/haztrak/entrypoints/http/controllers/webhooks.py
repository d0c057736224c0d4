"""An org's webhooks, for its org admins: endpoints (the secret is in the answer that creates
one, and never again), deliveries with their attempts, redelivery, a test event."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from dishka import FromDishka
from litestar import Controller, delete, get, patch, post
from litestar.params import QueryParameter

from haztrak.application.webhooks.endpoints import (
    CreateWebhookEndpoint,
    DeleteWebhookEndpoint,
    DeliveryView,
    GetWebhookDelivery,
    ListWebhookDeliveries,
    ListWebhookEndpoints,
    NewWebhookEndpoint,
    PingWebhookEndpoint,
    RedeliverWebhook,
    UpdateWebhookEndpoint,
    WebhookEndpointChange,
)
from haztrak.domain.errors import InvalidValue
from haztrak.domain.identity import User
from haztrak.domain.webhooks import (
    MAX_DESCRIPTION,
    MAX_URL,
    DeliveryAttempt,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from haztrak.entrypoints.http import text as limits
from haztrak.entrypoints.http.openapi import answers
from haztrak.entrypoints.http.schemas import Camel, Out
from haztrak.entrypoints.http.text import text, text_list, text_path, text_query

Slug = Annotated[str, text_path(limits.SLUG, "generators-org-llc")]
KIND = 60
UUID_TEXT = 36
MAX_KINDS = 20

Kinds = Annotated[list[Annotated[str, text(KIND)]], text_list(KIND, max_items=MAX_KINDS)]


def _uuid(value: str | None, field: str) -> UUID | None:
    if value is None or not value.strip():
        return None
    try:
        return UUID(value.strip())
    except ValueError:
        raise InvalidValue(field, "must be an id (a UUID)") from None


class WebhookEndpointIn(Camel):
    url: Annotated[str, text(MAX_URL)]
    kinds: Kinds
    description: Annotated[str, text(MAX_DESCRIPTION)] = ""


class WebhookEndpointPatch(Camel):
    """Only the fields given change. `paused: false` resumes an endpoint that failures
    paused; `active: false` stops deliveries to it until set back to true."""

    url: Annotated[str, text(MAX_URL)] | None = None
    kinds: Kinds | None = None
    description: Annotated[str, text(MAX_DESCRIPTION)] | None = None
    active: bool | None = None
    paused: bool | None = None


class WebhookEndpointOut(Out):
    id: UUID
    url: str
    kinds: list[str]
    description: str
    active: bool
    paused: bool
    paused_at: datetime | None
    consecutive_failures: int
    created_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> WebhookEndpointOut:
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            kinds=list(endpoint.kinds),
            description=endpoint.description,
            active=endpoint.active,
            paused=endpoint.paused,
            paused_at=endpoint.paused_at,
            consecutive_failures=endpoint.consecutive_failures,
            created_at=endpoint.created_at,
        )


class WebhookEndpointCreated(Out):
    """The new endpoint and its signing secret: shown now, once; keep it."""

    endpoint: WebhookEndpointOut
    secret: str

    def __repr__(self) -> str:
        return "WebhookEndpointCreated(...)"


class WebhookAttemptOut(Out):
    number: int
    at: datetime
    duration_ms: int
    response_status: int | None
    error: str | None

    @classmethod
    def of(cls, attempt: DeliveryAttempt) -> WebhookAttemptOut:
        return cls(
            number=attempt.number,
            at=attempt.at,
            duration_ms=attempt.duration_ms,
            response_status=attempt.response_status,
            error=attempt.error,
        )


class WebhookDeliveryOut(Out):
    id: UUID
    endpoint_id: UUID
    event_id: UUID
    kind: str
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    last_attempt_at: datetime | None
    response_status: int | None
    duration_ms: int | None
    error: str | None
    delivered_at: datetime | None

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> WebhookDeliveryOut:
        return cls(
            id=delivery.id,
            endpoint_id=delivery.endpoint_id,
            event_id=delivery.event_id,
            kind=delivery.kind,
            status=delivery.status,
            attempts=delivery.attempts,
            created_at=delivery.created_at,
            last_attempt_at=delivery.last_attempt_at,
            response_status=delivery.response_status,
            duration_ms=delivery.duration_ms,
            error=delivery.error,
            delivered_at=delivery.delivered_at,
        )


class WebhookDeliveryDetailOut(Out):
    delivery: WebhookDeliveryOut
    body: str
    """The event's JSON as it is sent."""
    attempt_log: list[WebhookAttemptOut]

    @classmethod
    def of(cls, view: DeliveryView) -> WebhookDeliveryDetailOut:
        return cls(
            delivery=WebhookDeliveryOut.of(view.delivery),
            body=view.delivery.body,
            attempt_log=[WebhookAttemptOut.of(a) for a in view.attempts],
        )


class WebhookController(Controller):
    path = "/orgs/{slug:str}/webhooks"
    tags = ["webhooks"]

    @get(
        "/",
        responses=answers(400, 403, 404, 422),
        summary="The org's webhook endpoints (org admins)",
    )
    async def list_endpoints(
        self, user: User, slug: Slug, list_endpoints: FromDishka[ListWebhookEndpoints]
    ) -> list[WebhookEndpointOut]:
        return [WebhookEndpointOut.of(e) for e in await list_endpoints(user, slug)]

    @post(
        "/",
        responses=answers(400, 403, 404, 409, 422),
        summary="Register a webhook endpoint (org admins); the answer holds its secret, once",
        description=(
            "An https URL (public addresses only) and the kinds of events to send it. Each "
            "delivery is signed with the secret in this answer, which is never shown again "
            "(docs/webhooks.md says how to check a signature)."
        ),
    )
    async def create_endpoint(
        self,
        user: User,
        slug: Slug,
        data: WebhookEndpointIn,
        create: FromDishka[CreateWebhookEndpoint],
    ) -> WebhookEndpointCreated:
        created = await create(
            user,
            slug,
            NewWebhookEndpoint(url=data.url, kinds=tuple(data.kinds), description=data.description),
        )
        return WebhookEndpointCreated(
            endpoint=WebhookEndpointOut.of(created.endpoint), secret=created.secret.reveal()
        )

    @get(
        "/deliveries",
        responses=answers(400, 403, 404, 422),
        summary="The org's recent webhook deliveries, newest first (org admins)",
    )
    async def list_deliveries(
        self,
        user: User,
        slug: Slug,
        list_deliveries: FromDishka[ListWebhookDeliveries],
        endpoint_id: Annotated[
            str | None, text_query(UUID_TEXT, name="endpointId", description="an endpoint's id")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> list[WebhookDeliveryOut]:
        found = await list_deliveries(
            user, slug, endpoint_id=_uuid(endpoint_id, "endpointId"), limit=limit
        )
        return [WebhookDeliveryOut.of(d) for d in found]

    @get(
        "/deliveries/{delivery_id:uuid}",
        responses=answers(400, 403, 404, 422),
        summary="One webhook delivery with its body and every attempt (org admins)",
    )
    async def get_delivery(
        self,
        user: User,
        slug: Slug,
        delivery_id: UUID,
        get_delivery: FromDishka[GetWebhookDelivery],
    ) -> WebhookDeliveryDetailOut:
        return WebhookDeliveryDetailOut.of(await get_delivery(user, slug, delivery_id))

    @post(
        "/deliveries/{delivery_id:uuid}/redeliver",
        status_code=202,
        responses=answers(400, 403, 404, 409, 422),
        summary="Deliver one delivery again, with a fresh day of retries (org admins)",
    )
    async def redeliver(
        self,
        user: User,
        slug: Slug,
        delivery_id: UUID,
        redeliver: FromDishka[RedeliverWebhook],
    ) -> WebhookDeliveryOut:
        return WebhookDeliveryOut.of(await redeliver(user, slug, delivery_id))

    @patch(
        "/{endpoint_id:uuid}",
        responses=answers(400, 403, 404, 422),
        summary="Change a webhook endpoint, switch it off or on, or resume it (org admins)",
    )
    async def update_endpoint(
        self,
        user: User,
        slug: Slug,
        endpoint_id: UUID,
        data: WebhookEndpointPatch,
        update: FromDishka[UpdateWebhookEndpoint],
    ) -> WebhookEndpointOut:
        change = WebhookEndpointChange(
            url=data.url,
            kinds=tuple(data.kinds) if data.kinds is not None else None,
            description=data.description,
            active=data.active,
            paused=data.paused,
        )
        return WebhookEndpointOut.of(await update(user, slug, endpoint_id, change))

    @post(
        "/{endpoint_id:uuid}/ping",
        status_code=202,
        responses=answers(400, 403, 404, 422),
        summary="Send a test event (kind `ping`) to a webhook endpoint (org admins)",
    )
    async def ping(
        self,
        user: User,
        slug: Slug,
        endpoint_id: UUID,
        ping: FromDishka[PingWebhookEndpoint],
    ) -> WebhookDeliveryOut:
        return WebhookDeliveryOut.of(await ping(user, slug, endpoint_id))

    @delete(
        "/{endpoint_id:uuid}",
        responses=answers(400, 403, 404, 422),
        summary="Delete a webhook endpoint and its deliveries (org admins)",
    )
    async def delete_endpoint(
        self,
        user: User,
        slug: Slug,
        endpoint_id: UUID,
        remove: FromDishka[DeleteWebhookEndpoint],
    ) -> None:
        await remove(user, slug, endpoint_id)
