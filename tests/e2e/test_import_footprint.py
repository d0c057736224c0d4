"""Each process imports only what it runs (issue 16: memory).

A library imported at start stays in the process's memory for its whole life, used or not. The
heavy optional ones load at their first use, behind their ports: ReportLab and Pillow (a PDF),
boto3 (S3 storage), Alembic with Mako and Pygments (a migration), httpx with rich and click (a
webhook delivery), XlsxWriter (an export), requests and emanifest (the first call to
RCRAInfo, which an API process with separate workers never makes). The worker and the
scheduler serve no HTTP, so they import neither Litestar nor advanced-alchemy (which imports
Litestar and more). Imports are counted, not timed or measured, so the test is exact on any
machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ON_FIRST_USE = {
    "reportlab",
    "PIL",
    "boto3",
    "botocore",
    "s3transfer",
    "alembic",
    "mako",
    "pygments",
    "httpx",
    "rich",
    "click",
    "xlsxwriter",
    "requests",
    "emanifest",
}

NO_HTTP = {"litestar", "advanced_alchemy", "uvicorn", "jinja2", "sqladmin"}
ONLY_SCHEDULER = {"apscheduler"}  # and `haztrak serve` on embedded defaults, when it starts

ENTRY_MODULES = {
    "serve": "haztrak.entrypoints.http.app",
    "worker": "haztrak.entrypoints.worker.main",
    "scheduler": "haztrak.entrypoints.scheduler.main",
    "cli": "haztrak.entrypoints.cli.main",
}


def _loaded(module: str, then: str = "", env: dict[str, str] | None = None) -> set[str]:
    probe = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        f"{then}\n"
        "print('MODULES', *sorted({name.split('.')[0] for name in sys.modules}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=env,
    )
    listed = next(line for line in done.stdout.splitlines() if line.startswith("MODULES "))
    return set(listed.split()[1:])


@pytest.mark.parametrize("process", sorted(ENTRY_MODULES))
def test_a_process_imports_no_optional_library_before_its_first_use(process: str) -> None:
    assert _loaded(ENTRY_MODULES[process]) & ON_FIRST_USE == set()


@pytest.mark.parametrize("process", ["worker", "scheduler"])
def test_the_worker_and_the_scheduler_import_no_web_framework(process: str) -> None:
    assert _loaded(ENTRY_MODULES[process]) & NO_HTTP == set()


@pytest.mark.parametrize("process", ["serve", "worker"])
def test_only_the_scheduler_imports_the_scheduling_library(process: str) -> None:
    assert _loaded(ENTRY_MODULES[process]) & ONLY_SCHEDULER == set()


def test_building_the_api_app_imports_no_optional_library(tmp_path: Path) -> None:
    """The app and its container as `haztrak serve` builds them with a separate worker (nothing
    connects while they are built)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HT_")} | {
        "HT_VAR_DIR": str(tmp_path),
        "HT_SECRET_KEY": "import-footprint-" + "x" * 32,
        "HT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/haztrak.sqlite3",
        "HT_REDIS_URL": "redis://127.0.0.1:9/0",
        "HT_RCRAINFO_ENV": "https://127.0.0.1:9/rest/api/",
    }
    then = "sys.modules['haztrak.entrypoints.http.app'].app_from_environment()"
    loaded = _loaded("haztrak.entrypoints.http.app", then, env)
    assert "litestar" in loaded  # the probe ran
    assert loaded & (ON_FIRST_USE | ONLY_SCHEDULER) == set()
