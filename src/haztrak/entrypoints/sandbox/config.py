"""Constants of the e-Manifest sandbox. Its settings (`SandboxSettings`, from `HT_SANDBOX_*`)
are part of the one settings tree in haztrak.entrypoints.settings."""

from __future__ import annotations

from haztrak.entrypoints.settings import (
    SANDBOX_ERROR_STATUSES as ERROR_STATUSES,
)
from haztrak.entrypoints.settings import (
    SANDBOX_LOCKOUT_THRESHOLD as LOCKOUT_THRESHOLD,
)
from haztrak.entrypoints.settings import (
    SANDBOX_PAGE_SIZE as PAGE_SIZE,
)
from haztrak.entrypoints.settings import (
    SANDBOX_TOKEN_TTL_SECONDS as TOKEN_TTL_SECONDS,
)
from haztrak.entrypoints.settings import SandboxSettings

DEFAULT_PORT = 8001

__all__ = [
    "DEFAULT_PORT",
    "ERROR_STATUSES",
    "LOCKOUT_THRESHOLD",
    "PAGE_SIZE",
    "TOKEN_TTL_SECONDS",
    "SandboxSettings",
]
