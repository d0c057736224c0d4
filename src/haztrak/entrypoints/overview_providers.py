"""dishka providers of what needs the user now: the dashboard and a site's overview. The
dashboard reads through the read pool on PostgreSQL (as the manifest reads do)."""

from __future__ import annotations

from dishka import Provider, Scope, provide, provide_all
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from haztrak.adapters.persistence.overview import PgOverviewReader, SessionOverviewReader
from haztrak.adapters.persistence.pgpool import ReadPool
from haztrak.application.overview import GetDashboard, GetSiteOverview
from haztrak.application.ports.overview import OverviewReader
from haztrak.entrypoints.manifest_providers import POSTGRES


class OverviewProvider(Provider):
    @provide(scope=Scope.APP)
    def basics(self, sessions: async_sessionmaker[AsyncSession]) -> OverviewReader:
        return SessionOverviewReader(sessions)

    @provide(scope=Scope.APP, when=POSTGRES)
    def pg_basics(self, pool: ReadPool) -> OverviewReader:
        return PgOverviewReader(pool)

    # the dashboard reads the deadlines reported on a request's session
    site = provide_all(GetDashboard, GetSiteOverview, scope=Scope.REQUEST)
