"""The whole draft-edit-submit-sign path with the keyboard alone (Tab, Shift+Tab, Enter, Space,
typing; never a click), as WCAG 2.2 asks: sign in through the skip link, open a new draft, fill
it in with the handler search and the waste-code picker, meet a field error and fix it, save,
submit, schedule and sign. After each htmx swap focus must land somewhere sensible: on the
result list after a search, on the chosen party after choosing, back in the codes after a code,
on the outcome when a task ends, on the error summary after a refused send.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import serious_accessibility_problems

SETTLED = "[data-task-status=SUCCESS], [data-task-status=FAILURE]"


def focused(page: Any) -> dict[str, str]:
    """What has the focus now: its id, tag, text and the id of the box it sits in."""
    return dict(
        page.evaluate(
            """() => {
              const e = document.activeElement;
              const box = e && e.closest('[id]');
              return {id: e.id || '', tag: e.tagName.toLowerCase(),
                      text: (e.innerText || e.value || '').trim().slice(0, 120),
                      within: box ? box.id : ''};
            }"""
        )
    )


def is_focused(locator: Any) -> bool:
    return bool(locator.evaluate("e => e === document.activeElement"))


def tab_to(page: Any, locator: Any, *, limit: int = 60, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until `locator` has the focus, as a keyboard user would."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        if is_focused(locator):
            return
        page.keyboard.press(key)
    if not is_focused(locator):
        raise AssertionError(f"{key} x{limit} never reached {locator}; focus is on {focused(page)}")


def type_into(page: Any, locator: Any, text: str) -> None:
    tab_to(page, locator)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def choose_option(page: Any, select: Any, value: str) -> None:
    """A closed <select> changes with the arrow keys, as in every browser."""
    tab_to(page, select)
    values = select.evaluate("s => Array.from(s.options).map(o => o.value)")
    steps = values.index(value) - values.index(select.input_value())
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")
    expect(select).to_have_value(value)


def wait_for_outcome(page: Any) -> str:
    page.wait_for_selector(SETTLED, timeout=120_000)  # a loaded CI machine is slow
    box = page.locator("[data-task-status]").first
    assert box.get_attribute("data-task-status") == "SUCCESS", box.inner_text()
    # The task ended while the keyboard user waited: focus is on its outcome, not lost.
    expect(page.locator(":focus")).to_have_count(1)
    assert page.evaluate("() => !!document.activeElement.closest('[data-task-status]')"), (
        f"focus after the task ended: {focused(page)}"
    )
    return " ".join(box.inner_text().split())


def choose_handler(page: Any, slot: str, epa_id: str) -> None:
    sid = slot.replace(".", "-")
    type_into(page, page.locator(f"#find-{sid}"), epa_id)
    page.keyboard.press("Enter")  # Enter in the search box searches, never saves
    result = page.get_by_role("button", name=re.compile(epa_id)).first
    result.wait_for()
    # Focus is on the results, so the next Tab is the first handler found.
    expect(page.locator(f"#results-{sid}")).to_be_focused()
    tab_to(page, result, limit=2)
    page.keyboard.press("Enter")
    expect(page.locator(f"#f-{sid}-epaSiteId")).to_have_value(epa_id)
    # After choosing, focus is in the party just filled, not back at the top of the page.
    expect(page.locator(f"#f-{sid}-name")).to_be_focused()


def test_draft_to_signature_with_the_keyboard_alone(new_page: Callable[..., Any]) -> None:
    page = new_page()
    page.goto("/login")
    # The sign-in page starts in its first input.
    assert focused(page)["id"] == "f-username"
    page.keyboard.type("testuser1")
    type_into(page, page.get_by_label("Password"), "haztrak-demo")
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard")

    # Elsewhere the skip link is the first stop and takes focus to the main content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert is_focused(skip)
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('main')"), focused(page)

    tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Manifests"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/manifests")
    tab_to(page, page.get_by_role("link", name="New draft"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/manifests/new")

    type_into(page, page.get_by_label("Emergency response phone"), "800-424-9300")
    choose_handler(page, "transporters.0", "MOCKTRANS001")
    choose_handler(page, "designatedFacility", "MOCKTSDFS001")

    type_into(page, page.get_by_label("DOT ID number"), "NA3077")
    type_into(page, page.get_by_label("Proper shipping name"), "Hazardous waste, solid, n.o.s.")
    type_into(page, page.get_by_label("Hazard class"), "9")
    choose_option(page, page.get_by_label("Packing group"), "III")

    # A field error as the user types: tied to its input and announced, then fixed.
    containers = page.get_by_label("Number of containers")
    type_into(page, containers, "two")
    error = page.locator("#f-wastes-0-quantity-containerNumber-error")
    error.wait_for(state="visible")
    assert containers.get_attribute("aria-invalid") == "true"
    assert error.get_attribute("id") in (containers.get_attribute("aria-describedby") or "")
    assert is_focused(containers), "the inline check took the focus away from the input"
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    error.wait_for(state="hidden")

    choose_option(page, page.get_by_label("Container type"), "DM")
    type_into(page, page.get_by_label("Total quantity"), "100")
    choose_option(page, page.get_by_label("Unit", exact=True), "P")

    # The waste-code picker: type, Tab to the suggestion, Enter adds it and focus comes back.
    type_into(page, page.get_by_label("Search federal waste codes"), "D008")
    suggestion = page.get_by_role("button", name=re.compile(r"^D008")).first
    suggestion.wait_for()
    tab_to(page, suggestion, limit=5)
    page.keyboard.press("Enter")
    codes = page.locator("#f-wastes-0-hazardousWaste-federalWasteCodes")
    expect(codes).to_have_value(re.compile("D008"))
    assert is_focused(codes)

    # Save: Shift+Tab is as good as Tab.
    save = page.get_by_role("button", name="Save draft")
    tab_to(page, save)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert is_focused(save)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/manifests/\d{9}DFT$"))
    mtn = page.url.rsplit("/", 1)[1]

    # Submit, then wait for the task: its outcome takes the focus and links to the manifest.
    tab_to(page, page.get_by_role("button", name="Submit to e-Manifest"))
    page.keyboard.press("Enter")
    outcome = wait_for_outcome(page)
    found = re.search(r"\d{9}ELC", outcome)
    assert found, outcome
    mtn = found.group(0)
    link = page.locator("[data-task-status]").get_by_role("link", name="Open the manifest")
    tab_to(page, link, limit=5)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/manifests/{mtn}")

    tab_to(page, page.get_by_role("button", name="Ready for pick-up: schedule it"))
    page.keyboard.press("Enter")
    wait_for_outcome(page)
    page.goto(f"/manifests/{mtn}")
    expect(page.locator("h1")).to_contain_text("Scheduled")

    tab_to(page, page.get_by_role("link", name=re.compile("Review and sign")))
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/manifests/{mtn}/sign")
    box = page.get_by_label(re.compile("I have reviewed this manifest"))
    tab_to(page, box)
    page.keyboard.press("Space")
    assert box.is_checked()
    tab_to(page, page.get_by_role("button", name="Sign with Quicker Sign"))
    page.keyboard.press("Enter")
    assert "Signature recorded" in wait_for_outcome(page)
    assert serious_accessibility_problems(page) == []


def test_a_refused_send_puts_focus_on_the_error_summary(new_page: Callable[..., Any]) -> None:
    """Sending an empty draft fails: the summary takes the focus and links to each field."""
    from tests.browser.conftest import sign_in

    page = new_page()
    sign_in(page, "testuser1")
    page.goto("/manifests/new")
    # "Check for problems" on an incomplete draft: focus on what is left to finish.
    tab_to(page, page.get_by_role("button", name="Check for problems"))
    page.keyboard.press("Enter")
    expect(page.locator("#warning-summary > summary")).to_be_focused()
    tab_to(page, page.get_by_role("button", name="Save and send to e-Manifest"))
    page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    summary.wait_for()
    expect(summary).to_be_focused()
    assert summary.get_attribute("role") == "alert"
    # It was saved as a draft, not sent: the summary says so, and the address is the draft's.
    expect(summary.locator("h2")).to_contain_text("before sending to e-Manifest")
    expect(page).to_have_url(re.compile(r".*/manifests/\d{9}DFT/edit$"))
    first = summary.locator("a").first
    target = (first.get_attribute("href") or "#")[1:]
    page.keyboard.press("Tab")
    assert is_focused(first)
    page.keyboard.press("Enter")
    assert focused(page)["id"] == target, f"the summary's link went to {focused(page)}"
    problem = page.locator(f"#{target}")
    assert f"{target}-error" in (problem.get_attribute("aria-describedby") or "")
    assert serious_accessibility_problems(page) == []


def test_a_refused_form_starts_at_its_problems(
    new_page: Callable[..., Any], sessions: Callable[[str], Any]
) -> None:
    """Whether the answer is swapped in (the signature) or a whole page (the profile, sign-in),
    focus lands on the problems, not at the top of the page."""
    page = new_page(storage_state=sessions("testuser1"))
    page.goto("/dashboard")
    tab_to(page, page.get_by_role("link", name=re.compile("Review and sign")).first)
    page.keyboard.press("Enter")
    page.wait_for_url("**/sign")
    tab_to(page, page.get_by_role("button", name="Sign with Quicker Sign"))
    page.keyboard.press("Enter")  # the confirmation is not ticked
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert page.evaluate(
        "() => document.activeElement.contains(document.querySelector('#error-summary'))"
    )
    page.keyboard.press("Tab")
    assert is_focused(summary.get_by_role("link").first)
    page.keyboard.press("Enter")  # the summary's link goes to the checkbox
    assert focused(page)["id"] == "confirm"

    page.goto("/profile")
    type_into(page, page.get_by_label("Email"), "not-an-email")
    page.keyboard.press("Enter")
    expect(page.locator("#error-summary")).to_be_focused()

    anonymous = new_page()
    anonymous.goto("/login")
    anonymous.keyboard.type("testuser1")
    type_into(anonymous, anonymous.get_by_label("Password"), "wrong")
    anonymous.keyboard.press("Enter")
    expect(anonymous.locator("#sign-in-error")).to_be_focused()
