"""Prometheus metrics, for the alerts a person who runs Haztrak sets.

Counted where things happen, in every process:
- `haztrak_http_requests_total{method,route,status}` and
  `haztrak_http_request_duration_seconds{method,route}`: rate, errors (status 5xx) and latency
  per route template;
- `haztrak_task_runs_total{task,outcome}` and `haztrak_task_run_duration_seconds{task}`: what
  workers did with each message (done, retry, error, skipped);
- `haztrak_rcrainfo_calls_total{operation,outcome}` and
  `haztrak_rcrainfo_call_duration_seconds{operation}`: each e-Manifest operation and how it
  ended (ok, credentials_refused, locked_out, unauthorized, forbidden, not_found, validation,
  locked, transient);
- `haztrak_scheduler_runs_total{job,outcome}` (ran, skipped: another scheduler had it, failed).

Read when scraped, by the process that serves them:
- `haztrak_tasks{task,status}`: tasks in the database by name and state;
- `haztrak_task_oldest_pending_age_seconds`: how long the oldest task due to run has waited;
- `haztrak_queue_messages{queue,kind}`: messages in the broker, ready or delayed;
- `haztrak_site_sync_lag_seconds{site}`: time since each site's last manifest sync, and
  `haztrak_sites_never_synced`;
- `haztrak_state_up{source}`: 0 when the database or broker could not be read.

Several processes: prometheus_client's multiprocess mode. Every process of a machine (the
API's uvicorn workers, task workers, the scheduler) writes its counters under
HT_METRICS_DIR; each tries to listen on HT_METRICS_PORT, and the one that does serves the sum
of all. Processes on other machines (or containers) have their own directory and port.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dramatiq
from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from haztrak.adapters.persistence.tables import SiteRow, TaskRow
from haztrak.domain.tasks import TaskStatus
from haztrak.entrypoints.settings import TelemetrySettings

log = logging.getLogger("haztrak.telemetry")

HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
RCRAINFO_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
TASK_BUCKETS = (0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
STATE_TIMEOUT_SECONDS = 5.0


class Metrics:
    """The counters of this process (one set per process: their values live in files named
    by the process id)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        # Not registered anywhere: in multiprocess mode the files are what is read.
        self._http = Counter(
            "haztrak_http_requests",
            "HTTP requests by route template and status",
            ["method", "route", "status"],
            registry=None,
        )
        self._http_seconds = Histogram(
            "haztrak_http_request_duration_seconds",
            "HTTP request duration by route template",
            ["method", "route"],
            registry=None,
            buckets=HTTP_BUCKETS,
        )
        self._tasks = Counter(
            "haztrak_task_runs",
            "Task messages a worker processed, by task name and outcome",
            ["task", "outcome"],
            registry=None,
        )
        self._task_seconds = Histogram(
            "haztrak_task_run_duration_seconds",
            "Time a worker spent on a task message",
            ["task"],
            registry=None,
            buckets=TASK_BUCKETS,
        )
        self._rcrainfo = Counter(
            "haztrak_rcrainfo_calls",
            "e-Manifest (RCRAInfo) operations by outcome",
            ["operation", "outcome"],
            registry=None,
        )
        self._rcrainfo_seconds = Histogram(
            "haztrak_rcrainfo_call_duration_seconds",
            "e-Manifest (RCRAInfo) operation duration, retries and logins included",
            ["operation"],
            registry=None,
            buckets=RCRAINFO_BUCKETS,
        )
        self._scheduler = Counter(
            "haztrak_scheduler_runs",
            "Scheduled job runs by outcome",
            ["job", "outcome"],
            registry=None,
        )
        self._sources: dict[str, StateSource] = {}
        self._sources_lock = threading.Lock()

    def http_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self._http.labels(method, route, str(status)).inc()
        self._http_seconds.labels(method, route).observe(seconds)

    def task_run(self, task: str, outcome: str, seconds: float) -> None:
        self._tasks.labels(task, outcome).inc()
        self._task_seconds.labels(task).observe(seconds)

    def rcrainfo_call(self, operation: str, outcome: str, seconds: float) -> None:
        self._rcrainfo.labels(operation, outcome).inc()
        self._rcrainfo_seconds.labels(operation).observe(seconds)

    def scheduler_run(self, job: str, outcome: str) -> None:
        self._scheduler.labels(job, outcome).inc()

    def add_source(self, source: StateSource) -> Callable[[], None]:
        """Read `source` at each scrape (the latest source of a kind wins); returns its
        removal."""
        with self._sources_lock:
            self._sources[source.kind] = source

        def remove() -> None:
            with self._sources_lock:
                if self._sources.get(source.kind) is source:
                    del self._sources[source.kind]

        return remove

    def sources(self) -> list[StateSource]:
        with self._sources_lock:
            return list(self._sources.values())


_metrics: Metrics | None = None


def process_metrics(directory: Path) -> Metrics:
    """This process's metrics, in prometheus_client's multiprocess mode under `directory`."""
    global _metrics  # noqa: PLW0603 - one set per process, like its pid-named files
    if _metrics is None:
        from prometheus_client import values

        directory.mkdir(parents=True, exist_ok=True)
        # prometheus_client takes its mode from this variable (its own convention): set it
        # before the first metric exists.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory.resolve())
        values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
        _metrics = Metrics(directory)
    return _metrics


class StateSource:
    kind = ""

    def collect(self) -> Iterable[Metric]:
        raise NotImplementedError


