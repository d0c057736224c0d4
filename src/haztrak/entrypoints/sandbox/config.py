"""Settings of the e-Manifest sandbox, read from `HT_SANDBOX_*` variables (and `HT_ENV`).

`SandboxSettings.from_env` is the only place the sandbox looks at the environment; the CLI
passes `os.environ`, an embedding process may build the struct from its own settings tree.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import msgspec

DEFAULT_PORT = 8001
DEFAULT_CERT_DIR = Path("var") / "sandbox"
"""Where the self-signed certificate is written on first start."""
TOKEN_TTL_SECONDS = 20 * 60
"""RCRAInfo's security tokens live 20 minutes."""
LOCKOUT_THRESHOLD = 3
"""RCRAInfo locks an API ID after three failed authentications."""
PAGE_SIZE = 100
ERROR_STATUSES = (500, 503)


class SandboxSettingsError(ValueError):
    """A sandbox setting has a value that is not allowed; the message names the variable."""


class SandboxSettings(msgspec.Struct, frozen=True, kw_only=True):
    environment: str = "dev"
    token_ttl_seconds: int = TOKEN_TTL_SECONDS
    latency_ms: int = 0
    error_rate: float = 0.0
    error_status: int = 503
    drop_rate: float = 0.0
    fault_seed: int = 0
    page_size: int = PAGE_SIZE
    lockout_threshold: int = LOCKOUT_THRESHOLD
    cert_dir: Path = DEFAULT_CERT_DIR

    @property
    def is_prod(self) -> bool:
        return self.environment.strip().lower() == "prod"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SandboxSettings:
        """Read `HT_ENV` and `HT_SANDBOX_*`; a bad value raises SandboxSettingsError."""
        cert_dir = environ.get("HT_SANDBOX_CERT_DIR", "").strip()
        return cls(
            environment=environ.get("HT_ENV", "").strip().lower() or "dev",
            token_ttl_seconds=_int(environ, "HT_SANDBOX_TOKEN_TTL", TOKEN_TTL_SECONDS, 1, 86_400),
            latency_ms=_int(environ, "HT_SANDBOX_LATENCY_MS", 0, 0, 60_000),
            error_rate=_rate(environ, "HT_SANDBOX_ERROR_RATE"),
            error_status=_error_status(environ),
            drop_rate=_rate(environ, "HT_SANDBOX_DROP_RATE"),
            fault_seed=_int(environ, "HT_SANDBOX_FAULT_SEED", 0, 0, 2**31 - 1),
            page_size=_int(environ, "HT_SANDBOX_PAGE_SIZE", PAGE_SIZE, 1, 10_000),
            cert_dir=Path(cert_dir) if cert_dir else DEFAULT_CERT_DIR,
        )


def _int(environ: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SandboxSettingsError(f"{name}={raw!r} is not a whole number ({low}-{high})") from None
    if not low <= value <= high:
        raise SandboxSettingsError(f"{name}={value} is out of range; use {low}-{high}")
    return value


def _rate(environ: Mapping[str, str], name: str) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        raise SandboxSettingsError(f"{name}={raw!r} is not a number between 0 and 1") from None
    if not 0.0 <= value <= 1.0:
        raise SandboxSettingsError(f"{name}={value} is out of range; use 0 to 1")
    return value


def _error_status(environ: Mapping[str, str]) -> int:
    value = _int(environ, "HT_SANDBOX_ERROR_STATUS", 503, 100, 599)
    if value not in ERROR_STATUSES:
        raise SandboxSettingsError(
            f"HT_SANDBOX_ERROR_STATUS={value} is not allowed; use 500 or 503"
        )
    return value
