"""The API benchmark (`just bench`).

1. Creates a fresh PostgreSQL database (HT_BENCH_POSTGRES_URL, default the local server),
   migrates it, loads the demo data and 1,000 manifests of one site (generator, two
   transporters, a TSDF, three waste lines each).
2. Starts `haztrak serve` with one worker process on 127.0.0.1, on that database and Redis
   (HT_BENCH_REDIS_URL, default the local server's database 14, which it flushes).
3. Measures the reference first (tests/bench/reference.py: a bare Litestar + asyncpg read of
   the same document, the calibration point the targets were set at), then starts haztrak.
4. Logs in, makes a personal API token, and drives each endpoint from a separate process:
   wrk when it is installed (apt-get install wrk), else tests/bench/load.py (or when
   HT_BENCH_LOAD=python); 32 connections, a 2 s warm-up, then at least 10 s (HT_BENCH_SECONDS).
   The server runs as in production (HT_ENV=prod: no migration at start, Secure cookies),
   with a pool of 32 connections (HT_DATABASE_POOL_SIZE) and INFO logs (HT_BENCH_LOG_LEVEL).
5. Prints requests/s, p50 and p99 latency, errors, the server's CPU time per request (the
   figure least disturbed by other load on the machine) and its peak memory per endpoint,
   each judged against the target as written and against the target scaled to this
   machine's speed (reference req/s / 5,000), and writes them as JSON to bench-results/ (and
   bench-results/latest.json). Exits 1 when a target as written is missed.

For work on the numbers: HT_BENCH_ONLY=detail,draft measures only the endpoints whose names
contain one of those words, and HT_BENCH_PROFILE=1 samples the server with py-spy (pip install
py-spy) during each measured run, writing collapsed stacks to bench-results/profile-*.txt.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import msgspec

from tests.bench import seed
from tests.bench.reference import REFERENCE_RPS
from tests.manifest_documents import manifest_document

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench-results"
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
DEMO_PASSWORD = "haztrak-demo"  # the documented password of the dev demo
CONNECTIONS = 32
MEMORY_LIMIT_MIB = 150


@dataclass(frozen=True)
class Target:
    rps: float | None = None
    p99_ms: float | None = None
    zero_errors: bool = False
    cpu_ms: float | None = None
    """The server's CPU time per request (issue 16), on one process."""


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    target: Target
    authenticated: bool = True
    body: str = ""
    page: bool = False
    """A page of the browser UI: signed in with the session cookie, not a token."""
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Credentials:
    token: str
    session: str


def _auth_headers(endpoint: Endpoint, credentials: Credentials) -> dict[str, str]:
    if not endpoint.authenticated:
        return {}
    if endpoint.page:
        return {"Cookie": f"sessionid={credentials.session}"}
    return {"Authorization": f"Bearer {credentials.token}"}


@dataclass
class Result:
    name: str
    method: str
    path: str
    tool: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    server_cpu_us_per_request: float
    peak_rss_mib: float
    target: dict[str, Any]
    met: bool
    misses: list[str] = field(default_factory=list)
    met_scaled: bool = False
    """Met against the target times this machine's speed relative to the reference."""
    scaled_misses: list[str] = field(default_factory=list)


