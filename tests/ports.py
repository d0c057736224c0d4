"""Ports for the servers tests start.

Asking the kernel for a free port (bind to 0) and starting a server on it later leaves a
window in which another process can take the same port; with several pytest-xdist workers
starting servers at once that happens. Under xdist each worker therefore walks a range of its
own, below the kernel's ephemeral ports (which outgoing connections use), and never hands out
the same port twice in a row.
"""

from __future__ import annotations

import os
import socket

_SPAN = 2_000
_FIRST = 10_000
_next: dict[int, int] = {}


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now, for a server a test is about to start."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or not worker[2:].isdigit():
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return int(sock.getsockname()[1])
    index = int(worker[2:]) % 10
    low = _FIRST + index * _SPAN
    start = _next.get(index, low + os.getpid() % _SPAN)
    for step in range(_SPAN):
        port = low + (start - low + step) % _SPAN
        if _bindable(port):
            _next[index] = low + (port - low + 1) % _SPAN
            return port
    raise RuntimeError(f"no free port in {low}-{low + _SPAN - 1}")
