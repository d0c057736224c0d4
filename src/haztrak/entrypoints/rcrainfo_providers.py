"""dishka providers for RCRAInfo: where it is (`RcrainfoEndpoint`) and the `Rcrainfo` adapter.

`HT_RCRAINFO_ENV` decides the endpoint:
- `preprod` / `prod`: EPA, trusting the system's certificate authorities (or
  `HT_RCRAINFO_CA_BUNDLE`);
- an https URL: that URL (a sandbox run by `haztrak sandbox` on this machine is trusted through
  its certificate in `HT_VAR_DIR/sandbox`, unless `HT_RCRAINFO_CA_BUNDLE` says otherwise);
- `sandbox` (the embedded default): the e-Manifest sandbox, started in this process on a free
  port of 127.0.0.1 the first time something needs RCRAInfo, with its certificate in
  `HT_VAR_DIR/sandbox`. One sandbox serves the whole process, however many containers ask for
  it, so the HTTP app and in-process workers see the same e-Manifest. It is a test double of
  EPA, keeps its data in `HT_SANDBOX_STATE` (`HT_VAR_DIR/sandbox/state.sqlite3`) so that a
  restart forgets nothing, and refuses to start with HT_ENV=prod.

Tests override `RcrainfoEndpoint` with a provider of their own to point the adapter elsewhere.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from dishka import Provider, Scope, provide

from haztrak.adapters.rcrainfo.endpoint import RcrainfoEndpoint
from haztrak.application.ports.cache import Cache
from haztrak.application.ports.rcrainfo import Rcrainfo
from haztrak.application.ports.security import Clock, SecretBox
from haztrak.application.rcrainfo.tokens import RcrainfoTokenStore
from haztrak.entrypoints.settings import Settings

if TYPE_CHECKING:
    from haztrak.entrypoints.sandbox.server import SandboxServer

log = logging.getLogger("haztrak.rcrainfo")

SANDBOX = "sandbox"
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def sandbox_cert_dir(settings: Settings) -> Path:
    return settings.sandbox.cert_dir


def endpoint_for(settings: Settings) -> RcrainfoEndpoint:
    """The endpoint of EPA or of an https URL (not the embedded sandbox)."""
    rcrainfo = settings.rcrainfo
    verify: bool | str = str(rcrainfo.ca_bundle) if rcrainfo.ca_bundle else True
    if rcrainfo.env in ("preprod", "prod"):
        return RcrainfoEndpoint.epa(rcrainfo.env, verify)
    if rcrainfo.ca_bundle is None and urlsplit(rcrainfo.env).hostname in _LOOPBACK:
        from haztrak.entrypoints.sandbox.tls import CERT_FILE

        local_sandbox = sandbox_cert_dir(settings) / CERT_FILE
        if local_sandbox.is_file():
            verify = str(local_sandbox)
    return RcrainfoEndpoint(base_url=rcrainfo.env, verify=verify)


class _QuietSandboxServer(logging.Filter):
    """Drops the embedded sandbox's uvicorn INFO lines ("Application startup complete", ...):
    the process's own server logs the same lines on the same logger, and people and scripts
    read them as that server being up. The sandbox announces itself on our logger instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        # The emitting thread, asked here: records carry no thread name (entrypoints.logs).
        in_sandbox = threading.current_thread().name == _SANDBOX_THREAD
        return record.levelno >= logging.WARNING or not in_sandbox


_SANDBOX_THREAD = "emanifest-sandbox"  # the thread `SandboxServer.start` serves in


def _quiet_sandbox_server_logs() -> None:
    for name in ("uvicorn.error", "uvicorn"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _QuietSandboxServer) for f in logger.filters):
            logger.addFilter(_QuietSandboxServer())


class EmbeddedSandbox:
    """The e-Manifest sandbox inside this process: started by the first user, stopped when the
    last one lets go."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._server: SandboxServer | None = None
        self._users = 0

    def acquire(self, settings: Settings) -> RcrainfoEndpoint:
        # Imported here: the sandbox (a Litestar app, uvicorn) is not loaded unless it runs.
        from haztrak.entrypoints.sandbox.server import SandboxServer, refuse_in_prod
        from haztrak.entrypoints.sandbox.state import SandboxState

        with self._lock:
            if self._server is None:
                refuse_in_prod(settings.sandbox, allow_prod=False)
                state = SandboxState(settings.sandbox)
                try:
                    server = SandboxServer(state, cert_dir=sandbox_cert_dir(settings))
                    _quiet_sandbox_server_logs()
                    server.start()
                except BaseException:
                    state.close()
                    raise
                self._server = server
                log.info(
                    "e-Manifest sandbox (a test double of EPA's RCRAInfo, state in %s) at %s",
                    state.location,
                    server.base_url,
                )
            self._users += 1
            return RcrainfoEndpoint(
                base_url=self._server.base_url, verify=str(self._server.cert_path)
            )

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users > 0 or self._server is None:
                return
            # Stopped and closed under the lock: the next acquire opens the same state file.
            server, self._server = self._server, None
            server.stop()
            server.state.close()

    @property
    def server(self) -> SandboxServer | None:
        return self._server


EMBEDDED_SANDBOX = EmbeddedSandbox()


class RcrainfoProvider(Provider):
    scope = Scope.APP

    @provide
    async def endpoint(self, settings: Settings) -> AsyncIterator[RcrainfoEndpoint]:
        if settings.rcrainfo.env != SANDBOX:
            yield endpoint_for(settings)
            return
        endpoint = await asyncio.to_thread(EMBEDDED_SANDBOX.acquire, settings)
        try:
            yield endpoint
        finally:
            await asyncio.to_thread(EMBEDDED_SANDBOX.release)

    @provide
    def rcrainfo(
        self,
        endpoint: RcrainfoEndpoint,
        settings: Settings,
        cache: Cache,
        box: SecretBox,
        clock: Clock,
    ) -> Iterator[Rcrainfo]:
        # The adapter (requests, emanifest) loads with the first use of RCRAInfo: an API
        # process with separate workers never gets here.
        from haztrak.adapters.rcrainfo.adapter import EmanifestRcrainfo

        adapter = EmanifestRcrainfo(
            endpoint,
            clock=clock,
            concurrency=settings.rcrainfo.concurrency,
            timeout_seconds=settings.rcrainfo.timeout_seconds,
            tokens=RcrainfoTokenStore(cache, box, clock, endpoint.base_url),
            cache=cache,
        )
        try:
            yield adapter
        finally:
            adapter.close()
