"""Webhook endpoints and deliveries in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import case, delete, func, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from haztrak.adapters.persistence.webhook_tables import (
    WebhookAttemptRow,
    WebhookDeliveryRow,
    WebhookEndpointRow,
)
from haztrak.domain.webhooks import (
    DeliveryAttempt,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
)


def _endpoint(row: WebhookEndpointRow) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=row.id,
        org_id=row.org_id,
        url=row.url,
        kinds=tuple(row.kinds or ()),
        created_at=row.created_at,
        description=row.description,
        active=row.active,
        paused_at=row.paused_at,
        consecutive_failures=row.consecutive_failures,
        failing_since=row.failing_since,
    )


def _delivery(row: WebhookDeliveryRow) -> WebhookDelivery:
    return WebhookDelivery(
        id=row.id,
        endpoint_id=row.endpoint_id,
        org_id=row.org_id,
        event_id=row.event_id,
        kind=row.kind,
        body=row.body,
        created_at=row.created_at,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        last_attempt_at=row.last_attempt_at,
        response_status=row.response_status,
        duration_ms=row.duration_ms,
        error=row.error,
        delivered_at=row.delivered_at,
        task_id=row.task_id,
    )


class SqlWebhookEndpoints:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, endpoint: WebhookEndpoint, encrypted_secret: bytes) -> None:
        self._session.add(
            WebhookEndpointRow(
                id=endpoint.id,
                org_id=endpoint.org_id,
                url=endpoint.url,
                kinds=list(endpoint.kinds),
                description=endpoint.description,
                secret_encrypted=encrypted_secret,
                active=endpoint.active,
                paused_at=endpoint.paused_at,
                consecutive_failures=endpoint.consecutive_failures,
                failing_since=endpoint.failing_since,
                created_at=endpoint.created_at,
            )
        )
        await self._session.flush()

    async def get(self, endpoint_id: UUID) -> WebhookEndpoint | None:
        row = await self._session.get(WebhookEndpointRow, endpoint_id, populate_existing=True)
        return _endpoint(row) if row else None

    async def for_org(self, org_id: UUID) -> Sequence[WebhookEndpoint]:
        return await self.for_orgs([org_id])

    async def for_orgs(self, org_ids: Sequence[UUID]) -> Sequence[WebhookEndpoint]:
        if not org_ids:
            return []
        rows = await self._session.scalars(
            select(WebhookEndpointRow)
            .where(WebhookEndpointRow.org_id.in_(list(org_ids)))
            .order_by(WebhookEndpointRow.created_at, WebhookEndpointRow.id)
        )
        return [_endpoint(r) for r in rows]

    async def update(self, endpoint: WebhookEndpoint) -> None:
        await self._session.execute(
            update(WebhookEndpointRow)
            .where(WebhookEndpointRow.id == endpoint.id)
            .values(
                url=endpoint.url,
                kinds=list(endpoint.kinds),
                description=endpoint.description,
                active=endpoint.active,
            )
            .execution_options(synchronize_session=False)
        )

    async def resume(self, endpoint_id: UUID) -> None:
        await self._session.execute(
            update(WebhookEndpointRow)
            .where(WebhookEndpointRow.id == endpoint_id)
            .values(paused_at=None, consecutive_failures=0, failing_since=None)
            .execution_options(synchronize_session=False)
        )

    async def count_success(self, endpoint_id: UUID) -> None:
        await self._session.execute(
            update(WebhookEndpointRow)
            .where(
                WebhookEndpointRow.id == endpoint_id, WebhookEndpointRow.consecutive_failures > 0
            )
            .values(consecutive_failures=0, failing_since=None)
            .execution_options(synchronize_session=False)
        )

    async def count_failure(self, endpoint_id: UUID, at: datetime) -> WebhookEndpoint | None:
        row = WebhookEndpointRow
        when = literal(at, row.failing_since.type)  # stored as the column stores times
        await self._session.execute(
            update(row)
            .where(row.id == endpoint_id)
            .values(
                consecutive_failures=row.consecutive_failures + 1,
                failing_since=case(
                    (row.consecutive_failures == 0, when),
                    else_=func.coalesce(row.failing_since, when),
                ),
            )
            .execution_options(synchronize_session=False)
        )
        return await self.get(endpoint_id)

    async def pause(self, endpoint_id: UUID, at: datetime) -> bool:
        result = await self._session.execute(
            update(WebhookEndpointRow)
            .where(WebhookEndpointRow.id == endpoint_id, WebhookEndpointRow.paused_at.is_(None))
            .values(paused_at=at)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def delete(self, endpoint_id: UUID) -> None:
        # Children first, explicitly: no reliance on the database's cascade setting.
        deliveries = select(WebhookDeliveryRow.id).where(
            WebhookDeliveryRow.endpoint_id == endpoint_id
        )
        await self._session.execute(
            delete(WebhookAttemptRow).where(WebhookAttemptRow.delivery_id.in_(deliveries))
        )
        await self._session.execute(
            delete(WebhookDeliveryRow).where(WebhookDeliveryRow.endpoint_id == endpoint_id)
        )
        await self._session.execute(
            delete(WebhookEndpointRow).where(WebhookEndpointRow.id == endpoint_id)
        )

    async def encrypted_secret(self, endpoint_id: UUID) -> bytes | None:
        found = await self._session.scalar(
            select(WebhookEndpointRow.secret_encrypted).where(WebhookEndpointRow.id == endpoint_id)
        )
        return bytes(found) if found is not None else None


class SqlWebhookDeliveries:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, delivery: WebhookDelivery) -> bool:
        exists = await self._session.scalar(
            select(WebhookDeliveryRow.id).where(
                WebhookDeliveryRow.event_id == delivery.event_id,
                WebhookDeliveryRow.endpoint_id == delivery.endpoint_id,
            )
        )
        if exists is not None:
            return False
        try:
            async with self._session.begin_nested():
                self._session.add(
                    WebhookDeliveryRow(
                        id=delivery.id,
                        endpoint_id=delivery.endpoint_id,
                        org_id=delivery.org_id,
                        event_id=delivery.event_id,
                        kind=delivery.kind,
                        body=delivery.body,
                        status=delivery.status.value,
                        attempts=delivery.attempts,
                        created_at=delivery.created_at,
                        task_id=delivery.task_id,
                    )
                )
        except IntegrityError:  # another dispatcher added it a moment ago
            return False
        return True

    async def get(self, delivery_id: UUID) -> WebhookDelivery | None:
        row = await self._session.get(WebhookDeliveryRow, delivery_id, populate_existing=True)
        return _delivery(row) if row else None

    async def recent(
        self, org_id: UUID, *, endpoint_id: UUID | None = None, limit: int = 50
    ) -> Sequence[WebhookDelivery]:
        query = select(WebhookDeliveryRow).where(WebhookDeliveryRow.org_id == org_id)
        if endpoint_id is not None:
            query = query.where(WebhookDeliveryRow.endpoint_id == endpoint_id)
        rows = await self._session.scalars(
            query.order_by(
                WebhookDeliveryRow.created_at.desc(), WebhookDeliveryRow.id.desc()
            ).limit(limit)
        )
        return [_delivery(r) for r in rows]

    async def update(self, delivery: WebhookDelivery) -> None:
        await self._session.execute(
            update(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.id == delivery.id)
            .values(
                status=delivery.status.value,
                attempts=delivery.attempts,
                last_attempt_at=delivery.last_attempt_at,
                response_status=delivery.response_status,
                duration_ms=delivery.duration_ms,
                error=(delivery.error or None) and delivery.error[:300],
                delivered_at=delivery.delivered_at,
                task_id=delivery.task_id,
            )
            .execution_options(synchronize_session=False)
        )

    async def add_attempt(self, delivery_id: UUID, attempt: DeliveryAttempt) -> None:
        await self._session.merge(
            WebhookAttemptRow(
                delivery_id=delivery_id,
                number=attempt.number,
                at=attempt.at,
                duration_ms=attempt.duration_ms,
                response_status=attempt.response_status,
                error=attempt.error[:300] if attempt.error else None,
            )
        )

    async def prune(self, endpoint_id: UUID, *, finished_before: datetime) -> int:
        old = select(WebhookDeliveryRow.id).where(
            WebhookDeliveryRow.endpoint_id == endpoint_id,
            WebhookDeliveryRow.status != DeliveryStatus.PENDING.value,
            WebhookDeliveryRow.created_at < finished_before,
        )
        await self._session.execute(
            delete(WebhookAttemptRow).where(WebhookAttemptRow.delivery_id.in_(old))
        )
        result = await self._session.execute(
            delete(WebhookDeliveryRow).where(WebhookDeliveryRow.id.in_(old))
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def attempts(self, delivery_id: UUID) -> Sequence[DeliveryAttempt]:
        rows = await self._session.scalars(
            select(WebhookAttemptRow)
            .where(WebhookAttemptRow.delivery_id == delivery_id)
            .order_by(WebhookAttemptRow.number)
        )
        return [
            DeliveryAttempt(
                number=r.number,
                at=r.at,
                duration_ms=r.duration_ms,
                response_status=r.response_status,
                error=r.error,
            )
            for r in rows
        ]
