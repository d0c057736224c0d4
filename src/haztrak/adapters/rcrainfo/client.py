"""EPA's `emanifest.RcrainfoClient`, made safe to hold an org's credentials.

The subclass changes nothing about how the client talks to RCRAInfo. It
- never prints its credentials (the original `repr` shows the API ID and key);
- keeps the answer to its last login, which the original throws away, so that a refusal can be
  told from an outage;
- can take over a token another worker got (tokens are shared through the cache);
- trusts exactly the certificates it is told to: `trust_env` is off, so REQUESTS_CA_BUNDLE or
  CURL_CA_BUNDLE cannot replace `verify` (requests lets them override a session's `verify` on
  the login request), and no proxy comes from the environment.

The login URL carries the API key (`v1/auth/{id}/{key}`), and urllib3 logs URLs at DEBUG. This
module keeps urllib3's connection pool logger at WARNING and redacts login paths from whatever
it and the retry logger still write.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

import requests
from emanifest import RcrainfoClient, RcrainfoResponse
from requests.adapters import HTTPAdapter

from haztrak.adapters.rcrainfo.endpoint import RcrainfoEndpoint

_LOGIN_PATH = re.compile(r"(v1/auth/)[^\s\"'?#]*")
_URL_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry")


class RedactLoginPaths(logging.Filter):
    """Replaces `v1/auth/{id}/{key}` in a record's message with `v1/auth/***`."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "auth/" in message:
            record.msg = _LOGIN_PATH.sub(r"\1***", message)
            record.args = None
        return True


def harden_http_logging() -> None:
    """Keep the API key out of urllib3's logs, whatever level the root logger has."""
    redact = RedactLoginPaths()
    for name in _URL_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)
        if not any(isinstance(f, RedactLoginPaths) for f in logger.filters):
            logger.addFilter(redact)


harden_http_logging()


class EmanifestClient(RcrainfoClient):
    def __init__(self, endpoint: RcrainfoEndpoint, *, timeout: float, pool_size: int) -> None:
        super().__init__(endpoint.base_url, timeout=timeout, auto_renew=False)
        if self.base_url != endpoint.base_url:  # the client swapped it (NOTES §1.2)
            raise ValueError("the emanifest client did not keep the RCRAInfo base URL")
        self.trust_env = False
        self.verify = endpoint.verify
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(pool_size, 1))
        self.mount("https://", adapter)
        self.login_answer: requests.Response | None = None

    def __repr__(self) -> str:
        return f"<EmanifestClient {self.base_url}>"

    def __str__(self) -> str:
        return "EmanifestClient"

    def get(self, url: str | bytes, **kwargs: Any) -> requests.Response:
        # Only the client's login (`__get_token`) calls `get`; every other call goes through
        # `send`. Keep the answer: the client drops a refusal without a word.
        response: requests.Response = super().get(url, **kwargs)
        self.login_answer = response
        return response

    def log_in(self, api_id: str, api_key: str) -> None:
        """`authenticate()`, remembering its answer in `login_answer`."""
        self.login_answer = None
        self.authenticate(api_id, api_key)

    def adopt_token(self, token: str, expires_at: datetime) -> None:
        """Use a token that another worker got for the same API ID."""
        # The client keeps its token in name-mangled attributes and offers no setter.
        self._RcrainfoClient__token = token
        self._RcrainfoClient__token_expiration_utc = expires_at.astimezone(UTC)
        self.headers.update({"Authorization": f"Bearer {token}"})

    def correct_manifest(
        self, manifest_json: dict[str, Any], zip_file: bytes | None = None
    ) -> RcrainfoResponse[Any]:
        """EPA's correct service, sent as update_manifest sends its body. emanifest 5.1.0's own
        `correct_manifest` sends the multipart body without a Content-Type header, so the
        boundary never reaches the service and the body cannot be read (NOTES §1.5)."""
        # The client's own multipart encoder and request method (name-mangled privates).
        encode: Any = getattr(self, "_RcrainfoClient__encode_manifest")  # noqa: B009
        send: Any = getattr(self, "_RcrainfoClient__rcra_request")  # noqa: B009
        multipart = encode(manifest_json, zip_file) if zip_file else encode(manifest_json)
        response: RcrainfoResponse[Any] = send(
            "PUT",
            f"{self.base_url}v1/emanifest/manifest/correct",
            headers={"Content-Type": multipart.content_type, "Accept": "application/json"},
            multipart=multipart,
        )
        return response

    def token_expires_at(self) -> datetime | None:
        if self.token is None:
            return None
        expires: datetime = self.token_expiration
        return expires
