"""Logging in and out: credentials, the login rate limit, cookie sessions and API tokens."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import datetime
from uuid import UUID, uuid4

import msgspec

from haztrak.application.audit import Auditor
from haztrak.application.errors import AuthenticationFailed, RateLimited, ServiceUnavailable
from haztrak.application.ports.cache import Cache
from haztrak.application.ports.persistence import (
    Principals,
    TokenRepository,
    UnitOfWork,
    UserRepository,
)
from haztrak.application.ports.security import Clock, PasswordHasher
from haztrak.domain.errors import InvalidValue, NotFound
from haztrak.domain.identity import User
from haztrak.domain.secrets import Secret
from haztrak.domain.tokens import TOKEN_PREFIX, ApiToken


def digest(secret: Secret) -> str:
    """A stable, one-way key for a high-entropy secret (session ids, API tokens)."""
    return hashlib.sha256(secret.reveal().encode()).hexdigest()


SESSIONS_UNAVAILABLE = (
    "sessions cannot be kept now: the cache that holds them does not answer; try again in a "
    "moment (API tokens still work)"
)


class LoginThrottle:
    """Counts failed logins per username and per client address over a window."""

    def __init__(
        self,
        cache: Cache,
        *,
        per_username: int = 5,
        per_client: int = 20,
        window_seconds: int = 900,
    ) -> None:
        self._cache = cache
        self._limits = {"user": per_username, "client": per_client}
        self._window = window_seconds

    def _keys(self, username: str, client: str) -> dict[str, str]:
        return {
            "user": f"login-failures:user:{username.lower()}",
            "client": f"login-failures:client:{client}",
        }

    async def check(self, username: str, client: str) -> None:
        """Refuse when over the limit, or when the count cannot be read: without it, logins
        would be unlimited guesses (and the session could not be kept anyway)."""
        for kind, key in self._keys(username, client).items():
            try:
                raw = await self._cache.get(key, strict=True)
            except ServiceUnavailable as exc:
                raise ServiceUnavailable(SESSIONS_UNAVAILABLE) from exc
            if raw is not None and int(raw) >= self._limits[kind]:
                raise RateLimited(self._window)

    async def failed(self, username: str, client: str) -> None:
        for key in self._keys(username, client).values():
            await self._cache.incr(key, self._window)

    async def succeeded(self, username: str, client: str) -> None:
        await self._cache.delete(self._keys(username, client)["user"])


class SessionData(msgspec.Struct, kw_only=True, frozen=True):
    user_id: UUID
    csrf_token: str
    created_at: datetime


class Sessions:
    """Server-side sessions in the cache. The cookie holds a random id; the cache its hash.

    The cache is asked strictly: a session that could not be stored, read or ended is
    ServiceUnavailable, never a login that did not stick or a session taken for ended.
    """

    def __init__(self, cache: Cache, clock: Clock, ttl_seconds: int = 14 * 24 * 3600) -> None:
        self._cache = cache
        self._clock = clock
        self._ttl = ttl_seconds
        self._encoder = msgspec.json.Encoder()
        self._decoder = msgspec.json.Decoder(SessionData)

    @staticmethod
    def _key(session_id: Secret) -> str:
        return f"session:{digest(session_id)}"

    async def start(self, user: User) -> tuple[Secret, SessionData]:
        session_id = Secret(secrets.token_urlsafe(32))
        data = SessionData(
            user_id=user.id, csrf_token=secrets.token_urlsafe(32), created_at=self._clock.now()
        )
        try:
            await self._cache.set(
                self._key(session_id), self._encoder.encode(data), self._ttl, strict=True
            )
        except ServiceUnavailable as exc:
            raise ServiceUnavailable(SESSIONS_UNAVAILABLE) from exc
        return session_id, data

    async def load(self, session_id: Secret) -> SessionData | None:
        try:
            raw = await self._cache.get(self._key(session_id), strict=True)
        except ServiceUnavailable as exc:
            raise ServiceUnavailable(SESSIONS_UNAVAILABLE) from exc
        if raw is None:
            return None
        try:
            return self._decoder.decode(raw)
        except msgspec.DecodeError:
            return None

    async def end(self, session_id: Secret) -> None:
        try:
            await self._cache.delete(self._key(session_id), strict=True)
        except ServiceUnavailable as exc:
            raise ServiceUnavailable(SESSIONS_UNAVAILABLE) from exc


class ResolveSession:
    """The active user behind a session cookie, with the session's CSRF token."""

    def __init__(self, sessions: Sessions, principals: Principals) -> None:
        self._sessions = sessions
        self._principals = principals

    async def __call__(self, session_id: Secret) -> tuple[User, SessionData]:
        data = await self._sessions.load(session_id)
        user = await self._principals.user(data.user_id) if data else None
        if data is None or user is None or not user.is_active:
            raise AuthenticationFailed("the session has ended; log in again")
        return user, data


