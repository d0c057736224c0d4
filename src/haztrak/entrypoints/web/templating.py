"""The Jinja2 environment of the UI: autoescaped templates shipped in the package, a few
filters for dates and EPA codes, and the one helper that renders a page."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Request
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template import TemplateConfig

from haztrak import __version__
from haztrak.entrypoints.web.assets import static_url
from haztrak.entrypoints.web.flash import take_flash

TEMPLATE_DIR = Path(__file__).parent / "templates"


def _when(value: datetime | date | str | None, style: str = "datetime") -> str:
    """A date or time as a person reads it: `3 Dec 2026, 14:05 UTC` or `3 Dec 2026`."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        if style == "date":
            return f"{value.day} {value:%b %Y}"
        return f"{value.day} {value:%b %Y, %H:%M} UTC"
    return f"{value.day} {value:%b %Y}"


def _iso(value: datetime | date | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return value.isoformat()


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals["static_url"] = static_url
    env.globals["version"] = __version__
    env.filters["when"] = _when
    env.filters["iso"] = _iso
    return env


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment()))


def page(
    request: Request[Any, Any, Any],
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Template:
    """Render `template` with what every page shows: who is signed in, the CSRF token for forms
    and htmx, the current path, and a one-time message left by the previous request."""
    state = request.state
    flash, clear = take_flash(request)
    full: dict[str, Any] = {
        "user": getattr(state, "user", None),
        "csrf_token": getattr(state, "csrf_token", ""),
        "path": request.url.path,
        "flash": flash,
        "htmx": bool(request.headers.get("hx-request")),
    }
    full.update(context or {})
    response = Template(template_name=template, context=full, status_code=status_code)
    if clear is not None:
        response.set_cookie(clear)
    return response
