"""RCRAInfo work end to end, each part its own process: PostgreSQL, Redis, the e-Manifest
sandbox (`haztrak sandbox`), the HTTP server (`haztrak serve`), workers (`haztrak worker`) and
schedulers (`haztrak scheduler`); then the same flow on embedded defaults (`haztrak serve`
alone: SQLite, in-process queue, worker, scheduler and sandbox)."""

from __future__ import annotations

import os
import re
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple
from uuid import UUID

import httpx
import pytest
import redis
from emanifest import RcrainfoClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.tables import TaskRow
from haztrak.adapters.persistence.tasks import SqlTaskRepository
from haztrak.adapters.rcrainfo.adapter import DEFAULT_READ_ATTEMPTS
from haztrak.application.rcrainfo.copies import REFERENCE_LABEL
from haztrak.domain.tasks import TaskName
from haztrak.entrypoints.sandbox.seed import DEMO_ORG_CREDENTIALS
from haztrak.entrypoints.sandbox.tls import CERT_FILE
from tests import ports
from tests.conftest import PostgresDatabases
from tests.http.conftest import Browser
from tests.manifest_documents import manifest_document
from tests.polling import eventually

HAZTRAK = [sys.executable, "-m", "haztrak.entrypoints.cli.main"]
DEMO_PASSWORD = "haztrak-demo"
GEN, TRANS1, TRANS2, TSDF = "VATESTGEN001", "MOCKTRANS001", "MOCKTRANS002", "MOCKTSDFS001"
INTEGRATED_SITES = {GEN, TRANS1, TRANS2, TSDF}


def _free_port() -> int:
    return ports.free_port()


