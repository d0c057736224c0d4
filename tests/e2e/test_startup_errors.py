"""What stops `haztrak serve` is said in one line naming the setting and the remedy, before
anything has started; what only degrades it (Redis) is one warning without the password."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.test_serve import _free_port, _wait_until_up

HAZTRAK = [sys.executable, "-m", "haztrak.entrypoints.cli.main"]


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HT_")}
    return env | {"HT_VAR_DIR": str(tmp_path / "var")} | settings


def _serve_fails(tmp_path: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [*HAZTRAK, "serve", *args],
        check=False,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "Traceback" not in output
    lines = output.splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("haztrak serve: ")
    return lines[0]


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A local port that refuses connections: bound, so nobody takes it, but not listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


def _with(url: str, *, netloc: str | None = None, path: str | None = None) -> str:
    parts = urlsplit(url)
    return parts._replace(
        netloc=parts.netloc if netloc is None else netloc,
        path=parts.path if path is None else path,
    ).geturl()


def test_a_missing_database(tmp_path: Path, postgres_server_url: str) -> None:
    url = _with(postgres_server_url, path="/haztrak_no_such_database")
    line = _serve_fails(tmp_path, _env(tmp_path, HT_DATABASE_URL=url))
    assert "HT_DATABASE_URL" in line
    assert "'haztrak_no_such_database' does not exist" in line
    assert "createdb haztrak_no_such_database" in line


def test_wrong_database_credentials(tmp_path: Path, postgres_server_url: str) -> None:
    host = urlsplit(postgres_server_url).netloc.rsplit("@", 1)[-1]
    url = _with(postgres_server_url, netloc=f"haztrak_nobody:not-the-password@{host}")
    line = _serve_fails(tmp_path, _env(tmp_path, HT_DATABASE_URL=url))
    assert "HT_DATABASE_URL" in line
    assert "refused user 'haztrak_nobody'" in line
    assert "not-the-password" not in line


def test_an_unreachable_database(tmp_path: Path, closed_port: int) -> None:
    url = f"postgresql+asyncpg://haztrak:secret@127.0.0.1:{closed_port}/haztrak"
    line = _serve_fails(tmp_path, _env(tmp_path, HT_DATABASE_URL=url))
    assert f"cannot reach PostgreSQL at 127.0.0.1:{closed_port} (Connection refused)" in line
    assert "start the database" in line
    assert "secret" not in line


def test_the_port_in_use_stops_before_anything_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = _serve_fails(tmp_path, _env(tmp_path, HT_PORT=str(port)))
    assert f"127.0.0.1:{port} is already in use" in line
    assert "--port or HT_PORT" in line
    assert not (tmp_path / "var" / "haztrak.sqlite3").exists()  # nothing ran: no migration


def test_prod_on_the_embedded_sandbox(tmp_path: Path) -> None:
    env = _env(tmp_path, HT_ENV="prod", HT_SECRET_KEY="k" * 40)
    line = _serve_fails(tmp_path, env)
    assert "HT_ENV=prod" in line
    assert "HT_RCRAINFO_ENV" in line
    assert "--allow-prod" not in line


def test_redis_unreachable_is_one_warning_without_the_password(
    tmp_path: Path, closed_port: int
) -> None:
    port = _free_port()
    redis_url = f"redis://:hunter2@127.0.0.1:{closed_port}/0"
    env = _env(tmp_path, HT_PORT=str(port), HT_REDIS_URL=redis_url)
    process = subprocess.Popen(
        [*HAZTRAK, "serve"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    started: list[str] = []
    try:
        started = _wait_until_up(process)
    finally:
        process.send_signal(signal.SIGINT)
        output = "".join(started) + process.communicate(timeout=20)[0].decode()
    warnings = [line for line in output.splitlines() if "WARNING" in line]
    assert len(warnings) == 1, output
    assert f"Redis at redis://:***@127.0.0.1:{closed_port}/0 does not answer" in warnings[0]
    assert "hunter2" not in output
    assert "Traceback" not in output


@pytest.mark.parametrize("argument", ["--version", "--help"])
def test_version_and_help_load_no_framework(argument: str) -> None:
    """`haztrak --version` and `--help` answer without importing the web framework, the ORM
    or a driver (they took a second; the spawned workers of `serve --workers` paid it too)."""
    probe = (
        "import sys\n"
        "from haztrak.entrypoints.cli.main import main\n"
        "try:\n"
        f"    main([{argument!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = {'litestar', 'sqlalchemy', 'advanced_alchemy', 'alembic', 'asyncpg', "
        "'aiosqlite', 'dishka', 'redis', 'dramatiq', 'uvicorn', 'emanifest', 'httpx'}\n"
        "print('LOADED', sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert "LOADED []" in done.stdout, done.stdout
