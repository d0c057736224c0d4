"""Serving the sandbox over HTTPS with uvicorn: in a background thread, or in the foreground.

`SandboxServer(...).start()` binds 127.0.0.1 (a free port unless one is given), runs uvicorn in
a daemon thread and returns the base URL the `emanifest` client takes:
`https://127.0.0.1:PORT/rest/api/`. Trust the certificate with `client.verify = cert_path`.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import uvicorn
from litestar import Litestar
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.utils import get_remote_addr

from haztrak.entrypoints.sandbox.app import create_sandbox_app
from haztrak.entrypoints.sandbox.config import SandboxSettings
from haztrak.entrypoints.sandbox.faults import ConnectionRegistry
from haztrak.entrypoints.sandbox.state import SandboxState
from haztrak.entrypoints.sandbox.tls import Certificate, ensure_certificate

API_PATH = "/rest/api/"
_POLL_SECONDS = 0.01


class SandboxRefused(RuntimeError):
    """The sandbox will not start here (HT_ENV=prod without --allow-prod)."""


def refuse_in_prod(settings: SandboxSettings, *, allow_prod: bool) -> None:
    if settings.is_prod and not allow_prod:
        raise SandboxRefused(
            "the e-Manifest sandbox is a test double for EPA and does not run with HT_ENV=prod; "
            "pass --allow-prod if you really mean it"
        )


def tracking_protocol(connections: ConnectionRegistry) -> type[H11Protocol]:
    """uvicorn's HTTP/1.1 protocol, recording each connection so a fault can drop it, and
    without access logs: the auth URL carries the API key."""

    class TrackingProtocol(H11Protocol):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            self.access_log = False

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            connections.add(get_remote_addr(transport), transport)

        def connection_lost(self, exc: Exception | None) -> None:
            connections.discard(get_remote_addr(self.transport))
            super().connection_lost(exc)

    return TrackingProtocol


class SandboxServer:
    def __init__(
        self,
        state: SandboxState | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        cert_dir: Path | None = None,
        allow_prod: bool = False,
    ) -> None:
        self.state = state or SandboxState()
        refuse_in_prod(self.state.settings, allow_prod=allow_prod)
        self.host = host
        self.certificate: Certificate = ensure_certificate(cert_dir or self.state.settings.cert_dir)
        self.app: Litestar = create_sandbox_app(self.state)
        self._requested_port = port
        self._socket: socket.socket | None = None
        self._port: int | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def cert_path(self) -> Path:
        return self.certificate.cert_path

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the sandbox has not bound its port yet")
        return self._port

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}:{self.port}{API_PATH}"

    def _config(self) -> uvicorn.Config:
        return uvicorn.Config(
            self.app,
            host=self.host,
            port=self._requested_port,
            ssl_certfile=str(self.certificate.cert_path),
            ssl_keyfile=str(self.certificate.key_path),
            http=tracking_protocol(self.state.connections),
            ws="none",
            lifespan="on",
            loop="asyncio",
            log_config=None,
            proxy_headers=False,
            server_header=False,
            timeout_graceful_shutdown=1,
        )

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # IPPROTO_TCP, not 0: asyncio turns Nagle off only for sockets that say they are TCP,
        # and with Nagle on every answer waits ~40 ms for a delayed ACK.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._requested_port))
        sock.listen(128)
        self._port = int(sock.getsockname()[1])
        return sock

    def start(self, timeout: float = 10.0) -> str:
        """Serve in a background thread; returns the base URL once the server accepts."""
        if self._thread is not None:
            return self.base_url
        self._socket = self._bind()
        server = uvicorn.Server(self._config())
        self._server = server
        sockets = [self._socket]
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": sockets}, name="emanifest-sandbox", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not self._thread.is_alive():
                self._cleanup()
                raise RuntimeError("the e-Manifest sandbox failed to start; see the log")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"the e-Manifest sandbox did not start within {timeout} s")
            time.sleep(_POLL_SECONDS)
        return self.base_url

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving; from any thread, for `start()` and `serve_forever()` alike."""
        if self._server is not None:
            self._server.should_exit = True
            # Idle keep-alive connections would hold a graceful shutdown for its whole timeout.
            self.state.connections.abort_all_soon()
        if self._thread is not None:
            self._thread.join(timeout)
            self._cleanup()

    def _cleanup(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.close()
        self._thread = None
        self._server = None

    def serve_forever(self, on_ready: Callable[[str], None] | None = None) -> None:
        """Serve in this thread until interrupted (Ctrl-C, SIGTERM); `on_ready` gets the base
        URL once the port is bound."""
        self._socket = self._bind()
        server = uvicorn.Server(self._config())
        self._server = server
        if on_ready is not None:
            on_ready(self.base_url)
        try:
            server.run(sockets=[self._socket])
        finally:
            self._cleanup()

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
