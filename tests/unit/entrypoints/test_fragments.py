"""The UI's fragment cache: a piece is rendered once per distinct value, a changed value is a
new piece (never a stale one), and the oldest are forgotten past the size."""

from __future__ import annotations

from datetime import UTC, datetime

from bs4 import BeautifulSoup

from haztrak.entrypoints.web.templating import Fragments, environment
from haztrak.entrypoints.web.views.manifests import ListedView

AT = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)


def _row(mtn: str = "000000001ELC", status: str = "Pending", generator: str = "Acme") -> ListedView:
    return ListedView(
        mtn=mtn,
        status=status,
        generator=generator,
        generator_id="VATESTGEN001",
        facility="<Dump & Co>",
        facility_id="",
        transporters=("Hauler",),
        lines=1,
        ship_date=None,
        updated=AT,
    )


def test_a_row_renders_once_per_distinct_value_and_escapes() -> None:
    env = environment()
    fragments = Fragments(size=2)
    renders = 0
    template = env.get_template("manifests/_row.html")
    original = template.render

    def counting(*args: object, **kwargs: object) -> str:
        nonlocal renders
        renders += 1
        return original(*args, **kwargs)

    template.render = counting  # type: ignore[method-assign]
    first = fragments(env, "manifests/_row.html", _row())
    assert fragments(env, "manifests/_row.html", _row()) == first
    assert renders == 1
    cells = [td.get_text(" ", strip=True) for td in BeautifulSoup(first, "html.parser")("td")]
    assert cells == [
        "000000001ELC",
        "Pending",
        "Acme VATESTGEN001",
        "<Dump & Co>",
        "Hauler",
        "—",
        "3 Dec 2026, 14:05 UTC",
    ]

    signed = fragments(env, "manifests/_row.html", _row(status="Signed"))
    assert renders == 2
    assert BeautifulSoup(signed, "html.parser")(class_="badge")[0].get_text() == "Signed"

    fragments(env, "manifests/_row.html", _row(mtn="000000002ELC"))  # the first falls out
    fragments(env, "manifests/_row.html", _row())
    assert renders == 4
