"""`haztrak worker` and `haztrak scheduler` refuse, with one line, what cannot work."""

from __future__ import annotations

from pathlib import Path

import pytest

from haztrak.entrypoints.cli.main import main


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("HT_ENV", "HT_DATABASE_URL", "HT_REDIS_URL", "HT_RCRAINFO_ENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HT_VAR_DIR", str(tmp_path / "var"))
    return tmp_path


@pytest.mark.parametrize("command", ["worker", "scheduler"])
def test_without_redis_the_embedded_server_does_the_work(
    workdir: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"haztrak {command} needs HT_REDIS_URL")
    assert "`haztrak serve` runs the worker and the scheduler itself" in err


def test_a_worker_cannot_share_another_processs_embedded_sandbox(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HT_REDIS_URL", "redis://127.0.0.1:6379/0")
    assert main(["worker"]) == 2
    assert "cannot share the embedded e-Manifest sandbox" in capsys.readouterr().err
