"""Log lines carry the request id and the trace id; the start-up chatter is quiet or named for
what it is."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from haztrak.entrypoints.logs import configure_logging
from haztrak.entrypoints.settings import LogFormat, LogSettings
from tests.fakes_rcrainfo import FakeRcrainfo
from tests.http.conftest import Browser, http_client
from tests.integration.tasks.support import task_settings
from tests.telemetry.conftest import running_app


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """The process's logging as `HT_LOG_FORMAT=json` sets it, into a buffer."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {n: logging.getLogger(n).level for n in ("apscheduler", "uvicorn.error")}
    configure_logging(LogSettings(level="INFO", format=LogFormat.JSON))
    buffer = io.StringIO()
    (handler,) = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    yield buffer
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def lines(err: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


async def _request_lines(
    tmp_path: Path, rcrainfo: FakeRcrainfo, logged: io.StringIO
) -> tuple[str, list[dict[str, Any]]]:
    async with running_app(task_settings(tmp_path), rcrainfo) as app, http_client(app) as client:
        response = await Browser(client).login("testuser1")
        assert response.status_code == 200
    request_lines = [r for r in lines(logged.getvalue()) if r.get("request_id")]
    return response.headers["x-request-id"], request_lines


async def test_each_line_of_a_request_names_the_request_and_its_trace(
    json_logs: io.StringIO,
    spans: InMemorySpanExporter,
    tmp_path: Path,
    rcrainfo: FakeRcrainfo,
) -> None:
    request_id, logged = await _request_lines(tmp_path, rcrainfo, json_logs)
    (line,) = [r for r in logged if r["message"].startswith("POST /api/browser/v1/auth/login")]
    assert line["message"].startswith("POST /api/browser/v1/auth/login 200")
    assert line["request_id"] == request_id
    (server,) = [
        s
        for s in spans.get_finished_spans()
        if s.kind is SpanKind.SERVER and s.name == "POST /api/browser/v1/auth/login"
    ]
    assert line["trace_id"] == format(server.context.trace_id, "032x")
    assert len(line["span_id"]) == 16


async def test_without_tracing_lines_still_name_their_request(
    json_logs: io.StringIO, tmp_path: Path, rcrainfo: FakeRcrainfo
) -> None:
    request_id, logged = await _request_lines(tmp_path, rcrainfo, json_logs)
    (line,) = [r for r in logged if r["message"].startswith("POST /api/browser/v1/auth/login")]
    assert line["request_id"] == request_id
    assert "trace_id" not in line


def test_start_up_chatter_is_quiet_or_named_for_what_it_is(
    json_logs: io.StringIO,
) -> None:
    logging.getLogger("apscheduler.executors.default").info('Running job "sync-sites"')
    logging.getLogger("apscheduler.scheduler").info("Added job")
    logging.getLogger("uvicorn.error").info("Waiting for application startup.")
    logging.getLogger("uvicorn.error").error("Exception in ASGI application")
    logged = lines(json_logs.getvalue())
    assert [(r["logger"], r["message"]) for r in logged] == [
        ("uvicorn", "Waiting for application startup."),
        ("uvicorn.error", "Exception in ASGI application"),
    ]
