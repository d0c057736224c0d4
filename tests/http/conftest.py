"""The HTTP app on each backend: embedded (SQLite, memory cache) or services (Postgres, Redis)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from dishka import AsyncContainer, Provider, Scope, make_async_container, provide
from litestar import Litestar

from haztrak.adapters.security.passwords import Argon2PasswordHasher
from haztrak.application.ports.manifests import ManifestRepository
from haztrak.application.ports.persistence import UnitOfWork
from haztrak.application.ports.security import PasswordHasher
from haztrak.domain.manifest import Manifest
from haztrak.entrypoints.http.app import create_app
from haztrak.entrypoints.providers import core_providers
from haztrak.entrypoints.settings import Settings, load_settings
from tests.seeded import copy_seeded, migrate_and_seed, seeded_postgres

PASSWORD = "demo-password"


class CheapHashing(Provider):
    """argon2id still, at a cost that keeps a test login quick."""

    @provide(scope=Scope.APP, override=True)
    def hasher(self) -> PasswordHasher:
        return Argon2PasswordHasher(time_cost=1, memory_cost=1024)


def providers_for_tests() -> list[Provider]:
    return [*core_providers(), CheapHashing()]


DEMO_CREDENTIALS = {
    "generators-org-llc": ("gen-api-id", "gen-api-key-SECRET-VALUE"),
    "mock-transporters": ("trans-api-id", "trans-api-key-SECRET-VALUE"),
}


@pytest.fixture(params=["embedded", "services"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    environ = {
        "HT_VAR_DIR": str(tmp_path / "var"),
        "HT_SECRET_KEY": "test-secret-key-" + "x" * 32,
        "HT_LOG_LEVEL": "WARNING",
    }
    if request.param == "services":
        environ["HT_DATABASE_URL"] = seeded_postgres(request, environ["HT_SECRET_KEY"])
        environ["HT_REDIS_URL"] = request.getfixturevalue("flushed_redis")
    return load_settings(environ, dotenv=None)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Litestar]:
    """One app and container per test; several clients (users) may talk to it at once. The
    database is a copy of one migrated and seeded once (tests/seeded.py)."""
    if not await copy_seeded(settings):
        await migrate_and_seed(settings)
    container = make_async_container(*providers_for_tests(), context={Settings: settings})
    yield create_app(settings, container=container)
    await container.close()


def http_client(app: Litestar) -> httpx.AsyncClient:
    """A client on the app in this event loop (the app's container is the fixture's)."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
    )


class Browser:
    """A test client that behaves like the browser client: it echoes the CSRF cookie."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        merged = dict(headers or {})
        token = self.client.cookies.get("csrftoken")
        if token and "X-CSRFToken" not in merged:
            merged["X-CSRFToken"] = token
        return merged

    async def get(self, url: str, **kw: Any) -> httpx.Response:
        return await self.client.get(url, **kw)

    async def post(
        self, url: str, headers: dict[str, str] | None = None, **kw: Any
    ) -> httpx.Response:
        return await self.client.post(url, headers=self._headers(headers), **kw)

    async def put(
        self, url: str, headers: dict[str, str] | None = None, **kw: Any
    ) -> httpx.Response:
        return await self.client.put(url, headers=self._headers(headers), **kw)

    async def delete(
        self, url: str, headers: dict[str, str] | None = None, **kw: Any
    ) -> httpx.Response:
        return await self.client.delete(url, headers=self._headers(headers), **kw)

    async def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        kw["headers"] = self._headers(kw.get("headers"))
        return await self.client.request(method, url, **kw)

    async def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        await self.client.get("/api/browser/v1/auth/session")
        return await self.post(
            "/api/browser/v1/auth/login", json={"username": username, "password": password}
        )


@pytest.fixture
async def anonymous(app: Litestar) -> AsyncIterator[Browser]:
    async with http_client(app) as client:
        yield Browser(client)


async def _logged_in(app: Litestar, username: str) -> AsyncIterator[Browser]:
    async with http_client(app) as client:
        browser = Browser(client)
        response = await browser.login(username)
        assert response.status_code == 200, response.text
        yield browser


@pytest.fixture
async def testuser1(app: Litestar) -> AsyncIterator[Browser]:
    async for browser in _logged_in(app, "testuser1"):
        yield browser


@pytest.fixture
async def orgadmin(app: Litestar) -> AsyncIterator[Browser]:
    async for browser in _logged_in(app, "orgadmin"):
        yield browser


@pytest.fixture
async def tsdf1(app: Litestar) -> AsyncIterator[Browser]:
    async for browser in _logged_in(app, "tsdf1"):
        yield browser


async def store_from_rcrainfo(app: Litestar, manifest: Manifest) -> None:
    """Keep a manifest as a sync from RCRAInfo would: in e-Manifest, so no one's draft."""
    container: AsyncContainer = app.state.dishka_container
    async with container() as scope:
        manifests = await scope.get(ManifestRepository)
        await manifests.upsert_by_mtn(manifest, owner_org_id=None, at=datetime.now(UTC))
        await (await scope.get(UnitOfWork)).commit()
