"""Storage keys: `/`-separated safe names, so that no key leaves its folder or bucket prefix."""

from __future__ import annotations

import re

_PART = re.compile(r"^[0-9A-Za-z_\-][0-9A-Za-z_\-. ]{0,127}$")


def check_key(key: str) -> list[str]:
    """The parts of a valid key; ValueError for anything else (`..`, empty parts, odd
    characters): keys are built by the application from checked names, never taken raw."""
    parts = key.split("/")
    if not parts or any(not _PART.fullmatch(p) or p in (".", "..") for p in parts):
        raise ValueError("not a storage key")
    return parts


def check_prefix(prefix: str) -> list[str]:
    if not prefix.endswith("/"):
        raise ValueError("a storage prefix ends with /")
    return check_key(prefix[:-1])
