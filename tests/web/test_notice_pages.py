"""The notices in the browser: the unread badge in the navigation, the notices page with
links to the manifests, marking read (one, all), and the notices form of the profile page."""

from __future__ import annotations

from typing import Any

from litestar import Litestar

from haztrak.application.events.dispatch import DispatchEvents
from tests.web.conftest import WebUser
from tests.web.support import mark_credentials_failing, scope, stored

MTN = "100000009ELC"


async def _dispatch(app: Litestar) -> Any:
    async with scope(app) as request:
        return await (await request.get(DispatchEvents))()


async def test_a_notice_shows_in_the_badge_and_the_list(
    app: Litestar, generator_user: WebUser
) -> None:
    home = await generator_user.get("/dashboard")
    assert home.all(".nav-badge") == []
    assert home.one('.site-nav a[href="/notices"]').get_text(strip=True) == "Notices"
    await stored(app, MTN, "Scheduled")
    await _dispatch(app)

    home = await generator_user.get("/dashboard")
    assert home.text(".nav-badge") == "1 unread"
    page = await generator_user.get("/notices")
    assert page.status == 200
    assert page.h1 == "Notices"
    (item,) = page.all(".notice")
    link = item.find("a")
    assert link["href"] == f"/manifests/{MTN}"
    assert link.get_text(strip=True) == (
        f"Manifest {MTN} is waiting for the signature of the generator"
    )
    assert "notice--unread" in item["class"]

    form = item.find("form")
    done = await generator_user.post(form["action"])
    assert done.status == 303
    assert done.response.headers["location"] == "/notices"
    after = await generator_user.get("/notices")
    assert "notice--unread" not in after.one(".notice")["class"]
    assert after.all(".nav-badge") == []
    assert after.one('.site-nav a[href="/notices"]')["aria-current"] == "page"


async def test_mark_all_read_and_the_unread_filter(app: Litestar, generator_user: WebUser) -> None:
    await stored(app, MTN, "Scheduled")
    await mark_credentials_failing(app, "generators-org-llc")
    await _dispatch(app)
    page = await generator_user.get("/notices?unread=1")
    titles = page.texts(".notice__body > a")
    assert any("RCRAInfo refused your organization's API credentials" in t for t in titles)
    credentials = next(a for a in page.all(".notice__body > a") if "RCRAInfo" in a.get_text())
    assert credentials["href"] == "/org"
    form = page.one('form[action="/notices/read"]')
    assert (await generator_user.post(form["action"])).status == 303
    empty = await generator_user.get("/notices?unread=1")
    assert "No unread notices." in empty.text(".card")
    assert len((await generator_user.get("/notices")).all(".notice")) == 2


async def test_no_notices_yet(generator_user: WebUser) -> None:
    page = await generator_user.get("/notices")
    assert "No notices yet." in page.text(".card")


async def test_the_profile_page_chooses_how_notices_arrive(generator_user: WebUser) -> None:
    profile = await generator_user.get("/profile")
    section = profile.one("#notices")
    selects = section.select("select")
    assert len(selects) == 10
    signed = profile.one('select[name="manifest.signed"]')
    assert signed.find("option", selected=True)["value"] == "in_app"
    label = profile.one(f'label[for="{signed["id"]}"]').get_text(" ", strip=True)
    assert label.startswith("A party signed a manifest of my site")
    # no mail server in the tests: only "in Haztrak" is offered, and the page says why
    assert [o["value"] for o in signed.find_all("option")] == ["in_app"]
    assert "sends no e-mail" in section.get_text(" ", strip=True)
    form = section.find("form")
    saved = await generator_user.post(form["action"], {"manifest.signed": "in_app"})
    assert saved.status == 303
    assert saved.response.headers["location"] == "/profile#notices"


async def test_a_refused_choice_names_the_field(generator_user: WebUser) -> None:
    await generator_user.get("/profile")
    refused = await generator_user.post("/notices/preferences", {"manifest.signed": "pigeon"})
    assert refused.status == 400
    assert "manifest.signed" in refused.response.text


async def test_a_bad_cursor_is_a_400_page_naming_it(generator_user: WebUser) -> None:
    for cursor in ("%00", "x" * 5000):
        page = await generator_user.get(f"/notices?cursor={cursor}")
        assert page.status == 400
        assert "cursor" in page.text("main")
