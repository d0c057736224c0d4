"""One trace follows a request through its SQL, the task it enqueues and the worker that runs
the task, to each RCRAInfo operation; no span carries a secret."""

from __future__ import annotations

import json
from pathlib import Path

import dramatiq
import pytest
from dishka import make_async_container
from litestar import Litestar
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from haztrak.adapters.persistence import database
from haztrak.application.ports.rcrainfo import (
    Rcrainfo,
    RcrainfoCredentials,
    RcrainfoError,
    RcrainfoErrorKind,
)
from haztrak.domain.secrets import Secret
from haztrak.entrypoints.providers import core_providers
from haztrak.entrypoints.settings import Settings
from haztrak.entrypoints.telemetry import active, telemetry_providers
from haztrak.entrypoints.telemetry.providers import observed_job
from haztrak.entrypoints.telemetry.rcrainfo import ObservedRcrainfo, outcome_of
from haztrak.entrypoints.telemetry.tasks import TaskTelemetry
from haztrak.entrypoints.telemetry.tracing import WITHHELD, instrument_engine
from tests.fakes_rcrainfo import FakeRcrainfo
from tests.http.conftest import DEMO_CREDENTIALS, PASSWORD, Browser, http_client
from tests.integration.tasks.support import task_settings
from tests.polling import eventually
from tests.telemetry.conftest import free_port, running_app

GEN = "VATESTGEN001"


async def sync_a_site(app: Litestar) -> tuple[str, list[str]]:
    """testuser1 asks for a sync of its generator's manifests; returns the task's id and the
    session's cookies."""
    async with http_client(app) as client:
        browser = Browser(client)
        assert (await browser.login("testuser1")).status_code == 200
        started = await browser.post("/api/manifest/emanifest/sync", json={"siteId": GEN})
        assert started.status_code == 202, started.text
        task_id: str = started.json()["taskId"]

        async def done() -> dict[str, str] | None:
            body = (await browser.get(f"/api/task/{task_id}")).json()
            return body if body["status"] in ("SUCCESS", "FAILURE") else None

        assert (await eventually(done))["status"] == "SUCCESS"
        return task_id, [cookie.value for cookie in client.cookies.jar if cookie.value]


def _attributes(span: ReadableSpan) -> dict[str, object]:
    return dict(span.attributes or {})


async def test_a_request_its_sql_its_task_and_the_worker_share_one_trace(
    spans: InMemorySpanExporter, backend: Settings, rcrainfo: FakeRcrainfo
) -> None:
    settings = backend
    async with running_app(settings, rcrainfo) as app:
        task_id, cookies = await sync_a_site(app)
    finished = spans.get_finished_spans()

    server = [
        s
        for s in finished
        if s.kind is SpanKind.SERVER and s.name == "POST /api/manifest/emanifest/sync"
    ]
    assert len(server) == 1, [s.name for s in finished if s.kind is SpanKind.SERVER]
    trace_id = server[0].context.trace_id
    assert _attributes(server[0])["http.route"] == "/api/manifest/emanifest/sync"
    in_trace = [s for s in finished if s.context.trace_id == trace_id]

    sql = [
        s for s in in_trace if "db.statement" in _attributes(s) or "db.query.text" in _attributes(s)
    ]
    assert sql, "the request's SQL is in its trace"
    assert any(s.parent is not None and s.parent.span_id == server[0].context.span_id for s in sql)

    enqueue = [s for s in in_trace if s.kind is SpanKind.PRODUCER]
    assert [s.name for s in enqueue] == ["enqueue sync_site_manifests"]
    assert _attributes(enqueue[0])["haztrak.task.id"] == task_id

    worker = [s for s in in_trace if s.kind is SpanKind.CONSUMER]
    assert [s.name for s in worker] == ["task sync_site_manifests"]
    assert worker[0].parent is not None
    assert worker[0].parent.span_id == enqueue[0].context.span_id
    assert _attributes(worker[0])["haztrak.task.outcome"] == "done"
    # The worker's own SQL (claiming the task, storing manifests) is in the trace too.
    worker_sql = [
        s for s in sql if s.parent is not None and s.parent.span_id == worker[0].context.span_id
    ]
    assert worker_sql

    operations = [s for s in in_trace if s.name.startswith("rcrainfo ")]
    assert "rcrainfo search_manifests" in {s.name for s in operations}
    assert all(_attributes(s)["rcrainfo.outcome"] == "ok" for s in operations)

    if settings.redis_url is not None:  # the cache and the broker's Redis calls
        assert any(_attributes(s).get("db.system") == "redis" for s in finished)

    # No span, attribute or event holds a key, a password or a session.
    dumped = "\n".join(s.to_json() for s in finished)
    for _, api_key in DEMO_CREDENTIALS.values():
        assert api_key not in dumped
    assert PASSWORD not in dumped
    assert cookies
    for value in cookies:  # the session id, which is also its cache key, and the CSRF token
        assert value not in dumped
    assert "sessionid" not in dumped.lower()
    assert "csrftoken" not in dumped.lower()


