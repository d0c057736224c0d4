"""`haztrak serve` as its own process on embedded defaults: it migrates, answers, and stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests import ports


def _free_port() -> int:
    return ports.free_port()


def _wait_until_up(process: subprocess.Popen[bytes]) -> list[str]:
    """Read the server's log until it says it is up (or it exits, which fails the test)."""
    assert process.stdout is not None
    lines = []
    for raw in process.stdout:
        lines.append(raw.decode())
        if "Uvicorn running on" in lines[-1]:  # after the bind (startup completes before it)
            return lines
    raise AssertionError("the server exited before it was up:\n" + "".join(lines))


def test_serve_on_embedded_defaults(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HT_")}
    env |= {"HT_VAR_DIR": str(tmp_path / "var"), "HT_PORT": str(port), "HT_LOG_FORMAT": "json"}
    process = subprocess.Popen(
        [sys.executable, "-m", "haztrak.entrypoints.cli.main", "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    started: list[str] = []
    try:
        base = f"http://127.0.0.1:{port}"
        started = _wait_until_up(process)
        assert httpx.get(f"{base}/api/health").json()["status"] == "ok"
        ready = httpx.get(f"{base}/api/health/ready").json()
        assert ready["status"] == "ok"
        assert set(ready["checks"]) >= {"database", "cache"}
        assert httpx.get(f"{base}/api/user/current-user").status_code == 401
        assert httpx.get(f"{base}/api/schema").json()["info"]["title"] == "Haztrak"
    finally:
        process.send_signal(signal.SIGINT)
        output = "".join(started) + process.communicate(timeout=20)[0].decode()
    assert process.returncode == 0, output
    assert (tmp_path / "var" / "haztrak.sqlite3").exists()
    assert '"logger": "haztrak.http"' in output  # JSON logs, one object per line
    assert "color_message" not in output
    assert "\\u001b" not in output
    assert "\x1b" not in output