class DatabaseState(StateSource):
    """Tasks by state, the oldest waiting task, and each site's sync lag, from the database,
    read on the process's event loop (where its engine lives)."""

    kind = "database"

    def __init__(self, engine: AsyncEngine, loop: asyncio.AbstractEventLoop) -> None:
        self._engine = engine
        self._loop = loop

    def collect(self) -> Iterable[Metric]:
        future = asyncio.run_coroutine_threadsafe(self._read(), self._loop)
        try:
            return future.result(timeout=STATE_TIMEOUT_SECONDS)
        except BaseException:
            future.cancel()
            raise

    async def _read(self) -> list[Metric]:
        now = datetime.now(UTC)
        async with self._engine.connect() as conn:
            counts = (
                await conn.execute(
                    select(TaskRow.name, TaskRow.status, func.count()).group_by(
                        TaskRow.name, TaskRow.status
                    )
                )
            ).all()
            oldest = (
                await conn.execute(
                    select(func.min(TaskRow.created_at)).where(
                        TaskRow.status == TaskStatus.PENDING.value,
                        (TaskRow.not_before.is_(None)) | (TaskRow.not_before <= now),
                    )
                )
            ).scalar()
            sites = (await conn.execute(select(SiteRow.epa_id, SiteRow.last_manifest_sync))).all()
        tasks = GaugeMetricFamily(
            "haztrak_tasks", "Tasks by name and state", labels=["task", "status"]
        )
        for name, status, count in counts:
            tasks.add_metric([name, status], count)
        age = GaugeMetricFamily(
            "haztrak_task_oldest_pending_age_seconds",
            "How long the oldest task that is due to run has waited (0: none waits)",
        )
        age.add_metric([], max((now - _aware(oldest)).total_seconds(), 0.0) if oldest else 0.0)
        lag = GaugeMetricFamily(
            "haztrak_site_sync_lag_seconds",
            "Seconds since the site's manifests were last synced with RCRAInfo",
            labels=["site"],
        )
        never = 0
        for epa_id, synced in sites:
            if synced is None:
                never += 1
            else:
                lag.add_metric([epa_id], max((now - _aware(synced)).total_seconds(), 0.0))
        unsynced = GaugeMetricFamily(
            "haztrak_sites_never_synced", "Sites whose manifests were never synced"
        )
        unsynced.add_metric([], never)
        return [tasks, age, lag, unsynced]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class BrokerState(StateSource):
    """Messages waiting in each queue of the broker, ready or delayed."""

    kind = "broker"

    def __init__(self, broker: dramatiq.Broker) -> None:
        self._broker = broker

    def collect(self) -> Iterable[Metric]:
        family = GaugeMetricFamily(
            "haztrak_queue_messages", "Messages waiting in the task queue", labels=["queue", "kind"]
        )
        broker: Any = self._broker
        delayed = sorted(broker.get_declared_delay_queues())
        # The in-memory broker lists its delay queues among its queues too.
        ready = sorted(set(broker.get_declared_queues()) - set(delayed))
        client = getattr(broker, "client", None)
        for kind, names in (("ready", ready), ("delayed", delayed)):
            for name in names:
                if client is not None:  # Redis: the queue is a list of message ids
                    depth = int(client.llen(f"{broker.namespace}:{name}"))
                else:  # the in-memory broker
                    depth = broker.queues[name].qsize()
                family.add_metric([name.removesuffix(".DQ"), kind], depth)
        return [family]


class StateCollector(Collector):
    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "haztrak_state_up", "1 when the source answered this scrape", labels=["source"]
        )
        for source in self._metrics.sources():
            try:
                families = list(source.collect())
            except Exception:  # a scrape still answers, and says what it could not read
                log.warning("metrics: could not read the %s", source.kind, exc_info=True)
                up.add_metric([source.kind], 0)
                continue
            up.add_metric([source.kind], 1)
            yield from families
        yield up


class MetricsServer:
    def __init__(self, server: Any, thread: threading.Thread, port: int) -> None:
        self._server = server
        self._thread = thread
        self.port = port

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def serve_metrics(settings: TelemetrySettings, metrics: Metrics) -> MetricsServer | None:
    """Listen on HT_METRICS_PORT, unless another process of this machine already does (it
    serves this process's counters too)."""
    assert settings.metrics_port is not None
    registry = CollectorRegistry(auto_describe=False)
    MultiProcessCollector(registry, path=str(metrics.directory.resolve()))  # type: ignore[no-untyped-call]
    registry.register(StateCollector(metrics))
    try:
        server, thread = start_http_server(
            settings.metrics_port, addr=settings.metrics_host, registry=registry
        )
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        log.info(
            "metrics: port %d is taken, by another Haztrak process of this machine that serves "
            "this one's counters too (HT_METRICS_DIR=%s)",
            settings.metrics_port,
            metrics.directory,
        )
        return None
    port = int(server.server_address[1])
    log.info("metrics on http://%s:%d/metrics", settings.metrics_host, port)
    return MetricsServer(server, thread, port)


def http_metrics_middleware(metrics: Metrics) -> Callable[[Any], Any]:
    """Counts each request by its route template (not its path: ids would make every manifest
    a metric of its own)."""

    def middleware(app: Any) -> Any:
        async def handle(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            started = time.perf_counter()
            status = 500

            async def capture(message: Any) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            try:
                await app(scope, receive, capture)
            finally:
                route = scope.get("path_template") or "unmatched"
                metrics.http_request(
                    scope.get("method", ""), route, status, time.perf_counter() - started
                )

        return handle

    return middleware
