"""dishka providers, grouped by concern. Each process builds its container from these."""

from __future__ import annotations

from collections.abc import AsyncIterator

from dishka import Provider, Scope, from_context, provide, provide_all
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from haztrak.adapters.cache.memory import MemoryCache
from haztrak.adapters.cache.redis import RedisCache
from haztrak.adapters.persistence.database import create_engine, session_factory
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
from haztrak.adapters.security.clock import SystemClock
from haztrak.adapters.security.encryption import FernetSecretBox, HmacPasswordStamps
from haztrak.adapters.security.passwords import Argon2PasswordHasher
from haztrak.application.audit import Auditor
from haztrak.application.identity.auth import (
    AuthenticateToken,
    CreateApiToken,
    ListApiTokens,
    LogIn,
    LoginThrottle,
    ResolveSession,
    RevokeApiToken,
    Sessions,
)
from haztrak.application.identity.demo import SeedDemoData
from haztrak.application.identity.orgs import (
    AddOrgMember,
    AddOrgSite,
    GetMyProfile,
    GetOrg,
    GetOrgRcrainfoCredentials,
    GetSite,
    ListMyOrgs,
    ListMySites,
    ListOrgMembers,
    ListOrgSites,
    RemoveOrgMember,
    SetOrgRcrainfoCredentials,
    SetSiteRole,
    StaffAddOrgMember,
    StaffAddOrgSite,
    StaffRemoveOrgMember,
    StaffSetOrgRcrainfoCredentials,
    StaffSetSiteRole,
)
from haztrak.application.identity.profile import (
    CreateUser,
    GetRcrainfoProfile,
    UpdateCurrentUser,
    UpdateRcrainfoProfile,
)
from haztrak.application.identity.staff import LogInStaff, ResumeStaffSession
from haztrak.application.ports.cache import Cache
from haztrak.application.ports.persistence import (
    AuditLog,
    MembershipRepository,
    OrgRepository,
    ProfileRepository,
    RcraSiteRepository,
    SiteRepository,
    TokenRepository,
    UnitOfWork,
    UserRepository,
)
from haztrak.application.ports.security import Clock, PasswordHasher, PasswordStamps, SecretBox
from haztrak.entrypoints.correction_providers import CorrectionProvider
from haztrak.entrypoints.deadline_providers import DeadlineProvider
from haztrak.entrypoints.document_providers import DocumentProvider
from haztrak.entrypoints.event_providers import EventProvider
from haztrak.entrypoints.link_providers import LinkProvider
from haztrak.entrypoints.manifest_providers import ManifestProvider, PrincipalCacheProvider
from haztrak.entrypoints.notice_providers import NoticeProvider
from haztrak.entrypoints.overview_providers import OverviewProvider
from haztrak.entrypoints.rcrainfo_providers import RcrainfoProvider
from haztrak.entrypoints.receiving_providers import ReceivingProvider
from haztrak.entrypoints.settings import Settings
from haztrak.entrypoints.storage_providers import StorageProvider
from haztrak.entrypoints.task_providers import TaskProvider
from haztrak.entrypoints.webhook_providers import WebhookProvider


class SettingsProvider(Provider):
    settings = from_context(provides=Settings, scope=Scope.APP)


