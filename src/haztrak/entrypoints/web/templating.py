"""The Jinja2 environment of the UI: autoescaped templates shipped in the package, a few
filters for dates and EPA codes, and the one helper that renders a page."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_environment,
    select_autoescape,
)
from litestar import Request
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template import TemplateConfig
from markupsafe import Markup

from haztrak import __version__
from haztrak.application.ports.manifests import ListedManifest
from haztrak.entrypoints.web.assets import static_url
from haztrak.entrypoints.web.flash import take_flash
from haztrak.entrypoints.web.views.manifests import listed_view

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


class Fragments:
    """Rendered pieces of pages, remembered by what they show: `render_once(template, value)`
    renders `template` with `value` as `it`, once per distinct value. The value must be a
    frozen view holding everything the piece shows (a list row, say), so a change of the
    data is a new key and nothing is ever stale; the oldest are forgotten past `size`."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._rendered: OrderedDict[tuple[str, Hashable], Markup] = OrderedDict()

    def __call__(self, env: Environment, template: str, value: Hashable) -> Markup:
        return self.keyed(env, template, value, lambda: value)

    def keyed(
        self, env: Environment, template: str, key: Hashable, view: Callable[[], object]
    ) -> Markup:
        """`template` rendered with `view()` as `it`, remembered by `key`: a key that stands
        for everything the view holds (a manifest's id and version, say), so that the view
        is built only when the piece is rendered."""
        entry = (template, key)
        found = self._rendered.get(entry)
        if found is not None:
            self._rendered.move_to_end(entry)
            return found
        found = Markup(env.get_template(template).render(it=view()))  # noqa: S704 - autoescaped
        self._rendered[entry] = found
        if len(self._rendered) > self._size:
            self._rendered.popitem(last=False)
        return found


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
    fragments = Fragments()

    @pass_environment
    def render_once(env: Environment, template: str, value: Hashable) -> Markup:
        return fragments(env, template, value)

    @pass_environment
    def render_listed(env: Environment, item: ListedManifest) -> Markup:
        """A row of the manifest list: a manifest's row changes only with its version."""
        return fragments.keyed(
            env, "manifests/_row.html", (item.id, item.version), lambda: listed_view(item)
        )

    env.globals["render_once"] = render_once
    env.globals["render_listed"] = render_listed
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
        "unread_notices": getattr(state, "unread_notices", 0),
    }
    full.update(context or {})
    response = Template(template_name=template, context=full, status_code=status_code)
    if clear is not None:
        response.set_cookie(clear)
    return response
