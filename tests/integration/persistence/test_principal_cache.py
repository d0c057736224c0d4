"""The caller cache: repeated questions answered from memory, and forgotten on any commit that
changes users, tokens, orgs, memberships, sites or site roles (whoever writes them)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from haztrak.adapters.cache.principals import (
    CachedMembershipRepository,
    CachedPrincipals,
    CachedSiteHandlerReader,
    CachedUnreadNotices,
    CachedUserRepository,
    LocalTtlCache,
    PrincipalCache,
)
from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.identity import (
    SessionPrincipals,
    SqlMembershipRepository,
    SqlOrgRepository,
    SqlRcraSiteRepository,
    SqlSiteRepository,
    SqlTokenRepository,
    SqlUserRepository,
)
from haztrak.adapters.persistence.notice_reads import SessionUnreadNotices
from haztrak.adapters.persistence.notice_tables import NoticeRow
from haztrak.adapters.persistence.site_views import SessionSiteHandlerReader
from haztrak.adapters.persistence.tables import SiteRow, UserRow
from haztrak.domain.handlers import RcraSite, SiteType
from haztrak.domain.identity import Org, Site, User
from haztrak.domain.tokens import ApiToken

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
async def sessions(tmp_path: Any) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = database.create_engine(f"sqlite+aiosqlite:///{tmp_path / 'cache.sqlite3'}")
    await database.upgrade(engine)
    yield database.session_factory(engine)
    await engine.dispose()


async def alice_with_a_token(
    sessions: async_sessionmaker[AsyncSession],
) -> tuple[User, ApiToken]:
    user = User(id=uuid.uuid4(), username="alice", created_at=NOW)
    token = ApiToken(
        id=uuid.uuid4(),
        user_id=user.id,
        name="t",
        token_hash="h" * 64,
        prefix="ht_abc",
        created_at=NOW,
    )
    async with sessions() as session:
        await SqlUserRepository(session).add(user, None)
        await SqlTokenRepository(session).add(token)
        await session.commit()
    return user, token


def test_entries_live_their_ttl() -> None:
    now = [0.0]
    cache = LocalTtlCache(ttl_seconds=5, max_entries=2, clock=lambda: now[0])
    cache.put("a", 1)
    assert cache.get("a") == 1
    now[0] = 5.0
    assert cache.get("a") is None
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("c", 3)  # over the limit: starts afresh
    assert len(cache) == 1
    assert cache.get("c") == 3


async def test_callers_are_remembered_and_forgotten_on_commit(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cache = PrincipalCache()
    user, token = await alice_with_a_token(sessions)

    async with sessions() as session:
        users = CachedUserRepository(SqlUserRepository(session), cache)
        tokens = CachedPrincipals(SessionPrincipals(sessions), cache)
        grants = CachedMembershipRepository(SqlMembershipRepository(session), cache)
        assert await tokens.token_by_hash("h" * 64) == token
        assert (await users.get(user.id)).username == "alice"
        assert (await grants.grants(user.id)).site_roles == {}
        assert await tokens.token_by_hash("x" * 64) is None  # misses are not remembered
        assert len(cache.tokens) == len(cache.users) == len(cache.grants) == 1
        # the copy a caller gets is its own
        (await users.get(user.id)).username = "mallory"
        assert (await users.get(user.id)).username == "alice"
        # calls it does not cache go to the repository
        assert await grants.org_memberships(user.id) == []

    # A write by anyone (here a bare UPDATE, as the admin site might make) is forgotten at
    # its commit, not before.
    async with sessions() as session:
        await session.execute(update(UserRow).where(UserRow.id == user.id).values(is_active=False))
        assert len(cache.users) == 1
        await session.commit()
    assert len(cache.users) == len(cache.tokens) == len(cache.grants) == 0

    async with sessions() as session:
        users = CachedUserRepository(SqlUserRepository(session), cache)
        assert (await users.get(user.id)).is_active is False
        await session.execute(update(UserRow).where(UserRow.id == user.id).values(is_active=True))
        await session.rollback()  # a rolled-back change forgets nothing
    assert len(cache.users) == 1


async def test_process_wide_principals_open_a_session_per_question_and_share_the_memory(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    cache = PrincipalCache()
    principals = CachedPrincipals(SessionPrincipals(sessions), cache)
    user, token = await alice_with_a_token(sessions)

    assert await principals.token_by_hash("h" * 64) == token
    assert await principals.token_by_hash("x" * 64) is None
    assert (await principals.user(user.id)).username == "alice"
    assert (await principals.grants(user.id)).site_roles == {}
    assert len(cache.tokens) == len(cache.users) == len(cache.grants) == 1
    (await principals.user(user.id)).username = "mallory"
    assert (await principals.user(user.id)).username == "alice"

    # recording a use commits on its own, and the remembered token is forgotten with it
    await principals.touch_token(token.id, NOW)
    assert len(cache.tokens) == 0
    assert (await principals.token_by_hash("h" * 64)).last_used_at == NOW


async def test_the_badge_and_the_sites_of_every_page_are_remembered_and_forgotten_on_commit(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A notice made or read, a site renamed, a handler record changed: a commit here shows
    it at once to the user who made it; the user's grants stay remembered meanwhile."""
    cache = PrincipalCache()
    user, _ = await alice_with_a_token(sessions)
    unread = CachedUnreadNotices(SessionUnreadNotices(sessions), cache)
    handlers = CachedSiteHandlerReader(SessionSiteHandlerReader(sessions), cache)
    principals = CachedPrincipals(SessionPrincipals(sessions), cache)
    org = Org(id=uuid.uuid4(), name="Acme", slug="acme")
    site = Site(
        id=uuid.uuid4(),
        epa_id="VATESTGEN001",
        name="Gen",
        site_type=SiteType.GENERATOR,
        org_id=org.id,
    )
    async with sessions() as session:
        await SqlOrgRepository(session).add(org)
        await SqlSiteRepository(session).add(site)
        await session.commit()

    assert await unread.unread_count(user.id) == 0
    await principals.grants(user.id)
    [(found, handler)] = await handlers.sites_with_handlers(["VATESTGEN001"])
    assert (found.name, handler) == ("Gen", None)
    found.name = "mine"  # the copy a caller gets is its own
    assert (await handlers.sites_with_handlers(["VATESTGEN001"]))[0][0].name == "Gen"

    notice = NoticeRow(
        id=uuid.uuid4(),
        user_id=user.id,
        event_id=uuid.uuid4(),
        kind="manifestSigned",
        at=NOW,
        detail={},
    )
    async with sessions() as session:
        session.add(notice)
        await session.commit()
    assert len(cache.grants) == 1  # a notice changes no one's grants
    assert await unread.unread_count(user.id) == 1
    async with sessions() as session:
        await session.execute(
            update(NoticeRow).where(NoticeRow.id == notice.id).values(read_at=NOW)
        )
        await session.commit()
    assert await unread.unread_count(user.id) == 0

    async with sessions() as session:
        await session.execute(update(SiteRow).where(SiteRow.id == site.id).values(name="Gen 2"))
        await session.commit()
    assert (await handlers.sites_with_handlers(["VATESTGEN001"]))[0][0].name == "Gen 2"
    async with sessions() as session:
        await SqlRcraSiteRepository(session).upsert(
            RcraSite(epa_site_id="VATESTGEN001", site_type=SiteType.GENERATOR, name="Gen EPA")
        )
        await session.commit()
    [(_, handler)] = await handlers.sites_with_handlers(["VATESTGEN001"])
    assert handler is not None
    assert handler.name == "Gen EPA"
