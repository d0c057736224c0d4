"""Deadlines: the RCRA clocks running on the manifests of the user's sites (domain.manifest.
deadlines), recording that one was dealt with, and a generator site's category.

The list reads only manifests whose clocks can run: a generator's manifests picked up and not
yet signed by the facility (InTransit, ReadyForSignature), a facility's manifests waiting for
its signature, and a facility's received manifests changed in the last `DISCREPANCY_LOOKBACK`
days (a discrepancy's clock is 15 days; one left unreported longer than that is no longer
listed). Each is one indexed query over the user's sites, walked a page at a time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import date, datetime, timedelta

import msgspec

from haztrak.application.audit import Auditor
from haztrak.application.manifests.access import visible_manifest
from haztrak.application.ports.deadlines import DeadlineStore, ReportedDeadline, SiteCategory
from haztrak.application.ports.manifests import Cursor, ManifestQuery, ManifestReader
from haztrak.application.ports.persistence import MembershipRepository, UnitOfWork
from haztrak.application.ports.security import Clock
from haztrak.domain.access import Action, SiteTarget, require
from haztrak.domain.errors import Conflict, Forbidden, InvalidValue
from haztrak.domain.identity import SiteRole, User
from haztrak.domain.manifest import HandlerRole, Manifest, Status
from haztrak.domain.manifest.deadlines import (
    Deadline,
    DeadlineKind,
    DeadlineState,
    GeneratorCategory,
    manifest_deadlines,
    most_urgent,
)

DISCREPANCY_LOOKBACK = timedelta(days=120)
PAGE = 500
MAX_NOTE = 500

_manifest_decoder = msgspec.json.Decoder(Manifest)


class DeadlineQuery(msgspec.Struct, frozen=True, kw_only=True):
    site_id: str | None = None
    states: frozenset[DeadlineState] = frozenset()
    """Only these states, when given."""
    kinds: frozenset[DeadlineKind] = frozenset()


class DeadlineList(msgspec.Struct, frozen=True, kw_only=True):
    today: date
    items: list[Deadline]
    """Late first, then near, ok and reported; earliest due first."""


class ListDeadlines:
    """The clocks the user's sites owe, most urgent first."""

    def __init__(
        self,
        memberships: MembershipRepository,
        manifests: ManifestReader,
        store: DeadlineStore,
        clock: Clock,
    ) -> None:
        self._memberships = memberships
        self._manifests = manifests
        self._store = store
        self._clock = clock

    async def __call__(self, user: User, query: DeadlineQuery | None = None) -> DeadlineList:
        query = query or DeadlineQuery()
        grants = await self._memberships.grants(user.id)
        sites = frozenset(grants.site_roles)
        if query.site_id is not None:
            require(
                grants, Action.VIEW_SITE, SiteTarget(query.site_id), kind="site", key=query.site_id
            )
            sites = frozenset({query.site_id})
        now = self._clock.now()
        today = now.date()
        manifests: dict[str, Manifest] = {}
        if sites:
            for search in deadline_searches(sites, now):
                async for manifest in walk(self._manifests, search):
                    mtn = manifest.manifest_tracking_number
                    if mtn:
                        manifests[mtn] = manifest
        deadlines = await owed_deadlines(self._store, manifests.values(), sites=sites, today=today)
        items = [
            d
            for d in deadlines
            if (not query.states or d.state in query.states)
            and (not query.kinds or d.kind in query.kinds)
        ]
        return DeadlineList(today=today, items=most_urgent(items))


def deadline_searches(sites: frozenset[str], now: datetime) -> list[ManifestQuery]:
    """The manifests of `sites` whose clocks can run (see the module's docstring)."""
    return [
        ManifestQuery(
            site_ids=sites,
            site_role=HandlerRole.GENERATOR,
            statuses=frozenset({Status.IN_TRANSIT, Status.READY_FOR_SIGNATURE}),
        ),
        ManifestQuery(
            site_ids=sites,
            site_role=HandlerRole.TSDF,
            statuses=frozenset({Status.READY_FOR_SIGNATURE}),
        ),
        ManifestQuery(
            site_ids=sites,
            site_role=HandlerRole.TSDF,
            statuses=frozenset({Status.SIGNED, Status.CORRECTED, Status.UNDER_CORRECTION}),
            updated_since=now - DISCREPANCY_LOOKBACK,
        ),
    ]


async def walk(
    manifests: ManifestReader, query: ManifestQuery, *, after: Cursor | None = None
) -> AsyncIterator[Manifest]:
    """Every manifest of the query (after `after`), a page at a time."""
    while True:
        records = await manifests.records(query, limit=PAGE, after=after)
        for record in records:
            yield _manifest_decoder.decode(record.json)
        if len(records) < PAGE:
            return
        after = Cursor(records[-1].updated_at, records[-1].id)


async def owed_deadlines(
    store: DeadlineStore, manifests: Iterable[Manifest], *, sites: frozenset[str], today: date
) -> list[Deadline]:
    """The clocks on these manifests that one of `sites` owes."""
    manifests = list(manifests)
    mtns = [m.manifest_tracking_number for m in manifests if m.manifest_tracking_number]
    reported = await store.reported(mtns) if mtns else {}
    generators = sorted(
        {
            m.generator.epa_site_id
            for m in manifests
            if m.generator and m.generator.epa_site_id in sites and m.generator.epa_site_id
        }
    )
    categories = await store.categories(generators) if generators else {}
    found: list[Deadline] = []
    for manifest in manifests:
        found.extend(
            d for d in _deadlines(manifest, categories, reported, today) if d.site_id in sites
        )
    return found


