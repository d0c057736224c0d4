"""Webhooks: an org's endpoints, the events delivered to them, how each delivery is signed,
retried and given up on, and which addresses a delivery may reach.

Signature (docs/webhooks.md; the Standard Webhooks scheme): each request carries
`webhook-id` (the event id, the same on every retry and redelivery), `webhook-timestamp`
(Unix seconds when this attempt was sent) and `webhook-signature`: `v1,` and the base64
HMAC-SHA256 of `{id}.{timestamp}.{body}`, keyed with the base64 part of the endpoint's
secret (`whsec_...`). A receiver recomputes it and refuses a timestamp more than five minutes
away from its clock.

Retries: a failed attempt (no answer, or an answer other than 2xx; redirects are not followed)
is tried again with exponential backoff for a day (`WEBHOOK_RETRY`). Pausing: an endpoint is
paused when its last `PauseRule.failures` attempts all failed and the first of them is at least
`PauseRule.span` old; a paused endpoint gets no new deliveries until an org admin resumes it.

Addresses: a delivery reaches only public (global unicast) addresses, unless a setting allows
private ones; every address a name resolves to is checked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final
from urllib.parse import urlsplit
from uuid import UUID

import msgspec

from haztrak.domain.errors import InvalidValue
from haztrak.domain.secrets import Secret
from haztrak.domain.tasks import RetryPolicy

SECRET_PREFIX: Final = "whsec_"  # noqa: S105 (a prefix, not a secret)
PING: Final = "ping"
"""The kind of the test event an org admin sends to check an endpoint."""
MAX_URL: Final = 2000
MAX_DESCRIPTION: Final = 200
SIGNATURE_TOLERANCE_SECONDS: Final = 300
HEADER_ID: Final = "webhook-id"
HEADER_TIMESTAMP: Final = "webhook-timestamp"
HEADER_SIGNATURE: Final = "webhook-signature"

WEBHOOK_RETRY: Final = RetryPolicy(
    max_attempts=40, max_seconds=86_400.0, first_delay=30.0, max_delay=3600.0
)
"""30 s, 1 min, 2 min ... up to an hour between attempts, for a day (about 28 attempts)."""

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class PauseRule(msgspec.Struct, frozen=True, kw_only=True):
    """An endpoint whose last `failures` attempts all failed, over at least `span`, is
    paused. The span keeps a short outage (many deliveries failing within minutes) from
    pausing an endpoint; the count keeps one slow failure from doing so."""

    failures: int = 10
    span: timedelta = timedelta(hours=12)

    def pauses(self, consecutive: int, failing_since: datetime | None, at: datetime) -> bool:
        if failing_since is None or consecutive < self.failures:
            return False
        return at - failing_since >= self.span


class WebhookEndpoint(msgspec.Struct, kw_only=True):
    id: UUID
    org_id: UUID
    url: str
    kinds: tuple[str, ...]
    created_at: datetime
    description: str = ""
    active: bool = True
    """The org admin's switch."""
    paused_at: datetime | None = None
    """Set when failures paused it (PauseRule); cleared when an org admin resumes it."""
    consecutive_failures: int = 0
    failing_since: datetime | None = None

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def wants(self, kind: str) -> bool:
        """Whether a new event of this kind is delivered to it."""
        return self.active and not self.paused and kind in self.kinds

    def succeeded(self) -> None:
        self.consecutive_failures = 0
        self.failing_since = None

    def failed(self, at: datetime, rule: PauseRule) -> bool:
        """Count a failed attempt; True when this failure pauses the endpoint."""
        if self.consecutive_failures == 0 or self.failing_since is None:
            self.failing_since = at
        self.consecutive_failures += 1
        if not self.paused and rule.pauses(self.consecutive_failures, self.failing_since, at):
            self.paused_at = at
            return True
        return False

    def resume(self) -> None:
        self.paused_at = None
        self.consecutive_failures = 0
        self.failing_since = None


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class DeliveryAttempt(msgspec.Struct, frozen=True, kw_only=True):
    number: int
    at: datetime
    duration_ms: int
    response_status: int | None = None
    """The HTTP status the endpoint answered; None when it gave no answer."""
    error: str | None = None
    """Why the attempt failed, in words for the org admin (never a secret)."""

    @property
    def succeeded(self) -> bool:
        return self.error is None and self.response_status is not None


class WebhookDelivery(msgspec.Struct, kw_only=True):
    """One event for one endpoint (one record per pair, however often it is tried)."""

    id: UUID
    endpoint_id: UUID
    org_id: UUID
    event_id: UUID
    kind: str
    body: str
    """The JSON sent, the same on every attempt."""
    created_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    last_attempt_at: datetime | None = None
    response_status: int | None = None
    duration_ms: int | None = None
    error: str | None = None
    delivered_at: datetime | None = None
    task_id: UUID | None = None

    def record(self, attempt: DeliveryAttempt) -> None:
        self.attempts = attempt.number
        self.last_attempt_at = attempt.at
        self.response_status = attempt.response_status
        self.duration_ms = attempt.duration_ms
        self.error = attempt.error
        if attempt.succeeded:
            self.status = DeliveryStatus.SUCCEEDED
            self.delivered_at = attempt.at

    def give_up(self, reason: str) -> None:
        self.status = DeliveryStatus.FAILED
        self.error = reason

    def redeliver(self) -> None:
        self.status = DeliveryStatus.PENDING
        self.delivered_at = None


