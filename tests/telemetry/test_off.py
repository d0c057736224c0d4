"""Telemetry off (the default) is free: no instrumentation, exporter or middleware."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from haztrak.entrypoints.settings import SettingsError, load_settings
from haztrak.entrypoints.telemetry import active, http_middleware, telemetry_providers

# A process of its own: the other tests of this session turn telemetry on and off.
OFF = """
import asyncio, json, sys
import httpx
from haztrak.entrypoints.http.app import create_app
from haztrak.entrypoints.settings import load_settings
from haztrak.entrypoints.telemetry import install

settings = load_settings(dotenv=None)
assert install(settings.telemetry, process="api") is None
app = create_app(settings, background=False)

async def ask():
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return (await client.get("/api/health/ready")).status_code

status = asyncio.run(ask())
import redis
from opentelemetry import trace  # redis-py imports it itself, for its own observability
print(json.dumps({
    "status": status,
    "modules": sorted(
        m
        for m in sys.modules
        if m.startswith(
            (
                "opentelemetry.instrumentation.sqlalchemy",
                "opentelemetry.instrumentation.redis",
                "opentelemetry.exporter",
                "opentelemetry.sdk.trace",
            )
        )
        or m.split(".")[0] == "prometheus_client"
        or m.startswith("haztrak.entrypoints.telemetry.")
        and m.rsplit(".", 1)[1] not in ("core", "providers")
    ),
    "provider": type(trace.get_tracer_provider()).__name__,
    "middleware": [getattr(m, "__qualname__", repr(m)) for m in app.middleware],
    "redis_wrapped": hasattr(redis.Redis.execute_command, "__wrapped__"),
}))
"""


def test_with_telemetry_off_nothing_is_instrumented(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HT_", "OTEL_", "PROMETHEUS"))}
    env |= {"HT_VAR_DIR": str(tmp_path / "var"), "HT_SECRET_KEY": "k" * 40}
    done = subprocess.run(
        [sys.executable, "-c", OFF],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["status"] == 200
    assert seen["modules"] == []  # no instrumentation, exporter or metrics
    assert seen["provider"] == "ProxyTracerProvider"  # nobody set one
    assert seen["middleware"] == ["request_log_middleware"]
    assert seen["redis_wrapped"] is False


def test_telemetry_is_off_unless_configured(tmp_path: Path) -> None:
    base = {"HT_VAR_DIR": str(tmp_path), "HT_SECRET_KEY": "k" * 40}
    off = load_settings(base, dotenv=None).telemetry
    assert (off.tracing, off.metrics) == (False, False)
    assert active() is None
    assert telemetry_providers() == []
    assert http_middleware() == []

    def traces(**environ: str) -> str | None:
        return load_settings(base | environ, dotenv=None).telemetry.traces_endpoint

    assert traces(HT_OTEL_ENDPOINT="http://collector:4318/") == "http://collector:4318/v1/traces"
    assert traces(OTEL_EXPORTER_OTLP_ENDPOINT="http://c:4318") == "http://c:4318/v1/traces"
    assert traces(OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="http://c:4318/t") == "http://c:4318/t"
    assert traces(OTEL_EXPORTER_OTLP_ENDPOINT="http://c:4318", OTEL_SDK_DISABLED="true") is None
    with pytest.raises(SettingsError, match="HT_OTEL_ENDPOINT"):
        traces(HT_OTEL_ENDPOINT="collector:4317")
    on = load_settings(base | {"HT_METRICS_PORT": "9464"}, dotenv=None).telemetry
    assert (on.metrics_port, on.metrics_host, on.metrics_dir) == (
        9464,
        "127.0.0.1",
        tmp_path / "metrics",
    )
    with pytest.raises(SettingsError, match="HT_METRICS_PORT"):
        load_settings(base | {"HT_METRICS_PORT": "http"}, dotenv=None)