def _endpoints(mtn: str, search: str, mtn_tag: str) -> list[Endpoint]:
    """Named as in scale-<N>.json. `mtn` is a manifest of the scaled site, `search` a part of
    another one's tracking number, `mtn_tag` the ETag of the scaled site's tracking numbers."""
    draft = msgspec.json.encode(manifest_document()).decode()
    return [
        Endpoint("health", "GET", "/api/health", Target(rps=10_000), authenticated=False),
        Endpoint(
            "federal",
            "GET",
            "/api/waste/code/federal",
            Target(rps=5_000, cpu_ms=0.1),
            authenticated=False,
        ),
        Endpoint("detail", "GET", f"/api/manifest/{mtn}", Target(2_000, 40, cpu_ms=0.35)),
        Endpoint("sites", "GET", "/api/sites", Target(cpu_ms=0.4)),
        # the unpaginated list of a site with 1,000 manifests, at every scale
        Endpoint("mtn", "GET", f"/api/manifest/mtn/{seed.MTN_SITE}", Target(400, 150, cpu_ms=1.0)),
        # the scaled site's whole list, revalidated: 304 while nothing changed
        Endpoint(
            "mtn revalidated",
            "GET",
            f"/api/manifest/mtn/{seed.SITE}",
            Target(),
            headers=(("If-None-Match", mtn_tag),),
        ),
        Endpoint("page", "GET", f"/api/manifest?site={seed.SITE}", Target(cpu_ms=1.5)),
        Endpoint("search", "GET", f"/api/manifest?site={seed.SITE}&q={search}", Target()),
        # it adds manifests to the site
        Endpoint("create", "POST", "/api/manifest", Target(500, 80, True, 1.5), body=draft),
        # the browser UI's busiest pages, after the API's: a page that does not keep up yet
        # must not starve the API's measurements, rendered on the server (issue 10: p99 < 50 ms)
        Endpoint("ui dashboard", "GET", "/dashboard", Target(p99_ms=50), page=True),
        Endpoint(
            "ui manifest list", "GET", f"/manifests?site={seed.SITE}", Target(p99_ms=50), page=True
        ),
        Endpoint("ui manifest page", "GET", f"/manifests/{mtn}", Target(p99_ms=50), page=True),
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _haztrak() -> list[str]:
    script = Path(sys.executable).with_name("haztrak")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "haztrak.entrypoints.cli.main"]


class MemoryWatch:
    """Samples a process's resident memory while a load runs."""

    def __init__(self, pid: int) -> None:
        self._path = Path(f"/proc/{pid}/status")
        self.peak_kib = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _field(self, name: str) -> int:
        for line in self._path.read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1])
        return 0

    def _watch(self) -> None:
        while not self._stop.wait(0.01):
            self.peak_kib = max(self.peak_kib, self._field("VmRSS:"))

    def __enter__(self) -> MemoryWatch:
        self.peak_kib = self._field("VmRSS:")
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def high_water_mib(self) -> float:
        return self._field("VmHWM:") / 1024


class ServerCpu:
    """CPU seconds the server spends while the measured load runs (user and system)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._stat = Path(f"/proc/{pid}/stat")
        self._ticks = os.sysconf("SC_CLK_TCK")
        self._started = 0.0
        self.seconds = 0.0

    def _now(self) -> float:
        fields = self._stat.read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / self._ticks

    def start(self) -> None:
        self._started = self._now()

    def stop(self) -> None:
        self.seconds = self._now() - self._started


def _wrk(
    base: str,
    endpoint: Endpoint,
    credentials: Credentials,
    seconds: int,
    work: Path,
    cpu: ServerCpu,
) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"} if endpoint.body else {}
    headers |= _auth_headers(endpoint, credentials) | dict(endpoint.headers)
    script = work / "request.lua"
    lines = [f"wrk.method = {json.dumps(endpoint.method)}"]
    if endpoint.body:
        lines.append(f"wrk.body = {json.dumps(endpoint.body)}")
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    lines.append(
        """done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,'
    .. '"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end"""
    )
    script.write_text("\n".join(lines) + "\n")
    script.chmod(0o600)
    url = base + endpoint.path

    def wrk(duration: int) -> dict[str, Any]:
        command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{duration}s", "-s", str(script), url]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
        return dict(json.loads(line.removeprefix("WRKJSON ")))

    wrk(2)  # warm-up
    with _profiled(endpoint, cpu):
        raw = wrk(seconds)
    duration = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "seconds": duration,
        "rps": raw["requests"] / duration,
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "errors": raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"],
    }


