"""Telemetry of every process: OpenTelemetry traces over OTLP and Prometheus metrics.

Both are off unless configured (`HT_OTEL_ENDPOINT` or the standard `OTEL_EXPORTER_OTLP_*`
variables; `HT_METRICS_PORT`), and off means free: no instrumentation is installed, no provider
decorates anything, no middleware is added, so a request costs what it cost before.

A process turns telemetry on once, before it builds its container (`install`); the containers
it builds then take `telemetry_providers()`, whose decorators trace and count the SQL engine,
the read pool, the task broker and the RCRAInfo port, and the HTTP app takes
`http_middleware()`.
"""

from haztrak.entrypoints.telemetry.core import Telemetry, active, install, uninstall
from haztrak.entrypoints.telemetry.providers import http_middleware, telemetry_providers

__all__ = [
    "Telemetry",
    "active",
    "http_middleware",
    "install",
    "telemetry_providers",
    "uninstall",
]
