"""An org's webhook endpoints, administered by its org admins: register one (its secret is
shown once, then kept encrypted), list, change, delete, see the deliveries, deliver one again,
send a test event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from uuid import UUID, uuid4

import msgspec

from haztrak.application.audit import Auditor
from haztrak.application.ports.persistence import MembershipRepository, OrgRepository, UnitOfWork
from haztrak.application.ports.security import Clock
from haztrak.application.ports.tasks import TaskRepository
from haztrak.application.ports.webhooks import (
    WebhookDeliveries,
    WebhookEndpoints,
    WebhookSecretBox,
)
from haztrak.application.tasks.launch import TaskLauncher
from haztrak.domain.access import Action, OrgTarget, require
from haztrak.domain.errors import Conflict, InvalidValue, NotFound
from haztrak.domain.identity import Org, User
from haztrak.domain.secrets import Secret
from haztrak.domain.tasks import RetryPolicy, TaskName
from haztrak.domain.webhooks import (
    PING,
    WEBHOOK_RETRY,
    DeliveryAttempt,
    DeliveryStatus,
    PauseRule,
    WebhookDelivery,
    WebhookEndpoint,
    check_description,
    check_endpoint_url,
    check_kinds,
    event_body,
    new_secret,
)

MAX_ENDPOINTS = 20
MAX_DELIVERY_PAGE = 200


class WebhookPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """How webhooks behave in this deployment (settings HT_WEBHOOKS_*)."""

    kinds: tuple[str, ...] = ()
    """The kinds of events an endpoint may ask for (besides `ping`, which every one gets)."""
    allow_private: bool = False
    """Deliveries may reach private, loopback and link-local addresses (tests, development)."""
    allow_insecure: bool = False
    """Endpoints may be http:// URLs; only together with allow_private, never in production."""
    public_url: str = "http://127.0.0.1:8000"
    """Where this Haztrak is reached: the base of the links in events."""
    retry: RetryPolicy = WEBHOOK_RETRY
    pause: PauseRule = PauseRule()
    retention: timedelta = timedelta(days=30)
    """Finished deliveries older than this are deleted (as new ones are made)."""


class NewWebhookEndpoint(msgspec.Struct, frozen=True, kw_only=True):
    url: str
    kinds: tuple[str, ...]
    description: str = ""


class WebhookEndpointChange(msgspec.Struct, frozen=True, kw_only=True):
    """What to change; None keeps it. `paused=False` resumes an endpoint failures paused."""

    url: str | None = None
    kinds: tuple[str, ...] | None = None
    description: str | None = None
    active: bool | None = None
    paused: bool | None = None


class CreatedWebhookEndpoint(msgspec.Struct, frozen=True, kw_only=True):
    endpoint: WebhookEndpoint
    secret: Secret
    """Shown to the org admin once, now; only its ciphertext is kept."""


class DeliveryView(msgspec.Struct, frozen=True, kw_only=True):
    delivery: WebhookDelivery
    attempts: tuple[DeliveryAttempt, ...] = ()


class _OrgWebhooks:
    def __init__(
        self,
        memberships: MembershipRepository,
        orgs: OrgRepository,
        endpoints: WebhookEndpoints,
        deliveries: WebhookDeliveries,
        policy: WebhookPolicy,
        auditor: Auditor,
        clock: Clock,
        uow: UnitOfWork,
    ) -> None:
        self._memberships = memberships
        self._orgs = orgs
        self._endpoints = endpoints
        self._deliveries = deliveries
        self._policy = policy
        self._auditor = auditor
        self._clock = clock
        self._uow = uow

    async def _org(self, user: User, slug: str) -> Org:
        org = await self._orgs.by_slug(slug)
        if org is None:
            raise NotFound("org", slug)
        grants = await self._memberships.grants(user.id)
        require(grants, Action.MANAGE_ORG, OrgTarget(org.id), kind="org", key=slug)
        return org

    async def _endpoint(self, org: Org, endpoint_id: UUID) -> WebhookEndpoint:
        endpoint = await self._endpoints.get(endpoint_id)
        if endpoint is None or endpoint.org_id != org.id:
            raise NotFound("webhook endpoint", str(endpoint_id))
        return endpoint

    async def _delivery(self, org: Org, delivery_id: UUID) -> WebhookDelivery:
        delivery = await self._deliveries.get(delivery_id)
        if delivery is None or delivery.org_id != org.id:
            raise NotFound("webhook delivery", str(delivery_id))
        return delivery

    def _url(self, url: str) -> str:
        return check_endpoint_url(
            url,
            allow_insecure=self._policy.allow_insecure,
            allow_private=self._policy.allow_private,
        )

    def _kinds(self, kinds: Sequence[str]) -> tuple[str, ...]:
        return check_kinds(kinds, self._policy.kinds)


