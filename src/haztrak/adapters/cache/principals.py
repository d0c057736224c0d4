"""Who is calling (and what every page of theirs shows), remembered for a few seconds in this
process.

Every authenticated request resolves its caller (an API token or a session, and its user) and
the caller's grants (org and site roles). Asking the database each time costs three to five
queries per request; these decorators of the repository ports answer repeated questions from
memory for `ttl_seconds` (5 by default).

Revocation and role changes:
- a commit in this process that touched users, tokens, orgs, memberships, sites or site roles
  (through any repository or the admin site: every SQLAlchemy session is watched) forgets
  everything remembered, so the change applies at once here;
- other worker processes remember for at most `ttl_seconds`; the change applies there then.

A lookup that found nothing is not remembered, so a bad token cannot crowd the cache.

The same holds for two reads every page makes (issue 10): the user's sites with their handler
records (forgotten on a commit here to sites or rcra_sites) and the unread-notice badge
(forgotten on a commit here to notices; a notice another process makes shows within the TTL).
"""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Hashable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from haztrak.adapters.persistence.notice_tables import NoticeRow
from haztrak.adapters.persistence.tables import (
    ApiTokenRow,
    OrgMembershipRow,
    OrgRow,
    RcraSiteRow,
    SitePermissionRow,
    SiteRow,
    UserRow,
)
from haztrak.application.ports.notices import UnreadNotices
from haztrak.application.ports.persistence import (
    MembershipRepository,
    Principals,
    UserRepository,
)
from haztrak.application.ports.site_views import SiteHandlerReader
from haztrak.domain.access import Grants
from haztrak.domain.handlers import RcraSite
from haztrak.domain.identity import Site, User
from haztrak.domain.tokens import ApiToken

DEFAULT_TTL_SECONDS = 5.0
IDENTITY_TABLES = frozenset(
    row.__tablename__
    for row in (UserRow, ApiTokenRow, OrgRow, OrgMembershipRow, SiteRow, SitePermissionRow)
)
SITE_TABLES = frozenset({SiteRow.__tablename__, RcraSiteRow.__tablename__})
NOTICE_TABLES = frozenset({NoticeRow.__tablename__})
WATCHED_TABLES = IDENTITY_TABLES | SITE_TABLES | NOTICE_TABLES
_CHANGED = "haztrak.identity_changed"


