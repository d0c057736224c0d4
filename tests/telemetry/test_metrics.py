"""Prometheus metrics on their own port: what a person alerts on, after a request, a task, an
RCRAInfo call and a scheduled job; the API's own port does not serve them."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families

from haztrak.application.ports.security import Clock
from haztrak.application.ports.tasks import JobLock
from haztrak.application.tasks.schedule import ScheduleTaskPruning
from haztrak.entrypoints.scheduler.jobs import Job, Scheduler
from haztrak.entrypoints.settings import Settings
from haztrak.entrypoints.telemetry import Telemetry
from tests.fakes_rcrainfo import FakeRcrainfo
from tests.http.conftest import http_client
from tests.telemetry.conftest import running_app
from tests.telemetry.test_tracing import GEN, sync_a_site

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(port: int) -> Samples:
    response = await asyncio.to_thread(httpx.get, f"http://127.0.0.1:{port}/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


async def test_the_metrics_port_counts_requests_tasks_rcrainfo_calls_and_jobs(
    metrics: Telemetry, backend: Settings, rcrainfo: FakeRcrainfo
) -> None:
    assert metrics.metrics_server is not None
    port = metrics.metrics_server.port
    async with running_app(backend, rcrainfo) as app:
        await sync_a_site(app)
        container = app.state.dishka_container
        scheduler = Scheduler(
            container,
            await container.get(JobLock),
            await container.get(Clock),
            [],
        )
        job = Job("prune-tasks", timedelta(days=1), ScheduleTaskPruning)
        assert await scheduler.run_job(job)
        assert not await scheduler.run_job(job)  # the window's lock is taken: skipped
        async with http_client(app) as client:
            assert (await client.get("/metrics")).status_code == 404  # not on the API's port
        samples = await scrape(port)

    sync = "/api/manifest/emanifest/sync"
    assert (
        value(samples, "haztrak_http_requests_total", method="POST", route=sync, status="202") >= 1
    )
    assert (
        value(samples, "haztrak_http_request_duration_seconds_count", method="POST", route=sync)
        >= 1
    )
    assert (
        value(samples, "haztrak_task_runs_total", task="sync_site_manifests", outcome="done") >= 1
    )
    assert (
        value(samples, "haztrak_rcrainfo_calls_total", operation="search_manifests", outcome="ok")
        >= 1
    )
    assert value(samples, "haztrak_scheduler_runs_total", job="prune-tasks", outcome="ran") >= 1
    assert value(samples, "haztrak_scheduler_runs_total", job="prune-tasks", outcome="skipped") >= 1
    # Read from the database and the broker when scraped.
    assert value(samples, "haztrak_state_up", source="database") == 1
    assert value(samples, "haztrak_state_up", source="broker") == 1
    assert value(samples, "haztrak_tasks", task="sync_site_manifests", status="SUCCESS") == 1
    assert 0 <= value(samples, "haztrak_site_sync_lag_seconds", site=GEN) < 600
    assert value(samples, "haztrak_sites_never_synced") >= 1
    queues = sorted(
        dict(labels)["queue"] + " " + dict(labels)["kind"]
        for name, labels in samples
        if name == "haztrak_queue_messages"
    )
    assert queues == [
        "haztrak delayed",
        "haztrak ready",
        "haztrak-bulk delayed",
        "haztrak-bulk ready",
    ]
    assert value(samples, "haztrak_task_oldest_pending_age_seconds") >= 0


ANOTHER_PROCESS = """
import sys
from pathlib import Path
from haztrak.entrypoints.settings import TelemetrySettings
from haztrak.entrypoints.telemetry import install

port, directory = int(sys.argv[1]), Path(sys.argv[2])
telemetry = install(TelemetrySettings(metrics_port=port, metrics_dir=directory), process="worker")
assert telemetry is not None and telemetry.metrics is not None
assert telemetry.metrics_server is None, "the test's process holds the port"
telemetry.metrics.rcrainfo_call("quicker_sign", "credentials_refused", 0.2)
"""


async def test_the_process_on_the_port_serves_the_counters_of_the_others(
    metrics: Telemetry,
) -> None:
    """A worker on the same machine (same HT_METRICS_DIR) finds the port taken, and its
    counters are served by the process that holds it, after it exited."""
    assert metrics.metrics_server is not None
    port = metrics.metrics_server.port
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMETHEUS")}
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", ANOTHER_PROCESS, str(port), str(metrics.settings.metrics_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    samples = await scrape(port)
    refused = value(
        samples,
        "haztrak_rcrainfo_calls_total",
        operation="quicker_sign",
        outcome="credentials_refused",
    )
    assert refused >= 1
