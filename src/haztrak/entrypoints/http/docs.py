"""The interactive API documentation's assets, served by Haztrak itself (no CDN).

Swagger UI comes from the npm package swagger-ui-dist at a pinned version, fetched and checked
by `just docs-assets`; its license and notice sit beside it in `docs_static/`. The page at
/api/docs therefore works on a machine without internet access.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

SWAGGER_UI_VERSION = "5.35.0"
DOCS_STATIC_DIR = Path(__file__).parent / "docs_static"
# The version is in the path: a new Swagger UI is a new URL, so a year of caching is safe.
DOCS_ASSETS_PATH = f"/api/docs/assets/swagger-ui-{SWAGGER_UI_VERSION}"


def swagger_plugin(path: str = "/swagger") -> SwaggerRenderPlugin:
    """Litestar's Swagger UI page, with its scripts, stylesheet and icon from DOCS_ASSETS_PATH."""
    return SwaggerRenderPlugin(
        path=path,
        js_url=f"{DOCS_ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{DOCS_ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{DOCS_ASSETS_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{DOCS_ASSETS_PATH}/favicon-32x32.png'>",
    )


def docs_assets_router() -> Router:
    """GET DOCS_ASSETS_PATH/<file>: Swagger UI's files, cacheable for a year."""
    return create_static_files_router(
        path=DOCS_ASSETS_PATH,
        directories=[DOCS_STATIC_DIR],
        cache_control=CacheControlHeader(public=True, max_age=31536000),
        include_in_schema=False,
        name="docs-assets",
    )
