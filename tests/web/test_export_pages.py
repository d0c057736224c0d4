"""The exports in the UI (issue 15): the manifest list links its exports with the filters it
shows, and a site's page has a register form; both land on the API with the session cookie."""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

from litestar import Litestar

from tests.web.conftest import WebUser
from tests.web.support import stored


async def test_the_list_links_its_exports_with_its_filters(
    app: Litestar, generator_user: WebUser
) -> None:
    await stored(app, "100000001ELC", "Scheduled")
    await stored(app, "100000002ELC", "Signed")
    page = await generator_user.get("/manifests?status=Scheduled&from=2020-01-01&sort=oldest")
    assert page.status == 200
    links = {a.get_text(strip=True): a["href"] for a in page.all(".results__exports a")}
    assert list(links) == [
        "Export CSV",
        "Export Excel",
        "Waste lines as CSV",
        "Waste lines as Excel",
    ]
    url = urlsplit(links["Export CSV"])
    assert url.path == "/api/manifest/export"
    assert parse_qs(url.query) == {
        "status": ["Scheduled"],
        "updatedSince": ["2020-01-01T00:00:00+00:00"],
        "sort": ["oldest"],
        "format": ["csv"],
        "rows": ["manifest"],
    }
    exported = await generator_user.client.get(links["Export CSV"])
    assert exported.status_code == 200, exported.text
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [r["Manifest tracking number"] for r in rows] == ["100000001ELC"]
    excel = await generator_user.client.get(links["Waste lines as Excel"])
    assert excel.status_code == 200
    assert excel.content.startswith(b"PK")

    # the results htmx swaps in carry the links of the filters they show
    swapped = await generator_user.htmx(
        "GET", "/manifests?status=Signed", headers={"HX-Target": "results"}
    )
    hrefs = [a["href"] for a in swapped.all(".results__exports a")]
    assert all("status=Signed" in href for href in hrefs)
    assert len(hrefs) == 4

    # filters the list refuses give no links
    refused = await generator_user.get("/manifests?status=Lost")
    assert refused.all(".results__exports a") == []


async def test_a_site_page_has_a_register_form_for_last_year(
    app: Litestar, generator_user: WebUser
) -> None:
    page = await generator_user.get("/sites/VATESTGEN001")
    assert page.status == 200
    form = page.one("section[aria-labelledby=register-h] form")
    assert form["method"] == "get"
    assert form["action"] == "/sites/VATESTGEN001/register"
    start = page.one("#register-from")["value"]
    end = page.one("#register-to")["value"]
    assert start.endswith("-01-01")
    assert end.endswith("-12-31")
    assert start[:4] == end[:4]
    formats = [o["value"] for o in page.all("#register-format option")]
    assert formats == ["xlsx", "csv", "json"]
    answer = await generator_user.client.get(
        form["action"], params={"from": start, "to": end, "format": "csv"}, follow_redirects=True
    )
    assert answer.status_code == 200, answer.text
    assert answer.url.path == "/api/sites/VATESTGEN001/register"
    assert answer.content.decode("utf-8-sig").splitlines()[0] == (
        "Direction,Waste code,Management method,Unit,Quantity,Manifests"
    )


async def test_a_register_period_that_does_not_read_comes_back_in_words(
    app: Litestar, generator_user: WebUser
) -> None:
    for query, words in [
        ("from=2026-02-01&to=2026-01-01&format=csv", "Register: To must not be before from."),
        ("from=&to=2026-01-01&format=csv", "Register: From is required: a date like 2026-01-31."),
        ("from=2026-01-01&to=2026-01-31&format=pdf", "Register: choose a format."),
    ]:
        went = await generator_user.client.get(f"/sites/VATESTGEN001/register?{query}")
        assert went.status_code == 303
        assert went.headers["location"] == "/sites/VATESTGEN001"
        landed = await generator_user.follow("/sites/VATESTGEN001")
        assert landed.text("#flash .alert--error") == words
