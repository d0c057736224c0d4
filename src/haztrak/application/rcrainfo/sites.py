"""Handlers (RCRA sites): from the local table first, from RCRAInfo on a miss.

The request that needs a handler starts a task and waits briefly for it (RCRAInfo is only
ever called from a worker); answers are kept: site search results in the cache for a day,
site details in the local handler table, and "RCRAInfo has no such site" in the cache for an
hour so a mistyped ID does not hammer RCRAInfo.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from haztrak.application.ports.cache import Cache
from haztrak.application.ports.persistence import RcraSiteRepository
from haztrak.application.ports.rcrainfo import (
    Rcrainfo,
    RcrainfoError,
    RcrainfoErrorKind,
    SiteSearch,
)
from haztrak.application.rcrainfo.accounts import RcrainfoAccounts
from haztrak.application.tasks.errors import TaskFailed
from haztrak.application.tasks.launch import TaskLauncher, TaskWaiter
from haztrak.application.tasks.run import TaskRun
from haztrak.domain.errors import InvalidValue, NotFound
from haztrak.domain.handlers import RcraSite, SiteType
from haztrak.domain.identity import User, check_epa_id
from haztrak.domain.tasks import TaskName

SEARCH_TTL = 24 * 3600
MISSING_TTL = 3600
MAX_LOCAL_RESULTS = 100
_sites = msgspec.json.Decoder(list[RcraSite])
_encoder = msgspec.json.Encoder()


def search_key(site_id: str, site_type: SiteType | None) -> str:
    return f"rcrainfo:site-search:{site_type.value if site_type else 'any'}:{site_id}"


def missing_key(epa_id: str) -> str:
    return f"rcrainfo:site-missing:{epa_id}"


def parse_site_type(text: str | None, field: str) -> SiteType | None:
    """A site type as clients spell it (any case; `designatedFacility` for Tsdf); None for none."""
    if text is None or not text.strip():
        return None
    try:
        return SiteType.parse(text)
    except ValueError:
        raise InvalidValue(
            field, "must be generator, transporter, tsdf, designatedFacility or broker"
        ) from None


def _search_text(site_id: str) -> str:
    text = site_id.strip().upper()
    if not 2 <= len(text) <= 12 or not text.isalnum():
        raise InvalidValue("siteId", "must be 2-12 letters or digits of an EPA ID")
    return text


class SearchRcraSites:
    """Handlers in the local table: case-insensitive contains on EPA ID and name."""

    def __init__(self, handlers: RcraSiteRepository) -> None:
        self._handlers = handlers

    async def __call__(
        self,
        *,
        epa_id: str | None = None,
        name: str | None = None,
        site_type: SiteType | None = None,
        limit: int = 20,
    ) -> Sequence[RcraSite]:
        if not 1 <= limit <= MAX_LOCAL_RESULTS:
            raise InvalidValue("limit", f"must be 1-{MAX_LOCAL_RESULTS}")
        return await self._handlers.search(
            epa_id=(epa_id or "").strip() or None,
            name=(name or "").strip() or None,
            site_type=site_type,
            limit=limit,
        )


class SearchRcrainfoSites:
    """RCRAInfo's site search (by EPA ID, all or part of it), cached for a day."""

    def __init__(
        self,
        accounts: RcrainfoAccounts,
        cache: Cache,
        launcher: TaskLauncher,
        waiter: TaskWaiter,
    ) -> None:
        self._accounts = accounts
        self._cache = cache
        self._launcher = launcher
        self._waiter = waiter

    async def __call__(
        self, user: User, site_id: str, site_type: SiteType | None
    ) -> list[RcraSite]:
        text = _search_text(site_id)
        cached = await self._cache.get(search_key(text, site_type))
        if cached is not None:
            return _sites.decode(cached)
        await self._accounts.lookup_account(user.id)
        task = await self._launcher.launch(
            TaskName.SEARCH_RCRA_SITES,
            owner=user,
            payload={"siteId": text, "siteType": site_type.value if site_type else None},
            subject=text,
        )
        return msgspec.convert(await self._waiter.result(task), list[RcraSite])


