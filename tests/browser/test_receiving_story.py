"""Issue 13 in Chromium against the whole system (the embedded worker and e-Manifest sandbox):
the designated facility records what arrived (a quantity discrepancy on one line, part of the
waste rejected), sees the receipt sent and the discrepancy on the manifest, and starts the
manifest that takes the rejected waste to an alternate facility; then a party corrects a Signed
manifest, signs the correction and finds two versions in its history.

The manifests are the demo's, synced from the embedded sandbox at start-up: MOCKTSDFS001's
(tsdf1's) manifests Ready for signature and Signed. This test takes the newest of each; the
keyboard test of bulk signing takes the oldest, so the two never meet.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import (
    PHONE,
    Screenshots,
    serious_accessibility_problems,
)
from tests.browser.test_story import task_outcome

MTN = re.compile(r"/manifests/(\d{9}[A-Z]{3})$")


def newest(page: Any, status: str, *, order: str = "newest") -> list[str]:
    """The tracking numbers of tsdf1's incoming manifests in `status`, as the list orders them
    (waiting for the start-up sync, which runs in the background)."""
    deadline = time.monotonic() + 90
    while True:
        page.goto(f"/manifests?site=MOCKTSDFS001&role=Tsdf&status={status}&sort={order}")
        links = page.locator("main a[href^='/manifests/']").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
        found = [m.group(1) for h in links if (m := MTN.fullmatch(h))]
        if found:
            return list(dict.fromkeys(found))
        assert time.monotonic() < deadline, f"no {status} manifest of MOCKTSDFS001 was synced"
        page.wait_for_timeout(500)


def check_page(page: Any, screenshots: Screenshots, name: str) -> None:
    """axe at 1440 px, then nothing scrolling sideways at 390 px, a screenshot of each."""
    desktop = page.viewport_size
    assert serious_accessibility_problems(page) == [], name
    screenshots.take(page, f"page-{name}")
    page.set_viewport_size(PHONE)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at 390 px"
    assert serious_accessibility_problems(page) == [], f"{name} at 390 px"
    screenshots.take(page, f"phone-{name}")
    page.set_viewport_size(desktop)


def test_a_receipt_with_a_discrepancy_and_a_partial_rejection(
    new_page: Callable[..., Any], sessions: Callable[[str], Any], screenshots: Screenshots
) -> None:
    facility = new_page(storage_state=sessions("tsdf1"))
    mtn = newest(facility, "ReadyForSignature")[0]
    facility.goto(f"/manifests/{mtn}")
    facility.get_by_role("link", name="Record receipt").click()
    facility.wait_for_url(f"**/manifests/{mtn}/receive")
    check_page(facility, screenshots, "receive")

    # Line 1 arrived short; part of the waste is refused and the transporter has gone, so it
    # leaves on a new manifest (EPA: a partial rejection never leaves on this one).
    facility.locator("#f-line-1-quantity").check()
    facility.locator("#f-line-1-discrepancy_comments").fill("Two drums arrived, not three.")
    facility.get_by_label("Do you reject the waste?").select_option("PartialReject")
    facility.get_by_label("Is the transporter still on site?").select_option("no")
    facility.get_by_label("Rejection comments").fill("One drum leaks: refused.")
    facility.get_by_role("button", name="Send the receipt to e-Manifest").click()
    facility.wait_for_url(re.compile(rf".*/manifests/{mtn}\?task="))

    # The task's progress in place, then its outcome in words; the page then shows the receipt.
    outcome = task_outcome(facility)
    assert re.search(rf"(Receipt of {mtn} recorded|Updated {mtn}) in e-Manifest", outcome), outcome
    facility.goto(f"/manifests/{mtn}")
    discrepancy = facility.locator("section[aria-labelledby=box-discrepancy]")
    expect(discrepancy).to_contain_text("Rejected (partial): One drum leaks: refused.")
    expect(facility.locator("main")).to_contain_text("Discrepancy: Two drums arrived, not three.")
    check_page(facility, screenshots, "manifest-received")

    # The rejected waste goes on: a new draft, pre-filled, that names the original; its
    # designated facility is the alternate one, chosen in the draft.
    facility.get_by_role("button", name=re.compile("Start the manifest for the rejected")).click()
    facility.wait_for_url(re.compile(r".*/manifests/\d{9}DFT/edit$"))
    expect(facility.locator("#flash")).to_contain_text(mtn)
    check_page(facility, screenshots, "rejected-waste-draft")


def test_a_correction_of_a_signed_manifest_signed_with_two_versions(
    new_page: Callable[..., Any], sessions: Callable[[str], Any], screenshots: Screenshots
) -> None:
    facility = new_page(storage_state=sessions("tsdf1"))
    mtn = newest(facility, "Signed")[0]
    facility.goto(f"/manifests/{mtn}")
    facility.get_by_role("link", name="Correct this manifest").click()
    facility.wait_for_url(f"**/manifests/{mtn}/correct")
    check_page(facility, screenshots, "correct")

    phone = facility.get_by_label("Emergency response phone").first
    phone.fill("800-424-9300")
    facility.get_by_role("button", name="Send the correction to e-Manifest").click()
    outcome = task_outcome(facility)
    assert "correction was opened" in outcome, outcome

    facility.goto(f"/manifests/{mtn}")
    expect(facility.locator("h1")).to_contain_text("Under correction")
    facility.get_by_role("link", name="Sign the correction").click()
    facility.wait_for_url(f"**/manifests/{mtn}/correction/sign")
    check_page(facility, screenshots, "correction-sign")
    facility.get_by_label("I have reviewed this correction and sign it.").check()
    facility.get_by_role("button", name="Sign the correction").click()
    outcome = task_outcome(facility)
    assert "correction was signed" in outcome, outcome

    facility.goto(f"/manifests/{mtn}")
    expect(facility.locator("h1")).to_contain_text("Corrected")
    facility.get_by_role("link", name="Version history").first.click()
    facility.wait_for_url(f"**/manifests/{mtn}/versions")
    versions = facility.locator("main table tbody tr")
    if versions.count() < 2:  # the history is read from e-Manifest on request
        facility.get_by_role("button", name="Read the versions from e-Manifest").click()
        task_outcome(facility)
        facility.goto(f"/manifests/{mtn}/versions")
    expect(versions).to_have_count(2)
    check_page(facility, screenshots, "versions")
    facility.locator("main table tbody a").first.click()
    facility.wait_for_url(re.compile(rf".*/manifests/{mtn}/versions/\d+$"))
    check_page(facility, screenshots, "version")
