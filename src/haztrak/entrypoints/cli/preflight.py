"""What `haztrak serve` (and the worker, the scheduler) find out before starting anything: each
problem is one line that names the setting and what to do, never a traceback after half the
process has started."""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
from urllib.parse import urlsplit

from haztrak.entrypoints.settings import Settings

log = logging.getLogger("haztrak.serve")


def sandbox_in_prod(settings: Settings) -> str | None:
    if settings.is_prod and settings.rcrainfo.env == "sandbox":
        return (
            "HT_ENV=prod cannot run on the embedded e-Manifest sandbox (a test double of EPA): "
            "set HT_RCRAINFO_ENV to preprod, prod or RCRAInfo's https:// base URL, "
            "or use HT_ENV=dev to try Haztrak out"
        )
    return None


_BIND_PROBLEMS = {
    errno.EADDRINUSE: "is already in use (is another Haztrak running?): stop that process, "
    "or choose another port with --port or HT_PORT",
    errno.EACCES: "needs privileges this process does not have: choose a port above 1023 "
    "with --port or HT_PORT",
    errno.EADDRNOTAVAIL: "is not an address of this machine: choose another with --host or HT_HOST",
}


def port_taken(host: str, port: int) -> str | None:
    """Bind the address as the server will (SO_REUSEADDR, like uvicorn) and let it go."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        return f"{host!r} (--host or HT_HOST) is not an address: {exc.strerror}"
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            problem = _BIND_PROBLEMS.get(exc.errno or 0, f"cannot be used ({exc.strerror})")
            return f"{host}:{port} {problem}"
    return None


def without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()


def warn_if_redis_down(settings: Settings) -> None:
    """Start anyway (reads do not need Redis), but say once, at start, that it does not answer."""
    if settings.redis_url is None:
        return
    from haztrak.adapters.cache.redis import RedisCache

    url = settings.redis_url.reveal()

    async def answers() -> bool:
        cache = RedisCache.from_url(url)
        try:
            return await cache.ping()
        finally:
            await cache.close()

    if not asyncio.run(answers()):
        log.warning(
            "HT_REDIS_URL: Redis at %s does not answer; starting anyway: logins answer 503 "
            "and background work waits until it does",
            without_password(url),
        )
