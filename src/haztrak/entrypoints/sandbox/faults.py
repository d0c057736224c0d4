"""Fault injection: added latency, 500/503 answers, dropped connections, forced token expiry.

Faults apply to the RCRAInfo API (`/rest/api/...`), never to the sandbox's control endpoints.
Rates draw from a seeded `random.Random`, so a run is repeatable; `failNext` and `dropNext`
count down deterministically and win over the rates.

A drop closes the TCP connection without an answer. That needs the transport, which ASGI does
not expose: `SandboxServer` runs uvicorn with a protocol that records each connection's
transport in a `ConnectionRegistry` under the client's address, and the middleware aborts it.
Where no transport is known (an in-process test client), a drop degrades to an error answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import threading

import msgspec
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from haztrak.entrypoints.sandbox.clock import SandboxClock
from haztrak.entrypoints.sandbox.config import ERROR_STATUSES, SandboxSettings
from haztrak.entrypoints.sandbox.errors import error_document

API_PREFIX = "/rest/api/"
_DRAIN_SECONDS = 5.0


class FaultConfig(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    latency_ms: int = 0
    error_rate: float = 0.0
    error_status: int = 503
    drop_rate: float = 0.0
    fail_next: int = 0
    drop_next: int = 0
    token_ttl_seconds: int = 20 * 60

    @classmethod
    def from_settings(cls, settings: SandboxSettings) -> FaultConfig:
        return cls(
            latency_ms=settings.latency_ms,
            error_rate=settings.error_rate,
            error_status=settings.error_status,
            drop_rate=settings.drop_rate,
            token_ttl_seconds=settings.token_ttl_seconds,
        )

    def validate(self) -> FaultConfig:
        problems = []
        if not 0 <= self.latency_ms <= 60_000:
            problems.append("latencyMs must be 0-60000")
        for name, rate in (("errorRate", self.error_rate), ("dropRate", self.drop_rate)):
            if not 0.0 <= rate <= 1.0:
                problems.append(f"{name} must be between 0 and 1")
        if self.error_status not in ERROR_STATUSES:
            problems.append("errorStatus must be 500 or 503")
        if self.fail_next < 0 or self.drop_next < 0:
            problems.append("failNext and dropNext must not be negative")
        if not 1 <= self.token_ttl_seconds <= 86_400:
            problems.append("tokenTtlSeconds must be 1-86400")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class FaultChange(msgspec.Struct, kw_only=True, rename="camel", forbid_unknown_fields=True):
    """The body of `POST /sandbox/faults`: any subset of the settings, plus one-shot actions."""

    latency_ms: int | None = None
    error_rate: float | None = None
    error_status: int | None = None
    drop_rate: float | None = None
    fail_next: int | None = None
    drop_next: int | None = None
    token_ttl_seconds: int | None = None
    expire_tokens: bool = False


class Decision(msgspec.Struct, frozen=True):
    latency_seconds: float = 0.0
    drop: bool = False
    error_status: int | None = None


class FaultInjector:
    def __init__(self, baseline: FaultConfig, seed: int = 0) -> None:
        self._baseline = baseline.validate()
        self._config = baseline
        self._seed = seed
        self._random = random.Random(seed)  # noqa: S311 - repeatable faults, not secrets
        self._lock = threading.Lock()

    @property
    def config(self) -> FaultConfig:
        return self._config

    def change(self, change: FaultChange) -> FaultConfig:
        updates = {
            field: value
            for field in FaultConfig.__struct_fields__
            if (value := getattr(change, field)) is not None
        }
        with self._lock:
            self._config = msgspec.structs.replace(self._config, **updates).validate()
            return self._config

    def clear(self) -> FaultConfig:
        """Back to the faults the sandbox started with (its settings), and a fresh random stream."""
        with self._lock:
            self._config = self._baseline
            self._random = random.Random(self._seed)  # noqa: S311 - repeatable faults
            return self._config

    def decide(self) -> Decision:
        with self._lock:
            config = self._config
            latency = config.latency_ms / 1000
            if config.drop_next > 0:
                self._config = msgspec.structs.replace(config, drop_next=config.drop_next - 1)
                return Decision(latency, drop=True)
            if config.fail_next > 0:
                self._config = msgspec.structs.replace(config, fail_next=config.fail_next - 1)
                return Decision(latency, error_status=config.error_status)
            if config.drop_rate and self._random.random() < config.drop_rate:
                return Decision(latency, drop=True)
            if config.error_rate and self._random.random() < config.error_rate:
                return Decision(latency, error_status=config.error_status)
            return Decision(latency)


class ConnectionRegistry:
    """Open transports by client address; written and read on the server's event loop."""

    def __init__(self) -> None:
        self._transports: dict[tuple[str, int], asyncio.BaseTransport] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def add(self, client: tuple[str, int] | None, transport: asyncio.BaseTransport) -> None:
        self._loop = asyncio.get_running_loop()
        if client is not None:
            self._transports[client] = transport

    def discard(self, client: tuple[str, int] | None) -> None:
        if client is not None:
            self._transports.pop(client, None)

    def abort(self, client: tuple[str, int]) -> bool:
        transport = self._transports.pop(client, None)
        if not isinstance(transport, asyncio.Transport) or transport.is_closing():
            return False
        transport.abort()
        return True

    def abort_all_soon(self) -> None:
        """From any thread: close every open connection (the server is stopping)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return

        def abort_all() -> None:
            for client in list(self._transports):
                self.abort(client)

        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(abort_all)


class FaultMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(
        self, faults: FaultInjector, connections: ConnectionRegistry, clock: SandboxClock
    ) -> None:
        self.faults = faults
        self.connections = connections
        self.clock = clock

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if not scope["path"].startswith(API_PREFIX):
            await next_app(scope, receive, send)
            return
        decision = self.faults.decide()
        if decision.latency_seconds:
            await asyncio.sleep(decision.latency_seconds)
        if decision.drop and await self._drop(scope, receive):
            return
        if decision.drop or decision.error_status is not None:
            await self._answer_error(send, decision.error_status or self.faults.config.error_status)
            return
        await next_app(scope, receive, send)

    async def _drop(self, scope: Scope, receive: Receive) -> bool:
        client = scope.get("client")
        if client is None or not self.connections.abort((str(client[0]), int(client[1]))):
            return False
        # Wait until the server has seen the connection go, so that it does not answer for us.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(_DRAIN_SECONDS):
                while (await receive())["type"] != "http.disconnect":
                    pass
        return True

    async def _answer_error(self, send: Send, status: int) -> None:
        message = (
            "Service is temporarily unavailable (injected by the sandbox)"
            if status == 503
            else "Internal server error (injected by the sandbox)"
        )
        body = json.dumps(error_document("E_SystemError", message, self.clock.now())).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body, "more_body": False})
