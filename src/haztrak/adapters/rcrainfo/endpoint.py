"""Which RCRAInfo to talk to, and which certificates to trust there.

The `emanifest` client keeps a base URL only if it contains "https"; any other string silently
becomes EPA's preprod URL. An endpoint therefore accepts https URLs only, so that a mistyped
sandbox URL fails at start instead of sending an org's API key to EPA.
"""

from __future__ import annotations

import msgspec

RCRAINFO_PREPROD = "https://rcrainfopreprod.epa.gov/rcrainfo/rest/api/"
RCRAINFO_PROD = "https://rcrainfo.epa.gov/rcrainfoprod/rest/api/"
EPA_ENVIRONMENTS = {"preprod": RCRAINFO_PREPROD, "prod": RCRAINFO_PROD}
"""The same URLs as `emanifest.client.RCRAINFO_PREPROD` / `RCRAINFO_PROD` (a test holds them
together)."""


class InvalidEndpoint(ValueError):
    """The base URL is not one the client would use as given."""


class RcrainfoEndpoint(msgspec.Struct, frozen=True, kw_only=True):
    """An RCRAInfo REST API root (`https://…/rest/api/`).

    `verify` is True to trust the system's certificate authorities, or the path of a PEM file
    (the sandbox's self-signed certificate, or a deployment's CA bundle) to trust only that.
    """

    base_url: str
    verify: bool | str = True

    def __post_init__(self) -> None:
        if not self.base_url.startswith("https://"):
            raise InvalidEndpoint(
                "an RCRAInfo base URL must start with https:// (the emanifest client replaces "
                "any other with EPA's preprod)"
            )
        if not self.base_url.endswith("/"):
            raise InvalidEndpoint("an RCRAInfo base URL must end with /")

    @classmethod
    def epa(cls, environment: str, verify: bool | str = True) -> RcrainfoEndpoint:
        """EPA's `preprod` or `prod`."""
        try:
            return cls(base_url=EPA_ENVIRONMENTS[environment], verify=verify)
        except KeyError:
            raise InvalidEndpoint(f"EPA has no RCRAInfo environment {environment!r}") from None