class ListWebhookEndpoints(_OrgWebhooks):
    async def __call__(self, user: User, slug: str) -> list[WebhookEndpoint]:
        org = await self._org(user, slug)
        return list(await self._endpoints.for_org(org.id))


class CreateWebhookEndpoint(_OrgWebhooks):
    def __init__(
        self,
        memberships: MembershipRepository,
        orgs: OrgRepository,
        endpoints: WebhookEndpoints,
        deliveries: WebhookDeliveries,
        policy: WebhookPolicy,
        auditor: Auditor,
        clock: Clock,
        uow: UnitOfWork,
        box: WebhookSecretBox,
    ) -> None:
        super().__init__(memberships, orgs, endpoints, deliveries, policy, auditor, clock, uow)
        self._box = box

    async def __call__(
        self, user: User, slug: str, cmd: NewWebhookEndpoint
    ) -> CreatedWebhookEndpoint:
        org = await self._org(user, slug)
        endpoint = WebhookEndpoint(
            id=uuid4(),
            org_id=org.id,
            url=self._url(cmd.url),
            kinds=self._kinds(cmd.kinds),
            description=check_description(cmd.description),
            created_at=self._clock.now(),
        )
        if len(await self._endpoints.for_org(org.id)) >= MAX_ENDPOINTS:
            raise Conflict(f"org {slug!r} has {MAX_ENDPOINTS} webhook endpoints, the most allowed")
        secret = new_secret()
        await self._endpoints.add(endpoint, self._box.encrypt(secret))
        await self._auditor.record(
            user, "add_webhook", "org", org.slug, endpoint=str(endpoint.id), url=endpoint.url
        )
        await self._uow.commit()
        return CreatedWebhookEndpoint(endpoint=endpoint, secret=secret)


class UpdateWebhookEndpoint(_OrgWebhooks):
    async def __call__(
        self, user: User, slug: str, endpoint_id: UUID, change: WebhookEndpointChange
    ) -> WebhookEndpoint:
        org = await self._org(user, slug)
        endpoint = await self._endpoint(org, endpoint_id)
        if change.url is not None:
            endpoint.url = self._url(change.url)
        if change.kinds is not None:
            endpoint.kinds = self._kinds(change.kinds)
        if change.description is not None:
            endpoint.description = check_description(change.description)
        if change.active is not None:
            endpoint.active = change.active
        if change.paused is True and not endpoint.paused:
            raise InvalidValue("paused", "only false (resume) is allowed; set active to false")
        await self._endpoints.update(endpoint)
        if change.paused is False:
            endpoint.resume()
            await self._endpoints.resume(endpoint.id)
        await self._auditor.record(
            user,
            "change_webhook",
            "org",
            org.slug,
            endpoint=str(endpoint.id),
            url=endpoint.url,
            active=str(endpoint.active).lower(),
            paused=str(endpoint.paused).lower(),
        )
        await self._uow.commit()
        return endpoint


class DeleteWebhookEndpoint(_OrgWebhooks):
    async def __call__(self, user: User, slug: str, endpoint_id: UUID) -> None:
        org = await self._org(user, slug)
        endpoint = await self._endpoint(org, endpoint_id)
        await self._endpoints.delete(endpoint.id)
        await self._auditor.record(
            user, "delete_webhook", "org", org.slug, endpoint=str(endpoint.id), url=endpoint.url
        )
        await self._uow.commit()