class LocalTtlCache:
    """A small in-process map whose entries live `ttl_seconds`. Thread-safe: the embedded
    task worker's threads share the process with the HTTP event loop."""

    def __init__(
        self,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires <= self._clock():
            with self._lock:
                self._entries.pop(key, None)
            return None
        return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            if len(self._entries) >= self._max:
                self._entries.clear()  # rare, and a miss only costs the query it saved
            self._entries[key] = (self._clock() + self._ttl, value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class PrincipalCache:
    """The caches of one process: tokens by hash, users by id, grants by user id.

    When a remembered caller expires, every request of that caller in flight misses at once;
    `remembered` lets one of them ask the database while the others wait for its answer (per
    event loop), so a busy client does not send a burst of identical queries every
    `ttl_seconds`.
    """

    def __init__(self, ttl_seconds: float = DEFAULT_TTL_SECONDS) -> None:
        self.tokens = LocalTtlCache(ttl_seconds)
        self.users = LocalTtlCache(ttl_seconds)
        self.grants = LocalTtlCache(ttl_seconds)
        self.sites = LocalTtlCache(ttl_seconds)
        """Sites with their handler records, by the tuple of EPA IDs asked for."""
        self.unread = LocalTtlCache(ttl_seconds)
        """Unread-notice counts by user id."""
        self._loading: dict[tuple[int, int, Hashable], asyncio.Future[None]] = {}
        _watch_commits(self)

    async def remembered(
        self, memory: LocalTtlCache, key: Hashable, load: Callable[[], Awaitable[Any]]
    ) -> Any:
        """The value remembered under `key`, or what `load` answers (remembered unless None)."""
        value = memory.get(key)
        if value is not None:
            return value
        loop = asyncio.get_running_loop()
        flight = (id(loop), id(memory), key)
        loading = self._loading.get(flight)
        if loading is not None:
            await asyncio.shield(loading)  # resolves when that load ends, however it ends
            value = memory.get(key)
            if value is not None:
                return value
            return await load()  # it failed or found nothing: ask for ourselves
        done = loop.create_future()
        self._loading[flight] = done
        try:
            value = await load()
            if value is not None:
                memory.put(key, value)
            return value
        finally:
            del self._loading[flight]
            done.set_result(None)

    def forget_everything(self) -> None:
        self.forget(WATCHED_TABLES)

    def forget(self, tables: frozenset[str] | set[str]) -> None:
        """Forget what a commit that changed these tables may have changed."""
        if tables & IDENTITY_TABLES:
            self.tokens.clear()
            self.users.clear()
            self.grants.clear()
        if tables & SITE_TABLES:
            self.sites.clear()
        if tables & NOTICE_TABLES:
            self.unread.clear()


class _Decorator:
    """Passes every call it does not define to the repository it wraps."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class CachedUserRepository(_Decorator):
    """Implements UserRepository."""

    def __init__(self, inner: UserRepository, cache: PrincipalCache) -> None:
        super().__init__(inner)
        self._users = inner
        self._cache = cache

    async def get(self, user_id: UUID) -> User | None:
        user: User | None = await self._cache.remembered(
            self._cache.users, user_id, lambda: self._users.get(user_id)
        )
        # Users are mutable structs: each caller gets its own copy.
        return msgspec.structs.replace(user) if user is not None else None


class CachedMembershipRepository(_Decorator):
    """Implements MembershipRepository."""

    def __init__(self, inner: MembershipRepository, cache: PrincipalCache) -> None:
        super().__init__(inner)
        self._memberships = inner
        self._cache = cache

    async def grants(self, user_id: UUID) -> Grants:
        grants: Grants = await self._cache.remembered(
            self._cache.grants, user_id, lambda: self._memberships.grants(user_id)
        )
        return grants


class CachedPrincipals:
    """Implements Principals: the same memory as the decorators above (a change that makes
    them forget makes this forget too), one database question for concurrent misses."""

    def __init__(self, inner: Principals, cache: PrincipalCache) -> None:
        self._inner = inner
        self._cache = cache

    async def token_by_hash(self, token_hash: str) -> ApiToken | None:
        token: ApiToken | None = await self._cache.remembered(
            self._cache.tokens, token_hash, lambda: self._inner.token_by_hash(token_hash)
        )
        return token

    async def user(self, user_id: UUID) -> User | None:
        user: User | None = await self._cache.remembered(
            self._cache.users, user_id, lambda: self._inner.user(user_id)
        )
        # Users are mutable structs: each caller gets its own copy.
        return msgspec.structs.replace(user) if user is not None else None

    async def grants(self, user_id: UUID) -> Grants:
        grants: Grants = await self._cache.remembered(
            self._cache.grants, user_id, lambda: self._inner.grants(user_id)
        )
        return grants

    async def touch_token(self, token_id: UUID, at: datetime) -> None:
        await self._inner.touch_token(token_id, at)


class CachedSiteHandlerReader:
    """Implements SiteHandlerReader: the same sites asked again within the TTL are answered
    from memory (each caller gets its own copies)."""

    def __init__(self, inner: SiteHandlerReader, cache: PrincipalCache) -> None:
        self._inner = inner
        self._cache = cache

    async def sites_with_handlers(
        self, epa_ids: Sequence[str]
    ) -> list[tuple[Site, RcraSite | None]]:
        key = tuple(epa_ids)
        found: list[tuple[Site, RcraSite | None]] = await self._cache.remembered(
            self._cache.sites, key, lambda: self._inner.sites_with_handlers(key)
        )
        return [
            (
                msgspec.structs.replace(site),
                msgspec.structs.replace(handler) if handler is not None else None,
            )
            for site, handler in found
        ]


class CachedUnreadNotices:
    """Implements UnreadNotices: the badge of a user remembered for the TTL."""

    def __init__(self, inner: UnreadNotices, cache: PrincipalCache) -> None:
        self._inner = inner
        self._cache = cache

    async def unread_count(self, user_id: UUID) -> int:
        count: int = await self._cache.remembered(
            self._cache.unread, user_id, lambda: self._inner.unread_count(user_id)
        )
        return count


# Forgetting on commit: every SQLAlchemy session of the process is watched, so that writes
# by any code (repositories, the admin site) reach the caches. Forgetting waits for the
# commit: forgetting at the write would let a concurrent request remember the old rows again.

_caches: weakref.WeakSet[PrincipalCache] = weakref.WeakSet()
_installed = False
_install_lock = threading.Lock()


def _watch_commits(cache: PrincipalCache) -> None:
    global _installed  # noqa: PLW0603 - one set of listeners per process
    _caches.add(cache)
    with _install_lock:
        if _installed:
            return
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _on_execute)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        _installed = True


def _after_flush(session: Session, _: UOWTransaction) -> None:
    for instance in (*session.new, *session.dirty, *session.deleted):
        name = getattr(instance, "__tablename__", None)
        if name in WATCHED_TABLES:
            session.info.setdefault(_CHANGED, set()).add(name)


def _on_execute(state: ORMExecuteState) -> None:
    if state.is_select:
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)
    if name in WATCHED_TABLES:
        state.session.info.setdefault(_CHANGED, set()).add(name)


def _after_commit(session: Session) -> None:
    changed = session.info.pop(_CHANGED, None)
    if changed:
        for cache in list(_caches):
            cache.forget(changed)


def _after_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, None)
