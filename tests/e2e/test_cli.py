"""The `haztrak` command as a person uses it, in-process (same code path as the script)."""

from __future__ import annotations

from pathlib import Path

import pytest

from haztrak import __version__
from haztrak.entrypoints.cli.main import main


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("HT_ENV", "HT_DATABASE_URL", "HT_REDIS_URL", "HT_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HT_VAR_DIR", str(tmp_path / "var"))
    return tmp_path


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"haztrak {__version__}"


def test_a_bad_setting_stops_with_one_line(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HT_PORT", "not-a-port")
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert err == "haztrak: HT_PORT='not-a-port' is not a whole number (1-65535)\n"


def test_migrate_seed_and_createuser(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate"]) == 0
    assert "database at revision" in capsys.readouterr().out

    assert main(["seed", "--demo"]) == 0
    first = capsys.readouterr().out
    for username in ("admin", "orgadmin", "testuser1", "transporter1", "tsdf1"):
        assert username in first
    assert "haztrak-demo" in first

    assert main(["seed", "--demo"]) == 0  # idempotent: nothing new, passwords unchanged
    again = capsys.readouterr().out
    assert "haztrak-demo" not in again
    assert "password unchanged" in again

    monkeypatch.setenv("HT_CREATEUSER_PASSWORD", "a-long-password")
    assert main(["createuser", "newstaff", "--staff", "--email", "n@example.com"]) == 0
    assert "created user newstaff (staff)" in capsys.readouterr().out
    assert main(["createuser", "newstaff"]) == 1
    assert "exists" in capsys.readouterr().err

    assert main(["migrate", "base", "--down"]) == 0
    assert "database at revision None" in capsys.readouterr().out


def test_demo_refuses_prod_without_a_password(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HT_ENV", "prod")
    monkeypatch.setenv("HT_SECRET_KEY", "k" * 40)
    assert main(["seed", "--demo"]) == 2
    assert "needs --password" in capsys.readouterr().err


def test_serve_refuses_several_workers_on_embedded_defaults(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--workers", "2"]) == 2
    assert "needs HT_REDIS_URL" in capsys.readouterr().err
