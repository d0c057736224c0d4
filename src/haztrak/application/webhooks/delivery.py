"""Delivering events to webhook endpoints: fanning an event out to the endpoints that asked
for it (one delivery per event and endpoint, however often that is asked), and the task that
tries one delivery, records how it went, and retries, gives up or pauses the endpoint."""

from __future__ import annotations

import logging
import random
from typing import Any
from uuid import UUID, uuid4

from haztrak.application.audit import Auditor
from haztrak.application.ports.events import EventOutbox
from haztrak.application.ports.persistence import (
    MembershipRepository,
    OrgRepository,
    SiteRepository,
    UnitOfWork,
)
from haztrak.application.ports.security import Clock
from haztrak.application.ports.tasks import QueueUnavailable, TaskQueue, TaskRepository
from haztrak.application.ports.webhooks import (
    WebhookDeliveries,
    WebhookEndpoints,
    WebhookSecretBox,
    WebhookSender,
)
from haztrak.application.tasks.errors import RetryLater
from haztrak.application.tasks.run import TaskRun
from haztrak.application.webhooks.endpoints import WebhookPolicy
from haztrak.domain.events import DomainEvent, EventKind
from haztrak.domain.identity import OrgRole
from haztrak.domain.tasks import Task, TaskName
from haztrak.domain.webhooks import (
    DeliveryAttempt,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    answer_problem,
    event_body,
    signature_headers,
)

log = logging.getLogger("haztrak.webhooks")

ENQUEUE_DELAY_SECONDS = 2.0
_LAST_TRY_MARGIN = 5.0
"""Seconds: a run with less time than this left gives up now (the task runner would)."""


class FanOutWebhooks:
    """The dispatcher's subscriber (application.events.dispatch): a delivery of the event for
    each endpoint that asked for its kind, of each org concerned (the orgs named on the event
    and the orgs of its sites), and a task for each new delivery. Writes without committing
    (the dispatcher commits with the event); an event handed over again finds its deliveries
    and adds nothing. The tasks' messages are sent with a short delay, so they reach a worker
    after the commit; a message that came too early is sent again by the task sweeper."""

    name = "webhooks"

    def __init__(
        self,
        endpoints: WebhookEndpoints,
        deliveries: WebhookDeliveries,
        sites: SiteRepository,
        tasks: TaskRepository,
        queue: TaskQueue,
        policy: WebhookPolicy,
        clock: Clock,
    ) -> None:
        self._endpoints = endpoints
        self._deliveries = deliveries
        self._sites = sites
        self._tasks = tasks
        self._queue = queue
        self._policy = policy
        self._clock = clock

    async def __call__(self, event: DomainEvent) -> None:
        kind = event.kind.value
        if kind not in self._policy.kinds:
            return
        org_ids = set(event.org_ids)
        if event.site_ids:
            org_ids |= {s.org_id for s in await self._sites.list_by_epa_ids(list(event.site_ids))}
        if not org_ids:
            return
        mtn = event.mtn
        link = f"{self._policy.public_url.rstrip('/')}/api/manifest/{mtn}" if mtn else None
        body = event_body(
            event_id=event.id, kind=kind, at=event.at, mtn=mtn, status=event.status, link=link
        )
        now = self._clock.now()
        started = []
        for endpoint in await self._endpoints.for_orgs(sorted(org_ids)):
            if not endpoint.wants(kind):
                continue
            task = Task(
                id=uuid4(),
                name=TaskName.DELIVER_WEBHOOK,
                owner_id=None,
                created_at=now,
                payload={"manual": False},
                enqueued_at=now,
            )
            delivery = WebhookDelivery(
                id=uuid4(),
                endpoint_id=endpoint.id,
                org_id=endpoint.org_id,
                event_id=event.id,
                kind=kind,
                body=body,
                created_at=now,
                task_id=task.id,
            )
            if not await self._deliveries.add(delivery):
                continue
            task.payload["deliveryId"] = str(delivery.id)
            task.subject = str(delivery.id)
            await self._tasks.add(task)
            started.append(task)
            await self._deliveries.prune(endpoint.id, finished_before=now - self._policy.retention)
        for task in started:
            try:
                await self._queue.enqueue(task, delay_seconds=ENQUEUE_DELAY_SECONDS)
            except QueueUnavailable:
                log.warning("webhook task %s: queue unavailable; the sweeper sends it", task.id)


