"""The container image's HEALTHCHECK: the check that fits the process the container runs.

One image runs every process (`haztrak serve`, `worker`, `scheduler`, `migrate`, `sandbox`),
so the check looks at PID 1's command line: the API must answer GET /api/health; a worker or a
scheduler must have beaten its heartbeat (`haztrak worker --check`); a one-off command
(`migrate`, `seed`, `createuser`) or the sandbox has nothing to check here.

    python -m haztrak.entrypoints.cli.healthcheck
"""

from __future__ import annotations

import sys
import urllib.request
from collections.abc import Sequence
from pathlib import Path

HEARTBEAT_COMMANDS = ("worker", "scheduler")


def command_of(cmdline: Sequence[str]) -> list[str]:
    """The `haztrak` arguments in a process's command line (empty when it is not haztrak)."""
    for index, part in enumerate(cmdline):
        name = Path(part).name
        if name == "haztrak" or part == "haztrak.entrypoints.cli.main":
            return list(cmdline[index + 1 :])
    return []


def _option(arguments: Sequence[str], name: str) -> str | None:
    for index, argument in enumerate(arguments):
        if argument == name and index + 1 < len(arguments):
            return arguments[index + 1]
        if argument.startswith(name + "="):
            return argument.split("=", 1)[1]
    return None


def check(arguments: Sequence[str]) -> int:
    """0 when the process that `arguments` started is healthy, 1 otherwise."""
    command = arguments[0] if arguments else ""
    if command in HEARTBEAT_COMMANDS:
        from haztrak.entrypoints.cli.main import main

        heartbeat = _option(arguments, "--heartbeat")
        return main([command, "--check", *(["--heartbeat", heartbeat] if heartbeat else [])])
    if command == "serve":
        from haztrak.entrypoints.settings import load_settings

        port = _option(arguments, "--port") or str(load_settings().http.port)
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{int(port)}/api/health", timeout=3
            ) as answer:
                return 0 if answer.status == 200 else 1
        except OSError as exc:
            print(f"haztrak serve: /api/health does not answer: {exc}", file=sys.stderr)
            return 1
    return 0


def main() -> int:
    try:
        cmdline = Path("/proc/1/cmdline").read_bytes().split(b"\0")
    except OSError:
        return 0  # not on Linux: nothing to look at
    return check(command_of([part.decode(errors="replace") for part in cmdline if part]))


if __name__ == "__main__":
    sys.exit(main())
