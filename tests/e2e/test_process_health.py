"""Every process has a health check that fits it: the API answers /api/health; the worker and
the scheduler beat into a heartbeat file that `haztrak worker --check` / `scheduler --check`
reads (the container's HEALTHCHECK and the Kubernetes exec probes run it). And `haztrak --help`
and each command's `--help` describe every option without loading a framework."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from haztrak.entrypoints import heartbeat
from haztrak.entrypoints.cli.main import build_parser

HAZTRAK = [sys.executable, "-m", "haztrak.entrypoints.cli.main"]


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def test_every_command_and_option_says_what_it_does() -> None:
    commands = _commands()
    assert {"serve", "migrate", "createuser", "seed", "worker", "scheduler", "sandbox"} <= set(
        commands
    )
    undocumented = [
        f"{name} {action.dest}"
        for name, command in commands.items()
        for action in command._actions
        if not action.help or action.help == argparse.SUPPRESS
    ]
    assert undocumented == []
    assert all(command.description for command in commands.values())


def test_each_commands_help_loads_no_framework() -> None:
    probe = (
        "import contextlib, io, sys\n"
        "from haztrak.entrypoints.cli.main import main\n"
        f"for command in {sorted(_commands())!r}:\n"
        "    with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "        try:\n"
        "            main([command, '--help'])\n"
        "        except SystemExit:\n"
        "            pass\n"
        "    assert 'usage: haztrak ' + command in out.getvalue(), command\n"
        "heavy = {'litestar', 'sqlalchemy', 'advanced_alchemy', 'alembic', 'asyncpg', "
        "'aiosqlite', 'dishka', 'redis', 'dramatiq', 'uvicorn', 'emanifest', 'httpx'}\n"
        "print('LOADED', sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert "LOADED []" in done.stdout, done.stdout + done.stderr


def test_a_heartbeat_is_fresh_stale_or_missing(tmp_path: Path) -> None:
    path = tmp_path / "worker.heartbeat"
    missing = heartbeat.check(path)
    assert missing is not None
    assert "not running" in missing
    heartbeat.beat(path)
    assert heartbeat.check(path) is None
    stale = heartbeat.check(path, now=time.time() + heartbeat.MAX_AGE_SECONDS + 5)
    assert stale is not None
    assert "stuck" in stale
    heartbeat.stop_beating(path)
    assert not path.exists()


def _check(env: dict[str, str], command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HAZTRAK, command, "--check"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("command", ["worker", "scheduler"])
def test_the_running_process_passes_its_check_and_fails_it_once_stopped(
    command: str, tmp_path: Path, redis_url: str
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HT_")}
    env |= {
        "HT_VAR_DIR": str(tmp_path / "var"),
        "HT_REDIS_URL": redis_url,
        # the worker needs an RCRAInfo it could share; this test gives it no task to run
        "HT_RCRAINFO_ENV": "https://127.0.0.1:9/rest/api/",
        "HT_LOG_LEVEL": "WARNING",
    }
    migrated = subprocess.run(
        [*HAZTRAK, "migrate"], cwd=tmp_path, env=env, capture_output=True, timeout=120, check=False
    )
    assert migrated.returncode == 0, migrated.stderr
    assert _check(env, command, tmp_path).returncode == 1  # not started yet
    process = subprocess.Popen(
        [*HAZTRAK, command], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while (check := _check(env, command, tmp_path)).returncode != 0:
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, check.stderr
        assert check.stdout.strip() == f"haztrak {command}: alive"
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode()
    assert process.returncode == 0, output
    stopped = _check(env, command, tmp_path)
    assert stopped.returncode == 1
    assert "no heartbeat" in stopped.stderr
