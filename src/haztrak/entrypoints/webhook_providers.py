"""dishka providers of webhooks: storage, the guarded sender, the secret box, the policy from
settings, the org admins' use cases, the dispatcher's subscriber and the delivery task."""

from __future__ import annotations

from datetime import timedelta

from dishka import Provider, Scope, provide, provide_all

from haztrak.adapters.persistence.webhooks import SqlWebhookDeliveries, SqlWebhookEndpoints
from haztrak.adapters.security.webhook_secrets import FernetWebhookSecretBox
from haztrak.adapters.webhooks.sender import HttpxWebhookSender
from haztrak.application.ports.webhooks import (
    WebhookDeliveries,
    WebhookEndpoints,
    WebhookSecretBox,
    WebhookSender,
)
from haztrak.application.webhooks.delivery import DeliverWebhook, FanOutWebhooks
from haztrak.application.webhooks.endpoints import (
    CreateWebhookEndpoint,
    DeleteWebhookEndpoint,
    GetWebhookDelivery,
    ListWebhookDeliveries,
    ListWebhookEndpoints,
    PingWebhookEndpoint,
    RedeliverWebhook,
    UpdateWebhookEndpoint,
    WebhookPolicy,
)
from haztrak.domain.events import EventKind
from haztrak.domain.tasks import RetryPolicy
from haztrak.domain.webhooks import PauseRule
from haztrak.entrypoints.settings import Settings

WEBHOOK_KINDS = tuple(k.value for k in EventKind if k is not EventKind.TASK_FAILED)
"""What an endpoint may ask for: every event about manifests, deadlines and the org (a failed
task concerns the person who started it, not the org)."""


def webhook_retry(settings: Settings) -> RetryPolicy:
    hooks = settings.webhooks
    return RetryPolicy(
        max_attempts=1000,
        max_seconds=float(hooks.retry_max_seconds),
        first_delay=float(hooks.retry_delay_seconds),
        max_delay=float(hooks.retry_max_delay_seconds),
    )


def webhook_policy(settings: Settings) -> WebhookPolicy:
    hooks = settings.webhooks
    return WebhookPolicy(
        kinds=WEBHOOK_KINDS,
        allow_private=hooks.allow_private,
        allow_insecure=hooks.allow_private,
        public_url=hooks.public_url,
        retry=webhook_retry(settings),
        pause=PauseRule(
            failures=hooks.pause_after_failures,
            span=timedelta(seconds=hooks.pause_after_seconds),
        ),
    )


class WebhookProvider(Provider):
    scope = Scope.REQUEST

    @provide(scope=Scope.APP)
    def policy(self, settings: Settings) -> WebhookPolicy:
        return webhook_policy(settings)

    @provide(scope=Scope.APP)
    def box(self, settings: Settings) -> WebhookSecretBox:
        return FernetWebhookSecretBox(settings.secret_key)

    @provide(scope=Scope.APP)
    def sender(self, policy: WebhookPolicy) -> WebhookSender:
        return HttpxWebhookSender(
            allow_private=policy.allow_private, allow_insecure=policy.allow_insecure
        )

    endpoints = provide(SqlWebhookEndpoints, provides=WebhookEndpoints)
    deliveries = provide(SqlWebhookDeliveries, provides=WebhookDeliveries)

    use_cases = provide_all(
        ListWebhookEndpoints,
        CreateWebhookEndpoint,
        UpdateWebhookEndpoint,
        DeleteWebhookEndpoint,
        ListWebhookDeliveries,
        GetWebhookDelivery,
        RedeliverWebhook,
        PingWebhookEndpoint,
        FanOutWebhooks,
        DeliverWebhook,
    )
