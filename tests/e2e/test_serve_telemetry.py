"""`haztrak serve` with telemetry on, as its own process: traces reach an OTLP/HTTP collector,
metrics answer on their own port, and the start-up log is free of scheduler and uvicorn.error
chatter."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.e2e.test_serve import _free_port, _wait_until_up


class Collector(ThreadingHTTPServer):
    """An OTLP/HTTP collector that keeps what it is sent."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Receive)
        self.received: list[tuple[str, str, bytes]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Receive(BaseHTTPRequestHandler):
    server: Collector

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append((self.path, self.headers.get("Content-Type", ""), body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[Collector]:
    server = Collector()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_serve_exports_traces_and_serves_metrics(tmp_path: Path, collector: Collector) -> None:
    port, metrics_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HT_", "OTEL_"))}
    env |= {
        "HT_VAR_DIR": str(tmp_path / "var"),
        "HT_PORT": str(port),
        "HT_LOG_FORMAT": "json",
        "HT_OTEL_ENDPOINT": collector.url,
        "HT_METRICS_PORT": str(metrics_port),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "haztrak.entrypoints.cli.main", "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    started: list[str] = []
    try:
        base = f"http://127.0.0.1:{port}"
        started = _wait_until_up(process)
        response = httpx.get(f"{base}/api/user/current-user")
        assert response.status_code == 401
        request_id = response.headers["x-request-id"]
        metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text
        assert httpx.get(f"{base}/metrics").status_code == 404
    finally:
        process.send_signal(signal.SIGINT)
        output = "".join(started) + process.communicate(timeout=30)[0].decode()
    assert process.returncode == 0, output

    expected = (
        'haztrak_http_requests_total{method="GET",route="/api/user/current-user",status="401"}'
    )
    assert expected in metrics
    assert 'haztrak_state_up{source="database"} 1.0' in metrics

    # At exit the batch of spans went to the collector, as OTLP protobuf.
    assert collector.received, output
    names = set()
    for path, content_type, body in collector.received:
        assert (path, content_type) == ("/v1/traces", "application/x-protobuf")
        export = ExportTraceServiceRequest()
        export.ParseFromString(body)
        for resource in export.resource_spans:
            attributes = {a.key: a.value.string_value for a in resource.resource.attributes}
            assert attributes["service.name"] == "haztrak"
            assert attributes["haztrak.process"] == "api"
            for scope in resource.scope_spans:
                names |= {span.name for span in scope.spans}
    assert "GET /api/user/current-user" in names
    assert "job sync-sites" in names  # the embedded scheduler's first run

    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    (line,) = [r for r in records if r.get("request_id") == request_id]
    assert len(line["trace_id"]) == 32
    loggers = {r["logger"] for r in records if r["level"] == "info"}
    assert "uvicorn.error" not in loggers
    assert not any(name.startswith("apscheduler") for name in loggers)