class PasswordLogIn:
    """Check a username and password, within the rate limit. Every outcome is audited.
    The API's login (`LogIn`) and the admin site's (`LogInStaff`) both begin here."""

    def __init__(
        self,
        users: UserRepository,
        hasher: PasswordHasher,
        throttle: LoginThrottle,
        auditor: Auditor,
        uow: UnitOfWork,
    ) -> None:
        self._users = users
        self._hasher = hasher
        self._throttle = throttle
        self._auditor = auditor
        self._uow = uow

    async def _check_password(self, username: str, password: Secret, client: str) -> User:
        await self._throttle.check(username, client)
        user = await self._users.by_username(username)
        stored = await self._users.password_hash(user.id) if user else None
        # Verify even without a user, so timing does not reveal which usernames exist.
        ok = await asyncio.to_thread(self._hasher.verify, stored or _UNUSABLE_HASH, password)
        if user is None or stored is None or not ok or not user.is_active:
            await self._throttle.failed(username, client)
            await self._auditor.record(user, "login_failed", "user", username, client=client)
            await self._uow.commit()
            raise AuthenticationFailed("the username or password is not correct")
        await self._throttle.succeeded(username, client)
        if self._hasher.needs_rehash(stored):
            new_hash = await asyncio.to_thread(self._hasher.hash, password)
            await self._users.set_password_hash(user.id, new_hash)
        await self._auditor.record(user, "login", "user", user.username, client=client)
        await self._uow.commit()
        return user


class LogIn(PasswordLogIn):
    async def __call__(self, username: str, password: Secret, client: str) -> User:
        return await self._check_password(username, password, client)


# A valid argon2id hash (production parameters) of a random string: verifying against it
# always fails, at the cost of a real verification.
_UNUSABLE_HASH = (
    "$argon2id$v=19$m=19456,t=2,p=1$vIX1aj2Q5QwczHedur9bVw$"
    "tlu37BiCAmW7kbLIAptGNCbJmtKQPY8cjrSwPkLboQI"
)


class AuthenticateToken:
    """Resolve a bearer token to its active user."""

    def __init__(self, principals: Principals, clock: Clock) -> None:
        self._principals = principals
        self._clock = clock

    async def __call__(self, raw: Secret) -> User:
        if not raw.reveal().startswith(TOKEN_PREFIX):
            raise AuthenticationFailed("the API token is not valid")
        token = await self._principals.token_by_hash(digest(raw))
        if token is None or not token.active:
            raise AuthenticationFailed("the API token is not valid")
        user = await self._principals.user(token.user_id)
        if user is None or not user.is_active:
            raise AuthenticationFailed("the API token is not valid")
        now = self._clock.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            await self._principals.touch_token(token.id, now)
        return user


class CreateApiToken:
    """Make a personal API token. The token is shown once; only its hash is stored."""

    def __init__(
        self, tokens: TokenRepository, clock: Clock, auditor: Auditor, uow: UnitOfWork
    ) -> None:
        self._tokens = tokens
        self._clock = clock
        self._auditor = auditor
        self._uow = uow

    async def __call__(self, user: User, name: str) -> tuple[ApiToken, Secret]:
        name = name.strip()
        if not 1 <= len(name) <= 100:
            raise InvalidValue("name", "must be 1-100 characters")
        raw = Secret(TOKEN_PREFIX + secrets.token_urlsafe(32))
        token = ApiToken(
            id=uuid4(),
            user_id=user.id,
            name=name,
            token_hash=digest(raw),
            prefix=raw.reveal()[: len(TOKEN_PREFIX) + 6],
            created_at=self._clock.now(),
        )
        await self._tokens.add(token)
        await self._auditor.record(user, "create", "api_token", str(token.id), name=name)
        await self._uow.commit()
        return token, raw


class ListApiTokens:
    def __init__(self, tokens: TokenRepository) -> None:
        self._tokens = tokens

    async def __call__(self, user: User) -> list[ApiToken]:
        return [t for t in await self._tokens.list_for_user(user.id) if t.active]


class RevokeApiToken:
    def __init__(
        self, tokens: TokenRepository, clock: Clock, auditor: Auditor, uow: UnitOfWork
    ) -> None:
        self._tokens = tokens
        self._clock = clock
        self._auditor = auditor
        self._uow = uow

    async def __call__(self, user: User, token_id: UUID) -> None:
        mine = {t.id: t for t in await self._tokens.list_for_user(user.id)}
        token = mine.get(token_id)
        if token is None or not token.active:
            raise NotFound("API token", str(token_id))
        await self._tokens.revoke(token_id, self._clock.now())
        await self._auditor.record(user, "revoke", "api_token", str(token_id))
        await self._uow.commit()
