"""A small HTTP/1.1 load generator: keep-alive connections, each sending its next request as
soon as the last answer is complete; latencies recorded after a warm-up.

Run as its own process: `python -m tests.bench.load SPEC` where SPEC is a JSON file
`{url, method, headers, body, connections, warmup, seconds}` (a file, so that a token in the
headers is not on a command line). It prints one JSON object: requests, seconds, rps,
latency percentiles in milliseconds, and errors. Used when `wrk` is not installed.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit


class _Stats:
    def __init__(self, measure_from: float, stop_at: float) -> None:
        self.measure_from = measure_from
        self.stop_at = stop_at
        self.latencies: list[float] = []
        self.non_2xx = 0
        self.socket_errors = 0


class _Connection(asyncio.Protocol):
    def __init__(self, request: bytes, stats: _Stats, done: asyncio.Future[None]) -> None:
        self._request = request
        self._stats = stats
        self._done = done
        self._buffer = bytearray()
        self._started = 0.0
        self._transport: asyncio.WriteTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.WriteTransport, transport)  # uvloop's is not a subclass
        self._send()

    def _send(self) -> None:
        assert self._transport is not None
        self._started = time.perf_counter()
        self._transport.write(self._request)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while True:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self._buffer[:end]).decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            total = end + 4 + length
            if len(self._buffer) < total:
                return
            del self._buffer[:total]
            self._answered(int(head[9:12]))

    def _answered(self, status: int) -> None:
        now = time.perf_counter()
        if now >= self._stats.measure_from:
            self._stats.latencies.append(now - self._started)
            if not 200 <= status < 400:
                self._stats.non_2xx += 1
        if now >= self._stats.stop_at:
            assert self._transport is not None
            self._transport.close()
            return
        self._send()

    def connection_lost(self, exc: Exception | None) -> None:
        if time.perf_counter() < self._stats.stop_at:
            self._stats.socket_errors += 1
        if not self._done.done():
            self._done.set_result(None)


def _request(spec: dict[str, Any]) -> tuple[str, int, bytes]:
    url = urlsplit(spec["url"])
    body = spec.get("body", "").encode()
    path = url.path + (f"?{url.query}" if url.query else "")
    lines = [f"{spec.get('method', 'GET')} {path} HTTP/1.1", f"Host: {url.netloc}"]
    lines += [f"{name}: {value}" for name, value in spec.get("headers", {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    return url.hostname or "127.0.0.1", url.port or 80, raw


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    host, port, raw = _request(spec)
    loop = asyncio.get_running_loop()
    start = time.perf_counter()
    measure_from = start + float(spec.get("warmup", 2))
    stats = _Stats(measure_from, measure_from + float(spec.get("seconds", 10)))
    finished = []
    for _ in range(int(spec.get("connections", 32))):
        done: asyncio.Future[None] = loop.create_future()
        await loop.create_connection(lambda d=done: _Connection(raw, stats, d), host, port)
        finished.append(done)
    seconds = float(spec.get("seconds", 10))
    # Bounded: a server that stops answering ends the run instead of hanging it.
    await asyncio.wait_for(asyncio.gather(*finished), timeout=stats.stop_at - start + 30)
    latencies = sorted(stats.latencies)

    def percentile(p: float) -> float:
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "requests": len(latencies),
        "seconds": seconds,
        "rps": len(latencies) / seconds,
        "p50_ms": percentile(0.50),
        "p99_ms": percentile(0.99),
        "max_ms": latencies[-1] * 1000 if latencies else 0.0,
        "non_2xx": stats.non_2xx,
        "socket_errors": stats.socket_errors,
    }


def main() -> int:
    spec = json.loads(Path(sys.argv[1]).read_text())
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        result = asyncio.run(run(spec))
    else:
        result = uvloop.run(run(spec))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