class Process:
    """A `haztrak` command running in the background, its output in a file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], workdir: Path) -> None:
        self.name = name
        self.log = workdir / f"{name}.log"
        self._file = self.log.open("wb")
        self.popen = subprocess.Popen(
            [*HAZTRAK, *args], cwd=workdir, env=env, stdout=self._file, stderr=subprocess.STDOUT
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, text: str, within: float = 60.0) -> str:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            output = self.output()
            if text in output:
                return output
            if self.popen.poll() is not None:
                raise AssertionError(f"{self.name} exited:\n{output}")
            time.sleep(0.05)  # polling another process's output, with a bound
        raise AssertionError(f"{self.name} did not say {text!r} within {within}s:\n{self.output()}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._file.close()


class Stack:
    def __init__(self, workdir: Path, env: dict[str, str], http: str, sandbox: str) -> None:
        self.workdir = workdir
        self.env = env
        self.http = http
        self.sandbox = sandbox
        self.cert = str(workdir / "var" / "sandbox" / CERT_FILE)
        self.counter = 0

    def start(self, name: str, *args: str) -> Process:
        self.counter += 1
        return Process(f"{name}-{self.counter}", list(args), self.env, self.workdir)

    @contextmanager
    def worker(self) -> Iterator[Process]:
        worker = self.start("worker", "worker", "--threads", "4")
        try:
            worker.wait_for("worker started")
            yield worker
        finally:
            worker.stop()

    def faults(self, **faults: Any) -> None:
        root = self.sandbox.removesuffix("/rest/api/")
        trusted = ssl.create_default_context(cafile=self.cert)
        with httpx.Client(verify=trusted, trust_env=False) as client:
            if faults:
                client.post(f"{root}/sandbox/faults", json=faults).raise_for_status()
            else:
                client.delete(f"{root}/sandbox/faults").raise_for_status()

    @contextmanager
    def sandbox_client(self, org: str) -> Iterator[RcrainfoClient]:
        api_id, api_key = DEMO_ORG_CREDENTIALS[org]
        client = RcrainfoClient(self.sandbox, api_id=api_id, api_key=api_key)
        client.verify = self.cert
        client.trust_env = False
        try:
            client.authenticate()
            yield client
        finally:
            client.close()

    def sandbox_numbers(self, site_id: str, org: str) -> set[str]:
        with self.sandbox_client(org) as client:
            return set(client.get_site_mtn(site_id).json())

    def sandbox_references(self, mtns: set[str], org: str) -> dict[str, list[str]]:
        """The Haztrak submission references (task ids) each manifest carries in e-Manifest."""
        found = {}
        with self.sandbox_client(org) as client:
            for mtn in mtns:
                document = client.get_manifest(mtn).json()
                comments = (document.get("additionalInfo") or {}).get("comments") or []
                found[mtn] = [
                    c["description"] for c in comments if c.get("label") == REFERENCE_LABEL
                ]
        return found


def _environment(workdir: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HT_")}
    return env | {
        "HT_VAR_DIR": str(workdir / "var"),
        "HT_SECRET_KEY": "e2e-secret-key-" + "x" * 32,
        "HT_LOG_LEVEL": "INFO",
        "HT_TASK_RETRY_DELAY_SECONDS": "0",
        "HT_TASK_RETRY_MAX_DELAY_SECONDS": "1",
        "HT_TASK_LEASE_SECONDS": "3",
        **values,
    }


def _run(env: dict[str, str], workdir: Path, *args: str) -> None:
    done = subprocess.run(
        [*HAZTRAK, *args], cwd=workdir, env=env, capture_output=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stdout.decode() + done.stderr.decode()


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory,
    postgres_databases: PostgresDatabases,
    redis_url: str,
) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("e2e")
    redis.Redis.from_url(redis_url).flushdb()
    sandbox_port, http_port = _free_port(), _free_port()
    env = _environment(workdir)
    sandbox = Process(
        "sandbox",
        ["sandbox", "--port", str(sandbox_port), "--cert-dir", str(workdir / "var" / "sandbox")],
        env,
        workdir,
    )
    base = f"https://127.0.0.1:{sandbox_port}/rest/api/"
    env |= {
        "HT_DATABASE_URL": postgres_databases.create(),
        "HT_REDIS_URL": redis_url,
        "HT_RCRAINFO_ENV": base,
    }
    server: Process | None = None
    try:
        sandbox.wait_for("base URL")
        _run(env, workdir, "migrate")
        _run(env, workdir, "seed", "--demo")
        server = Process("serve", ["serve", "--port", str(http_port)], env, workdir)
        server.wait_for("Uvicorn running on")  # after the bind, not before it
        yield Stack(workdir, env, f"http://127.0.0.1:{http_port}", base)
    finally:
        if server is not None:
            server.stop(signal.SIGINT)
        sandbox.stop(signal.SIGINT)


@asynccontextmanager
async def logged_in(base: str, username: str) -> AsyncIterator[Browser]:
    async with httpx.AsyncClient(base_url=base, timeout=30, trust_env=False) as client:
        browser = Browser(client)
        response = await browser.login(username, DEMO_PASSWORD)
        assert response.status_code == 200, response.text
        yield browser


async def started(response: httpx.Response) -> str:
    assert response.status_code == 202, response.text
    task_id: str = response.json()["taskId"]
    return task_id


async def finished(browser: Browser, task_id: str, within: float = 90.0) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        task: dict[str, Any] = (await browser.get(f"/api/task/{task_id}")).json()
        return task if task["status"] in ("SUCCESS", "FAILURE") else None

    return await eventually(check, within)


async def submit_and_sign(base: str) -> str:
    """Create a draft, submit it, and sign it as each party in turn; the tracking number."""
    async with (
        logged_in(base, "testuser1") as generator,
        logged_in(base, "transporter1") as transporter,
        logged_in(base, "tsdf1") as tsdf,
    ):
        draft = await generator.post(
            "/api/manifest", json=manifest_document(transporters=(TRANS1, TRANS2))
        )
        assert draft.status_code == 201, draft.text
        document = draft.json()
        document.pop("warnings")
        document["status"] = "Scheduled"
        saved = await finished(
            generator, await started(await generator.post("/api/manifest/emanifest", json=document))
        )
        assert saved["status"] == "SUCCESS", saved
        mtn: str = saved["result"]["manifestTrackingNumber"]
        assert mtn.endswith("ELC")
        assert (await tsdf.get(f"/api/task/{saved['taskId']}")).status_code == 404
        assert (await generator.get(f"/api/manifest/{mtn}")).json()["status"] == "Scheduled"
        for browser, site, site_type, order, status in [
            (generator, GEN, "Generator", None, "Scheduled"),
            (transporter, TRANS1, "Transporter", 1, "InTransit"),
            (transporter, TRANS2, "Transporter", 2, "ReadyForSignature"),
            (tsdf, TSDF, "Tsdf", None, "Signed"),
        ]:
            body: dict[str, Any] = {
                "manifestTrackingNumbers": [mtn],
                "siteId": site,
                "siteType": site_type,
                "printedSignatureName": "E2E Signer",
            }
            if order is not None:
                body["transporterOrder"] = order
            sign = await browser.post("/api/manifest/emanifest/sign", json=body)
            signed = await finished(browser, await started(sign))
            assert signed["status"] == "SUCCESS", signed
            assert (await browser.get(f"/api/manifest/{mtn}")).json()["status"] == status
        return mtn


async def sync_site(base: str, username: str, site_id: str) -> dict[str, Any]:
    async with logged_in(base, username) as browser:
        response = await browser.post("/api/manifest/emanifest/sync", json={"siteId": site_id})
        return await finished(browser, await started(response), within=180)


async def local_numbers(base: str, username: str, site_id: str) -> set[str]:
    async with logged_in(base, username) as browser:
        listed = (await browser.get(f"/api/manifest/mtn/{site_id}")).json()
    return {m["manifestTrackingNumber"] for m in listed}


# --- on PostgreSQL, Redis and separate processes ---------------------------------------------


async def test_a_draft_is_submitted_and_signed_in_turn_to_signed(stack: Stack) -> None:
    with stack.worker():
        await submit_and_sign(stack.http)


async def test_a_site_sync_stores_every_sandbox_manifest_of_the_site_in_one_run(
    stack: Stack,
) -> None:
    expected = stack.sandbox_numbers(GEN, "generators-org-llc")
    assert len(expected) >= 40
    with stack.worker():
        task = await sync_site(stack.http, "testuser1", GEN)
    assert (task["status"], task["attempts"]) == ("SUCCESS", 1), task
    assert expected <= await local_numbers(stack.http, "testuser1", GEN)


async def test_injected_503s_are_retried_until_the_task_succeeds(stack: Stack) -> None:
    with stack.worker():
        # more than a read's tries within one attempt: the first attempt fails
        stack.faults(failNext=DEFAULT_READ_ATTEMPTS + 1, errorStatus=503)
        try:
            task = await sync_site(stack.http, "transporter1", TRANS2)
        finally:
            stack.faults()
    assert task["status"] == "SUCCESS", task
    assert task["attempts"] >= 2


async def test_a_worker_killed_mid_task_does_not_lose_it(stack: Stack) -> None:
    expected = stack.sandbox_numbers(TSDF, "mock-tsdf")
    stack.faults(latencyMs=400)
    first = stack.start("worker", "worker", "--threads", "2")
    try:
        first.wait_for("worker started")
        async with logged_in(stack.http, "tsdf1") as tsdf:
            response = await tsdf.post("/api/manifest/emanifest/sync", json={"siteId": TSDF})
            task_id = await started(response)

            async def under_way() -> dict[str, Any] | None:
                task: dict[str, Any] = (await tsdf.get(f"/api/task/{task_id}")).json()
                progress = task["progress"].get("done", 0)
                return task if task["status"] == "STARTED" and progress >= 2 else None

            await eventually(under_way, 60)
            first.stop(signal.SIGKILL)
            stack.faults()
            with stack.worker():
                task = await finished(tsdf, task_id, within=120)
    finally:
        first.stop(signal.SIGKILL)
        stack.faults()
    assert task["status"] == "SUCCESS", task
    assert task["attempts"] >= 2
    assert expected <= await local_numbers(stack.http, "tsdf1", TSDF)


FAULTY_SUBMISSIONS = 30


class _TaskState(NamedTuple):
    name: str
    status: str
    attempts: int
    result: Any
    error: Any


async def _task_states(engine: AsyncEngine, ids: list[UUID]) -> dict[UUID, _TaskState]:
    async with database.session_factory(engine)() as session:
        rows = await session.execute(
            select(
                TaskRow.id,
                TaskRow.name,
                TaskRow.status,
                TaskRow.attempts,
                TaskRow.result,
                TaskRow.error,
            ).where(TaskRow.id.in_(ids))
        )
        return {row[0]: _TaskState(*row[1:]) for row in rows}


def _held_at_death(log: str) -> set[str]:
    """The tasks a worker had begun and not ended when it died, from its log."""
    open_attempts: dict[str, int] = {}
    for task_id, what in re.findall(r"task \w+ ([0-9a-f-]{36}): ([^\n\"]*)", log):
        if what.startswith("attempt"):
            open_attempts[task_id] = open_attempts.get(task_id, 0) + 1
        elif what.startswith(("success", "failed")) or "retry in" in what or "took it" in what:
            open_attempts[task_id] = open_attempts.get(task_id, 0) - 1
    return {task_id for task_id, n in open_attempts.items() if n > 0}


async def test_every_submission_and_signature_succeeds_through_503s_and_a_killed_worker(
    stack: Stack,
) -> None:
    """30% of RCRAInfo requests answer 503 after 300 ms; two workers share the work and one is
    killed with SIGKILL mid-run. With the default task limits every submission and its
    signature ends SUCCESS, each manifest is in e-Manifest once, and each is stored here."""
    before = stack.sandbox_numbers(GEN, "generators-org-llc")
    workers = [stack.start("worker", "worker", "--threads", "4") for _ in range(2)]
    engine = database.create_engine(stack.env["HT_DATABASE_URL"])
    try:
        for worker in workers:
            worker.wait_for("worker started")
        async with logged_in(stack.http, "testuser1") as generator:
            documents = []
            for _ in range(FAULTY_SUBMISSIONS):
                draft = await generator.post(
                    "/api/manifest", json=manifest_document(transporters=(TRANS1, TRANS2))
                )
                assert draft.status_code == 201, draft.text
                document = draft.json()
                document.pop("warnings")
                document["status"] = "Scheduled"
                documents.append(document)
            stack.faults(errorRate=0.3, errorStatus=503, latencyMs=300)
            submissions = [
                UUID(await started(await generator.post("/api/manifest/emanifest", json=d)))
                for d in documents
            ]
            signatures: dict[UUID, UUID] = {}
            held: set[str] = set()

            async def all_finished() -> dict[UUID, _TaskState] | None:
                states = await _task_states(engine, [*submissions, *signatures.values()])
                launched = False
                for submission in submissions:
                    state = states[submission]
                    if state.status == "SUCCESS" and submission not in signatures:
                        body = {
                            "manifestTrackingNumbers": [state.result["manifestTrackingNumber"]],
                            "siteId": GEN,
                            "siteType": "Generator",
                            "printedSignatureName": "E2E Signer",
                        }
                        sign = await generator.post("/api/manifest/emanifest/sign", json=body)
                        signatures[submission] = UUID(await started(sign))
                        launched = True
                succeeded = sum(s.status == "SUCCESS" for s in states.values())
                if not held and succeeded >= FAULTY_SUBMISSIONS // 3:
                    workers[0].stop(signal.SIGKILL)  # mid-run: it holds tasks of both kinds
                    held.update(_held_at_death(workers[0].output()) or {"none"})
                pending = [
                    s for s in submissions if states[s].status != "FAILURE" and s not in signatures
                ]
                finished = all(s.status in ("SUCCESS", "FAILURE") for s in states.values())
                return states if finished and not pending and not launched else None

            states = await eventually(all_finished, within=150)
            stack.faults()
            failed = {k: v for k, v in states.items() if v.status != "SUCCESS"}
            assert not failed, failed
            assert len(signatures) == FAULTY_SUBMISSIONS
            assert held - {"none"}, "the killed worker held no task"
            assert {UUID(t) for t in held} <= set(states)  # and each of those succeeded
            mtns = {states[s].result["manifestTrackingNumber"] for s in submissions}
            assert len(mtns) == FAULTY_SUBMISSIONS
            for mtn in mtns:
                stored = (await generator.get(f"/api/manifest/{mtn}")).json()
                assert stored["status"] == "Scheduled", stored
                assert stored["generator"]["signed"] is True
            drafts = {d["manifestTrackingNumber"] for d in documents}
            for draft_mtn in drafts:
                assert (await generator.get(f"/api/manifest/{draft_mtn}")).status_code == 404
    finally:
        stack.faults()
        for worker in workers:
            worker.stop(signal.SIGKILL)
        await engine.dispose()
    created = stack.sandbox_numbers(GEN, "generators-org-llc") - before
    assert created == mtns  # no duplicate, nothing else
    references = stack.sandbox_references(created, "generators-org-llc")
    assert sorted(r for refs in references.values() for r in refs) == sorted(
        str(s) for s in submissions
    )


async def test_two_schedulers_enqueue_each_job_once(stack: Stack) -> None:
    since = datetime.now(UTC)
    env = stack.env | {"HT_SYNC_INTERVAL": "1d"}
    schedulers = [Process(f"scheduler-{n}", ["scheduler"], env, stack.workdir) for n in range(2)]
    try:
        for scheduler in schedulers:
            scheduler.wait_for("job sync-sites:")
    finally:
        for scheduler in schedulers:
            scheduler.stop()
    outputs = [s.output() for s in schedulers]
    assert sum("job sync-sites: started" in o for o in outputs) == 1, outputs
    assert sum("job sync-sites: another scheduler" in o for o in outputs) == 1, outputs
    engine = database.create_engine(stack.env["HT_DATABASE_URL"])
    try:
        async with database.session_factory(engine)() as session:
            rows = (
                await session.execute(
                    select(TaskRow.subject).where(
                        TaskRow.name == TaskName.SYNC_SITE_MANIFESTS.value,
                        TaskRow.owner_id.is_(None),
                        TaskRow.created_at >= since,
                    )
                )
            ).scalars()
            subjects = list(rows)
            tasks = SqlTaskRepository(session)
            assert await tasks.active(TaskName.SYNC_SITE_MANIFESTS, GEN) is not None
    finally:
        await engine.dispose()
    assert sorted(subjects) == sorted(INTEGRATED_SITES)


def test_no_secret_reaches_a_processs_log(stack: Stack) -> None:
    logs = {path.name: path.read_text(errors="replace") for path in stack.workdir.glob("*.log")}
    assert {"sandbox.log", "serve.log"} <= set(logs)
    assert any(name.startswith("worker") for name in logs)
    secrets = [stack.env["HT_SECRET_KEY"], *(key for _, key in DEMO_ORG_CREDENTIALS.values())]
    for name, text in logs.items():
        for secret in secrets:
            assert secret not in text, f"a secret in {name}"


# --- embedded defaults: one process ----------------------------------------------------------


async def test_the_same_flow_on_embedded_defaults(tmp_path: Path) -> None:
    env = _environment(tmp_path, HT_TASK_LEASE_SECONDS="60")
    _run(env, tmp_path, "migrate")
    _run(env, tmp_path, "seed", "--demo")
    port = _free_port()
    server = Process("serve-embedded", ["serve", "--port", str(port)], env, tmp_path)
    try:
        server.wait_for("Uvicorn running on")  # after the bind, not before it
        base = f"http://127.0.0.1:{port}"
        await submit_and_sign(base)
        task = await sync_site(base, "testuser1", GEN)
        assert task["status"] == "SUCCESS", task
        assert len(await local_numbers(base, "testuser1", GEN)) >= 40
    finally:
        server.stop(signal.SIGINT)
    assert "worker started" in server.output()
    assert "scheduler started" in server.output()