def _deadlines(
    manifest: Manifest,
    categories: Mapping[str, SiteCategory],
    reported: Mapping[str, Mapping[DeadlineKind, date]],
    today: date,
) -> list[Deadline]:
    generator = manifest.generator.epa_site_id if manifest.generator else None
    site = categories.get(generator) if generator else None
    return manifest_deadlines(
        manifest,
        today=today,
        generator_category=site.category if site else None,
        reported=reported.get(manifest.manifest_tracking_number or "", {}),
    )


class ReportDeadline(msgspec.Struct, frozen=True, kw_only=True):
    mtn: str
    kind: DeadlineKind
    reported_on: date | None = None
    """The day it was reported or settled; today when not given."""
    note: str | None = None


class RecordDeadlineReported:
    """Record that a running clock was dealt with: the generator filed its exception report,
    the facility settled or reported its discrepancy. A preparer (or above) of the site that
    owes it records it; the entry is audited."""

    def __init__(
        self,
        memberships: MembershipRepository,
        manifests: ManifestReader,
        store: DeadlineStore,
        auditor: Auditor,
        clock: Clock,
        uow: UnitOfWork,
    ) -> None:
        self._memberships = memberships
        self._manifests = manifests
        self._store = store
        self._auditor = auditor
        self._clock = clock
        self._uow = uow

    async def __call__(self, user: User, command: ReportDeadline) -> Deadline:
        if not command.kind.reportable:
            raise InvalidValue("kind", "a receipt is signed in e-Manifest, not reported")
        note = (command.note or "").strip() or None
        if note is not None and len(note) > MAX_NOTE:
            raise InvalidValue("note", f"must be at most {MAX_NOTE} characters")
        now = self._clock.now()
        today = now.date()
        reported_on = command.reported_on or today
        if reported_on > today:
            raise InvalidValue("reportedOn", "may not be in the future")
        grants = await self._memberships.grants(user.id)
        stored = await visible_manifest(self._manifests, grants, command.mtn)
        sites = frozenset(grants.site_roles)
        running = [
            d
            for d in await owed_deadlines(self._store, [stored.manifest], sites=sites, today=today)
            if d.kind is command.kind
        ]
        if not running:
            raise Conflict(
                f"no {command.kind.label.lower()} clock of your sites runs on manifest "
                f"{command.mtn}"
            )
        deadline = running[0]
        role = grants.role_on(deadline.site_id)
        if role is None or not role.at_least(SiteRole.PREPARER):
            raise Forbidden(
                f"only a preparer or above of site {deadline.site_id} records its deadlines"
            )
        if reported_on < deadline.started:
            raise InvalidValue(
                "reportedOn", f"may not be before the clock started ({deadline.started})"
            )
        await self._store.record_reported(
            ReportedDeadline(
                mtn=command.mtn,
                kind=command.kind,
                reported_on=reported_on,
                recorded_at=now,
                recorded_by=user.id,
                note=note,
            )
        )
        await self._auditor.record(
            user,
            "deadline_reported",
            "manifest",
            command.mtn,
            kind=command.kind.value,
            site=deadline.site_id,
            reportedOn=reported_on.isoformat(),
        )
        await self._uow.commit()
        return msgspec.structs.replace(
            deadline, state=DeadlineState.REPORTED, reported_on=reported_on
        )


class GetGeneratorCategory:
    """A site's generator category: its setting here, else its handler record's."""

    def __init__(self, memberships: MembershipRepository, store: DeadlineStore) -> None:
        self._memberships = memberships
        self._store = store

    async def __call__(self, user: User, epa_id: str) -> SiteCategory:
        grants = await self._memberships.grants(user.id)
        require(grants, Action.VIEW_SITE, SiteTarget(epa_id), kind="site", key=epa_id)
        found = await self._store.categories([epa_id])
        return found.get(epa_id) or SiteCategory(epa_id=epa_id)


class SetGeneratorCategory:
    """A site manager sets the site's generator category where RCRAInfo's handler record lacks
    it (or is out of date); None follows the handler record again. Audited."""

    def __init__(
        self,
        memberships: MembershipRepository,
        store: DeadlineStore,
        auditor: Auditor,
        clock: Clock,
        uow: UnitOfWork,
    ) -> None:
        self._memberships = memberships
        self._store = store
        self._auditor = auditor
        self._clock = clock
        self._uow = uow

    async def __call__(
        self, user: User, epa_id: str, category: GeneratorCategory | None
    ) -> SiteCategory:
        grants = await self._memberships.grants(user.id)
        require(grants, Action.MANAGE_SITE, SiteTarget(epa_id), kind="site", key=epa_id)
        await self._store.set_category(epa_id, category, by=user.id, at=self._clock.now())
        await self._auditor.record(
            user,
            "set_generator_category",
            "site",
            epa_id,
            category=category.value if category else "",
        )
        await self._uow.commit()
        found = await self._store.categories([epa_id])
        return found.get(epa_id) or SiteCategory(epa_id=epa_id, setting=category)
