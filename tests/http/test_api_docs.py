"""/api/docs works without internet: the Swagger UI page names only Haztrak's own assets, and
Haztrak serves them (the vendored swagger-ui-dist, with its license beside it)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from bs4 import BeautifulSoup

from haztrak.entrypoints.http.app import create_app
from haztrak.entrypoints.http.docs import DOCS_ASSETS_PATH, DOCS_STATIC_DIR, SWAGGER_UI_VERSION
from haztrak.entrypoints.settings import load_settings

JUSTFILE = Path(__file__).parents[2] / "justfile"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    settings = load_settings(
        {"HT_VAR_DIR": str(tmp_path), "HT_SECRET_KEY": "docs-" + "x" * 40}, dotenv=None
    )
    app = create_app(settings, background=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://haztrak.test") as client:
        yield client


async def test_the_docs_page_names_only_same_origin_assets_and_they_are_served(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/api/docs", follow_redirects=True)
    assert page.status_code == 200
    assert page.url.path == "/api/schema/swagger"
    soup = BeautifulSoup(page.text, "html.parser")
    urls = [tag["src"] for tag in soup.find_all("script", src=True)] + [
        tag["href"] for tag in soup.find_all("link", href=True)
    ]
    assert len(urls) == 4  # the bundle, the standalone preset, the stylesheet, the icon
    for url in urls:
        parts = urlsplit(str(url))
        assert not parts.scheme, url  # no CDN,
        assert not parts.netloc, url  # not even protocol-relative
        assert str(url).startswith(DOCS_ASSETS_PATH + "/"), url
        asset = await client.get(str(url))
        assert asset.status_code == 200, url
        assert asset.content == (DOCS_STATIC_DIR / Path(parts.path).name).read_bytes()
        assert "max-age=31536000" in asset.headers["cache-control"]
    # nothing else on the page loads from elsewhere either (the embedded OpenAPI document holds
    # generated example strings, so look for addresses, not for words)
    assert not re.search(r"""(src|href|url)\s*[=:(]\s*["']?(https?:)?//""", page.text)


async def test_the_vendored_swagger_ui_is_the_pinned_version_with_its_license(
    client: httpx.AsyncClient,
) -> None:
    bundle = (DOCS_STATIC_DIR / "swagger-ui-bundle.js").read_text()
    assert "Apache License" in (DOCS_STATIC_DIR / "LICENSE").read_text()
    assert (DOCS_STATIC_DIR / "NOTICE").exists()
    assert "SwaggerUIBundle" in bundle
    # The recipe that fetches it names the same version (and checks its tarball's SHA-256).
    recipe = JUSTFILE.read_text()
    assert f"swagger-ui-dist@{SWAGGER_UI_VERSION}" in recipe
    assert f"swagger-ui-dist-{SWAGGER_UI_VERSION}.tgz" in recipe
    missing = await client.get(f"{DOCS_ASSETS_PATH}/../../../../pyproject.toml")
    assert missing.status_code == 404
