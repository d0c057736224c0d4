"""The account pages in Chromium: a site's sync shows its progress in place until it ends (the
embedded sandbox answers it), a failed RCRAInfo task says what to do and offers a retry, an
org admin's page and a site's page pass axe-core, and a new API token is shown once."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Screenshots, serious_accessibility_problems, sign_in


def test_a_site_sync_shows_its_progress_in_place(
    new_page: Callable[..., Any], screenshots: Screenshots
) -> None:
    page = new_page()
    sign_in(page, "testuser1")
    page.goto("/sites/VATESTGEN001")
    assert serious_accessibility_problems(page) == []
    page.get_by_role("button", name="Sync with RCRAInfo").click()
    box = page.locator("#site-sync")
    expect(box).to_have_attribute("data-task-status", "SUCCESS", timeout=30_000)
    expect(box).to_contain_text("manifests synced")
    expect(page.locator("#task-announce")).to_contain_text("Sync with RCRAInfo: done.")
    expect(box.get_by_role("link", name="See the site's manifests")).to_have_attribute(
        "href", "/manifests?site=VATESTGEN001"
    )
    assert serious_accessibility_problems(page) == []
    screenshots.take(page, "site-synced")


def test_a_refused_permissions_sync_says_what_to_do_and_retries(
    new_page: Callable[..., Any], screenshots: Screenshots
) -> None:
    page = new_page()
    sign_in(page, "tsdf1")
    page.goto("/profile")
    page.get_by_label("RCRAInfo user name").fill("tsdf1")
    page.get_by_label("API ID").fill("not-an-api-id")
    page.get_by_label("API key").fill("not-an-api-key")
    page.get_by_role("button", name="Save RCRAInfo profile").click()
    expect(page.locator("#flash")).to_contain_text("saved")
    assert "not-an-api-key" not in page.content()
    page.get_by_role("button", name="Sync my RCRAInfo permissions").click()
    box = page.locator("#permissions-sync")
    expect(box).to_have_attribute("data-task-status", "FAILURE", timeout=30_000)
    expect(box).to_contain_text("Check the API ID and key on your profile")
    expect(page.locator("#task-announce")).to_contain_text("Sync RCRAInfo permissions failed")
    assert serious_accessibility_problems(page) == []
    screenshots.take(page, "profile-sync-refused")
    box.get_by_role("button", name="Retry").click()
    expect(box).to_have_attribute("data-task-status", re.compile("PENDING|STARTED|FAILURE"))
    expect(box).to_have_attribute("data-task-status", "FAILURE", timeout=30_000)


def test_an_org_admin_s_page_passes_axe_and_fits_a_phone(
    new_page: Callable[..., Any], screenshots: Screenshots
) -> None:
    for viewport, name in ((None, "org-admin"), (PHONE, "phone-org-admin")):
        page = new_page(viewport)
        sign_in(page, "orgadmin")
        page.goto("/org")
        expect(page.locator("h1")).to_have_text("Generators Org LLC")
        expect(page.get_by_role("heading", name="Members")).to_be_visible()
        assert serious_accessibility_problems(page) == []
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        screenshots.take(page, name)


def test_a_new_token_is_shown_once(new_page: Callable[..., Any]) -> None:
    page = new_page()
    sign_in(page, "transporter1")
    page.goto("/profile")
    page.get_by_label("New token's name").fill("dock scanner")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token-value").inner_text().strip()
    assert token.startswith("htk_")
    assert serious_accessibility_problems(page) == []
    page.goto("/profile")
    assert token not in page.content()
    expect(page.locator("#tokens tbody tr")).to_contain_text("dock scanner")
