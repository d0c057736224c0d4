"""Every page of the UI in Chromium: it renders, it passes axe-core, it fits a phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import (
    PHONE,
    Screenshots,
    serious_accessibility_problems,
    sign_in,
)

PAGES = ["/dashboard", "/manifests", "/sites", "/tasks", "/profile", "/org"]


def test_sign_in_page_is_accessible(new_page: Callable[..., Any], screenshots: Screenshots) -> None:
    page = new_page()
    page.goto("/")
    assert page.url.endswith("/login?next=/dashboard")
    assert serious_accessibility_problems(page) == []
    screenshots.take(page, "sign-in")


def test_a_wrong_password_is_announced(new_page: Callable[..., Any]) -> None:
    page = new_page()
    page.goto("/login")
    page.get_by_label("Username").fill("testuser1")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    assert alert.inner_text().strip() == "The username or password is not correct."
    assert serious_accessibility_problems(page) == []


@pytest.mark.parametrize("path", PAGES)
def test_each_page_passes_axe(
    new_page: Callable[..., Any], screenshots: Screenshots, path: str
) -> None:
    page = new_page()
    sign_in(page, "testuser1")
    page.goto(path)
    assert page.locator("h1").count() == 1
    assert serious_accessibility_problems(page) == []
    screenshots.take(page, "page" + path.replace("/", "-"))


@pytest.mark.parametrize("path", PAGES)
def test_each_page_fits_a_phone(
    new_page: Callable[..., Any], screenshots: Screenshots, path: str
) -> None:
    page = new_page(PHONE)
    sign_in(page, "testuser1")
    page.goto(path)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 390 px"
    screenshots.take(page, "phone" + path.replace("/", "-"))
