"""Readiness says which dependency fails, and why, in the driver's words."""

from __future__ import annotations

from pathlib import Path

from dishka import make_async_container

from haztrak.entrypoints.http.app import create_app
from haztrak.entrypoints.settings import Settings
from tests.http.conftest import http_client, providers_for_tests
from tests.http.test_tasks_api import _closed_port
from tests.integration.tasks.support import seeded, task_settings


async def test_readiness_names_what_fails_and_why(tmp_path: Path) -> None:
    port = _closed_port()
    settings = task_settings(tmp_path, HT_REDIS_URL=f"redis://:hunter2@127.0.0.1:{port}/0")
    container = make_async_container(*providers_for_tests(), context={Settings: settings})
    try:
        await seeded(settings, container)
        async with http_client(create_app(settings, container=container)) as client:
            ready = await client.get("/api/health/ready")
    finally:
        await container.close()
    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert checks["database"]["status"] == "ok"
    for name in ("cache", "broker"):
        assert checks[name]["status"] == "failing"
        assert checks[name]["detail"].startswith("ConnectionError: "), checks[name]
        assert f"127.0.0.1:{port}" in checks[name]["detail"]
    assert "hunter2" not in ready.text


async def test_readiness_says_why_the_database_fails(tmp_path: Path) -> None:
    (tmp_path / "a-directory").mkdir()  # where the database file should be
    settings = task_settings(tmp_path, HT_DATABASE_URL=f"sqlite:///{tmp_path / 'a-directory'}")
    container = make_async_container(*providers_for_tests(), context={Settings: settings})
    try:
        async with http_client(create_app(settings, container=container)) as client:
            ready = await client.get("/api/health/ready")
    finally:
        await container.close()
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == {
        "status": "failing",
        "detail": "OperationalError: unable to open database file",
    }
