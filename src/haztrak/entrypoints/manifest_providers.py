"""dishka providers for manifests and lookups, and the caller cache that keeps their hot
paths from asking the database who is calling on every request."""

from __future__ import annotations

from collections.abc import AsyncIterator

from dishka import Marker, Provider, Scope, activate, decorate, provide, provide_all
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from haztrak.adapters.cache.principals import (
    CachedMembershipRepository,
    CachedPrincipals,
    CachedSiteHandlerReader,
    CachedUnreadNotices,
    CachedUserRepository,
    PrincipalCache,
)
from haztrak.adapters.persistence.audit_reads import PgAuditReader, SessionAuditReader
from haztrak.adapters.persistence.identity import SessionPrincipals
from haztrak.adapters.persistence.lookups import CachedLookupReader
from haztrak.adapters.persistence.manifests import SessionManifestReader, SqlManifestRepository
from haztrak.adapters.persistence.pg_reads import PgManifestReader
from haztrak.adapters.persistence.pgpool import ReadPool, asyncpg_dsn
from haztrak.adapters.persistence.site_views import PgSiteHandlerReader, SessionSiteHandlerReader
from haztrak.adapters.persistence.tracking_number_lists import DbTrackingNumberLists
from haztrak.application.lookups import (
    ListEmanifestCodes,
    ListFederalWasteCodes,
    ListStateWasteCodes,
    SearchDotLookup,
)
from haztrak.application.manifests.drafts import (
    CreateDraftManifest,
    DeleteManifest,
    UpdateManifest,
)
from haztrak.application.manifests.editing import GetManifestToEdit, ListDraftSites
from haztrak.application.manifests.exports import ExportManifests, GetSiteRegister
from haztrak.application.manifests.queries import GetManifest, ListManifests, ListTrackingNumbers
from haztrak.application.manifests.tracking_numbers import StreamTrackingNumbers
from haztrak.application.manifests.validation import ValidateManifest
from haztrak.application.manifests.viewing import ListManifestHistory, OpenManifest
from haztrak.application.ports.lookups import LookupReader
from haztrak.application.ports.manifests import ManifestReader, ManifestRepository
from haztrak.application.ports.notices import UnreadNotices
from haztrak.application.ports.persistence import (
    AuditReader,
    MembershipRepository,
    Principals,
    UserRepository,
)
from haztrak.application.ports.site_views import SiteHandlerReader
from haztrak.application.ports.tracking_numbers import TrackingNumberLists
from haztrak.entrypoints.settings import Settings

TRACKING_NUMBER_CACHE = "cache/tracking-numbers"
"""Under HT_VAR_DIR: the cached tracking-number lists (tracking_number_lists.py)."""

POSTGRES = Marker("postgres")
"""Active when the database is PostgreSQL: the read-only use cases then read through the
read pool (adapters/persistence/pgpool.py) instead of a short SQLAlchemy session per read."""


