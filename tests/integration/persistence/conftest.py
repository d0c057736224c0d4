from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.identity import (
    SqlAuditLog,
    SqlMembershipRepository,
    SqlOrgRepository,
    SqlProfileRepository,
    SqlRcraSiteRepository,
    SqlSiteRepository,
    SqlTokenRepository,
    SqlUnitOfWork,
    SqlUserRepository,
)
from tests import fakes
from tests.seeded import migrated_postgres


@dataclass
class Repos:
    users: Any
    orgs: Any
    sites: Any
    memberships: Any
    handlers: Any
    profiles: Any
    tokens: Any
    audit: Any
    uow: Any


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def repos(request: pytest.FixtureRequest, tmp_path: Any) -> AsyncIterator[Repos]:
    """The same repositories, faked in memory and on each real database."""
    if request.param == "memory":
        data = fakes.MemoryData()
        yield Repos(
            users=fakes.MemoryUserRepository(data),
            orgs=fakes.MemoryOrgRepository(data),
            sites=fakes.MemorySiteRepository(data),
            memberships=fakes.MemoryMembershipRepository(data),
            handlers=fakes.MemoryRcraSiteRepository(data),
            profiles=fakes.MemoryProfileRepository(data),
            tokens=fakes.MemoryTokenRepository(data),
            audit=fakes.MemoryAuditLog(data),
            uow=fakes.MemoryUnitOfWork(data),
        )
        return
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'repos.sqlite3'}"
    else:
        url = migrated_postgres(request)
    engine = database.create_engine(url)
    await database.upgrade(engine)
    async with database.session_factory(engine)() as session:
        yield Repos(
            users=SqlUserRepository(session),
            orgs=SqlOrgRepository(session),
            sites=SqlSiteRepository(session),
            memberships=SqlMembershipRepository(session),
            handlers=SqlRcraSiteRepository(session),
            profiles=SqlProfileRepository(session),
            tokens=SqlTokenRepository(session),
            audit=SqlAuditLog(session),
            uow=SqlUnitOfWork(session),
        )
    await engine.dispose()
