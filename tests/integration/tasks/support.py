"""A process's background machinery in a test: the app's container with the worker providers,
a fake RCRAInfo in place of the adapter, and a worker on the test's event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar
from uuid import UUID

import dramatiq
from dishka import AsyncContainer, Provider, Scope, make_async_container, provide

from haztrak.adapters.persistence import database
from haztrak.application.identity.demo import SeedDemoData
from haztrak.application.ports.rcrainfo import Rcrainfo
from haztrak.application.ports.tasks import TaskRepository
from haztrak.domain.secrets import Secret
from haztrak.domain.tasks import Task
from haztrak.entrypoints.cli.demo import demo_data
from haztrak.entrypoints.settings import Settings, load_settings
from haztrak.entrypoints.worker.providers import worker_providers
from haztrak.entrypoints.worker.runtime import BackgroundWorker
from tests.fakes_rcrainfo import FakeRcrainfo
from tests.http.conftest import DEMO_CREDENTIALS, PASSWORD, providers_for_tests
from tests.polling import eventually
from tests.seeded import copy_seeded

T = TypeVar("T")


class FakeRcrainfoProvider(Provider):
    def __init__(self, fake: FakeRcrainfo) -> None:
        super().__init__()
        self.fake = fake

    @provide(scope=Scope.APP, override=True)
    def rcrainfo(self) -> Rcrainfo:
        return self.fake


def fake_rcrainfo() -> FakeRcrainfo:
    fake = FakeRcrainfo()
    for api_id, api_key in DEMO_CREDENTIALS.values():
        fake.account(api_id, api_key)
    return fake


SECRET_KEY = "test-secret-key-" + "x" * 32


def task_settings(tmp_path: Path, **environ: str) -> Settings:
    return load_settings(
        {
            "HT_VAR_DIR": str(tmp_path / "var"),
            "HT_SECRET_KEY": SECRET_KEY,
            "HT_LOG_LEVEL": "WARNING",
            "HT_TASK_RETRY_DELAY_SECONDS": "0",
            "HT_TASK_RETRY_MAX_DELAY_SECONDS": "1",
            **environ,
        },
        dotenv=None,
    )


def background_container(settings: Settings, fake: FakeRcrainfo) -> AsyncContainer:
    return make_async_container(
        *providers_for_tests(),
        *worker_providers(),
        FakeRcrainfoProvider(fake),
        context={Settings: settings},
    )


async def seeded(settings: Settings, container: AsyncContainer) -> None:
    """The schema and the demo data: a copy of the seeded template when it can be (see
    tests/seeded.py), else migrated and seeded here."""
    if await copy_seeded(settings):
        return
    engine = database.create_engine(settings.database.url.reveal())
    await database.upgrade(engine)
    await engine.dispose()
    async with container() as scope:
        seed = await scope.get(SeedDemoData)
        await seed(demo_data(DEMO_CREDENTIALS), Secret(PASSWORD))


@asynccontextmanager
async def running_worker(
    container: AsyncContainer, *, threads: int = 2, sweep_every: float = 0.2
) -> AsyncIterator[BackgroundWorker]:
    worker = BackgroundWorker(
        container,
        await container.get(dramatiq.Broker),
        threads=threads,
        sweep_every=sweep_every,
        idle_poll_ms=100,
    )
    await worker.start()
    try:
        yield worker
    finally:
        await worker.stop(timeout_ms=5000)


async def finished_task(container: AsyncContainer, task_id: UUID, within: float = 20.0) -> Task:
    async def check() -> Task | None:
        async with container() as scope:
            task = await (await scope.get(TaskRepository)).get(task_id)
        return task if task is not None and task.finished else None

    return await eventually(check, within)
