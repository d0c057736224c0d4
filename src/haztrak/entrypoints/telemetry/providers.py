"""Where telemetry meets the containers and the HTTP app: dishka decorators that trace and
count the engine, the read pool, the broker and the RCRAInfo port, and the app's middleware.

`telemetry_providers()` and `http_middleware()` are empty when this process turned nothing on.
Add the providers last: they decorate what the providers before them supply.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import dramatiq
from dishka import Provider, Scope, decorate
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from haztrak.adapters.persistence.pgpool import ReadPool
from haztrak.application.ports.rcrainfo import Rcrainfo
from haztrak.entrypoints.manifest_providers import POSTGRES
from haztrak.entrypoints.settings import Settings
from haztrak.entrypoints.telemetry.core import Telemetry, active


class TelemetryProvider(Provider):
    def __init__(self, telemetry: Telemetry) -> None:
        super().__init__()
        self._telemetry = telemetry

    @decorate(scope=Scope.APP)
    async def engine(self, engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
        telemetry = self._telemetry
        if telemetry.tracer_provider is not None:
            from haztrak.entrypoints.telemetry.tracing import instrument_engine

            instrument_engine(engine, telemetry.tracer_provider)
        remove = None
        if telemetry.metrics is not None:
            from haztrak.entrypoints.telemetry.metrics import DatabaseState

            remove = telemetry.metrics.add_source(DatabaseState(engine, asyncio.get_running_loop()))
        try:
            yield engine
        finally:
            if remove is not None:
                remove()

    @decorate(scope=Scope.APP, when=POSTGRES)
    def read_pool(self, pool: ReadPool, settings: Settings) -> ReadPool:
        if self._telemetry.tracer is None:
            return pool
        from haztrak.entrypoints.telemetry.tracing import traced_statement

        database = make_url(settings.database.url.reveal()).database or "postgres"
        for name in ("fetch", "fetchrow", "fetchval"):
            # On this one instance: the pool's own code stays as it is.
            setattr(
                pool, name, traced_statement(self._telemetry.tracer, getattr(pool, name), database)
            )
        return pool

    @decorate(scope=Scope.APP)
    def broker(self, broker: dramatiq.Broker) -> Iterator[dramatiq.Broker]:
        from haztrak.entrypoints.telemetry.tasks import TaskTelemetry

        broker.add_middleware(TaskTelemetry(self._telemetry.tracer, self._telemetry.metrics))
        remove = None
        if self._telemetry.metrics is not None:
            from haztrak.entrypoints.telemetry.metrics import BrokerState

            remove = self._telemetry.metrics.add_source(BrokerState(broker))
        try:
            yield broker
        finally:
            if remove is not None:
                remove()

    @decorate(scope=Scope.APP)
    def rcrainfo(self, inner: Rcrainfo) -> Rcrainfo:
        from haztrak.entrypoints.telemetry.rcrainfo import ObservedRcrainfo

        return ObservedRcrainfo(inner, self._telemetry.tracer, self._telemetry.metrics)


def telemetry_providers() -> list[Provider]:
    telemetry = active()
    return [] if telemetry is None else [TelemetryProvider(telemetry)]


def http_middleware() -> list[Any]:
    """Outermost first: the server span, then the request metrics."""
    telemetry = active()
    if telemetry is None:
        return []
    middleware: list[Any] = []
    if telemetry.tracer_provider is not None:
        from haztrak.entrypoints.telemetry.tracing import http_tracing_middleware

        middleware.append(http_tracing_middleware(telemetry.tracer_provider))
    if telemetry.metrics is not None:
        from haztrak.entrypoints.telemetry.metrics import http_metrics_middleware

        middleware.append(http_metrics_middleware(telemetry.metrics))
    return middleware


@contextlib.contextmanager
def observed_job(name: str) -> Iterator[JobRun]:
    """A scheduled job's run: a span (the root of the tasks it starts) and a count by outcome
    (`ran` unless the job says otherwise, `failed` when it raises)."""
    run = JobRun()
    telemetry = active()
    if telemetry is None:
        yield run
        return
    with contextlib.ExitStack() as stack:
        span = None
        if telemetry.tracer is not None:
            span = stack.enter_context(
                telemetry.tracer.start_as_current_span(
                    f"job {name}",
                    attributes={"haztrak.job": name},
                    # Its message may quote stored values: the type here, the rest in the log.
                    record_exception=False,
                    set_status_on_exception=False,
                )
            )
        try:
            yield run
        except Exception as error:
            run.outcome = "failed"
            if span is not None:
                from haztrak.entrypoints.telemetry.tracing import record_error

                record_error(span, error)
            raise
        finally:
            if span is not None:
                span.set_attribute("haztrak.job.outcome", run.outcome)
            if telemetry.metrics is not None:
                telemetry.metrics.scheduler_run(name, run.outcome)


class JobRun:
    outcome = "ran"
