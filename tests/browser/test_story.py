"""The main job, as the people who do it do it, in Chromium against the whole system (the
embedded worker and e-Manifest sandbox): a generator drafts a manifest, meets a problem at its
field and fixes it, saves, submits, schedules and signs; the transporter signs at the dock on a
phone, with the keyboard alone; the receiving facility signs; the manifest is Signed.

With HT_SCREENSHOTS set, the steps are the README's pictures (`just screenshots`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import (
    PHONE,
    Screenshots,
    serious_accessibility_problems,
    sign_in,
)

SETTLED = "[data-task-status=SUCCESS], [data-task-status=FAILURE]"


def task_outcome(page: Any) -> str:
    """The words of the task box once its task has ended (it polls itself until then)."""
    page.wait_for_selector(SETTLED, timeout=120_000)  # a loaded CI machine is slow
    box = page.locator("[data-task-status]").first
    assert box.get_attribute("data-task-status") == "SUCCESS", box.inner_text()
    return " ".join(box.inner_text().split())


def choose_handler(page: Any, slot: str, epa_id: str) -> None:
    """Handler search by EPA ID (local records first), then the result that fills the party."""
    page.locator(f"#find-{slot.replace('.', '-')}").fill(epa_id)
    page.locator(f"#find-button-{slot.replace('.', '-')}").click()
    page.get_by_role("button", name=re.compile(epa_id)).first.click()
    expect(page.locator(f"#f-{slot.replace('.', '-')}-epaSiteId")).to_have_value(epa_id)


def sign_as(page: Any, *, keyboard: bool = False) -> str:
    page.get_by_role("link", name=re.compile("Review and sign")).click()
    assert serious_accessibility_problems(page) == []
    box = page.get_by_label(re.compile("I have reviewed this manifest"))
    if keyboard:  # no mouse: tab to the confirmation, tick it, tab to the button, press it
        box.focus()
        page.keyboard.press("Space")
        assert box.is_checked()
        button = page.get_by_role("button", name="Sign with Quicker Sign")
        for _ in range(10):
            page.keyboard.press("Tab")
            if button.evaluate("b => b === document.activeElement"):
                break
        else:
            raise AssertionError("Tab never reached the sign button")
        page.keyboard.press("Enter")
    else:
        box.check()
        page.get_by_role("button", name="Sign with Quicker Sign").click()
    return task_outcome(page)


def test_a_manifest_from_draft_to_signed(
    new_page: Callable[..., Any], screenshots: Screenshots
) -> None:
    generator = new_page()
    sign_in(generator, "testuser1")
    screenshots.take(generator, "01-dashboard")

    # A new draft: the generator is the user's site; transporter and facility by search.
    generator.goto("/manifests")
    generator.get_by_role("link", name="New draft").click()
    generator.wait_for_url("**/manifests/new")
    choose_handler(generator, "transporters.0", "MOCKTRANS001")
    choose_handler(generator, "designatedFacility", "MOCKTSDFS001")

    generator.get_by_label("DOT ID number").fill("NA3077")
    generator.get_by_label("Proper shipping name").fill("Hazardous waste, solid, n.o.s.")
    generator.get_by_label("Hazard class").fill("9")
    generator.get_by_label("Packing group").select_option("III")
    generator.get_by_label("Container type").select_option("DM")
    generator.get_by_label("Total quantity").fill("100")
    generator.get_by_label("Unit", exact=True).select_option("P")

    # The waste-code picker: search, then add the suggestion.
    generator.get_by_label("Search federal waste codes").fill("D008")
    generator.get_by_role("button", name=re.compile(r"^D008")).first.click()
    codes = generator.locator("#f-wastes-0-hazardousWaste-federalWasteCodes")
    expect(codes).to_have_value(re.compile("D008"))

    # A problem shows at its field as the user types, and goes when it is fixed.
    containers = generator.get_by_label("Number of containers")
    containers.fill("two")
    error = generator.locator("#f-wastes-0-quantity-containerNumber-error")
    error.wait_for(state="visible")
    assert "integer" in error.inner_text()
    assert containers.get_attribute("aria-invalid") == "true"
    assert serious_accessibility_problems(generator) == []
    screenshots.take(generator, "02-draft-with-a-problem")
    containers.fill("2")
    error.wait_for(state="hidden")

    generator.get_by_role("button", name="Save draft").click()
    generator.wait_for_url(re.compile(r".*/manifests/\d{9}DFT$"))
    assert "saved" in generator.locator("#flash").inner_text()
    screenshots.take(generator, "03-draft-saved")

    # Submit: a task with its progress in place, then the tracking number e-Manifest gave.
    generator.get_by_role("button", name="Submit to e-Manifest").click()
    outcome = task_outcome(generator)
    found = re.search(r"\d{9}ELC", outcome)
    assert found, outcome
    mtn = found.group(0)
    generator.goto(f"/manifests/{mtn}")
    assert "Pending" in generator.locator("h1").inner_text()

    # Pending -> Scheduled (an update), then the generator signs.
    generator.get_by_role("button", name="Ready for pick-up: schedule it").click()
    task_outcome(generator)
    generator.goto(f"/manifests/{mtn}")
    assert "Scheduled" in generator.locator("h1").inner_text()
    screenshots.take(generator, "04-scheduled")
    assert "Signature recorded" in sign_as(generator)

    # The transporter, on a phone at the dock: it waits on the dashboard; keyboard only.
    driver = new_page(PHONE)
    sign_in(driver, "transporter1")
    waiting = driver.get_by_role("link", name=mtn).first
    waiting.wait_for()
    screenshots.take(driver, "05-transporter-dashboard-phone")
    waiting.click()
    assert "Signature recorded" in sign_as(driver, keyboard=True)
    screenshots.take(driver, "06-transporter-signed-phone")

    # The receiving facility signs for receipt.
    facility = new_page()
    sign_in(facility, "tsdf1")
    facility.goto(f"/manifests/{mtn}")
    assert "Signature recorded" in sign_as(facility)

    generator.goto(f"/manifests/{mtn}")
    assert "Signed" in generator.locator("h1").inner_text()
    assert serious_accessibility_problems(generator) == []
    screenshots.take(generator, "07-signed")
