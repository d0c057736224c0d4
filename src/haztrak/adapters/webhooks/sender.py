"""The WebhookSender port on httpx, guarded against server-side request forgery.

The host is resolved here and every address it resolves to is checked (domain
`address_allowed`); the request then goes to a checked address itself, with the name in the
Host header and in TLS (SNI and certificate check), so that a name cannot resolve to a public
address for the check and to a private one for the connection. Redirects are never followed
(a 3xx is a failed delivery): a redirect could lead anywhere.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from haztrak.application.ports.webhooks import SendResult
from haztrak.domain.webhooks import IpAddress, address_allowed

if TYPE_CHECKING:
    import httpx

USER_AGENT = "Haztrak-Webhooks/1"
CONNECT_SECONDS = 5.0
TOTAL_SECONDS = 15.0

Resolve = Callable[[str, int], Awaitable[Sequence[IpAddress]]]


class RefusedAddress(Exception):
    """The host resolves to an address deliveries may not reach."""


async def resolve_host(host: str, port: int) -> list[IpAddress]:
    """Every address the host resolves to (a literal address is its own)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    found: list[IpAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    return found


async def allowed_addresses(
    host: str, port: int, *, allow_private: bool, resolve: Resolve = resolve_host
) -> list[IpAddress]:
    """The addresses to connect to; raises RefusedAddress unless every one is allowed."""
    try:
        addresses = list(await resolve(host, port))
    except (OSError, UnicodeError) as exc:
        raise RefusedAddress(f"the host name {host!r} does not resolve") from exc
    if not addresses:
        raise RefusedAddress(f"the host name {host!r} does not resolve")
    for address in addresses:
        if not address_allowed(address, allow_private=allow_private):
            raise RefusedAddress(
                f"{host!r} resolves to {address}, a private or local address, which deliveries "
                "may not reach"
            )
    return addresses


class HttpxWebhookSender:
    def __init__(
        self,
        *,
        allow_private: bool,
        allow_insecure: bool,
        resolve: Resolve = resolve_host,
        timeout: float = TOTAL_SECONDS,
    ) -> None:
        self._allow_private = allow_private
        self._allow_insecure = allow_insecure
        self._resolve = resolve
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"HttpxWebhookSender(allow_private={self._allow_private})"

    async def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        started = time.perf_counter()

        def done(status: int | None = None, error: str | None = None) -> SendResult:
            elapsed = int((time.perf_counter() - started) * 1000)
            return SendResult(duration_ms=elapsed, status=status, error=error)

        parts = urlsplit(url)
        if parts.scheme != "https" and not (self._allow_insecure and parts.scheme == "http"):
            return done(error="the URL is not https, which deliveries require")
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = await allowed_addresses(
                host, port, allow_private=self._allow_private, resolve=self._resolve
            )
        except RefusedAddress as exc:
            return done(error=str(exc))
        request_headers = {
            **headers,
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "host": parts.netloc.rpartition("@")[2],
        }
        last_error = "could not connect"
        # Imported at the first delivery: httpx (with rich and click, about 3.5 MiB) stays in
        # every process that builds this sender, and most never deliver a webhook.
        import httpx

        timeout = httpx.Timeout(self._timeout, connect=CONNECT_SECONDS)
        async with httpx.AsyncClient(
            timeout=timeout, follow_redirects=False, trust_env=False
        ) as client:
            for address in addresses:
                literal = f"[{address}]" if address.version == 6 else str(address)
                pinned = parts._replace(netloc=f"{literal}:{port}").geturl()
                extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
                try:
                    async with asyncio.timeout(self._timeout):
                        request = client.build_request(
                            "POST",
                            pinned,
                            content=body,
                            headers=request_headers,
                            extensions=extensions,
                        )
                        response = await client.send(request, stream=True)
                        await response.aclose()  # the answer's body is not read
                    return done(status=response.status_code)
                except httpx.ConnectTimeout:
                    last_error = f"no connection within {CONNECT_SECONDS:.0f} s"
                except httpx.ConnectError as exc:
                    last_error = _connect_problem(exc)
                except (TimeoutError, httpx.TimeoutException):
                    return done(error=f"no answer within {self._timeout:.0f} s")
                except httpx.HTTPError as exc:
                    return done(error=f"the connection failed ({type(exc).__name__})")
        return done(error=last_error)


def _connect_problem(exc: httpx.ConnectError) -> str:
    text = str(exc).lower()
    if "certificate" in text or "ssl" in text or "tls" in text:
        return "the TLS handshake failed (is the certificate valid for the host?)"
    return "could not connect"