class ListWebhookDeliveries(_OrgWebhooks):
    """The org's deliveries, newest first (one endpoint's when given)."""

    async def __call__(
        self, user: User, slug: str, *, endpoint_id: UUID | None = None, limit: int = 50
    ) -> list[WebhookDelivery]:
        if not 1 <= limit <= MAX_DELIVERY_PAGE:
            raise InvalidValue("limit", f"must be 1-{MAX_DELIVERY_PAGE}")
        org = await self._org(user, slug)
        if endpoint_id is not None:
            await self._endpoint(org, endpoint_id)
        return list(await self._deliveries.recent(org.id, endpoint_id=endpoint_id, limit=limit))


class GetWebhookDelivery(_OrgWebhooks):
    async def __call__(self, user: User, slug: str, delivery_id: UUID) -> DeliveryView:
        org = await self._org(user, slug)
        delivery = await self._delivery(org, delivery_id)
        return DeliveryView(
            delivery=delivery, attempts=tuple(await self._deliveries.attempts(delivery.id))
        )


class _Launching(_OrgWebhooks):
    def __init__(
        self,
        memberships: MembershipRepository,
        orgs: OrgRepository,
        endpoints: WebhookEndpoints,
        deliveries: WebhookDeliveries,
        policy: WebhookPolicy,
        auditor: Auditor,
        clock: Clock,
        uow: UnitOfWork,
        launcher: TaskLauncher,
    ) -> None:
        super().__init__(memberships, orgs, endpoints, deliveries, policy, auditor, clock, uow)
        self._launcher = launcher

    async def _launch(self, delivery: WebhookDelivery, *, manual: bool) -> WebhookDelivery:
        task = await self._launcher.launch(
            TaskName.DELIVER_WEBHOOK,
            owner=None,
            payload={"deliveryId": str(delivery.id), "manual": manual},
            subject=str(delivery.id),
        )
        delivery.task_id = task.id
        await self._deliveries.update(delivery)
        await self._uow.commit()
        return delivery


class RedeliverWebhook(_Launching):
    """Deliver one delivery again, now, with a fresh day of retries (the same event id and
    body; a new timestamp and signature). Also on a paused endpoint: the admin asked. Not
    while a task is still trying it (one task per delivery at a time)."""

    def __init__(
        self,
        memberships: MembershipRepository,
        orgs: OrgRepository,
        endpoints: WebhookEndpoints,
        deliveries: WebhookDeliveries,
        policy: WebhookPolicy,
        auditor: Auditor,
        clock: Clock,
        uow: UnitOfWork,
        launcher: TaskLauncher,
        tasks: TaskRepository,
    ) -> None:
        super().__init__(
            memberships, orgs, endpoints, deliveries, policy, auditor, clock, uow, launcher
        )
        self._tasks = tasks

    async def __call__(self, user: User, slug: str, delivery_id: UUID) -> WebhookDelivery:
        org = await self._org(user, slug)
        delivery = await self._delivery(org, delivery_id)
        if delivery.status is DeliveryStatus.PENDING and delivery.task_id is not None:
            task = await self._tasks.get(delivery.task_id)
            if task is not None and not task.finished:
                raise Conflict(
                    f"delivery {delivery_id} is still being tried (task {task.id}); wait for "
                    "it to end"
                )
        delivery.redeliver()
        await self._deliveries.update(delivery)
        await self._auditor.record(
            user, "redeliver_webhook", "org", org.slug, delivery=str(delivery.id)
        )
        return await self._launch(delivery, manual=True)


class PingWebhookEndpoint(_Launching):
    """Send a test event (`ping`) to an endpoint, to check its URL and its signature check."""

    async def __call__(self, user: User, slug: str, endpoint_id: UUID) -> WebhookDelivery:
        org = await self._org(user, slug)
        endpoint = await self._endpoint(org, endpoint_id)
        now = self._clock.now()
        event_id = uuid4()
        delivery = WebhookDelivery(
            id=uuid4(),
            endpoint_id=endpoint.id,
            org_id=org.id,
            event_id=event_id,
            kind=PING,
            body=event_body(event_id=event_id, kind=PING, at=now, mtn=None, status=None, link=None),
            created_at=now,
        )
        await self._deliveries.add(delivery)
        await self._auditor.record(user, "ping_webhook", "org", org.slug, endpoint=str(endpoint.id))
        return await self._launch(delivery, manual=True)
