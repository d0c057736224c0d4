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
from typing import TYPE_CHECKING

import msgspec

from haztrak.entrypoints.sandbox.config import DEFAULT_PORT
from haztrak.entrypoints.settings import Settings

if TYPE_CHECKING:
    from haztrak.entrypoints.sandbox.server import SandboxServer

EXIT_OK = 0
EXIT_REFUSED = 2


def add_sandbox_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run the e-Manifest (RCRAInfo) sandbox, a local test double of EPA's REST API",
        description=(
            "Serve RCRAInfo's REST API at https://HOST:PORT/rest/api/, seeded with demo "
            "handlers, users and manifests. What it is told is kept in HT_SANDBOX_STATE "
            "(HT_VAR_DIR/sandbox/state.sqlite3), so a restart forgets nothing and never issues "
            "a tracking number twice; --memory runs a throw-away sandbox instead. "
            "Faults come from HT_SANDBOX_LATENCY_MS, "
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
    parser.add_argument(
        "--memory",
        action="store_true",
        help="keep the state in memory only, forgotten at exit (as HT_SANDBOX_STATE=memory)",
    )
    parser.add_argument("--allow-prod", action="store_true", help="start even though HT_ENV=prod")
    parser.add_argument(
        "--seed-manifests",
        type=int,
        default=0,
        metavar="N",
        help="before serving, add N manifests of --site at once (a sync at scale); 0: none",
    )
    parser.add_argument(
        "--site",
        default="VATESTGEN001",
        help="the generator site of the --seed-manifests manifests (VATESTGEN001)",
    )
    parser.add_argument(
        "--cert-dir",
        type=Path,
        default=None,
        help="where the self-signed certificate is kept (HT_SANDBOX_CERT_DIR, var/sandbox)",
    )
    parser.set_defaults(func=run_sandbox_command)


def run_sandbox_command(args: argparse.Namespace, settings: Settings) -> int:
    # Imported here, not at the top: `haztrak --help` imports this module, not the server.
    from haztrak.entrypoints.sandbox.seed import seeded_users
    from haztrak.entrypoints.sandbox.server import SandboxRefused, SandboxServer, refuse_in_prod
    from haztrak.entrypoints.sandbox.state import SandboxState
    from haztrak.entrypoints.sandbox.store import SandboxStateUnavailable

    if args.list_users:
        users = [user.listing() for user in seeded_users().values()]
        print(json.dumps(users, indent=2))
        return EXIT_OK
    sandbox_settings = settings.sandbox
    if args.memory:
        sandbox_settings = msgspec.structs.replace(sandbox_settings, state_file=None)
    try:
        refuse_in_prod(sandbox_settings, allow_prod=args.allow_prod)
        state = SandboxState(sandbox_settings)
    except (SandboxRefused, SandboxStateUnavailable) as error:
        print(f"haztrak sandbox: {error}", file=sys.stderr)
        return EXIT_REFUSED
    with state:
        if args.seed_manifests:
            from haztrak.entrypoints.sandbox.bulk import BulkSeedRefused, seed_site_manifests

            try:
                seeded = seed_site_manifests(state, args.site, args.seed_manifests)
            except BulkSeedRefused as error:
                print(f"haztrak sandbox: {error}", file=sys.stderr)
                return EXIT_REFUSED
            print(f"seeded {len(seeded)} manifests of {args.site}", flush=True)
        server = SandboxServer(
            state,
            host=args.host,
            port=args.port,
            cert_dir=args.cert_dir,
            allow_prod=args.allow_prod,
        )
        return _serve(server)


def _serve(server: SandboxServer) -> int:
    kept = server.state.location
    where = "in memory, forgotten at exit" if kept == "memory" else f"kept in {kept}"

    def announce(base_url: str) -> None:
        print(
            f"e-Manifest sandbox (a test double of EPA's RCRAInfo; state {where})\n"
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
