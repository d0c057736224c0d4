"""Haztrak in a real browser: `haztrak serve` on embedded defaults (SQLite, the in-process
worker, the embedded e-Manifest sandbox, the demo data) driven by Playwright in the system's
Chromium. Playwright's own browser download cannot work here, so the browser is Debian's
`chromium` (.ci/run installs it).

Set HT_SCREENSHOTS=<dir> to keep the screenshots the tests take (the README's come from here:
`just screenshots`).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import ports

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "haztrak-demo"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def _chromium() -> str:
    path = os.environ.get("HT_TEST_CHROMIUM") or shutil.which("chromium") or ""
    if path and Path(path).exists():
        return path
    if os.environ.get("HT_TEST_REQUIRE_SERVICES") == "1":
        pytest.fail("no chromium: apt-get install -y chromium (or set HT_TEST_CHROMIUM)")
    pytest.skip("no chromium on this machine (apt-get install -y chromium)")


def _free_port() -> int:
    return ports.free_port()


def _haztrak(env: dict[str, str], cwd: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "haztrak.entrypoints.cli.main", *args],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The whole system in one process, as `just run` starts it, on a free port.

    HT_TEST_BROWSER_URL=<url> points the tests at a server already running instead (to iterate
    on a page without a fresh start each time)."""
    _chromium()
    if url := os.environ.get("HT_TEST_BROWSER_URL"):
        yield url
        return
    home = tmp_path_factory.mktemp("live")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HT_")}
    env |= {
        "HT_VAR_DIR": str(home / "var"),
        "HT_PORT": str(port),
        "HT_LOG_FORMAT": "json",
        "HT_LOG_LEVEL": "WARNING",
        "HT_TASK_WAIT_SECONDS": "2",
    }
    _haztrak(env, home, "migrate")
    _haztrak(env, home, "seed", "--demo")
    env["HT_LOG_LEVEL"] = "INFO"
    process = subprocess.Popen(
        [sys.executable, "-m", "haztrak.entrypoints.cli.main", "serve"],
        cwd=home,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    lines: list[str] = []
    for raw in process.stdout:
        lines.append(raw.decode())
        if "Uvicorn running on" in lines[-1]:  # after the bind (startup completes before it)
            break
    else:
        raise AssertionError("haztrak serve exited before it was up:\n" + "".join(lines))
    # Keep reading the log so the server never blocks on a full pipe.
    drain = subprocess.Popen(["cat"], stdin=process.stdout, stdout=subprocess.DEVNULL)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        drain.wait(timeout=10)


# Module scope, not session: while Playwright's sync API is open it runs an event loop on this
# thread, and the asyncio tests that follow (one session loop) could not run theirs.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    path = _chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Screenshots:
    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def take(self, page: Any, name: str, *, full_page: bool = True) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(self.folder / f"{name}.png"), full_page=full_page)


@pytest.fixture(scope="session")
def screenshots() -> Screenshots:
    folder = os.environ.get("HT_SCREENSHOTS")
    return Screenshots(Path(folder) if folder else None)


# htmx reports a request it cancelled itself (a newer keystroke replaced it: hx-sync) as an
# error event; that is the search-as-you-type working, not a fault.
# A page answered with 4xx (a form shown again with its problems) is logged by Chromium as a
# failed load too: statuses are checked per request below, documents apart.
_NOT_FAULTS = ("htmx:sendAbort", "htmx:afterRequest", "Failed to load resource")


def _real_error(message: Any) -> bool:
    return bool(message.type == "error" and not message.text.startswith(_NOT_FAULTS))


def _failed_subresource(response: Any) -> str | None:
    """An asset, or a request of htmx's, that failed: a fault, unlike a page shown as 4xx."""
    request = response.request
    if response.status < 400 or request.resource_type == "document":
        return None
    if request.headers.get("hx-request") and response.status in (400, 409, 422):
        return None  # a form's problems, swapped in place
    return f"{response.status} {request.method} {response.url}"


@pytest.fixture
def new_page(browser: Any, live_server: str) -> Iterator[Callable[..., Any]]:
    """Pages in fresh browser contexts (each its own cookies); console errors fail the test."""
    contexts: list[Any] = []
    problems: list[str] = []

    def make(viewport: dict[str, int] | None = None, storage_state: Any = None) -> Any:
        context = browser.new_context(
            viewport=viewport or DESKTOP, base_url=live_server, storage_state=storage_state
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: problems.append(m.text) if _real_error(m) else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("response", lambda r: problems.append(f) if (f := _failed_subresource(r)) else None)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems, f"the browser reported errors: {problems}"


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")


@pytest.fixture(scope="module")
def sessions(browser: Any, live_server: str) -> Callable[[str], Any]:
    """A user's signed-in cookies (a Playwright storage state), signed in once per module:
    `new_page(storage_state=sessions("testuser1"))` opens a page already signed in."""
    states: dict[str, Any] = {}

    def state(username: str) -> Any:
        if username not in states:
            context = browser.new_context(base_url=live_server)
            page = context.new_page()
            sign_in(page, username)
            states[username] = context.storage_state()
            context.close()
        return states[username]

    return state


def serious_accessibility_problems(page: Any) -> list[str]:
    """What axe-core finds of serious or critical impact on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
