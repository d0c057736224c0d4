"""What needs the user now: the dashboard, and one site's overview.

Every list here is decided by the rules the actions use: a manifest is "waiting for your
signature" when the lifecycle says it is the turn of one of the user's sites and the user signs
for that site; a draft is listed only to the preparers of its owner site (domain.access).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

import msgspec

from haztrak.application.deadlines import PAGE, deadline_searches, owed_deadlines, walk
from haztrak.application.identity.views import SiteView
from haztrak.application.ports.deadlines import DeadlineStore
from haztrak.application.ports.manifests import (
    Cursor,
    ManifestHeadline,
    ManifestQuery,
    ManifestReader,
    ManifestRecord,
    StatusCount,
)
from haztrak.application.ports.overview import DashboardReads, DashboardRequest, OverviewReader
from haztrak.application.ports.persistence import (
    OrgRepository,
    Principals,
    RcraSiteRepository,
    SiteRepository,
)
from haztrak.application.ports.security import Clock
from haztrak.domain.access import Action, Grants, OrgTarget, SiteTarget, draft_sites, may, require
from haztrak.domain.errors import NotFound
from haztrak.domain.handlers import RcraSite
from haztrak.domain.identity import Org, Site, SiteRole, User
from haztrak.domain.manifest import HandlerRole, Manifest, Operation, Status, SubmissionType
from haztrak.domain.manifest.deadlines import Deadline, DeadlineState, most_urgent
from haztrak.domain.manifest.lifecycle import (
    next_signer,
    operations_for,
    signer_site,
)
from haztrak.domain.tasks import Task

SIGNING_STATUSES = frozenset({Status.SCHEDULED, Status.IN_TRANSIT, Status.READY_FOR_SIGNATURE})
RECEIVED_STATUSES = frozenset(
    {Status.READY_FOR_SIGNATURE, Status.SIGNED, Status.CORRECTED, Status.UNDER_CORRECTION}
)
"""A receipt is recorded at ReadyForSignature (before the facility signs; a rejection's
destination signs after it), so a manifest there with one counts as received."""
CANDIDATES = 100
"""How many of the newest manifests in a signing (or received) status are looked at."""
SHOWN = 10
DRAFTS_SHOWN = 5
RECENT_FAILURES = timedelta(days=7)
URGENT = frozenset({DeadlineState.LATE, DeadlineState.NEAR})

_manifest_decoder = msgspec.json.Decoder(Manifest)
_headline_decoder = msgspec.json.Decoder(ManifestHeadline)


class _Outcome(msgspec.Struct, rename="camel"):
    """The flags e-Manifest sets on a received manifest (other keys are skipped)."""

    rejection: bool | None = None
    discrepancy: bool | None = None
    residue: bool | None = None


_outcome_decoder = msgspec.json.Decoder(_Outcome)


class SiteSummary(msgspec.Struct, frozen=True, kw_only=True):
    site: Site
    role: SiteRole
    counts: dict[Status, int]
    """Manifests naming the site, per status (drafts: the site's own, if the user sees them)."""

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class ManifestItem(msgspec.Struct, frozen=True, kw_only=True):
    """A manifest as a dashboard list shows it."""

    headline: ManifestHeadline
    updated_at: datetime
    site_id: str | None = None
    """The user's site it is listed for (the one whose turn it is, the receiving one)."""
    turn: str | None = None
    """Whose signature it waits for: "generator", "transporter 2", "designated facility"."""
    rejection: bool = False
    discrepancy: bool = False
    residue: bool = False

    @property
    def mtn(self) -> str:
        return self.headline.manifest_tracking_number


class OrgAlert(msgspec.Struct, frozen=True, kw_only=True):
    org: Org
    admin: bool
    """The user may set the org's credentials again."""


class Dashboard(msgspec.Struct, frozen=True, kw_only=True):
    sites: list[SiteSummary]
    to_sign: list[ManifestItem]
    drafts: list[ManifestItem]
    drafts_total: int
    received: list[ManifestItem]
    tasks: list[Task]
    failing_orgs: list[OrgAlert]
    deadlines: list[Deadline]
    """The late and near clocks the user's sites owe, most urgent first."""
    today: date


class GetDashboard:
    def __init__(
        self,
        principals: Principals,
        basics: OverviewReader,
        manifests: ManifestReader,
        deadlines: DeadlineStore,
        clock: Clock,
    ) -> None:
        self._principals = principals
        self._basics = basics
        self._manifests = manifests
        self._deadlines = deadlines
        self._clock = clock

    async def __call__(self, user: User) -> Dashboard:
        grants = await self._principals.grants(user.id)
        mine = frozenset(grants.site_roles)
        drafting = draft_sites(grants)
        now = self._clock.now()
        searches = deadline_searches(mine, now) if mine else []
        reads = await self._basics.dashboard(
            DashboardRequest(
                epa_ids=sorted(mine),
                org_ids=sorted(set(grants.org_roles) | set(grants.site_orgs.values())),
                owner_id=user.id,
                tasks_limit=SHOWN,
                failed_since=now - RECENT_FAILURES,
                counts=ManifestQuery(site_ids=mine, draft_sites=drafting),
                drafts=ManifestQuery(
                    site_ids=drafting, draft_sites=drafting, status=Status.NOT_ASSIGNED
                ),
                drafts_limit=DRAFTS_SHOWN,
                to_sign=ManifestQuery(
                    site_ids=grants.sites_with(SiteRole.SIGNER), statuses=SIGNING_STATUSES
                ),
                received=ManifestQuery(site_ids=mine, statuses=RECEIVED_STATUSES),
                candidates=CANDIDATES,
                deadlines=searches,
                deadlines_limit=PAGE,
            )
        )
        basics, counts = reads.basics, reads.counts
        return Dashboard(
            sites=_summaries(basics.sites, grants, counts),
            to_sign=_to_sign(reads.to_sign, grants.sites_with(SiteRole.SIGNER)),
            drafts=[_item(record) for record in reads.drafts],
            # a draft counts for its owner site only: the sum is every draft the user sees
            drafts_total=sum(
                c.count for c in counts if c.status is Status.NOT_ASSIGNED and c.epa_id in drafting
            ),
            received=_received(reads.received),
            tasks=basics.tasks,
            failing_orgs=[
                OrgAlert(org=o, admin=may(grants, Action.MANAGE_ORG, OrgTarget(o.id)))
                for o in sorted(basics.orgs, key=lambda o: o.name.lower())
                if o.rcrainfo_credentials_failing
            ],
            deadlines=await self._urgent(searches, reads.deadlines, mine, now.date()),
            today=now.date(),
        )

    async def _urgent(
        self,
        searches: Sequence[ManifestQuery],
        found: Sequence[Sequence[ManifestRecord]],
        sites: frozenset[str],
        today: date,
    ) -> list[Deadline]:
        """The late and near clocks of the user's sites, most urgent first (ListDeadlines'),
        from the manifests read with the rest; a search with more than a page goes on."""
        manifests: dict[str, Manifest] = {}
        for search, records in zip(searches, found, strict=True):
            for record in records:
                manifest = _manifest_decoder.decode(record.json)
                if manifest.manifest_tracking_number:
                    manifests[manifest.manifest_tracking_number] = manifest
            if len(records) >= PAGE:
                last = Cursor(records[-1].updated_at, records[-1].id)
                async for manifest in walk(self._manifests, search, after=last):
                    if manifest.manifest_tracking_number:
                        manifests[manifest.manifest_tracking_number] = manifest
        if not manifests:
            return []
        owed = await owed_deadlines(self._deadlines, manifests.values(), sites=sites, today=today)
        return most_urgent(d for d in owed if d.state in URGENT)


async def read_dashboard(
    basics: OverviewReader, manifests: ManifestReader, request: DashboardRequest
) -> DashboardReads:
    """The dashboard's reads one by one: for a store where a round trip costs little."""
    return DashboardReads(
        basics=await basics.basics(
            epa_ids=request.epa_ids,
            org_ids=request.org_ids,
            owner_id=request.owner_id,
            tasks_limit=request.tasks_limit,
            failed_since=request.failed_since,
        ),
        counts=await manifests.status_counts(request.counts),
        drafts=await manifests.records(request.drafts, limit=request.drafts_limit),
        to_sign=await manifests.records(request.to_sign, limit=request.candidates),
        received=await manifests.records(request.received, limit=request.candidates),
        deadlines=[
            await manifests.records(query, limit=request.deadlines_limit)
            for query in request.deadlines
        ],
    )


def _to_sign(records: Sequence[ManifestRecord], signing: frozenset[str]) -> list[ManifestItem]:
    found = []
    for record in records:
        manifest = _manifest_decoder.decode(record.json)
        site = signer_turn(manifest, signing)
        if site is None:
            continue
        turn = next_signer(manifest)
        found.append(
            ManifestItem(
                headline=_headline_decoder.decode(record.json),
                updated_at=record.updated_at,
                site_id=site,
                turn=turn.describe() if turn else None,
            )
        )
        if len(found) == SHOWN:
            break
    return found


def _received(records: Sequence[ManifestRecord]) -> list[ManifestItem]:
    found = []
    for record in records:
        outcome = _outcome_decoder.decode(record.json)
        if not (outcome.rejection or outcome.discrepancy or outcome.residue):
            continue
        found.append(
            ManifestItem(
                headline=_headline_decoder.decode(record.json),
                updated_at=record.updated_at,
                rejection=bool(outcome.rejection),
                discrepancy=bool(outcome.discrepancy),
                residue=bool(outcome.residue),
            )
        )
        if len(found) == SHOWN:
            break
    return found


def _item(record: ManifestRecord) -> ManifestItem:
    return ManifestItem(
        headline=_headline_decoder.decode(record.json), updated_at=record.updated_at
    )


def signer_turn(manifest: Manifest, signing_sites: frozenset[str]) -> str | None:
    """The site among `signing_sites` (where the user signs) whose Quicker Sign the manifest
    waits for now, or None: the lifecycle's turn, on a manifest that may be signed now."""
    if Operation.SIGN not in operations_for(manifest):
        return None
    turn = next_signer(manifest)
    if turn is None:
        return None
    if (
        turn.role is HandlerRole.GENERATOR
        and manifest.submission_type is SubmissionType.HYBRID
        and manifest.status is Status.SCHEDULED
    ):
        return None  # a Hybrid generator signs on paper (not a rejection's return)
    site = signer_site(manifest, turn)
    return site if site in signing_sites else None


def _summaries(
    sites: Iterable[Site], grants: Grants, counts: Sequence[StatusCount]
) -> list[SiteSummary]:
    by_site: dict[str, dict[Status, int]] = {}
    for count in counts:
        by_site.setdefault(count.epa_id, {})[count.status] = count.count
    return [
        SiteSummary(site=site, role=role, counts=by_site.get(site.epa_id, {}))
        for site in sites
        if (role := grants.role_on(site.epa_id)) is not None
    ]


class SiteOverview(msgspec.Struct, frozen=True, kw_only=True):
    view: SiteView
    role: SiteRole
    org: Org
    counts: dict[Status, int]
    may_sync: bool
    sync_blocked: str | None
    """Why a sync with RCRAInfo would not start now, in words (None when it would)."""

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class GetSiteOverview:
    """One of the user's sites: its handler record, its manifests per status, and whether a
    sync with RCRAInfo can start (and if not, why)."""

    def __init__(
        self,
        principals: Principals,
        sites: SiteRepository,
        orgs: OrgRepository,
        handlers: RcraSiteRepository,
        manifests: ManifestReader,
    ) -> None:
        self._principals = principals
        self._sites = sites
        self._orgs = orgs
        self._handlers = handlers
        self._manifests = manifests

    async def __call__(self, user: User, epa_id: str) -> SiteOverview:
        grants = await self._principals.grants(user.id)
        site = await self._sites.by_epa_id(epa_id)
        role = grants.role_on(epa_id)
        if site is None or role is None:
            raise NotFound("site", epa_id)
        require(grants, Action.VIEW_SITE, SiteTarget(epa_id), kind="site", key=epa_id)
        org = await self._orgs.get(site.org_id)
        if org is None:  # pragma: no cover - a site always has its org
            raise NotFound("org", str(site.org_id))
        handler = await self._handlers.get(epa_id) or RcraSite(
            epa_site_id=epa_id, site_type=site.site_type, name=site.name
        )
        counts = await self._manifests.status_counts(
            ManifestQuery(site_ids=frozenset({epa_id}), draft_sites=draft_sites(grants))
        )
        return SiteOverview(
            view=SiteView(site=site, handler=handler),
            role=role,
            org=org,
            counts={c.status: c.count for c in counts if c.epa_id == epa_id},
            may_sync=may(grants, Action.SYNC_SITE, SiteTarget(epa_id)),
            sync_blocked=_sync_blocked(
                org, admin=may(grants, Action.MANAGE_ORG, OrgTarget(org.id))
            ),
        )


def _sync_blocked(org: Org, *, admin: bool) -> str | None:
    who = "Set them on the organization page." if admin else "Ask an admin of the org to set them."
    if org.rcrainfo_credentials_failing:
        return f"RCRAInfo refused the credentials of {org.name}. " + (
            "Set them again on the organization page."
            if admin
            else "Ask an admin of the org to set them again."
        )
    if not org.rcrainfo_api_id or not org.has_rcrainfo_api_key:
        return f"{org.name} has no RCRAInfo API ID and key yet. {who}"
    return None
