"""What the API refuses, the pages refuse too: a NUL character or an overlong value in an
address or a form is a 400 page naming the field, never a 500, on both databases."""

from __future__ import annotations

import pytest

from tests.web.conftest import WebUser


@pytest.mark.parametrize(
    "url",
    [
        "/manifests?q=ab%00cd",
        "/manifests?q=" + "x" * 60_000,
        "/manifests?site=VATEST%00GEN001",
        "/drafts/handlers?_find.designatedFacility=MOCK%00",
        "/tasks?cursor=%00",
        "/sites/VATEST%00GEN001",
    ],
)
async def test_bad_text_in_an_address_is_a_400_page(generator_user: WebUser, url: str) -> None:
    page = await generator_user.get(url)
    assert page.status in (400, 404), page.response.text[:500]
    assert page.response.headers["content-type"].startswith("text/html")
    if page.status == 400:  # the error page, or the page itself with the problem at its field
        assert "must" in page.text("main")


async def test_a_nul_in_a_form_is_a_400_page_naming_the_field(generator_user: WebUser) -> None:
    page = await generator_user.post(
        "/manifests/new",
        {"op": "save", "generator.epaSiteId": "VATESTGEN001", "wastes.0.wasteDescription": "a\x00"},
    )
    assert page.status == 400
    assert "wastes.0.wasteDescription" in page.text("main")


@pytest.mark.parametrize("username", ["test\x00user1", "u" * 300])
async def test_sign_in_with_bad_text_never_fails_on_our_side(
    visitor: WebUser, username: str
) -> None:
    await visitor.get("/login")
    page = await visitor.post("/login", {"username": username, "password": "x"})
    assert page.status in (400, 403), page.response.text[:500]
    assert visitor.client.cookies.get("sessionid") is None
