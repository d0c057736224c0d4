"""The sandbox's own control endpoints under `/sandbox` (not part of RCRAInfo's API).

- `GET/POST/DELETE /sandbox/faults`: read, change (any subset of `latencyMs`, `errorRate`,
  `errorStatus` 500|503, `dropRate`, `failNext`, `dropNext`, `tokenTtlSeconds`, plus the
  one-shot `expireTokens: true`) or clear the injected faults.
- `POST /sandbox/reset`: back to the seed (data, tokens, lockouts, faults, clock); the
  tracking-number counter does not go back, so no number is issued twice.
- `GET/POST/DELETE /sandbox/clock`: read, advance (`{advanceSeconds}`) or reset sandbox time.
- `GET /sandbox/users`: the seeded RCRAInfo users with their API IDs and keys.
- `POST/DELETE /sandbox/manifests/{mtn}/lock`: lock a manifest as e-Manifest does
  (`{lockReason}`: AsyncSign, EpaChangeBiller, EpaCorrection) or unlock it.
- `GET /sandbox/health`.

They need no token: the sandbox is a test double that listens on 127.0.0.1 by default.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, delete, get, post
from litestar.exceptions import NotFoundException, ValidationException

from haztrak.domain.manifest.datetimes import format_epa_datetime
from haztrak.entrypoints.sandbox import corrections
from haztrak.entrypoints.sandbox.auth import expire_all_tokens
from haztrak.entrypoints.sandbox.faults import FaultChange
from haztrak.entrypoints.sandbox.state import SandboxState

OK = 200
AnyRequest = Request[Any, Any, Any]


def _faults_json(sandbox: SandboxState) -> dict[str, Any]:
    document: dict[str, Any] = msgspec.to_builtins(sandbox.faults.config)
    return document


async def _body(request: AnyRequest) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = msgspec.json.decode(raw) if raw.strip() else {}
    except msgspec.DecodeError as error:
        raise ValidationException(f"the body is not JSON: {error}") from None
    if not isinstance(body, dict):
        raise ValidationException("the body must be a JSON object")
    return body


@get("/faults", sync_to_thread=False)
def read_faults(sandbox: SandboxState) -> dict[str, Any]:
    return _faults_json(sandbox)


@post("/faults", status_code=OK)
async def change_faults(sandbox: SandboxState, request: AnyRequest) -> dict[str, Any]:
    try:
        change = msgspec.convert(await _body(request), FaultChange)
        sandbox.faults.change(change)
    except (msgspec.ValidationError, ValueError) as error:
        raise ValidationException(str(error)) from None
    document = _faults_json(sandbox)
    if change.expire_tokens:
        document["expiredTokens"] = expire_all_tokens(sandbox)
    return document


@delete("/faults", status_code=OK, sync_to_thread=False)
def clear_faults(sandbox: SandboxState) -> dict[str, Any]:
    sandbox.faults.clear()
    return _faults_json(sandbox)


@post("/reset", status_code=OK, sync_to_thread=False)
def reset(sandbox: SandboxState) -> dict[str, Any]:
    sandbox.reset()
    return {
        "sites": len(sandbox.sites),
        "users": len(sandbox.users),
        "manifests": len(sandbox.manifests),
    }


class ClockChange(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    advance_seconds: float


def _clock_json(sandbox: SandboxState) -> dict[str, Any]:
    return {
        "now": format_epa_datetime(sandbox.now()),
        "offsetSeconds": sandbox.clock.offset.total_seconds(),
    }


@get("/clock", sync_to_thread=False)
def read_clock(sandbox: SandboxState) -> dict[str, Any]:
    return _clock_json(sandbox)


@post("/clock", status_code=OK)
async def advance_clock(sandbox: SandboxState, request: AnyRequest) -> dict[str, Any]:
    try:
        change = msgspec.convert(await _body(request), ClockChange)
        sandbox.clock.advance(change.advance_seconds)
    except (msgspec.ValidationError, ValueError) as error:
        raise ValidationException(str(error)) from None
    return _clock_json(sandbox)


@delete("/clock", status_code=OK, sync_to_thread=False)
def reset_clock(sandbox: SandboxState) -> dict[str, Any]:
    sandbox.clock.reset()
    return _clock_json(sandbox)


@get("/users", sync_to_thread=False)
def users(sandbox: SandboxState) -> list[dict[str, Any]]:
    return sandbox.listing()


class LockChange(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    lock_reason: str = "AsyncSign"


def _lock(sandbox: SandboxState, mtn: str, reason: str | None) -> dict[str, Any]:
    try:
        return corrections.set_lock(sandbox, mtn, reason)
    except KeyError:
        raise NotFoundException(f"no manifest {mtn}") from None
    except ValueError as error:
        raise ValidationException(str(error)) from None


@post("/manifests/{mtn:str}/lock", status_code=OK)
async def lock_manifest(sandbox: SandboxState, request: AnyRequest, mtn: str) -> dict[str, Any]:
    try:
        change = msgspec.convert(await _body(request), LockChange)
    except msgspec.ValidationError as error:
        raise ValidationException(str(error)) from None
    return _lock(sandbox, mtn, change.lock_reason)


@delete("/manifests/{mtn:str}/lock", status_code=OK, sync_to_thread=False)
def unlock_manifest(sandbox: SandboxState, mtn: str) -> dict[str, Any]:
    return _lock(sandbox, mtn, None)


@get("/health", sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


ROUTES = [
    read_faults, change_faults, clear_faults, reset, read_clock, advance_clock, reset_clock,
    users, health, lock_manifest, unlock_manifest,
]  # fmt: skip
