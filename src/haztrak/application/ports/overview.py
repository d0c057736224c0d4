"""What the dashboard reads besides manifests, in as few round trips as the store allows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

import msgspec

from haztrak.application.ports.manifests import ManifestQuery, ManifestRecord, StatusCount
from haztrak.domain.identity import Org, Site
from haztrak.domain.tasks import Task


class OverviewBasics(msgspec.Struct, frozen=True, kw_only=True):
    sites: list[Site]
    """By EPA ID."""
    orgs: list[Org]
    tasks: list[Task]
    """Newest first."""


class DashboardRequest(msgspec.Struct, frozen=True, kw_only=True):
    """What the dashboard reads: OverviewReader.basics' arguments and four manifest reads."""

    epa_ids: Sequence[str]
    org_ids: Sequence[UUID]
    owner_id: UUID
    tasks_limit: int
    failed_since: datetime
    counts: ManifestQuery
    """Counted per site and status (ManifestReader.status_counts)."""
    drafts: ManifestQuery
    drafts_limit: int
    to_sign: ManifestQuery
    received: ManifestQuery
    candidates: int
    """How many of the newest matches of `to_sign` and of `received` are looked at."""
    deadlines: Sequence[ManifestQuery] = ()
    deadlines_limit: int = 0
    """How many of the newest matches of each of `deadlines` are read."""


class DashboardReads(msgspec.Struct, frozen=True, kw_only=True):
    basics: OverviewBasics
    counts: Sequence[StatusCount]
    drafts: Sequence[ManifestRecord]
    """Newest first; each record's JSON holds at least ManifestHeadline's keys."""
    to_sign: Sequence[ManifestRecord]
    """Up to `candidates` of the newest, newest first, each the whole document."""
    received: Sequence[ManifestRecord]
    """Those of the `candidates` newest that e-Manifest flagged with a rejection, a
    discrepancy or residue (a store may also give the others), newest first; each record's
    JSON holds at least ManifestHeadline's keys and the three flags."""
    deadlines: Sequence[Sequence[ManifestRecord]] = ()
    """For each of the request's `deadlines`, up to `deadlines_limit` of the newest, newest
    first, each the whole document."""


class OverviewReader(Protocol):
    async def basics(
        self,
        *,
        epa_ids: Sequence[str],
        org_ids: Sequence[UUID],
        owner_id: UUID,
        tasks_limit: int,
        failed_since: datetime,
    ) -> OverviewBasics:
        """The sites with these EPA IDs, the orgs with these ids, and the owner's newest tasks
        still running or failed since `failed_since` (TaskRepository.for_owner's)."""

    async def dashboard(self, request: DashboardRequest) -> DashboardReads:
        """All the dashboard reads, in as few round trips as the store allows."""
