"""Bulk Quicker Sign (issue 13 §4) with the keyboard alone: on the dashboard the facility ticks
two manifests waiting for its signature with Space, submits the selection, confirms on the
review page and signs; the outcome page follows the task and says, manifest by manifest, that
each was signed. axe-core finds no serious problem on the review and outcome pages at 1440 and
390 px.

tsdf1's oldest two manifests waiting (the dashboard lists the newest first); the receiving story
takes the newest, so the two never meet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import Screenshots
from tests.browser.test_keyboard import is_focused, tab_to, wait_for_outcome
from tests.browser.test_receiving_story import check_page


def test_bulk_sign_with_the_keyboard_alone(
    new_page: Callable[..., Any], sessions: Callable[[str], Any], screenshots: Screenshots
) -> None:
    page = new_page(storage_state=sessions("tsdf1"))
    page.goto("/dashboard")
    boxes = page.locator("input[type=checkbox][name=mtn][form=bulk-sign]")
    boxes.nth(1).wait_for()
    count = boxes.count()
    picked = [boxes.nth(count - 2), boxes.nth(count - 1)]
    mtns = [str(b.get_attribute("value")) for b in picked]

    for box in picked:
        tab_to(page, box, limit=200)
        page.keyboard.press("Space")
        assert box.is_checked()
    tab_to(page, page.get_by_role("button", name="Review and sign selected"), limit=200)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/sign\?"))
    for mtn in mtns:
        expect(page.locator(f"#review-{mtn}")).to_be_visible()
    check_page(page, screenshots, "bulk-sign-review")

    confirm = page.get_by_label(re.compile(r"I have reviewed these 2 manifests"))
    tab_to(page, confirm, limit=200)
    page.keyboard.press("Space")
    assert confirm.is_checked()
    sign = page.get_by_role("button", name="Sign 2 manifests with Quicker Sign")
    tab_to(page, sign, limit=20)
    assert is_focused(sign)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/sign/[0-9a-f-]{36}$"))

    # The task ends while the user waits: its outcome has the focus (or the page was already
    # done when it loaded); then each manifest's outcome, in words.
    if page.locator("[data-task-status=SUCCESS]").count() == 0:
        wait_for_outcome(page)
    page.reload()
    for mtn in mtns:
        expect(page.locator(f"#outcome-{mtn}")).to_contain_text("Signed")
        expect(page.locator(f"#outcome-{mtn} .badge")).to_have_text("Signed")
    check_page(page, screenshots, "bulk-sign-outcome")
