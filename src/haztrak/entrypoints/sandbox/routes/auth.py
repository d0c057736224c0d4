"""`GET v1/auth/{apiId}/{apiKey}`: the one RCRAInfo service that needs no token."""

from __future__ import annotations

from litestar import get

from haztrak.entrypoints.sandbox.auth import login
from haztrak.entrypoints.sandbox.state import SandboxState


@get("/auth/{api_id:str}/{api_key:str}", sync_to_thread=False)
def authenticate(sandbox: SandboxState, api_id: str, api_key: str) -> dict[str, str]:
    return login(sandbox, api_id, api_key)


ROUTES = [authenticate]
