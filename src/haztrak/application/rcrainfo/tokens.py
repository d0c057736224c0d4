"""RCRAInfo session tokens shared by every worker that uses the same API ID.

A token lives 20 minutes and RCRAInfo locks an API ID after three failed logins, so workers
share one token per API ID instead of each logging in. The token is kept in the cache,
encrypted with the secret box, until a minute before it expires; the key names a hash of the
environment and API ID, never the ID itself. A cache that fails is a miss: the adapter logs in.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import msgspec

from haztrak.application.ports.cache import Cache
from haztrak.application.ports.security import Clock, SecretBox
from haztrak.domain.errors import DomainError
from haztrak.domain.secrets import Secret

RENEW_BEFORE = timedelta(seconds=60)


class RcrainfoToken(msgspec.Struct, frozen=True):
    token: Secret
    expires_at: datetime


class _Stored(msgspec.Struct, frozen=True):
    token: str
    expires_at: datetime


class RcrainfoTokenStore:
    def __init__(self, cache: Cache, box: SecretBox, clock: Clock, environment: str) -> None:
        self._cache = cache
        self._box = box
        self._clock = clock
        self._environment = environment

    def _key(self, api_id: str) -> str:
        digest = hashlib.sha256(f"{self._environment}\n{api_id}".encode()).hexdigest()[:40]
        return f"rcrainfo:token:{digest}"

    async def get(self, api_id: str) -> RcrainfoToken | None:
        """A token that is good for at least another minute, or None."""
        raw = await self._cache.get(self._key(api_id))
        if raw is None:
            return None
        try:
            stored = msgspec.json.decode(self._box.decrypt(raw).reveal(), type=_Stored)
        except (DomainError, msgspec.DecodeError):  # written under another secret key: a miss
            return None
        if stored.expires_at - RENEW_BEFORE <= self._clock.now():
            return None
        return RcrainfoToken(token=Secret(stored.token), expires_at=stored.expires_at)

    async def put(self, api_id: str, token: Secret, expires_at: datetime) -> None:
        ttl = int((expires_at - RENEW_BEFORE - self._clock.now()).total_seconds())
        if ttl <= 0:
            return
        document = msgspec.json.encode(_Stored(token=token.reveal(), expires_at=expires_at))
        await self._cache.set(self._key(api_id), self._box.encrypt(Secret(document.decode())), ttl)

    async def forget(self, api_id: str) -> None:
        """Drop the token (RCRAInfo said it is invalid or expired)."""
        await self._cache.delete(self._key(api_id))
