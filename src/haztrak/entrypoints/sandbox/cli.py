"""`haztrak sandbox`: run the e-Manifest sandbox in the foreground, or list its users.

The main CLI registers the command with `add_sandbox_command(subparsers)` and calls
`args.func(args, settings)`, which returns the process exit code.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

from haztrak.entrypoints.sandbox.config import DEFAULT_PORT
from haztrak.entrypoints.sandbox.seed import seeded_users
from haztrak.entrypoints.sandbox.server import SandboxRefused, SandboxServer, refuse_in_prod
from haztrak.entrypoints.sandbox.state import SandboxState
from haztrak.entrypoints.settings import Settings

EXIT_OK = 0
EXIT_REFUSED = 2


def add_sandbox_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run the e-Manifest (RCRAInfo) sandbox, a local test double of EPA's REST API",
        description=(
            "Serve RCRAInfo's REST API at https://HOST:PORT/rest/api/ from memory, seeded with "
            "demo handlers, users and manifests. Faults come from HT_SANDBOX_LATENCY_MS, "
            "HT_SANDBOX_ERROR_RATE, HT_SANDBOX_ERROR_STATUS, HT_SANDBOX_DROP_RATE and "
            "HT_SANDBOX_TOKEN_TTL, or from POST /sandbox/faults."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port ({DEFAULT_PORT}; 0 for any free one)"
    )
    parser.add_argument(
        "--list-users",
        action="store_true",
        help="print the seeded RCRAInfo users with their API IDs and keys as JSON, and exit",
    )
    parser.add_argument("--allow-prod", action="store_true", help="start even though HT_ENV=prod")
    parser.add_argument(
        "--cert-dir",
        type=Path,
        default=None,
        help="where the self-signed certificate is kept (HT_SANDBOX_CERT_DIR, var/sandbox)",
    )
    parser.set_defaults(func=run_sandbox_command)


def run_sandbox_command(args: argparse.Namespace, settings: Settings) -> int:
    if args.list_users:
        users = [user.listing() for user in seeded_users().values()]
        print(json.dumps(users, indent=2))
        return EXIT_OK
    try:
        refuse_in_prod(settings.sandbox, allow_prod=args.allow_prod)
        server = SandboxServer(
            SandboxState(settings.sandbox),
            host=args.host,
            port=args.port,
            cert_dir=args.cert_dir,
            allow_prod=args.allow_prod,
        )
    except SandboxRefused as error:
        print(f"haztrak sandbox: {error}", file=sys.stderr)
        return EXIT_REFUSED

    def announce(base_url: str) -> None:
        print(
            f"e-Manifest sandbox (a test double of EPA's RCRAInfo; state lives in memory)\n"
            f"  base URL     {base_url}\n"
            f"  certificate  {server.cert_path}  (client.verify = this path)\n"
            f"  users        haztrak sandbox --list-users\n"
            f"  controls     {base_url.removesuffix('/rest/api/')}/sandbox/faults",
            flush=True,
        )

    # uvicorn re-raises Ctrl-C once it has shut down cleanly; that is a normal stop.
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever(announce)
    return EXIT_OK
