"""dishka providers for manifests and lookups, and the caller cache that keeps their hot
paths from asking the database who is calling on every request."""

from __future__ import annotations

from dishka import Provider, Scope, decorate, provide, provide_all
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from haztrak.adapters.cache.principals import (
    CachedMembershipRepository,
    CachedTokenRepository,
    CachedUserRepository,
    PrincipalCache,
)
from haztrak.adapters.persistence.lookups import CachedLookupReader
from haztrak.adapters.persistence.manifests import SqlManifestRepository
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
from haztrak.application.manifests.queries import GetManifest, ListManifests, ListTrackingNumbers
from haztrak.application.manifests.validation import ValidateManifest
from haztrak.application.ports.lookups import LookupReader
from haztrak.application.ports.manifests import ManifestReader, ManifestRepository
from haztrak.application.ports.persistence import (
    MembershipRepository,
    TokenRepository,
    UserRepository,
)


class ManifestProvider(Provider):
    scope = Scope.REQUEST

    @provide
    def reader(self, session: AsyncSession) -> ManifestReader:
        """For the use cases that only read: outside a transaction when the request has not
        started one, which saves the BEGIN and ROLLBACK round trips."""
        return SqlManifestRepository(session, autocommit_reads=True)

    @provide
    def manifests(self, session: AsyncSession) -> ManifestRepository:
        return SqlManifestRepository(session)

    use_cases = provide_all(
        CreateDraftManifest,
        UpdateManifest,
        DeleteManifest,
        GetManifest,
        ListManifests,
        ListTrackingNumbers,
    )

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

    @decorate
    def tokens(self, inner: TokenRepository, cache: PrincipalCache) -> TokenRepository:
        return CachedTokenRepository(inner, cache)

    @decorate
    def users(self, inner: UserRepository, cache: PrincipalCache) -> UserRepository:
        return CachedUserRepository(inner, cache)

    @decorate
    def memberships(
        self, inner: MembershipRepository, cache: PrincipalCache
    ) -> MembershipRepository:
        return CachedMembershipRepository(inner, cache)
