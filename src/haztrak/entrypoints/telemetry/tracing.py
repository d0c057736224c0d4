"""Traces: the provider and exporter, and the instrumentation of each library.

- HTTP: Litestar's OpenTelemetry middleware (opentelemetry-instrumentation-asgi), one server
  span per request named by its route template (`GET /api/manifest/{mtn}`), not its path.
- SQL: opentelemetry-instrumentation-sqlalchemy's engine listener on each engine the
  containers make; the statement is recorded with its placeholders, never its parameters.
- The read pool (PostgreSQL reads on plain asyncpg): one span per statement, here.
  opentelemetry-instrumentation-asyncpg patches asyncpg's classes for the whole process, so on
  PostgreSQL every statement SQLAlchemy sends through asyncpg would be traced twice.
- Redis: opentelemetry-instrumentation-redis (cache, locks, and the broker's client); it
  records each command with `?` in place of its arguments (`GET ?`): no key, no value.
- Tasks and RCRAInfo: `tasks.TaskTelemetry` and `rcrainfo.ObservedRcrainfo`.
RCRAInfo's HTTP calls are deliberately not traced by requests' instrumentation: its spans carry
the URL, and the login URL holds the API key.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer
from sqlalchemy.ext.asyncio import AsyncEngine

from haztrak import __version__
from haztrak.entrypoints import logs
from haztrak.entrypoints.settings import TelemetrySettings

WITHHELD = "database error; message withheld: it may quote stored values (see the logs)"


def redacted(span: ReadableSpan) -> ReadableSpan:
    """The span, or a copy without the database driver's error message: SQLAlchemy's listener
    puts the driver's text in the status, and PostgreSQL's names the values of a duplicate key
    (emails, token hashes, API IDs). The logs withhold them the same way (entrypoints.logs)."""
    attributes = span.attributes or {}
    is_sql = "db.system" in attributes or "db.system.name" in attributes
    if not is_sql or not span.status.description or span.status.description == WITHHELD:
        return span
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=span.attributes,
        events=span.events,
        links=span.links,
        kind=span.kind,
        status=Status(span.status.status_code, WITHHELD),
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class RedactingExporter(SpanExporter):
    def __init__(self, inner: SpanExporter) -> None:
        self._inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self._inner.export([redacted(span) for span in spans])

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return self._inner.force_flush(timeout_millis)


def tracer_provider_for(
    settings: TelemetrySettings, process: str, exporter: SpanExporter | None
) -> TracerProvider:
    resource = Resource.create(
        {
            "service.name": settings.service_name,
            "service.version": __version__,
            "haztrak.process": process,
        }
    )
    provider = TracerProvider(
        resource=resource, sampler=ParentBased(TraceIdRatioBased(settings.sample_ratio))
    )
    if exporter is not None:  # tests: every span at once, in this thread
        provider.add_span_processor(SimpleSpanProcessor(RedactingExporter(exporter)))
        return provider
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    # Headers, certificates, compression and timeout come from the standard OTEL_EXPORTER_OTLP_*
    # variables, which the exporter reads itself.
    provider.add_span_processor(
        BatchSpanProcessor(RedactingExporter(OTLPSpanExporter(endpoint=settings.traces_endpoint)))
    )
    trace.set_tracer_provider(provider)
    return provider


def _current_ids() -> tuple[str, str] | None:
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


def instrument(provider: TracerProvider) -> None:
    """What is instrumented for the whole process: Redis clients, and trace ids in logs."""
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    RedisInstrumentor().instrument(tracer_provider=provider)
    logs.use_trace_ids(_current_ids)


def uninstrument() -> None:
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

    RedisInstrumentor().uninstrument()
    EngineTracer.remove_all_event_listeners()  # type: ignore[no-untyped-call]


def instrument_engine(engine: AsyncEngine, provider: TracerProvider) -> None:
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import NoOpMeterProvider

    # The engine listener counts pool connections too; Prometheus has the numbers we alert on.
    usage = NoOpMeterProvider().get_meter("haztrak").create_up_down_counter("unused")
    EngineTracer(  # type: ignore[no-untyped-call]
        provider.get_tracer("opentelemetry.instrumentation.sqlalchemy"), engine.sync_engine, usage
    )


Fetch = Callable[..., Awaitable[Any]]


def traced_statement(tracer: Tracer, fetch: Fetch, database: str) -> Fetch:
    """A read pool method, one CLIENT span per statement (its text: placeholders only)."""

    async def traced(query: str, *args: Any) -> Any:
        operation = query.lstrip().split(None, 1)[0].upper() if query.strip() else "SQL"
        with tracer.start_as_current_span(
            f"{operation} {database}",
            kind=SpanKind.CLIENT,
            attributes={
                "db.system.name": "postgresql",
                "db.namespace": database,
                "db.query.text": query,
                "db.operation.name": operation,
            },
        ):
            return await fetch(query, *args)

    return traced


def route_span_details(scope: Any) -> tuple[str, dict[str, str]]:
    """The server span's name: the method and the route template, not the path with its ids."""
    method = str(scope.get("method", "")).strip()
    route = scope.get("path_template") or scope.get("path", "")
    return f"{method} {route}".strip(), {"http.route": route}


def http_tracing_middleware(provider: TracerProvider) -> Any:
    from litestar.plugins.opentelemetry import OpenTelemetryConfig

    return OpenTelemetryConfig(
        tracer_provider=provider,
        scope_span_details_extractor=route_span_details,
        exclude=["^/api/health$"],  # liveness probes: a span a second says nothing
        exclude_spans=["receive", "send"],
    ).middleware


def record_error(span: trace.Span, error: BaseException) -> None:
    span.set_status(Status(StatusCode.ERROR, type(error).__name__))
    span.set_attribute("error.type", type(error).__name__)
