"""What a process turned on: a tracer provider, the metrics, or neither.

OpenTelemetry and prometheus_client are imported only when their part is on. The tracer
provider is handed to every instrumentation explicitly; a process that exports (not a test)
also makes it the global one, for libraries that ask for it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from haztrak import __version__
from haztrak.entrypoints import logs
from haztrak.entrypoints.settings import TelemetrySettings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Tracer

    from haztrak.entrypoints.telemetry.metrics import Metrics, MetricsServer

log = logging.getLogger("haztrak.telemetry")

TRACER_NAME = "haztrak"


class Telemetry:
    def __init__(
        self,
        settings: TelemetrySettings,
        *,
        process: str,
        tracer_provider: TracerProvider | None,
        metrics: Metrics | None,
        metrics_server: MetricsServer | None,
    ) -> None:
        self.settings = settings
        self.process = process
        self.tracer_provider = tracer_provider
        self.metrics = metrics
        self.metrics_server = metrics_server
        self.tracer: Tracer | None = (
            tracer_provider.get_tracer(TRACER_NAME, __version__) if tracer_provider else None
        )

    def close(self) -> None:
        if self.tracer_provider is not None:
            from haztrak.entrypoints.telemetry.tracing import uninstrument

            uninstrument()
            self.tracer_provider.shutdown()  # exports what is left
            logs.use_trace_ids(None)
        if self.metrics_server is not None:
            self.metrics_server.close()


_active: Telemetry | None = None


def active() -> Telemetry | None:
    """The telemetry this process turned on, or None (the default: nothing to do)."""
    return _active


def install(
    settings: TelemetrySettings,
    *,
    process: str,
    span_exporter: SpanExporter | None = None,
) -> Telemetry | None:
    """Turn on what the settings ask for, once per process; None when they ask for nothing.

    `span_exporter` (tests) replaces the OTLP exporter and turns tracing on.
    """
    global _active  # noqa: PLW0603 - instrumentation is process-wide by nature
    if _active is not None:
        return _active
    tracing = settings.tracing or span_exporter is not None
    if not tracing and not settings.metrics:
        return None
    tracer_provider = None
    if tracing:
        from haztrak.entrypoints.telemetry.tracing import instrument, tracer_provider_for

        tracer_provider = tracer_provider_for(settings, process, span_exporter)
        instrument(tracer_provider)
        log.info("traces go to %s", "a test exporter" if span_exporter else "OTLP")
    metrics = server = None
    if settings.metrics:
        from haztrak.entrypoints.telemetry.metrics import process_metrics, serve_metrics

        metrics = process_metrics(settings.metrics_dir)
        server = serve_metrics(settings, metrics)
    _active = Telemetry(
        settings,
        process=process,
        tracer_provider=tracer_provider,
        metrics=metrics,
        metrics_server=server,
    )
    return _active


def uninstall() -> None:
    """Turn everything off again (tests; a process simply exits)."""
    global _active  # noqa: PLW0603
    if _active is not None:
        _active.close()
        _active = None