def answer_problem(status: int) -> str | None:
    """Why an HTTP answer counts as a failed delivery; None when it is a success (2xx)."""
    if 200 <= status < 300:
        return None
    if 300 <= status < 400:
        return f"answered {status}, a redirect (redirects are not followed)"
    return f"answered {status}"


def event_body(
    *,
    event_id: UUID,
    kind: str,
    at: datetime,
    mtn: str | None,
    status: str | None,
    link: str | None,
) -> str:
    """The JSON of one event, as every endpoint receives it."""
    return msgspec.json.encode(
        {
            "id": str(event_id),
            "kind": kind,
            "time": at.isoformat().replace("+00:00", "Z"),
            "manifestTrackingNumber": mtn,
            "status": status,
            "link": link,
        }
    ).decode()


# --- signatures ---------------------------------------------------------------------------


def new_secret() -> Secret:
    return Secret(SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode())


def _key(secret: Secret) -> bytes:
    raw = secret.reveal().removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return raw.encode()


def signature(secret: Secret, message_id: str, timestamp: int, body: bytes) -> str:
    """`v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_headers(
    secret: Secret, message_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    return {
        HEADER_ID: message_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_SIGNATURE: signature(secret, message_id, timestamp, body),
    }


def verify_signature(
    secret: Secret,
    headers: Mapping[str, str],
    body: bytes,
    now: int,
    tolerance: int = SIGNATURE_TOLERANCE_SECONDS,
) -> bool:
    """What a receiver does: the timestamp is recent and one of the signatures matches."""
    lowered = {k.lower(): v for k, v in headers.items()}
    message_id = lowered.get(HEADER_ID, "")
    try:
        timestamp = int(lowered.get(HEADER_TIMESTAMP, ""))
    except ValueError:
        return False
    if not message_id or abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, message_id, timestamp, body)
    return any(
        hmac.compare_digest(expected, given)
        for given in lowered.get(HEADER_SIGNATURE, "").split(" ")
    )


# --- where a delivery may go --------------------------------------------------------------


def address_allowed(address: IpAddress, *, allow_private: bool) -> bool:
    """A public unicast address; with `allow_private`, also private, loopback and link-local
    ones (never the unspecified address, nor multicast)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_unspecified or address.is_multicast:
        return False
    if allow_private:
        return True
    return address.is_global and not address.is_reserved


def addresses_allowed(addresses: Iterable[IpAddress], *, allow_private: bool) -> bool:
    """Every address is allowed (and there is at least one)."""
    found = list(addresses)
    return bool(found) and all(address_allowed(a, allow_private=allow_private) for a in found)


def check_endpoint_url(url: str, *, allow_insecure: bool, allow_private: bool) -> str:
    """The URL an endpoint may have: https (http only where allowed), a host, no user
    name or password, no fragment; an address written in it must be allowed. Names are
    resolved and checked at each delivery, as what they resolve to changes."""
    url = url.strip()
    if not url or len(url) > MAX_URL:
        raise InvalidValue("url", f"must be an https URL of at most {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidValue("url", "is not a valid URL") from None
    schemes = ("https", "http") if allow_insecure else ("https",)
    if parts.scheme not in schemes:
        raise InvalidValue("url", "must start with https://")
    host = parts.hostname or ""
    if not host:
        raise InvalidValue("url", "must name a host")
    if parts.username is not None or parts.password is not None:
        raise InvalidValue("url", "must not hold a user name or password")
    if parts.fragment:
        raise InvalidValue("url", "must not have a fragment (#...)")
    if port == 0:
        raise InvalidValue("url", "has no valid port")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise InvalidValue("url", "must not contain spaces or control characters")
    try:
        literal: IpAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    private_name = host == "localhost" or host.endswith((".localhost", ".internal", ".local"))
    if (literal is not None and not address_allowed(literal, allow_private=allow_private)) or (
        private_name and not allow_private
    ):
        raise InvalidValue("url", "must reach a public address, not a private or local one")
    return url


def check_kinds(kinds: Iterable[str], known: Iterable[str]) -> tuple[str, ...]:
    chosen = sorted({k.strip() for k in kinds})
    allowed = set(known)
    if not chosen:
        raise InvalidValue("kinds", "choose at least one kind of event")
    unknown = [k for k in chosen if k not in allowed]
    if unknown:
        raise InvalidValue(
            "kinds", f"unknown kind {unknown[0]!r}; use: " + ", ".join(sorted(allowed))
        )
    return tuple(chosen)


def check_description(description: str) -> str:
    description = description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise InvalidValue("description", f"must be at most {MAX_DESCRIPTION} characters")
    return description
