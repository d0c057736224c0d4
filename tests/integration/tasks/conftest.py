"""Settings on each backend: embedded (SQLite, in-memory queue) and services (Postgres, Redis)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from dishka import AsyncContainer

from haztrak.entrypoints.settings import Settings
from tests.fakes_rcrainfo import FakeRcrainfo
from tests.integration.tasks.support import (
    SECRET_KEY,
    background_container,
    fake_rcrainfo,
    seeded,
    task_settings,
)
from tests.seeded import seeded_postgres


@pytest.fixture(params=["embedded", "services"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "embedded":
        return task_settings(tmp_path)
    return task_settings(
        tmp_path,
        HT_DATABASE_URL=seeded_postgres(request, SECRET_KEY),
        HT_REDIS_URL=request.getfixturevalue("flushed_redis"),
    )


@pytest.fixture
def rcrainfo() -> FakeRcrainfo:
    return fake_rcrainfo()


@pytest.fixture
async def container(settings: Settings, rcrainfo: FakeRcrainfo) -> AsyncIterator[AsyncContainer]:
    container = background_container(settings, rcrainfo)
    await seeded(settings, container)
    yield container
    await container.close()
