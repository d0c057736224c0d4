"""Webhook settings: defaults, the private-address switch (never in production), errors that
name the variable, and the policy the processes build from them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from haztrak.domain.tasks import TaskName
from haztrak.entrypoints.settings import SettingsError, WebhookSettings, load_settings
from haztrak.entrypoints.task_providers import task_policy
from haztrak.entrypoints.webhook_providers import WEBHOOK_KINDS, webhook_policy


def _load(tmp_path: Path, **environ: str):  # type: ignore[no-untyped-def]
    return load_settings({"HT_VAR_DIR": str(tmp_path), **environ}, dotenv=None)


def test_defaults_refuse_private_addresses_and_retry_for_a_day(tmp_path: Path) -> None:
    settings = _load(tmp_path, HT_PORT="8170")
    assert settings.webhooks == WebhookSettings(public_url="http://127.0.0.1:8170")
    policy = webhook_policy(settings)
    assert not policy.allow_private
    assert not policy.allow_insecure
    assert policy.retry.max_seconds == 86_400
    assert policy.pause.failures == 10
    assert policy.pause.span == timedelta(hours=12)
    assert "task.failed" not in WEBHOOK_KINDS
    assert task_policy(settings).retry_for(TaskName.DELIVER_WEBHOOK) == policy.retry
    assert task_policy(settings).retry_for(TaskName.SUBMIT_MANIFEST).max_seconds == 3600


def test_the_tests_switch_allows_private_addresses_and_http(tmp_path: Path) -> None:
    settings = _load(
        tmp_path,
        HT_WEBHOOKS_ALLOW_PRIVATE="true",
        HT_WEBHOOKS_PAUSE_AFTER="0",
        HT_WEBHOOKS_RETRY_FOR="2h",
        HT_PUBLIC_URL="https://haztrak.example.org/",
    )
    policy = webhook_policy(settings)
    assert policy.allow_private
    assert policy.allow_insecure
    assert policy.pause.span == timedelta(0)
    assert policy.retry.max_seconds == 7200
    assert policy.public_url == "https://haztrak.example.org"


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"HT_WEBHOOKS_ALLOW_PRIVATE": "maybe"}, "HT_WEBHOOKS_ALLOW_PRIVATE"),
        (
            {"HT_WEBHOOKS_ALLOW_PRIVATE": "true", "HT_ENV": "prod", "HT_SECRET_KEY": "k" * 40},
            "HT_WEBHOOKS_ALLOW_PRIVATE",
        ),
        ({"HT_PUBLIC_URL": "ftp://x"}, "HT_PUBLIC_URL"),
        ({"HT_WEBHOOKS_RETRY_FOR": "9d"}, "HT_WEBHOOKS_RETRY_FOR"),
        ({"HT_WEBHOOKS_PAUSE_AFTER_FAILURES": "0"}, "HT_WEBHOOKS_PAUSE_AFTER_FAILURES"),
    ],
)
def test_bad_values_name_the_variable(
    tmp_path: Path, environ: dict[str, str], variable: str
) -> None:
    with pytest.raises(SettingsError, match=variable):
        _load(tmp_path, **environ)
