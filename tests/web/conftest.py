"""The browser UI through the Litestar app: pages parsed as HTML, forms posted as a browser
posts them. The app, its backends and the demo data are the HTTP tests' fixtures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from bs4 import BeautifulSoup
from litestar import Litestar

from tests.http.conftest import (  # noqa: F401 - fixtures shared with the API's tests
    PASSWORD,
    app,
    http_client,
    settings,
)


class Page:
    """A rendered page: the response and its parsed document."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status = response.status_code
        self.html = BeautifulSoup(response.text, "html.parser")

    def one(self, selector: str) -> Any:
        found = self.html.select(selector)
        assert len(found) == 1, f"{len(found)} elements match {selector!r}"
        return found[0]

    def all(self, selector: str) -> list[Any]:
        return list(self.html.select(selector))

    def text(self, selector: str) -> str:
        return " ".join(self.one(selector).get_text(" ", strip=True).split())

    def texts(self, selector: str) -> list[str]:
        return [" ".join(e.get_text(" ", strip=True).split()) for e in self.all(selector)]

    @property
    def title(self) -> str:
        return self.html.title.get_text(strip=True) if self.html.title else ""

    @property
    def h1(self) -> str:
        return self.text("h1")


class WebUser:
    """A browser with JavaScript off: it follows no redirects by itself, posts plain forms
    with the CSRF token the page carries, and keeps its cookies."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    @property
    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken") or ""

    async def get(self, url: str, **kw: Any) -> Page:
        return Page(await self.client.get(url, **kw))

    async def follow(self, url: str) -> Page:
        response = await self.client.get(url, follow_redirects=True)
        return Page(response)

    async def post(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Page:
        form = {"csrf_token": self.csrf, **(data or {})}
        return Page(await self.client.post(url, data=form, **kw))

    async def htmx(self, method: str, url: str, **kw: Any) -> Page:
        headers = {"HX-Request": "true", "X-CSRFToken": self.csrf, **kw.pop("headers", {})}
        return Page(await self.client.request(method, url, headers=headers, **kw))

    async def sign_in(self, username: str, password: str = PASSWORD) -> Page:
        await self.client.get("/login")
        return await self.post("/login", {"username": username, "password": password})


@pytest.fixture
async def visitor(app: Litestar) -> AsyncIterator[WebUser]:  # noqa: F811
    async with http_client(app) as client:
        yield WebUser(client)


async def _signed_in(app: Litestar, username: str) -> AsyncIterator[WebUser]:  # noqa: F811
    async with http_client(app) as client:
        user = WebUser(client)
        page = await user.sign_in(username)
        assert page.status == 303, page.response.text
        yield user


@pytest.fixture
async def generator_user(app: Litestar) -> AsyncIterator[WebUser]:  # noqa: F811
    """testuser1: signer on the generator site VATESTGEN001."""
    async for user in _signed_in(app, "testuser1"):
        yield user


@pytest.fixture
async def transporter_user(app: Litestar) -> AsyncIterator[WebUser]:  # noqa: F811
    async for user in _signed_in(app, "transporter1"):
        yield user


@pytest.fixture
async def tsdf_user(app: Litestar) -> AsyncIterator[WebUser]:  # noqa: F811
    async for user in _signed_in(app, "tsdf1"):
        yield user


@pytest.fixture
async def org_admin(app: Litestar) -> AsyncIterator[WebUser]:  # noqa: F811
    async for user in _signed_in(app, "orgadmin"):
        yield user
