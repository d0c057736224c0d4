"""The e-Manifest sandbox: a local test double of EPA's RCRAInfo / e-Manifest REST API.

This is NOT EPA and nothing it holds counts for compliance. It speaks RCRAInfo's REST API at
`/rest/api/v1/...` the way the `emanifest` 5.1.0 client calls it (same paths, bearer tokens,
JSON shapes, error documents and validation reports) so that the code which talks to EPA is
the code the tests and the demo run. It is seeded deterministically (`seed`) and keeps what it is
told in a SQLite file of its own (`store`; `HT_SANDBOX_STATE`, by default
`HT_VAR_DIR/sandbox/state.sqlite3`), so a restarted sandbox is the same e-Manifest: manifests
and signatures are still there and no tracking number is issued twice. `HT_SANDBOX_STATE=memory`
(or `haztrak sandbox --memory`) asks for a throw-away one; `POST /sandbox/reset` returns to the
seed.

It behaves like e-Manifest where it matters: 20-minute tokens, lockout after three failed
logins, per-site permissions, EPA's schema and save rules (the manifest rules are the domain's
`business_problems`), `#########ELC` tracking numbers, Quicker Sign moving the status, and
faults on demand (latency, 500/503, dropped connections, expired tokens). It serves HTTPS only,
with a self-signed certificate, because the client swaps any non-https base URL for EPA's
preprod. It refuses to start with HT_ENV=prod unless told `--allow-prod`.

Public API: `create_sandbox_app`, `SandboxServer`, `SandboxState`, `SandboxSettings`,
`add_sandbox_command`, and `DEMO_ORG_CREDENTIALS` (in `seed`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from haztrak.entrypoints.sandbox.app import create_sandbox_app
    from haztrak.entrypoints.sandbox.cli import add_sandbox_command
    from haztrak.entrypoints.sandbox.config import SandboxSettings
    from haztrak.entrypoints.sandbox.seed import DEMO_ORG_CREDENTIALS
    from haztrak.entrypoints.sandbox.server import SandboxServer
    from haztrak.entrypoints.sandbox.state import SandboxState

# Imported on first use: `haztrak --help` registers the sandbox command without loading
# the web framework the sandbox serves with.
_HOMES = {
    "create_sandbox_app": "app",
    "add_sandbox_command": "cli",
    "SandboxSettings": "config",
    "DEMO_ORG_CREDENTIALS": "seed",
    "SandboxServer": "server",
    "SandboxState": "state",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)


__all__ = [
    "DEMO_ORG_CREDENTIALS",
    "SandboxServer",
    "SandboxSettings",
    "SandboxState",
    "add_sandbox_command",
    "create_sandbox_app",
]
