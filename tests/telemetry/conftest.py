"""Telemetry turned on for one test: spans into memory, metrics on a free port of 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from dishka import AsyncContainer, make_async_container
from litestar import Litestar
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from haztrak.entrypoints.http.app import create_app
from haztrak.entrypoints.settings import Settings, TelemetrySettings
from haztrak.entrypoints.telemetry import Telemetry, install, telemetry_providers, uninstall
from haztrak.entrypoints.worker.providers import worker_providers
from tests import ports
from tests.fakes_rcrainfo import FakeRcrainfo
from tests.http.conftest import DEMO_CREDENTIALS, providers_for_tests
from tests.integration.tasks.support import (
    SECRET_KEY,
    FakeRcrainfoProvider,
    running_worker,
    seeded,
    task_settings,
)
from tests.seeded import seeded_postgres


def free_port() -> int:
    return ports.free_port()


@pytest.fixture(params=["embedded", "services"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """SQLite and the in-memory broker, or PostgreSQL (with its read pool) and Redis."""
    if request.param == "embedded":
        return task_settings(tmp_path)
    return task_settings(
        tmp_path,
        HT_DATABASE_URL=seeded_postgres(request, SECRET_KEY),
        HT_REDIS_URL=request.getfixturevalue("flushed_redis"),
    )


@pytest.fixture(scope="session")
def metrics_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One per test session: a process's counters live in files named by its pid."""
    return tmp_path_factory.mktemp("metrics")


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    install(TelemetrySettings(), process="test", span_exporter=exporter)
    try:
        yield exporter
    finally:
        uninstall()


@pytest.fixture
def metrics(metrics_dir: Path) -> Iterator[Telemetry]:
    telemetry = install(
        TelemetrySettings(metrics_port=free_port(), metrics_dir=metrics_dir), process="test"
    )
    assert telemetry is not None
    try:
        yield telemetry
    finally:
        uninstall()


@pytest.fixture
def rcrainfo() -> FakeRcrainfo:
    fake = FakeRcrainfo()
    for api_id, api_key in DEMO_CREDENTIALS.values():
        fake.account(api_id, api_key)
    return fake


def observed_container(settings: Settings, fake: FakeRcrainfo) -> AsyncContainer:
    """The test app's container, with the worker, and telemetry's decorators last."""
    return make_async_container(
        *providers_for_tests(),
        *worker_providers(),
        FakeRcrainfoProvider(fake),
        *telemetry_providers(),
        context={Settings: settings},
    )


@asynccontextmanager
async def running_app(settings: Settings, fake: FakeRcrainfo) -> AsyncIterator[Litestar]:
    container = observed_container(settings, fake)
    try:
        await seeded(settings, container)
        async with running_worker(container):
            yield create_app(settings, container=container)
    finally:
        await container.close()
