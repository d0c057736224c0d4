"""The `Rcrainfo` port on EPA's `emanifest` client: `EmanifestRcrainfo` at an `RcrainfoEndpoint`."""

from haztrak.adapters.rcrainfo.adapter import EmanifestRcrainfo
from haztrak.adapters.rcrainfo.endpoint import (
    RCRAINFO_PREPROD,
    RCRAINFO_PROD,
    InvalidEndpoint,
    RcrainfoEndpoint,
)

__all__ = [
    "RCRAINFO_PREPROD",
    "RCRAINFO_PROD",
    "EmanifestRcrainfo",
    "InvalidEndpoint",
    "RcrainfoEndpoint",
]