def _python_load(
    base: str,
    endpoint: Endpoint,
    credentials: Credentials,
    seconds: int,
    work: Path,
    cpu: ServerCpu,
) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"} if endpoint.body else {}
    headers |= _auth_headers(endpoint, credentials) | dict(endpoint.headers)
    spec = work / "spec.json"

    def run(duration: int) -> dict[str, Any]:
        spec.write_text(
            json.dumps(
                {
                    "url": base + endpoint.path,
                    "method": endpoint.method,
                    "headers": headers,
                    "body": endpoint.body,
                    "connections": CONNECTIONS,
                    "warmup": 0,
                    "seconds": duration,
                }
            )
        )
        spec.chmod(0o600)
        out = subprocess.run(
            [sys.executable, "-m", "tests.bench.load", str(spec)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
        return dict(json.loads(out))

    run(2)  # warm-up
    with _profiled(endpoint, cpu):
        raw = run(seconds)
    raw["errors"] = raw.pop("non_2xx") + raw.pop("socket_errors")
    raw.pop("max_ms", None)
    return raw


@contextmanager
def _profiled(endpoint: Endpoint, cpu: ServerCpu) -> Iterator[None]:
    """Counts the server's CPU time over the block; with HT_BENCH_PROFILE, samples it too."""
    profiler = None
    if os.environ.get("HT_BENCH_PROFILE"):
        RESULTS.mkdir(exist_ok=True)
        name = "".join(c if c.isalnum() else "-" for c in endpoint.name).strip("-")
        profiler = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("py-spy")),
                "record",
                "--pid",
                str(cpu.pid),
                "--format",
                "raw",
                "--rate",
                "250",
                "--nonblocking",
                "--output",
                str(RESULTS / f"profile-{name}.txt"),
            ],
        )
    cpu.start()
    try:
        yield
    finally:
        cpu.stop()
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=30)


def _judge(endpoint: Endpoint, measured: dict[str, Any], factor: float = 1.0) -> list[str]:
    """What misses the target; with `factor`, the target scaled to this machine's speed
    (throughput times the factor, latency divided by it)."""
    misses = []
    target = endpoint.target
    if target.rps is not None and measured["rps"] < target.rps * factor:
        misses.append(f"{measured['rps']:.0f} rps < {target.rps * factor:.0f}")
    if target.p99_ms is not None and measured["p99_ms"] >= target.p99_ms / factor:
        misses.append(f"p99 {measured['p99_ms']:.1f} ms >= {target.p99_ms / factor:.0f}")
    if measured["errors"] and (target.zero_errors or measured["errors"] > 0):
        misses.append(f"{measured['errors']} errors")
    cpu_ms = measured.get("server_cpu_us_per_request", 0.0) / 1000
    if target.cpu_ms is not None and cpu_ms > target.cpu_ms / factor:
        misses.append(f"CPU {cpu_ms:.2f} ms > {target.cpu_ms / factor:.2f}")
    return misses