class PersistenceProvider(Provider):
    @provide(scope=Scope.APP)
    async def engine(self, settings: Settings) -> AsyncIterator[AsyncEngine]:
        engine = create_engine(
            settings.database.url.reveal(), pool_size=settings.database.pool_size
        )
        yield engine
        await engine.dispose()

    @provide(scope=Scope.APP)
    def sessions(self, engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
        return session_factory(engine)

    @provide(scope=Scope.REQUEST)
    async def session(self, maker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
        session = maker()
        try:
            yield session
        finally:
            # Only a transaction under way holds a connection to give back (rolled back here);
            # many requests get a session for a use case they never call, and closing one
            # costs a greenlet switch each (the dashboard's, for one).
            if session.in_transaction():
                await session.close()

    uow = provide(SqlUnitOfWork, provides=UnitOfWork, scope=Scope.REQUEST)
    users = provide(SqlUserRepository, provides=UserRepository, scope=Scope.REQUEST)
    orgs = provide(SqlOrgRepository, provides=OrgRepository, scope=Scope.REQUEST)
    sites = provide(SqlSiteRepository, provides=SiteRepository, scope=Scope.REQUEST)
    memberships = provide(
        SqlMembershipRepository, provides=MembershipRepository, scope=Scope.REQUEST
    )
    handlers = provide(SqlRcraSiteRepository, provides=RcraSiteRepository, scope=Scope.REQUEST)
    profiles = provide(SqlProfileRepository, provides=ProfileRepository, scope=Scope.REQUEST)
    tokens = provide(SqlTokenRepository, provides=TokenRepository, scope=Scope.REQUEST)
    audit_log = provide(SqlAuditLog, provides=AuditLog, scope=Scope.REQUEST)


class SecurityProvider(Provider):
    scope = Scope.APP

    clock = provide(SystemClock, provides=Clock)

    @provide
    def hasher(self) -> PasswordHasher:
        return Argon2PasswordHasher()

    @provide
    def secret_box(self, settings: Settings) -> SecretBox:
        return FernetSecretBox(settings.secret_key)

    @provide
    def password_stamps(self, settings: Settings) -> PasswordStamps:
        return HmacPasswordStamps(settings.secret_key)


class CacheProvider(Provider):
    @provide(scope=Scope.APP)
    async def cache(self, settings: Settings) -> AsyncIterator[Cache]:
        if settings.redis_url is None:
            yield MemoryCache()
            return
        redis_cache = RedisCache.from_url(settings.redis_url.reveal())
        yield redis_cache
        await redis_cache.close()


class IdentityProvider(Provider):
    scope = Scope.REQUEST

    auditor = provide(Auditor)
    # Every authenticated request asks it: one for the process (see Principals).
    authenticate = provide(AuthenticateToken, scope=Scope.APP)
    resolve_session = provide(ResolveSession, scope=Scope.APP)

    @provide
    def throttle(self, cache: Cache) -> LoginThrottle:
        return LoginThrottle(cache)

    @provide(scope=Scope.APP)
    def sessions(self, cache: Cache, clock: Clock) -> Sessions:
        return Sessions(cache, clock)

    use_cases = provide_all(
        LogIn,
        CreateApiToken,
        ListApiTokens,
        RevokeApiToken,
        CreateUser,
        UpdateCurrentUser,
        GetRcrainfoProfile,
        UpdateRcrainfoProfile,
        ListMyOrgs,
        GetOrg,
        GetOrgRcrainfoCredentials,
        ListOrgSites,
        ListMySites,
        GetSite,
        GetMyProfile,
        ListOrgMembers,
        AddOrgMember,
        RemoveOrgMember,
        SetSiteRole,
        AddOrgSite,
        SetOrgRcrainfoCredentials,
        SeedDemoData,
    )
    # The admin site's doors to the same rules (staff, on any org), and its sessions.
    staff_use_cases = provide_all(
        LogInStaff,
        ResumeStaffSession,
        StaffAddOrgMember,
        StaffRemoveOrgMember,
        StaffSetSiteRole,
        StaffAddOrgSite,
        StaffSetOrgRcrainfoCredentials,
    )


def core_providers() -> list[Provider]:
    return [
        SettingsProvider(),
        PersistenceProvider(),
        SecurityProvider(),
        CacheProvider(),
        IdentityProvider(),
        ManifestProvider(),
        RcrainfoProvider(),
        TaskProvider(),
        OverviewProvider(),
        WebhookProvider(),
        DocumentProvider(),
        StorageProvider(),
        ReceivingProvider(),
        EventProvider(),  # decorates repositories above
        NoticeProvider(),
        CorrectionProvider(),
        DeadlineProvider(),
        LinkProvider(),
        PrincipalCacheProvider(),  # decorates repositories above: keep it last
    ]