class DeliverWebhook:
    """The task of one delivery: one attempt per run of the task. A failed attempt raises
    RetryLater, and the task runner tries again with the webhook backoff (WebhookPolicy.retry)
    until a day has passed; then the delivery is failed. Each failure counts against the
    endpoint, which the pause rule may pause (the org admins are told: a notice, the audit log,
    the org's page); a paused or switched-off endpoint gets no more automatic attempts."""

    def __init__(
        self,
        endpoints: WebhookEndpoints,
        deliveries: WebhookDeliveries,
        orgs: OrgRepository,
        memberships: MembershipRepository,
        outbox: EventOutbox,
        box: WebhookSecretBox,
        sender: WebhookSender,
        policy: WebhookPolicy,
        auditor: Auditor,
        clock: Clock,
        uow: UnitOfWork,
    ) -> None:
        self._endpoints = endpoints
        self._deliveries = deliveries
        self._orgs = orgs
        self._memberships = memberships
        self._outbox = outbox
        self._box = box
        self._sender = sender
        self._policy = policy
        self._auditor = auditor
        self._clock = clock
        self._uow = uow

    async def __call__(self, run: TaskRun) -> dict[str, Any]:
        delivery_id = UUID(str(run.payload["deliveryId"]))
        manual = bool(run.payload.get("manual"))
        delivery = await self._deliveries.get(delivery_id)
        if delivery is None or delivery.status is not DeliveryStatus.PENDING:
            return {"delivery": str(delivery_id), "status": delivery.status if delivery else None}
        endpoint = await self._endpoints.get(delivery.endpoint_id)
        ciphertext = await self._endpoints.encrypted_secret(delivery.endpoint_id)
        if endpoint is None or ciphertext is None:
            return await self._end(delivery, "the endpoint was deleted")
        if not manual and not endpoint.active:
            return await self._end(delivery, "the endpoint is switched off")
        if not manual and endpoint.paused:
            return await self._end(delivery, "the endpoint is paused after repeated failures")

        body = delivery.body.encode()
        now = self._clock.now()
        headers = signature_headers(
            self._box.decrypt(ciphertext), str(delivery.event_id), int(now.timestamp()), body
        )
        headers["webhook-kind"] = delivery.kind
        sent = await self._sender.send(endpoint.url, body, headers)
        problem = sent.error or (
            answer_problem(sent.status) if sent.status is not None else "no answer"
        )
        attempt = DeliveryAttempt(
            number=delivery.attempts + 1,
            at=now,
            duration_ms=sent.duration_ms,
            response_status=sent.status,
            error=problem,
        )
        delivery.record(attempt)
        await self._deliveries.add_attempt(delivery.id, attempt)
        if attempt.succeeded:
            await self._endpoints.count_success(endpoint.id)
            await self._deliveries.update(delivery)
            await self._uow.commit()
            return {"delivery": str(delivery.id), "status": delivery.status.value}

        # Counted in one statement each, never by writing back the endpoint read before the
        # attempt: other deliveries count at the same time, and an admin may change it.
        counted = await self._endpoints.count_failure(endpoint.id, now)
        paused_now = (
            counted is not None
            and not counted.paused
            and self._policy.pause.pauses(counted.consecutive_failures, counted.failing_since, now)
            and await self._endpoints.pause(endpoint.id, now)
        )
        if paused_now and counted is not None:
            await self._tell_admins(counted)
        log.info("webhook delivery %s attempt %d failed: %s", delivery.id, attempt.number, problem)
        if (paused_now and not manual) or self._last_try(run):
            reason = "the endpoint was paused after repeated failures" if paused_now else None
            return await self._end(delivery, reason or f"gave up: {problem}")
        await self._deliveries.update(delivery)
        await self._uow.commit()
        raise RetryLater(f"delivery {delivery.id}: {problem}")

    def _last_try(self, run: TaskRun) -> bool:
        retry = self._policy.retry
        started = run.task.started_at or self._clock.now()
        elapsed = (self._clock.now() - started).total_seconds() + _LAST_TRY_MARGIN
        return retry.next_try(run.task.run_attempts, elapsed, random.random()) is None  # noqa: S311

    async def _end(self, delivery: WebhookDelivery, reason: str) -> dict[str, Any]:
        delivery.give_up(reason)
        await self._deliveries.update(delivery)
        await self._uow.commit()
        return {"delivery": str(delivery.id), "status": delivery.status.value}

    async def _tell_admins(self, endpoint: WebhookEndpoint) -> None:
        org = await self._orgs.get(endpoint.org_id)
        await self._auditor.record(
            None,
            "webhook_paused",
            "org",
            org.slug if org else str(endpoint.org_id),
            endpoint=str(endpoint.id),
            url=endpoint.url,
            failures=str(endpoint.consecutive_failures),
        )
        # A notice for each org admin (the notices' subscriber tells the users an event names).
        admins = [
            user.id
            for user, role in await self._memberships.org_members(endpoint.org_id)
            if role is OrgRole.ADMIN
        ]
        if admins:
            title = (
                f"the webhook endpoint {endpoint.url} is paused after "
                f"{endpoint.consecutive_failures} failed deliveries in a row; resume it on "
                "the organization's webhooks page"
            )
            await self._outbox.add(
                [
                    DomainEvent(
                        id=uuid4(),
                        kind=EventKind.TASK_FAILED,
                        at=self._clock.now(),
                        org_ids=(endpoint.org_id,),
                        user_ids=tuple(admins),
                        detail={
                            "taskName": TaskName.DELIVER_WEBHOOK.value,
                            "title": title[:300],
                            "subject": str(endpoint.id),
                        },
                    )
                ]
            )
        log.warning(
            "webhook endpoint %s paused after %d failed attempts",
            endpoint.id,
            endpoint.consecutive_failures,
        )