class SearchSitesInRcrainfo:
    """The task: search RCRAInfo, keep handlers not known here yet, cache the answer."""

    def __init__(
        self,
        rcrainfo: Rcrainfo,
        accounts: RcrainfoAccounts,
        handlers: RcraSiteRepository,
        cache: Cache,
    ) -> None:
        self._rcrainfo = rcrainfo
        self._accounts = accounts
        self._handlers = handlers
        self._cache = cache

    async def __call__(self, run: TaskRun) -> list[RcraSite]:
        text = _search_text(run.payload["siteId"])
        raw_type = run.payload.get("siteType")
        site_type = SiteType(raw_type) if raw_type else None
        owner = run.task.owner_id
        if owner is None:
            raise InvalidValue("owner", "a site search runs for a user")
        credentials = await self._accounts.for_lookups(owner)
        found = await self._rcrainfo.search_sites(
            credentials, SiteSearch(epa_site_id=text, site_type=site_type)
        )
        for site in found:
            # A search answer has less in it than site details: never replace those.
            if await self._handlers.get(site.epa_site_id) is None:
                await self._handlers.upsert(site)
        await self._cache.set(search_key(text, site_type), _encoder.encode(found), SEARCH_TTL)
        return found


class GetRcraSite:
    """One handler: the local copy, else RCRAInfo's site details (kept locally from then on)."""

    def __init__(
        self,
        handlers: RcraSiteRepository,
        accounts: RcrainfoAccounts,
        cache: Cache,
        launcher: TaskLauncher,
        waiter: TaskWaiter,
    ) -> None:
        self._handlers = handlers
        self._accounts = accounts
        self._cache = cache
        self._launcher = launcher
        self._waiter = waiter

    async def __call__(self, user: User, epa_id: str) -> RcraSite:
        epa_id = check_epa_id(epa_id.strip().upper())
        local = await self._handlers.get(epa_id)
        if local is not None:
            return local
        if await self._cache.get(missing_key(epa_id)) is not None:
            raise NotFound("RCRA site", epa_id)
        await self._accounts.lookup_account(user.id)
        task = await self._launcher.launch(
            TaskName.PULL_RCRA_SITE, owner=user, payload={"siteId": epa_id}, subject=epa_id
        )
        try:
            result = await self._waiter.result(task)
        except TaskFailed as failed:
            if failed.problem.kind == RcrainfoErrorKind.NOT_FOUND.value:
                raise NotFound("RCRA site", epa_id) from None
            raise
        return msgspec.convert(result, RcraSite)


class PullRcraSite:
    """The task: RCRAInfo's details of one site, kept in the local handler table."""

    def __init__(
        self,
        rcrainfo: Rcrainfo,
        accounts: RcrainfoAccounts,
        handlers: RcraSiteRepository,
        cache: Cache,
    ) -> None:
        self._rcrainfo = rcrainfo
        self._accounts = accounts
        self._handlers = handlers
        self._cache = cache

    async def __call__(self, run: TaskRun) -> RcraSite:
        epa_id = check_epa_id(run.payload["siteId"])
        owner = run.task.owner_id
        # For a user, the user's accounts; for the system, the org that owns the site.
        credentials = (
            await self._accounts.for_lookups(owner)
            if owner
            else await self._accounts.for_site(epa_id)
        )
        try:
            site = await self._rcrainfo.get_site(credentials, epa_id)
        except RcrainfoError as error:
            if error.kind is RcrainfoErrorKind.NOT_FOUND:
                await self._cache.set(missing_key(epa_id), b"1", MISSING_TTL)
            raise
        await self._handlers.upsert(site)
        await self._cache.delete(missing_key(epa_id))
        return site
