"""A site sync at scale (issue 16): `python -m tests.bench.sync_scale` (`just bench-sync`).

Seeds the e-Manifest sandbox with HT_BENCH_SYNC_MANIFESTS (10,000) manifests of VATESTGEN001
in one write, runs every part as its own process on PostgreSQL and Redis (`haztrak sandbox`,
`haztrak serve`, `haztrak worker`), starts the site's sync through the API, SIGKILLs the
worker once half the manifests are stored, starts another, and waits for the task to end.

Reported (and written to bench-results/sync-<N>.json):
- the total time from the request to the task's end, split into the time spent waiting for
  RCRAInfo's answers (the workers' own `haztrak_rcrainfo_call_duration_seconds`, summed over
  both workers), the time the task lay unclaimed after the kill (until the lease ran out), and
  the rest: Haztrak's own work;
- how many manifests are stored here, each once (version 1: none stored twice or overwritten);
- the RCRAInfo calls of each worker: the second worker reads only what the first had not
  committed (at most one batch again), and never searches again;
- each worker's peak resident memory (VmHWM), which must stay under 150 MiB;
- the CPU time the workers used (Haztrak's own work, start-up included) and the sandbox used
  answering (RCRAInfo's), which on a small machine share the same cores.

HT_BENCH_POSTGRES_URL (a server, a database of its own is created and dropped) and
HT_BENCH_REDIS_URL (flushed) say where; ports HT_BENCH_SYNC_PORT (8190) to +3.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import ssl
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from haztrak.adapters.persistence import database
from haztrak.entrypoints.sandbox import SandboxSettings, SandboxState
from haztrak.entrypoints.sandbox.tls import CERT_FILE
from tests.bench import seed
from tests.e2e.test_background_e2e import Process, logged_in, started

SITE = "VATESTGEN001"
USER = "testuser1"
MAX_RSS_MIB = 150.0
DEFAULT_MANIFESTS = 10_000
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
RESULTS = Path("bench-results")
POLL = 0.05


def _kib(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rcrainfo_metrics(directory: Path) -> dict[str, dict[str, float]]:
    """Per operation: the calls and the seconds spent on them, summed over every worker that
    wrote to `directory` (prometheus_client's multiprocess files outlive a killed process)."""
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    found: dict[str, dict[str, float]] = {}
    for metric in registry.collect():
        for sample in metric.samples:
            operation = sample.labels.get("operation")
            if operation is None:
                continue
            entry = found.setdefault(operation, {"calls": 0.0, "seconds": 0.0})
            if sample.name == "haztrak_rcrainfo_call_duration_seconds_sum":
                entry["seconds"] += sample.value
            elif sample.name == "haztrak_rcrainfo_call_duration_seconds_count":
                entry["calls"] += sample.value
    return found


def _minus(
    after: dict[str, dict[str, float]], before: dict[str, dict[str, float]]
) -> dict[str, dict[str, float]]:
    return {
        op: {k: v - before.get(op, {}).get(k, 0.0) for k, v in values.items()}
        for op, values in after.items()
        if values["calls"] - before.get(op, {}).get("calls", 0.0) > 0
    }


def _environment(workdir: Path, database_url: str, redis_url: str, sandbox: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HT_")}
    return env | {
        "HT_VAR_DIR": str(workdir / "var"),
        "HT_SECRET_KEY": "sync-scale-secret-key-" + "x" * 32,
        "HT_LOG_LEVEL": "INFO",
        "HT_DATABASE_URL": database_url,
        "HT_REDIS_URL": redis_url,
        "HT_RCRAINFO_ENV": sandbox,
        "HT_TASK_RETRY_DELAY_SECONDS": "0",
        "HT_TASK_RETRY_MAX_DELAY_SECONDS": "1",
        # a short lease: the task of a killed worker is taken over within seconds
        "HT_TASK_LEASE_SECONDS": "4",
    }


def _run(env: dict[str, str], workdir: Path, *args: str) -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "haztrak.entrypoints.cli.main", *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stdout.decode() + done.stderr.decode())


async def _stored_versions(database_url: str, mtns: list[str]) -> dict[str, int]:
    engine = database.create_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT mtn, version FROM manifests"))
            wanted = set(mtns)
            return {mtn: version for mtn, version in rows if mtn in wanted}
    finally:
        await engine.dispose()


def _site_numbers(state_file: Path, site_id: str) -> list[str]:
    with SandboxState(SandboxSettings(state_file=state_file)) as state:
        return sorted(
            mtn
            for mtn, document in state.manifests.items()
            if (document.get("generator") or {}).get("epaSiteId") == site_id
        )


def _faults(workdir: Path, base: str, **faults: Any) -> None:
    cert = workdir / "var" / "sandbox" / CERT_FILE
    trusted = ssl.create_default_context(cafile=str(cert))
    with httpx.Client(verify=trusted, trust_env=False) as client:
        answer = client.post(f"{base.removesuffix('/rest/api/')}/sandbox/faults", json=faults)
        answer.raise_for_status()


async def sync_at_scale(
    count: int,
    workdir: Path,
    *,
    database_url: str,
    redis_url: str,
    ports: tuple[int, int, int],
    kill_after: int | None,
    latency_ms: int = 0,
    say: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Seed, sync, kill the worker once `kill_after` manifests are committed (None: never),
    finish with a second worker; what was measured. The database must be empty. `ports`:
    the sandbox's, the server's and the workers' metrics'; `latency_ms`: added to each of the
    sandbox's answers."""
    sandbox_port, http_port, metrics_port = ports
    base = f"https://127.0.0.1:{sandbox_port}/rest/api/"
    env = _environment(workdir, database_url, redis_url, base)
    metrics_dir = workdir / "metrics"
    worker_env = env | {"HT_METRICS_PORT": str(metrics_port), "HT_METRICS_DIR": str(metrics_dir)}
    state_file = workdir / "var" / "sandbox" / "state.sqlite3"
    processes: list[Process] = []

    def start(name: str, args: list[str], environment: dict[str, str]) -> Process:
        process = Process(name, args, environment, workdir)
        processes.append(process)
        return process

    try:
        began = time.monotonic()
        sandbox = start(
            "sandbox",
            [
                "sandbox",
                "--port",
                str(sandbox_port),
                "--cert-dir",
                str(workdir / "var" / "sandbox"),
                "--seed-manifests",
                str(count),
                "--site",
                SITE,
            ],
            env,
        )
        sandbox.wait_for("base URL", within=300)
        if latency_ms:
            _faults(workdir, base, latencyMs=latency_ms)
        say(f"sandbox seeded with {count} manifests of {SITE} in {time.monotonic() - began:.1f}s")
        _run(env, workdir, "migrate")
        _run(env, workdir, "seed", "--demo")
        server = start("serve", ["serve", "--port", str(http_port)], env)
        server.wait_for("Uvicorn running on")  # after the bind, not before it
        first = start("worker-1", ["worker", "--threads", "2"], worker_env)
        first.wait_for("worker started")
        http = f"http://127.0.0.1:{http_port}"
        async with logged_in(http, USER) as browser:

            async def task_now(task_id: str) -> dict[str, Any]:
                task: dict[str, Any] = (await browser.get(f"/api/task/{task_id}")).json()
                return task

            response = await browser.post("/api/manifest/emanifest/sync", json={"siteId": SITE})
            t0 = time.monotonic()
            task_id = await started(response)
            say(f"sync task {task_id} started")
            first_rss = first_cpu = 0.0
            sandbox_cpu_before = _cpu_seconds(sandbox.popen.pid)
            killed_at: float | None = None
            done_at_kill = 0
            resumed_after: float | None = None
            before_kill: dict[str, dict[str, float]] = {}
            second: Process | None = None
            last_report = t0
            while True:
                task = await task_now(task_id)
                done = int(task["progress"].get("done", 0))
                if time.monotonic() - last_report > 10:
                    say(f"  {done}/{task['progress'].get('total', '?')} stored")
                    last_report = time.monotonic()
                if task["status"] in ("SUCCESS", "FAILURE"):
                    break
                if killed_at is None and kill_after is not None and done >= kill_after:
                    first_rss = _kib(first.popen.pid, "VmHWM:") / 1024
                    first_cpu = _cpu_seconds(first.popen.pid)
                    first.stop(signal.SIGKILL)
                    killed_at = time.monotonic()
                    done_at_kill = int((await task_now(task_id))["progress"].get("done", 0))
                    before_kill = rcrainfo_metrics(metrics_dir)
                    say(f"worker SIGKILLed at {done_at_kill} committed; another starts")
                    second = start("worker-2", ["worker", "--threads", "2"], worker_env)
                    second.wait_for("worker started")
                elif killed_at is not None and resumed_after is None and task["attempts"] >= 2:
                    resumed_after = time.monotonic() - killed_at
                if time.monotonic() - t0 > 3600:
                    raise AssertionError(f"the sync did not end within an hour: {task}")
                await asyncio.sleep(POLL)
            total = time.monotonic() - t0
            last = second or first
            last_rss = _kib(last.popen.pid, "VmHWM:") / 1024
            last_cpu = _cpu_seconds(last.popen.pid)
            sandbox_cpu = _cpu_seconds(sandbox.popen.pid) - sandbox_cpu_before
            if second is None:
                first_rss, first_cpu = last_rss, 0.0
        calls = rcrainfo_metrics(metrics_dir)
    finally:
        for process in reversed(processes):
            process.stop(signal.SIGINT)
    mtns = _site_numbers(state_file, SITE)
    versions = await _stored_versions(database_url, mtns)
    rcrainfo_seconds = sum(entry["seconds"] for entry in calls.values())
    lease_wait = resumed_after or 0.0
    return {
        "manifests": count,
        "siteManifestsInRcrainfo": len(mtns),
        "stored": len(versions),
        "storedTwice": sorted(m for m, v in versions.items() if v != 1),
        "missing": len(set(mtns) - set(versions)),
        "task": {
            "status": task["status"],
            "attempts": task["attempts"],
            "result": task.get("result"),
            "error": task.get("error"),
        },
        "seconds": {
            "total": round(total, 2),
            "rcrainfo": round(rcrainfo_seconds, 2),
            "leaseWaitAfterKill": round(lease_wait, 2),
            "haztrak": round(total - rcrainfo_seconds - lease_wait, 2),
        },
        "cpuSeconds": {
            "workers": round(first_cpu + last_cpu, 1),
            "sandbox": round(sandbox_cpu, 1),
        },
        "killedAtDone": done_at_kill if kill_after is not None else None,
        "rcrainfoCalls": {op: int(v["calls"]) for op, v in calls.items()},
        "rcrainfoCallsAfterKill": {
            op: int(v["calls"]) for op, v in _minus(calls, before_kill).items()
        }
        if kill_after is not None
        else None,
        "peakRssMiB": {"first": round(first_rss, 1), "second": round(last_rss, 1)},
    }


def main() -> int:
    count = int(os.environ.get("HT_BENCH_SYNC_MANIFESTS", DEFAULT_MANIFESTS))
    server_url = os.environ.get("HT_BENCH_POSTGRES_URL", "").strip() or DEFAULT_POSTGRES
    redis_url = os.environ.get("HT_BENCH_REDIS_URL", "").strip() or DEFAULT_REDIS
    port = int(os.environ.get("HT_BENCH_SYNC_PORT", "8190"))
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    url = asyncio.run(seed.create_database(server_url))
    try:
        with tempfile.TemporaryDirectory(prefix="haztrak-sync-") as tmp:
            report = asyncio.run(
                sync_at_scale(
                    count,
                    Path(tmp),
                    database_url=url,
                    redis_url=redis_url,
                    ports=(port, port + 1, port + 2),
                    kill_after=count // 2,
                    say=lambda line: print(line, flush=True),
                )
            )
    finally:
        asyncio.run(seed.drop_database(server_url, url))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"sync-{count}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    problems = []
    if report["task"]["status"] != "SUCCESS":
        problems.append(f"the sync ended {report['task']['status']}")
    if report["stored"] != count + _demo_share(report) or report["missing"]:
        problems.append(f"{report['missing']} of the site's manifests are not stored here")
    if report["storedTwice"]:
        problems.append(f"{len(report['storedTwice'])} manifests were stored more than once")
    peak = max(report["peakRssMiB"].values())
    if peak >= MAX_RSS_MIB:
        problems.append(f"a worker peaked at {peak} MiB (limit {MAX_RSS_MIB})")
    print(f"written to {out}")
    for problem in problems:
        print(f"FAIL: {problem}")
    return 1 if problems else 0


def _demo_share(report: dict[str, Any]) -> int:
    """The site's manifests of the sandbox's own seed, synced along with the bulk ones."""
    return int(report["siteManifestsInRcrainfo"]) - int(report["manifests"])


if __name__ == "__main__":
    sys.exit(main())
