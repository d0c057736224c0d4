"""Helpers of the account, dashboard and task page tests: manifests in a given state of
signing, kept as a sync from RCRAInfo keeps them; tasks of a user in a given state; changes
to users, roles and orgs made the way the application's repositories make them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from dishka import AsyncContainer
from litestar import Litestar

from haztrak.application.ports.persistence import (
    MembershipRepository,
    OrgRepository,
    SiteRepository,
    UnitOfWork,
    UserRepository,
)
from haztrak.application.ports.tasks import TaskRepository
from haztrak.domain.identity import SiteRole
from haztrak.domain.manifest import (
    HandlerRole,
    Manifest,
    QuickerSignature,
    apply_quicker_signature,
)
from haztrak.domain.tasks import Task, TaskName, TaskProblem, TaskStatus
from tests.http.conftest import store_from_rcrainfo
from tests.manifest_documents import a_manifest

GEN, TRANS1, TRANS2, TSDF = "VATESTGEN001", "MOCKTRANS001", "MOCKTRANS002", "MOCKTSDFS001"
_DAY = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)


@asynccontextmanager
async def scope(app: Litestar) -> AsyncIterator[AsyncContainer]:
    container: AsyncContainer = app.state.dishka_container
    async with container() as request:
        yield request


def signed_by(manifest: Manifest, *turns: tuple[HandlerRole, str, int | None]) -> Manifest:
    """The manifest after each (role, EPA ID, transporter order) Quicker Sign in turn."""
    for index, (role, site, order) in enumerate(turns):
        manifest = apply_quicker_signature(
            manifest,
            QuickerSignature(
                site_id=site,
                site_type=role,
                transporter_order=order,
                printed_name="Pat Signer",
                signed_at=_DAY + timedelta(hours=index),
            ),
            now=_DAY + timedelta(hours=index),
        )
    return manifest


async def stored(app: Litestar, mtn: str, status: str = "Scheduled", **changes: Any) -> Manifest:
    """A manifest in e-Manifest (as a sync from RCRAInfo stores it), in `status`."""
    manifest = a_manifest(mtn=mtn, status=status, **changes)
    await store_from_rcrainfo(app, manifest)
    return manifest


async def keep(app: Litestar, manifest: Manifest) -> None:
    await store_from_rcrainfo(app, manifest)


async def a_task(
    app: Litestar,
    username: str,
    name: TaskName = TaskName.SYNC_SITE_MANIFESTS,
    *,
    status: TaskStatus = TaskStatus.PENDING,
    result: Any = None,
    error: TaskProblem | None = None,
    subject: str | None = GEN,
    payload: dict[str, Any] | None = None,
    created_at: datetime | None = None,
) -> UUID:
    """A task of `username`, recorded as the request that starts it records it, then ended
    as a worker ends it."""
    async with scope(app) as request:
        user = await (await request.get(UserRepository)).by_username(username)
        assert user is not None
        tasks = await request.get(TaskRepository)
        uow = await request.get(UnitOfWork)
        now = datetime.now(UTC)
        task = Task(
            id=uuid4(),
            name=name,
            owner_id=user.id,
            created_at=created_at or now,
            payload=payload if payload is not None else {"siteId": subject},
            subject=subject,
        )
        await tasks.add(task)
        await uow.commit()
        if status is not TaskStatus.PENDING:
            claimed = await tasks.claim(task.id, at=now, lease_until=now + timedelta(minutes=1))
            assert claimed is not None
            if status.finished:
                ended = await tasks.finish(
                    task.id,
                    attempt=claimed.attempts,
                    status=status,
                    at=now,
                    result=result,
                    error=error,
                )
                assert ended
            await uow.commit()
        return task.id


async def task_status(app: Litestar, task_id: UUID) -> TaskStatus:
    async with scope(app) as request:
        task = await (await request.get(TaskRepository)).get(task_id)
        assert task is not None
        return task.status


async def give_site_role(app: Litestar, username: str, epa_id: str, role: SiteRole | None) -> None:
    async with scope(app) as request:
        user = await (await request.get(UserRepository)).by_username(username)
        site = await (await request.get(SiteRepository)).by_epa_id(epa_id)
        assert user is not None
        assert site is not None
        await (await request.get(MembershipRepository)).set_site_role(site.id, user.id, role)
        await (await request.get(UnitOfWork)).commit()


async def mark_credentials_failing(app: Litestar, slug: str) -> None:
    """As RcrainfoAccounts.mark_failing leaves an org whose key RCRAInfo refused."""
    async with scope(app) as request:
        orgs = await request.get(OrgRepository)
        org = await orgs.by_slug(slug)
        assert org is not None
        org.rcrainfo_credentials_failing = True
        await orgs.update(org)
        await (await request.get(UnitOfWork)).commit()
