"""What the dashboard reads besides manifests, in as few round trips as the store allows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

import msgspec

from haztrak.domain.identity import Org, Site
from haztrak.domain.tasks import Task


class OverviewBasics(msgspec.Struct, frozen=True, kw_only=True):
    sites: list[Site]
    """By EPA ID."""
    orgs: list[Org]
    tasks: list[Task]
    """Newest first."""


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
