"""Every page of the UI in Chromium, as each kind of user sees it: it has one h1, axe-core finds
no serious or critical violation at 1440 px, and at 390 px (a phone) nothing scrolls sideways.

The manifests are the demo data the embedded sandbox syncs at start-up (VATESTGEN001's ~48, in
every status); a draft and a task are made here through the UI.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    Screenshots,
    serious_accessibility_problems,
)

STATUSES = (
    "Pending",
    "Scheduled",
    "InTransit",
    "ReadyForSignature",
    "Signed",
    "Corrected",
    "UnderCorrection",
)


@pytest.fixture(scope="module")
def demo(browser: Any, live_server: str, sessions: Callable[[str], Any]) -> dict[str, str]:
    """Paths of pages that need data: a manifest in each status, a draft, a task, a sign page."""
    context = browser.new_context(base_url=live_server, storage_state=sessions("testuser1"))
    context.set_default_timeout(15_000)
    page = context.new_page()
    paths: dict[str, str] = {}
    deadline = time.monotonic() + 90  # the start-up sync runs in the background
    for status in STATUSES:
        while True:
            page.goto(f"/manifests?status={status}")
            links = page.locator("main a[href^='/manifests/']").evaluate_all(
                "links => links.map(a => a.getAttribute('href'))"
            )
            found = [h for h in links if re.fullmatch(r"/manifests/\d{9}[A-Z]{3}", h)]
            if found:
                paths[status] = found[0]
                break
            assert time.monotonic() < deadline, f"no {status} manifest was synced"
            page.wait_for_timeout(500)

    page.goto("/dashboard")
    paths["sign"] = page.get_by_role(
        "link", name=re.compile("Review and sign")
    ).first.get_attribute("href")
    # Bulk signing: the review of the first two manifests waiting for the user's signature.
    picks = page.locator("input[name=mtn][form=bulk-sign]").evaluate_all(
        "boxes => boxes.map(b => b.value)"
    )
    paths["bulk-sign"] = "/sign?" + "&".join(f"mtn={m}" for m in picks[:2])

    # A draft: an empty new form saved as it is (a draft may be incomplete).
    page.goto("/manifests/new")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r".*/manifests/\d{9}DFT$"))
    paths["draft"] = page.url.split(page.url.split("/manifests/")[0], 1)[1]

    # A task: syncing a signed manifest; its box links to the task's page.
    page.goto(paths["Signed"])
    # (A task that ends within the page's wait shows its outcome with no Details link: the
    # task's id is in the address the button leads to either way.)
    page.get_by_role("button", name="Sync with RCRAInfo").click()
    page.wait_for_url(re.compile(r".*\?task=[0-9a-f-]{36}$"))
    paths["task"] = "/tasks/" + page.url.rsplit("?task=", 1)[1]
    context.close()
    return paths


def _refused_send(page: Any) -> None:
    page.get_by_role("button", name="Save and send to e-Manifest").click()
    expect(page.locator("#error-summary")).to_be_focused()


def _wrong_password(page: Any) -> None:
    page.get_by_label("Username").fill("testuser1")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The username or password is not correct.")


def _open_report_form(page: Any) -> None:
    page.locator("details.deadline__report > summary").first.click()
    expect(page.locator("details.deadline__report[open] form").first).to_be_visible()


# (name, user or None, path or a key of `demo`, what to do on the page before checking it)
Case = tuple[str, str | None, str, Callable[[Any], None] | None]
CASES: list[Case] = [
    ("sign-in", None, "/login", None),
    ("sign-in-error", None, "/login", _wrong_password),
    ("dashboard", "testuser1", "/dashboard", None),
    ("manifests", "testuser1", "/manifests", None),
    ("manifests-filtered", "testuser1", "/manifests?status=Signed&role=generator&q=VA", None),
    ("draft-new", "testuser1", "/manifests/new", None),
    ("draft-refused", "testuser1", "/manifests/new", _refused_send),
    ("draft-edit", "testuser1", "draft/edit", None),
    ("manifest-draft", "testuser1", "draft", None),
    ("draft-delete", "testuser1", "draft/delete", None),
    *[(f"manifest-{s.lower()}", "testuser1", s, None) for s in STATUSES],
    ("sign-review", "testuser1", "sign", None),
    ("print", "testuser1", "Signed/print", None),
    ("manifest-transporter", "transporter1", "InTransit", None),
    ("task", "testuser1", "task", None),
    ("tasks", "testuser1", "/tasks", None),
    ("sites", "testuser1", "/sites", None),
    ("site", "testuser1", "/sites/VATESTGEN001", None),
    ("profile", "testuser1", "/profile", None),
    ("org-member", "testuser1", "/org/generators-org-llc", None),
    ("orgs", "orgadmin", "/org", None),
    ("org-admin", "orgadmin", "/org/generators-org-llc", None),
    ("not-found", "testuser1", "/no-such-page", None),
    # Issue 13: receiving, corrections, versions, bulk signing, deadlines.
    ("receive", "tsdf1", "ReadyForSignature/receive", None),
    ("correct", "testuser1", "Signed/correct", None),
    ("correction-sign", "testuser1", "UnderCorrection/correction/sign", None),
    ("correction-revert", "testuser1", "UnderCorrection/correction/revert", None),
    ("versions", "testuser1", "Corrected/versions", None),
    ("versions-none", "testuser1", "Signed/versions", None),
    ("bulk-sign-review", "testuser1", "bulk-sign", None),
    ("deadlines", "testuser1", "/deadlines", None),
    ("deadlines-report", "testuser1", "/deadlines?state=late", _open_report_form),
    ("generator-category", "testuser1", "/sites/VATESTGEN001/generator-category", None),
    # Issue 15: notices and webhooks.
    ("notices", "testuser1", "/notices", None),
    ("notices-unread", "testuser1", "/notices?unread=1", None),
    ("webhooks", "orgadmin", "/org/generators-org-llc/webhooks", None),
    ("foreign-manifest", "tsdf1", "draft", None),
]


def _path(where: str, demo: dict[str, str]) -> str:
    if where.startswith("/"):
        return where
    key, _, rest = where.partition("/")
    return demo[key] + (f"/{rest}" if rest else "")


USERS = ["anonymous", "testuser1", "transporter1", "tsdf1", "orgadmin"]


@pytest.mark.parametrize("user", USERS)
def test_every_page_passes_axe_and_fits_a_phone(
    new_page: Callable[..., Any],
    sessions: Callable[[str], Any],
    demo: dict[str, str],
    screenshots: Screenshots,
    user: str,
) -> None:
    """One browser page per user (fast): each of its pages at 1440 px, then resized to 390 px."""
    page = new_page(DESKTOP, storage_state=None if user == "anonymous" else sessions(user))
    problems: list[str] = []
    for name, who, where, action in CASES:
        if (who or "anonymous") != user:
            continue
        path = _path(where, demo)
        page.set_viewport_size(DESKTOP)
        page.goto(path)
        if action:
            action(page)
        if (h1 := page.locator("h1").count()) != 1:
            problems.append(f"{name} {path}: {h1} h1")
        problems += [f"{name} {path}: {p}" for p in serious_accessibility_problems(page)]
        screenshots.take(page, f"page-{name}")
        page.set_viewport_size(PHONE)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            problems.append(f"{name} {path}: scrolls sideways by {overflow}px at 390 px")
        screenshots.take(page, f"phone-{name}")
    assert problems == []


def test_the_root_asks_for_sign_in_with_a_return_path(new_page: Callable[..., Any]) -> None:
    page = new_page()
    page.goto("/")
    assert page.url.endswith("/login?next=/dashboard")


def test_a_field_error_is_tied_to_its_input_and_announced(
    new_page: Callable[..., Any], sessions: Callable[[str], Any]
) -> None:
    page = new_page(storage_state=sessions("testuser1"))
    page.goto("/manifests/new")
    containers = page.get_by_label("Number of containers")
    containers.fill("two")
    error = page.locator("#f-wastes-0-quantity-containerNumber-error")
    error.wait_for(state="visible")
    assert containers.get_attribute("aria-invalid") == "true"
    assert (
        "f-wastes-0-quantity-containerNumber-error"
        in (containers.get_attribute("aria-describedby") or "").split()
    )
    # The check's outcome is spoken from a live region that stays across the check's swaps:
    # the problem of the input being typed in, then the counts.
    status = page.locator("#draft-announce")
    assert status.get_attribute("role") == "status"
    expect(status).to_contain_text(re.compile(r"^Number of containers: Error: .+ \d+ errors?"))
    # While typing, the summary is no alert (it would read every problem at each keystroke).
    assert page.locator("#error-summary").get_attribute("role") is None


def test_every_input_has_a_label(
    new_page: Callable[..., Any], sessions: Callable[[str], Any], demo: dict[str, str]
) -> None:
    """Beyond axe: a visible <label for> or an aria-label on every control of the busiest pages."""
    page = new_page(storage_state=sessions("orgadmin"))
    unlabelled = []
    for path in ("/org/generators-org-llc", "/profile"):
        page.goto(path)
        unlabelled += [f"{path}: {c}" for c in page.evaluate(_UNLABELLED)]
    page = new_page(storage_state=sessions("testuser1"))
    for path in ("/manifests/new", "/manifests", demo["sign"]):
        page.goto(path)
        unlabelled += [f"{path}: {c}" for c in page.evaluate(_UNLABELLED)]
    assert unlabelled == []


_UNLABELLED = """() => Array.from(document.querySelectorAll(
    'input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea'))
  .filter(e => !e.closest('[hidden]') && !(e.labels && e.labels.length)
               && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
  .map(e => e.name || e.id)"""
