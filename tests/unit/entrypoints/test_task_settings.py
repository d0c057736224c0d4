"""Task settings: defaults, durations, and errors that name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from haztrak.entrypoints.settings import SettingsError, TaskSettings, load_settings


def _tasks(tmp_path: Path, **environ: str) -> TaskSettings:
    return load_settings({"HT_VAR_DIR": str(tmp_path), **environ}, dotenv=None).tasks


def test_defaults(tmp_path: Path) -> None:
    tasks = _tasks(tmp_path)
    assert tasks == TaskSettings()
    assert (tasks.sync_interval_seconds, tasks.retention_days) == (900, 30)
    assert (tasks.retry_delay_seconds, tasks.lease_seconds) == (10, 60)
    # a task is bounded by time: an hour of retries, with a generous cap on attempts
    assert (tasks.max_seconds, tasks.max_attempts) == (3600, 100)


@pytest.mark.parametrize(
    ("value", "seconds"), [("15", 900), ("90s", 90), ("2h", 7200), ("1d", 86400), ("5M", 300)]
)
def test_the_sync_interval_is_minutes_or_a_duration(
    tmp_path: Path, value: str, seconds: int
) -> None:
    assert _tasks(tmp_path, HT_SYNC_INTERVAL=value).sync_interval_seconds == seconds


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("HT_SYNC_INTERVAL", "often", "HT_SYNC_INTERVAL='often' is not a duration"),
        ("HT_SYNC_INTERVAL", "10s", "HT_SYNC_INTERVAL='10s' is out of range; use 60s-86400s"),
        ("HT_TASK_RETENTION_DAYS", "0", "HT_TASK_RETENTION_DAYS=0 is out of range; use 1-3650"),
        ("HT_TASK_MAX_ATTEMPTS", "many", "HT_TASK_MAX_ATTEMPTS='many' is not a whole number"),
        ("HT_TASK_LEASE_SECONDS", "0", "HT_TASK_LEASE_SECONDS=0 is out of range"),
        ("HT_TASK_MAX_SECONDS", "0", "HT_TASK_MAX_SECONDS=0 is out of range"),
        ("HT_WORKER_THREADS", "100", "HT_WORKER_THREADS=100 is out of range; use 1-64"),
    ],
)
def test_a_bad_value_names_the_variable(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _tasks(tmp_path, **{variable: value})


def test_the_longest_retry_delay_is_not_shorter_than_the_first(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="HT_TASK_RETRY_MAX_DELAY_SECONDS=5 is less than"):
        _tasks(tmp_path, HT_TASK_RETRY_DELAY_SECONDS="10", HT_TASK_RETRY_MAX_DELAY_SECONDS="5")
