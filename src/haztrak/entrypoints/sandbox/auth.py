"""RCRAInfo authentication: API ID and key for a 20-minute bearer token, and lockout.

Tokens are HS256 JWTs like RCRAInfo's, signed with the sandbox's secret, and also recorded in
the state so that a reset, a forced expiry or the sandbox clock can end them. The secret, the
grants and the lockouts are kept with the state, so a token outlives a restart as in RCRAInfo.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import timedelta
from typing import Any

from haztrak.domain.manifest.datetimes import format_epa_datetime
from haztrak.entrypoints.sandbox.errors import RcraError
from haztrak.entrypoints.sandbox.state import SandboxState, TokenGrant
from haztrak.entrypoints.sandbox.users import RcraUser

UNAUTHORIZED = 401
_HEADER = {"alg": "HS256", "typ": "JWT"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(state: SandboxState, signing_input: str) -> str:
    return _b64(hmac.new(state.token_secret, signing_input.encode(), hashlib.sha256).digest())


def login(state: SandboxState, api_id: str, api_key: str) -> dict[str, str]:
    """`GET v1/auth/{apiId}/{apiKey}`: a token, or an error; three failures lock the API ID."""
    with state.lock:
        if api_id in state.locked_api_ids:
            raise _locked()
        user = state.user_by_api_id(api_id)
        if user is None or not hmac.compare_digest(user.api_key or "", api_key):
            if state.login_failed(api_id):
                raise _locked()
            raise RcraError(
                "E_SecurityApiInvalidCredentials", "Invalid API Id/Key Specified", UNAUTHORIZED
            )
        if user.api_status != "Active":
            raise RcraError("E_SecurityApiInvalidStatus", "API Id Status Invalid", UNAUTHORIZED)
        if not user.is_site_manager:
            raise RcraError(
                "E_IndustryPermissions",
                "The user does not have industry permissions for any Site",
                UNAUTHORIZED,
            )
        now = state.now()
        grant = TokenGrant(
            token_id=secrets.token_urlsafe(16),
            user_id=user.user_id,
            api_id=api_id,
            expires_at=now + timedelta(seconds=state.faults.config.token_ttl_seconds),
        )
        state.grant_token(grant)
    claims = {
        "sub": user.user_id,
        "apiId": api_id,
        "jti": grant.token_id,
        "iat": int(now.timestamp()),
        "exp": int(grant.expires_at.timestamp()),
    }
    signing_input = ".".join(
        _b64(json.dumps(part, separators=(",", ":")).encode()) for part in (_HEADER, claims)
    )
    token = f"{signing_input}.{_sign(state, signing_input)}"
    return {"token": token, "expiration": format_epa_datetime(grant.expires_at)}


def _locked() -> RcraError:
    return RcraError(
        "E_SecurityApiIdLocked",
        "API Id is Locked. Request API ID/API key re-generation",
        UNAUTHORIZED,
    )


def _invalid_token() -> RcraError:
    return RcraError("E_SecurityApiTokenInvalid", "Invalid Security Token", UNAUTHORIZED)


def authenticate(state: SandboxState, authorization: str | None) -> RcraUser:
    """The user behind `Authorization: Bearer <token>`, or the error RCRAInfo gives."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise _invalid_token()
    claims = _verified_claims(state, token.strip())
    with state.lock:
        grant = state.tokens.get(str(claims.get("jti")))
        if grant is None:
            raise _invalid_token()
        if state.now() >= grant.expires_at:
            raise RcraError("E_SecurityApiTokenExpired", "Security Token is Expired", UNAUTHORIZED)
        user = state.users.get(grant.user_id)
    if user is None or user.api_status != "Active" or user.api_id != grant.api_id:
        raise RcraError(
            "E_SecurityApiInvalidStatus", "This API ID is no longer active", UNAUTHORIZED
        )
    return user


def _verified_claims(state: SandboxState, token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise _invalid_token()
    signing_input = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_sign(state, signing_input), parts[2]):
        raise _invalid_token()
    try:
        claims = json.loads(_unb64(parts[1]))
    except (ValueError, UnicodeDecodeError):
        raise _invalid_token() from None
    if not isinstance(claims, dict):
        raise _invalid_token()
    return claims


def expire_all_tokens(state: SandboxState) -> int:
    """Force every issued token to be expired now; answers how many were live."""
    return state.expire_tokens()
