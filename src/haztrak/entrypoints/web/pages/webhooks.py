"""An org's webhooks, for its admins: the endpoints (a new one's secret shown once), recent
deliveries with their status, redelivery, a test event, switching off, resuming, deleting.
The org page shows a summary (and a banner when failures paused an endpoint)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from dishka import FromDishka
from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from haztrak.application.webhooks.endpoints import (
    CreateWebhookEndpoint,
    DeleteWebhookEndpoint,
    ListWebhookDeliveries,
    ListWebhookEndpoints,
    NewWebhookEndpoint,
    PingWebhookEndpoint,
    RedeliverWebhook,
    UpdateWebhookEndpoint,
    WebhookEndpointChange,
    WebhookPolicy,
)
from haztrak.domain.errors import Conflict, Forbidden, InvalidValue, NotFound
from haztrak.domain.identity import User
from haztrak.domain.webhooks import MAX_DESCRIPTION, MAX_URL
from haztrak.entrypoints.web.flash import redirect
from haztrak.entrypoints.web.templating import page
from haztrak.entrypoints.web.views.text import sentence

RECENT = 50


def _text(form: Any, name: str, limit: int) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


class WebhookPagesController(Controller):
    include_in_schema = False

    @get("/org/{slug:str}/webhooks")
    async def webhooks(
        self,
        request: Request[Any, Any, Any],
        user: User,
        slug: str,
        endpoints: FromDishka[ListWebhookEndpoints],
        deliveries: FromDishka[ListWebhookDeliveries],
        policy: FromDishka[WebhookPolicy],
    ) -> Template:
        return await _page(request, user, slug, endpoints, deliveries, policy)

    @get("/org/{slug:str}/webhooks/summary")
    async def summary(
        self,
        request: Request[Any, Any, Any],
        user: User,
        slug: str,
        endpoints: FromDishka[ListWebhookEndpoints],
    ) -> Template:
        """The org page's webhooks section (htmx): how many endpoints, which are paused."""
        try:
            found = await endpoints(user, slug)
        except (Forbidden, NotFound):
            found = None
        return page(request, "account/webhooks_summary.html", {"slug": slug, "endpoints": found})

    @post("/org/{slug:str}/webhooks")
    async def create(
        self,
        request: Request[Any, Any, Any],
        user: User,
        slug: str,
        create: FromDishka[CreateWebhookEndpoint],
        endpoints: FromDishka[ListWebhookEndpoints],
        deliveries: FromDishka[ListWebhookDeliveries],
        policy: FromDishka[WebhookPolicy],
    ) -> Template:
        form = await request.form()
        url = _text(form, "url", MAX_URL + 1)
        description = _text(form, "description", MAX_DESCRIPTION + 1)
        kinds = tuple(k[:60] for k in form.getall("kinds", []) if isinstance(k, str))[:30]
        try:
            created = await create(
                user, slug, NewWebhookEndpoint(url=url, kinds=kinds, description=description)
            )
        except InvalidValue as exc:
            values = {"url": url, "description": description, "kinds": kinds}
            return await _page(
                request, user, slug, endpoints, deliveries, policy, problem=exc, values=values
            )
        except Conflict as exc:
            return await _page(
                request, user, slug, endpoints, deliveries, policy, conflict=sentence(str(exc))
            )
        return await _page(
            request,
            user,
            slug,
            endpoints,
            deliveries,
            policy,
            new_secret=(created.endpoint.url, created.secret.reveal()),
            status_code=201,
        )

    @post("/org/{slug:str}/webhooks/{endpoint_id:uuid}/ping")
    async def ping(
        self, user: User, slug: str, endpoint_id: UUID, ping: FromDishka[PingWebhookEndpoint]
    ) -> Response[Any]:
        await ping(user, slug, endpoint_id)
        return redirect(
            f"/org/{slug}/webhooks#deliveries",
            "success",
            "A test event is on its way; its delivery is listed below.",
        )

    @post("/org/{slug:str}/webhooks/{endpoint_id:uuid}/resume")
    async def resume(
        self, user: User, slug: str, endpoint_id: UUID, update: FromDishka[UpdateWebhookEndpoint]
    ) -> Response[Any]:
        await update(user, slug, endpoint_id, WebhookEndpointChange(paused=False, active=True))
        return redirect(
            f"/org/{slug}/webhooks#endpoints", "success", "The endpoint gets new events again."
        )

    @post("/org/{slug:str}/webhooks/{endpoint_id:uuid}/switch-off")
    async def switch_off(
        self, user: User, slug: str, endpoint_id: UUID, update: FromDishka[UpdateWebhookEndpoint]
    ) -> Response[Any]:
        await update(user, slug, endpoint_id, WebhookEndpointChange(active=False))
        return redirect(
            f"/org/{slug}/webhooks#endpoints", "success", "The endpoint gets no events now."
        )

    @post("/org/{slug:str}/webhooks/{endpoint_id:uuid}/delete")
    async def delete(
        self, user: User, slug: str, endpoint_id: UUID, remove: FromDishka[DeleteWebhookEndpoint]
    ) -> Response[Any]:
        await remove(user, slug, endpoint_id)
        return redirect(
            f"/org/{slug}/webhooks#endpoints",
            "success",
            "The endpoint and its deliveries are deleted.",
        )

    @post("/org/{slug:str}/webhooks/deliveries/{delivery_id:uuid}/redeliver")
    async def redeliver(
        self, user: User, slug: str, delivery_id: UUID, redeliver: FromDishka[RedeliverWebhook]
    ) -> Response[Any]:
        try:
            await redeliver(user, slug, delivery_id)
        except Conflict as exc:
            return redirect(f"/org/{slug}/webhooks#deliveries", "error", sentence(str(exc)))
        return redirect(
            f"/org/{slug}/webhooks#deliveries", "success", "The delivery is on its way again."
        )


async def _page(
    request: Request[Any, Any, Any],
    user: User,
    slug: str,
    endpoints: ListWebhookEndpoints,
    deliveries: ListWebhookDeliveries,
    policy: WebhookPolicy,
    *,
    problem: InvalidValue | None = None,
    conflict: str | None = None,
    values: dict[str, Any] | None = None,
    new_secret: tuple[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    found = await endpoints(user, slug)
    recent = await deliveries(user, slug, limit=RECENT)
    errors: dict[str, str] = {}
    problems = []
    if problem is not None:
        errors[problem.field] = sentence(problem.message)
        problems.append(
            {
                "anchor": f"f-hook-{problem.field}",
                "text": f"{problem.field.capitalize()} {problem.message}",
            }
        )
    return page(
        request,
        "account/webhooks.html",
        {
            "slug": slug,
            "endpoints": found,
            "urls": {e.id: e.url for e in found},
            "deliveries": recent,
            "kinds": policy.kinds,
            "paused": [e for e in found if e.paused],
            "errors": errors,
            "problems": problems,
            "conflict": conflict,
            "values": values or {},
            "new_secret": new_secret,
        },
        status_code=400 if problem else status_code,
    )
