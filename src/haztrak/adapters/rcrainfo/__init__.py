"""The `Rcrainfo` port on EPA's `emanifest` client: `EmanifestRcrainfo` at an `RcrainfoEndpoint`.

`EmanifestRcrainfo` is imported at first use: with `requests` and `emanifest` it costs a process
about 10 MiB, and an API process with a separate worker never calls RCRAInfo itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from haztrak.adapters.rcrainfo.endpoint import (
    RCRAINFO_PREPROD,
    RCRAINFO_PROD,
    InvalidEndpoint,
    RcrainfoEndpoint,
)

if TYPE_CHECKING:
    from haztrak.adapters.rcrainfo.adapter import EmanifestRcrainfo

__all__ = [
    "RCRAINFO_PREPROD",
    "RCRAINFO_PROD",
    "EmanifestRcrainfo",
    "InvalidEndpoint",
    "RcrainfoEndpoint",
]


def __getattr__(name: str) -> Any:
    if name == "EmanifestRcrainfo":
        from haztrak.adapters.rcrainfo.adapter import EmanifestRcrainfo

        return EmanifestRcrainfo
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