def _reference(
    base: str, url: str, mtn: str, seconds: int, work: Path, load: Any
) -> dict[str, Any]:
    """Serve tests/bench/reference.py as haztrak will be served and measure its read."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HT_")},
        "HT_BENCH_REFERENCE_DSN": seed.plain(url),
    }
    port = base.rpartition(":")[2]
    command = [sys.executable, "-m", "uvicorn", "tests.bench.reference:app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", port, "--workers", "1"]
    command += ["--no-access-log", "--log-level", "warning", "--no-server-header"]
    log = work / "reference.log"
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(base, server, log, path=f"/doc/{mtn}")
        endpoint = Endpoint("reference", "GET", f"/doc/{mtn}", Target(), authenticated=False)
        return dict(load(base, endpoint, Credentials("", ""), seconds, work, ServerCpu(server.pid)))
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def _log_in(base: str) -> Credentials:
    """A personal API token of the demo generator's signer, made the way a person makes one,
    and the session it was made in (for the UI's pages).

    The server runs as in production, so its cookies are Secure; over plain HTTP on the
    loopback this client sends them back by hand."""
    with httpx.Client(base_url=base, timeout=30) as client:
        csrf = client.get("/api/browser/v1/auth/session").cookies["csrftoken"]
        login = client.post(
            "/api/browser/v1/auth/login",
            json={"username": "testuser1", "password": DEMO_PASSWORD},
            headers={"X-CSRFToken": csrf, "Cookie": f"csrftoken={csrf}"},
        )
        login.raise_for_status()
        session, csrf = login.cookies["sessionid"], login.cookies.get("csrftoken", csrf)
        made = client.post(
            "/api/user/tokens",
            json={"name": "bench"},
            headers={"X-CSRFToken": csrf, "Cookie": f"sessionid={session}; csrftoken={csrf}"},
        )
        made.raise_for_status()
        return Credentials(token=str(made.json()["token"]), session=session)


def _wait_until_up(
    base: str, server: subprocess.Popen[bytes], log: Path, path: str = "/api/health"
) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(base + path, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not answer within 60 s")


def _flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def _scales() -> list[int]:
    text = os.environ.get("HT_BENCH_SCALE", "").strip() or "1000"
    try:
        scales = sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})
    except ValueError:
        raise SystemExit(f"HT_BENCH_SCALE: numbers like 1000,100000, not {text}") from None
    if not scales or scales[0] < 1000:
        raise SystemExit("HT_BENCH_SCALE: each scale is at least 1000 manifests")
    return scales


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _measure(
    base: str,
    endpoints: list[Endpoint],
    credentials: Credentials,
    seconds: int,
    work: Path,
    load: Any,
    tool: str,
    pid: int,
    factor: float,
) -> list[Result]:
    results = []
    for endpoint in endpoints:
        cpu = ServerCpu(pid)
        with MemoryWatch(pid) as watch:
            measured = load(base, endpoint, credentials, seconds, work, cpu)
        measured["server_cpu_us_per_request"] = (
            cpu.seconds * 1e6 / measured["requests"] if measured["requests"] else 0.0
        )
        misses = _judge(endpoint, measured)
        scaled_misses = _judge(endpoint, measured, factor)
        result = Result(
            name=endpoint.name,
            method=endpoint.method,
            path=endpoint.path,
            tool=tool,
            peak_rss_mib=round(watch.peak_kib / 1024, 1),
            target={k: v for k, v in asdict(endpoint.target).items() if v},
            met=not misses,
            misses=misses,
            met_scaled=not scaled_misses,
            scaled_misses=scaled_misses,
            **{k: round(v, 2) if isinstance(v, float) else v for k, v in measured.items()},
        )
        results.append(result)
        print(_row(result), flush=True)
    return results


def _scale_report(results: list[Result]) -> dict[str, dict[str, float | int]]:
    """scale-<N>.json: each endpoint by name."""
    return {
        r.name: {
            "rps": round(r.rps, 1),
            "p50_ms": r.p50_ms,
            "p99_ms": r.p99_ms,
            "cpu_ms_per_request": round(r.server_cpu_us_per_request / 1000, 3),
            "rss_mib": r.peak_rss_mib,
            "errors": r.errors,
        }
        for r in results
    }


def _growth(by_scale: dict[int, list[Result]]) -> list[str]:
    """Each endpoint's CPU per request and p50 at each scale, and the last over the first."""
    scales = sorted(by_scale)
    names = [r.name for r in by_scale[scales[0]]]
    head = f"{'endpoint':<26}" + "".join(f"{f'CPU ms @{n:,}':>18}" for n in scales)
    lines = [head + f"{'growth':>9}"]
    for name in names:
        cpu = []
        for n in scales:
            found = [r for r in by_scale[n] if r.name == name]
            cpu.append(found[0].server_cpu_us_per_request / 1000 if found else float("nan"))
        ratio = cpu[-1] / cpu[0] if cpu[0] else float("nan")
        lines.append(f"{name:<26}" + "".join(f"{c:>18.3f}" for c in cpu) + f"{ratio:>8.2f}x")
    return lines


def _top_up(url: str, scale: int) -> None:
    """The scaled site up to `scale` manifests (some came from `create` runs before)."""
    have = asyncio.run(seed.count_manifests(url))
    if have < scale:
        started = time.monotonic()
        asyncio.run(seed.seed_manifests(url, scale - have))
        print(
            f"seeded {scale - have:,} manifests of {seed.SITE} in bulk "
            f"({time.monotonic() - started:.0f} s): {scale:,} in all",
            flush=True,
        )


def main() -> int:
    server_url = os.environ.get("HT_BENCH_POSTGRES_URL", "").strip() or DEFAULT_POSTGRES
    redis_url = os.environ.get("HT_BENCH_REDIS_URL", "").strip() or DEFAULT_REDIS
    seconds = max(10, int(os.environ.get("HT_BENCH_SECONDS", "10")))
    log_level = os.environ.get("HT_BENCH_LOG_LEVEL", "INFO")
    wanted = os.environ.get("HT_BENCH_LOAD", "").strip()  # "python" forces the generator here
    tool = "wrk" if wanted != "python" and shutil.which("wrk") else "python"
    load = _wrk if tool == "wrk" else _python_load
    scales = _scales()
    only = [w.strip() for w in os.environ.get("HT_BENCH_ONLY", "").split(",") if w.strip()]

    url = asyncio.run(seed.create_database(server_url))
    print(f"database {url.rpartition('/')[2]}; load generator: {tool}; scales {scales}")
    server: subprocess.Popen[bytes] | None = None
    by_scale: dict[int, list[Result]] = {}
    rss_after: dict[int, float] = {}
    RESULTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="haztrak-bench-") as tmp:
        work = Path(tmp)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("HT_")},
            # As in production: no migration at start-up (done above), Secure cookies.
            "HT_ENV": "prod",
            "HT_DATABASE_URL": url,
            "HT_REDIS_URL": redis_url,
            "HT_SECRET_KEY": secrets.token_urlsafe(48),
            "HT_VAR_DIR": str(work / "var"),
            "HT_LOG_LEVEL": log_level,
            # As in production: RCRAInfo elsewhere, not the embedded sandbox (never called here).
            "HT_RCRAINFO_ENV": "https://127.0.0.1:9/rest/api/",
            "HT_HOST": "127.0.0.1",
            # As the image and the Procfile run it: glibc hands back a login's argon2 memory
            "MALLOC_MMAP_THRESHOLD_": "1048576",
            "HT_PORT": str(port),
            # One connection per load-generator connection: no request waits for the pool.
            "HT_DATABASE_POOL_SIZE": str(CONNECTIONS),
            # the read pool keeps its default (HT_DATABASE_READ_POOL_SIZE, 4)
        }
        try:
            _flush_redis(redis_url)
            asyncio.run(seed.migrate(url))
            subprocess.run(
                [*_haztrak(), "seed", "--demo", "--password", DEMO_PASSWORD],
                env=env,
                check=True,
                cwd=work,
                stdout=subprocess.DEVNULL,
            )
            asyncio.run(seed.add_site(url))
            listed_mtns = asyncio.run(seed.seed_manifests(url, 1000, site=seed.MTN_SITE))
            mtns = asyncio.run(seed.seed_manifests(url, 1000))
            print(f"seeded 1,000 manifests of {seed.MTN_SITE} and 1,000 of {seed.SITE}")
            detail = mtns[len(mtns) // 2]
            search = listed_mtns[len(listed_mtns) // 3][3:]  # one match: part of a number
            reference = _reference(base, url, detail, seconds, work, load)
            factor = reference["rps"] / REFERENCE_RPS
            print(
                f"reference (bare Litestar + asyncpg read of the same document): "
                f"{reference['rps']:.0f} req/s, p99 {reference['p99_ms']:.1f} ms; targets were "
                f"set where it reached {REFERENCE_RPS:.0f}: this machine runs at {factor:.2f} of "
                "that, and the scaled targets below are the targets times that",
                flush=True,
            )
            log = work / "server.log"
            with log.open("wb") as out:
                server = subprocess.Popen(
                    [*_haztrak(), "serve", "--workers", "1"],
                    env=env,
                    cwd=work,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            _wait_until_up(base, server, log)
            credentials = _log_in(base)
            token = {"Authorization": f"Bearer {credentials.token}"}
            listed = httpx.get(
                f"{base}/api/manifest/mtn/{seed.MTN_SITE}", headers=token, timeout=60
            )
            assert len(listed.json()) == len(listed_mtns), len(listed.json())
            watch_all = MemoryWatch(server.pid)
            for scale in scales:
                _top_up(url, scale)
                if scale != scales[0]:  # a fresh session: seeding may outlast the last one
                    credentials = _log_in(base)
                    token = {"Authorization": f"Bearer {credentials.token}"}
                # the scaled site's list as a client has it: revalidated from here on
                with httpx.stream(
                    "GET", f"{base}/api/manifest/mtn/{seed.SITE}", headers=token, timeout=600
                ) as whole:
                    for _ in whole.iter_bytes():
                        pass
                    tag = whole.headers.get("etag", "")
                print(f"--- {scale:,} manifests of {seed.SITE} ---", flush=True)
                endpoints = [
                    e
                    for e in _endpoints(detail, search, tag)
                    if not only or any(word in e.name for word in only)
                ]
                results = _measure(
                    base, endpoints, credentials, seconds, work, load, tool, server.pid, factor
                )
                by_scale[scale] = results
                rss_after[scale] = _rss_mib(server.pid)
                path = RESULTS / f"scale-{scale}.json"
                path.write_text(json.dumps(_scale_report(results), indent=2) + "\n")
                print(f"wrote {path.relative_to(ROOT)}; server RSS {rss_after[scale]:.1f} MiB")
            peak = watch_all.high_water_mib()
        finally:
            if server is not None:
                server.send_signal(signal.SIGINT)
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()
            asyncio.run(seed.drop_database(server_url, url))
    results = by_scale[scales[-1]]
    memory_ok = peak < MEMORY_LIMIT_MIB
    first_rss, last_rss = rss_after[scales[0]], rss_after[scales[-1]]
    flat = last_rss <= first_rss * 1.2
    serving_peak = max((r.peak_rss_mib for r in results), default=0.0)
    print(
        f"server peak memory: {peak:.1f} MiB over its life (VmHWM), {serving_peak:.1f} MiB "
        f"under load (target < {MEMORY_LIMIT_MIB} MiB)"
    )
    if len(scales) > 1:
        print("\n".join(_growth(by_scale)))
        print(
            f"server RSS after the first scale {first_rss:.1f} MiB, after the last "
            f"{last_rss:.1f} MiB: {'flat' if flat else 'GREW'} (target: within 20%)"
        )
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "cpu": _cpu_model()},
        "connections": CONNECTIONS,
        "seconds": seconds,
        "server_log_level": log_level,
        "load_generator": tool,
        "scales": scales,
        "reference": {
            "what": "bare Litestar + asyncpg read of the same document (tests/bench/reference.py)",
            "rps": round(reference["rps"], 1),
            "p99_ms": reference["p99_ms"],
            "targets_set_at_rps": REFERENCE_RPS,
            "machine_factor": round(factor, 3),
        },
        "server_peak_rss_mib": round(peak, 1),
        "server_peak_rss_under_load_mib": serving_peak,
        "server_rss_after_each_scale_mib": {str(n): round(v, 1) for n, v in rss_after.items()},
        "memory_target_met": memory_ok,
        "memory_flat": flat,
        "endpoints": [asdict(r) for r in results],
        "by_scale": {str(n): _scale_report(rs) for n, rs in by_scale.items()},
    }
    path = RESULTS / f"bench-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {path.relative_to(ROOT)}")
    every = [r for rs in by_scale.values() for r in rs]
    return 0 if memory_ok and flat and all(r.met for r in every) else 1


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return "unknown"


def _row(r: Result) -> str:
    verdict = "ok" if r.met else "MISSED: " + "; ".join(r.misses)
    if r.target:
        verdict += " | scaled: " + (
            "ok" if r.met_scaled else "MISSED: " + "; ".join(r.scaled_misses)
        )
    return (
        f"{r.name:<26} {r.rps:>9.0f} req/s  p50 {r.p50_ms:>6.1f} ms  p99 {r.p99_ms:>6.1f} ms  "
        f"errors {r.errors:<4} server CPU {r.server_cpu_us_per_request / 1000:>6.3f} ms/req  "
        f"peak RSS {r.peak_rss_mib:>6.1f} MiB  {verdict}"
    )
