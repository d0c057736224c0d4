"""`haztrak serve --workers 2` on a slow host: workers that take long to start are waited for,
not killed and replaced over and over ("Child process died")."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from tests.conftest import PostgresDatabases
from tests.e2e.test_serve import _free_port

# Spawned worker processes start with `--multiprocessing-fork`; this one makes each of them
# take longer to come up than uvicorn's default health-check timeout (5 s).
SLOW_START = """\
import sys, time
if "--multiprocessing-fork" in sys.argv:
    time.sleep(7)
"""


def test_slow_starting_workers_are_not_killed(
    tmp_path: Path, postgres_databases: PostgresDatabases, flushed_redis: str
) -> None:
    database_url = postgres_databases.create()
    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "sitecustomize.py").write_text(SLOW_START)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HT_")}
    env |= {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(slow), env.get("PYTHONPATH")])),
        "HT_VAR_DIR": str(tmp_path / "var"),
        "HT_PORT": str(port),
        "HT_DATABASE_URL": database_url,
        "HT_REDIS_URL": flushed_redis,
        "HT_RCRAINFO_ENV": "https://127.0.0.1:9/rest/api/",  # not called in this test
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "haztrak.entrypoints.cli.main", "serve", "--workers", "2"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    lines: list[str] = []
    both_up = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            lines.append(raw.decode())
            if sum("Application startup complete" in line for line in lines) == 2:
                both_up.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert both_up.wait(timeout=90), "".join(lines)
        assert httpx.get(f"http://127.0.0.1:{port}/api/health").json()["status"] == "ok"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        reader.join(timeout=10)
    output = "".join(lines)
    assert "died" not in output, output
    started = [line for line in output.splitlines() if "Started server process" in line]
    assert len(started) == 2, output  # each worker started once, after its slow start