class ManifestProvider(Provider):
    scope = Scope.REQUEST

    @activate(POSTGRES)
    def on_postgres(self, settings: Settings) -> bool:
        return not settings.database.is_sqlite

    @provide(scope=Scope.APP)
    def reader(self, sessions: async_sessionmaker[AsyncSession]) -> ManifestReader:
        """For the use cases that only read: a short session per read, outside a transaction
        (no BEGIN and ROLLBACK round trips)."""
        return SessionManifestReader(sessions)

    @provide(scope=Scope.APP, when=POSTGRES)
    async def read_pool(self, settings: Settings) -> AsyncIterator[ReadPool]:
        pool = ReadPool(
            asyncpg_dsn(settings.database.url.reveal()), settings.database.read_pool_size
        )
        yield pool
        await pool.close()

    @provide(scope=Scope.APP, when=POSTGRES)
    def pg_reader(self, pool: ReadPool) -> ManifestReader:
        """On PostgreSQL: plain SQL on the read pool, no session at all."""
        return PgManifestReader(pool)

    @provide(scope=Scope.APP)
    def audit_reader(self, sessions: async_sessionmaker[AsyncSession]) -> AuditReader:
        return SessionAuditReader(sessions)

    @provide(scope=Scope.APP, when=POSTGRES)
    def pg_audit_reader(self, pool: ReadPool) -> AuditReader:
        return PgAuditReader(pool)

    @provide(scope=Scope.APP)
    def tracking_number_lists(
        self, sessions: async_sessionmaker[AsyncSession], settings: Settings
    ) -> TrackingNumberLists:
        return DbTrackingNumberLists(sessions, settings.var_dir / TRACKING_NUMBER_CACHE)

    @provide(scope=Scope.APP, when=POSTGRES)
    def pg_tracking_number_lists(
        self, sessions: async_sessionmaker[AsyncSession], settings: Settings, pool: ReadPool
    ) -> TrackingNumberLists:
        return DbTrackingNumberLists(sessions, settings.var_dir / TRACKING_NUMBER_CACHE, pool)

    tracking_numbers = provide(StreamTrackingNumbers, scope=Scope.APP)

    @provide(scope=Scope.APP)
    def site_handlers(self, sessions: async_sessionmaker[AsyncSession]) -> SiteHandlerReader:
        return SessionSiteHandlerReader(sessions)

    @provide(scope=Scope.APP, when=POSTGRES)
    def pg_site_handlers(self, pool: ReadPool) -> SiteHandlerReader:
        return PgSiteHandlerReader(pool)

    @provide
    def manifests(self, session: AsyncSession) -> ManifestRepository:
        return SqlManifestRepository(session)

    use_cases = provide_all(CreateDraftManifest, UpdateManifest, DeleteManifest)
    editor_use_cases = provide_all(ListDraftSites, GetManifestToEdit)
    # Reads hold nothing of a request (their ports open what they need per call): one each
    # for the process, so a request resolves them without building anything.
    read_use_cases = provide_all(
        GetManifest, ListManifests, ListTrackingNumbers, OpenManifest, scope=Scope.APP
    )
    export_use_cases = provide_all(ExportManifests, GetSiteRegister, scope=Scope.APP)
    history = provide(ListManifestHistory, scope=Scope.APP)

    @provide(scope=Scope.APP)
    def lookups(self, sessions: async_sessionmaker[AsyncSession]) -> LookupReader:
        return CachedLookupReader(sessions)

    # They hold nothing of a request: one each for the process.
    lookup_use_cases = provide_all(
        ListFederalWasteCodes,
        ListStateWasteCodes,
        SearchDotLookup,
        ListEmanifestCodes,
        ValidateManifest,
        scope=Scope.APP,
    )


class PrincipalCacheProvider(Provider):
    """Tokens, users and grants remembered for a few seconds per process: a commit here that
    changes them applies at once, other processes follow within the TTL (see
    adapters/cache/principals.py)."""

    @provide(scope=Scope.APP)
    def principal_cache(self) -> PrincipalCache:
        return PrincipalCache()

    @provide(scope=Scope.APP)
    def principals(
        self, sessions: async_sessionmaker[AsyncSession], cache: PrincipalCache
    ) -> Principals:
        return CachedPrincipals(SessionPrincipals(sessions), cache)

    @decorate
    def users(self, inner: UserRepository, cache: PrincipalCache) -> UserRepository:
        return CachedUserRepository(inner, cache)

    @decorate
    def memberships(
        self, inner: MembershipRepository, cache: PrincipalCache
    ) -> MembershipRepository:
        return CachedMembershipRepository(inner, cache)

    # what every page shows besides its own content: the user's sites, the unread notices
    @decorate
    def site_handlers(self, inner: SiteHandlerReader, cache: PrincipalCache) -> SiteHandlerReader:
        return CachedSiteHandlerReader(inner, cache)

    @decorate
    def unread_notices(self, inner: UnreadNotices, cache: PrincipalCache) -> UnreadNotices:
        return CachedUnreadNotices(inner, cache)