async def test_an_rcrainfo_span_names_the_operation_and_outcome_and_nothing_it_was_sent(
    spans: InMemorySpanExporter, rcrainfo: FakeRcrainfo
) -> None:
    telemetry = active()
    assert telemetry is not None
    observed = ObservedRcrainfo(rcrainfo, telemetry.tracer, None)
    api_id, api_key = DEMO_CREDENTIALS["generators-org-llc"]
    credentials = rcrainfo.account(api_id, api_key)
    await observed.site_tracking_numbers(credentials, GEN)
    rcrainfo.fail_next(
        "get_site",
        RcrainfoError(
            RcrainfoErrorKind.UNAUTHORIZED,
            f"refused {api_id}",
            code="E_SecurityApiIdLocked",
            credentials_refused=True,
        ),
    )
    with pytest.raises(RcrainfoError):
        await observed.get_site(credentials, GEN)

    ok, locked = spans.get_finished_spans()
    assert ok.name == "rcrainfo site_tracking_numbers"
    assert ok.kind is SpanKind.CLIENT
    assert _attributes(ok) == {
        "rcrainfo.operation": "site_tracking_numbers",
        "rcrainfo.outcome": "ok",
    }
    assert locked.status.status_code is StatusCode.ERROR
    assert _attributes(locked) == {
        "rcrainfo.operation": "get_site",
        "rcrainfo.outcome": "locked_out",
        "rcrainfo.error.code": "E_SecurityApiIdLocked",
        "error.type": "RcrainfoError",
    }
    assert not locked.events, "no exception event: its message may quote what EPA was sent"
    dumped = json.dumps([json.loads(s.to_json()) for s in (ok, locked)])
    assert api_key not in dumped
    assert api_id not in dumped
    assert GEN not in dumped


def test_outcomes_tell_credential_failures_and_lockouts_apart() -> None:
    def error(
        kind: RcrainfoErrorKind, code: str | None = None, refused: bool = False
    ) -> RcrainfoError:
        return RcrainfoError(kind, "x", code=code, credentials_refused=refused)

    assert outcome_of(None) == "ok"
    assert (
        outcome_of(error(RcrainfoErrorKind.UNAUTHORIZED, "E_SecurityApiIdLocked", True))
        == "locked_out"
    )
    assert (
        outcome_of(error(RcrainfoErrorKind.UNAUTHORIZED, "E_SecurityApiInvalidCredentials", True))
        == "credentials_refused"
    )
    assert outcome_of(error(RcrainfoErrorKind.UNAUTHORIZED)) == "unauthorized"
    assert outcome_of(error(RcrainfoErrorKind.TRANSIENT)) == "transient"
    assert outcome_of(ValueError()) == "error"


async def test_a_process_container_observes_the_real_adapter_engine_and_broker(
    spans: InMemorySpanExporter, tmp_path: Path
) -> None:
    """The containers a process makes (core providers, then telemetry's) trace the real
    RCRAInfo adapter: here one whose RCRAInfo does not answer, so the login fails."""
    port = free_port()  # nothing listens: the login gets no answer
    settings = task_settings(tmp_path, HT_RCRAINFO_ENV=f"https://127.0.0.1:{port}/rest/api/")
    container = make_async_container(
        *core_providers(), *telemetry_providers(), context={Settings: settings}
    )
    try:
        rcrainfo = await container.get(Rcrainfo)
        assert isinstance(rcrainfo, ObservedRcrainfo)
        broker = await container.get(dramatiq.Broker)
        assert any(isinstance(m, TaskTelemetry) for m in broker.middleware)
        credentials = RcrainfoCredentials(api_id="real-api-id", api_key=Secret("real-KEY-1234"))
        with pytest.raises(RcrainfoError) as refused:
            await rcrainfo.get_site(credentials, GEN)
        assert refused.value.kind is RcrainfoErrorKind.TRANSIENT
    finally:
        await container.close()
    (span,) = [s for s in spans.get_finished_spans() if s.name.startswith("rcrainfo ")]
    assert span.name == "rcrainfo get_site"
    assert _attributes(span)["rcrainfo.outcome"] == "transient"
    dumped = span.to_json()
    assert "real-KEY-1234" not in dumped
    assert "real-api-id" not in dumped
    assert str(port) not in dumped  # no URL


async def test_a_database_error_or_a_failed_job_does_not_quote_its_message(
    spans: InMemorySpanExporter, tmp_path: Path
) -> None:
    """PostgreSQL's errors name stored values (`Key (email)=(...) already exists`): a span
    keeps the kind of error, as the logs do, not its text."""
    telemetry = active()
    assert telemetry is not None
    assert telemetry.tracer_provider is not None
    engine = database.create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}")
    instrument_engine(engine, telemetry.tracer_provider)
    try:
        with pytest.raises(DBAPIError):
            async with engine.connect() as conn:
                await conn.execute(text('SELECT * FROM "hunter2@example.com"'))
    finally:
        await engine.dispose()
    with pytest.raises(ValueError, match="hunter2"), observed_job("sync-sites"):
        raise ValueError("hunter2@example.com")

    failed = [s for s in spans.get_finished_spans() if s.status.status_code is StatusCode.ERROR]
    (sql,) = [s for s in failed if s.name.startswith("SELECT")]
    assert sql.status.description == WITHHELD  # not "no such table: hunter2@example.com"
    (job,) = [s for s in failed if s.name == "job sync-sites"]
    assert "hunter2" not in job.to_json()
    assert _attributes(job)["error.type"] == "ValueError"
    assert _attributes(job)["haztrak.job.outcome"] == "failed"
