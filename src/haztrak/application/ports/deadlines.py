"""What the deadline list keeps besides manifests: the days clocks were recorded as reported,
and each generator site's category."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

import msgspec

from haztrak.domain.manifest.deadlines import DeadlineKind, GeneratorCategory


class ReportedDeadline(msgspec.Struct, frozen=True, kw_only=True):
    mtn: str
    kind: DeadlineKind
    reported_on: date
    recorded_at: datetime
    recorded_by: UUID | None = None
    note: str | None = None


class SiteCategory(msgspec.Struct, frozen=True, kw_only=True):
    """A generator site's category: `setting` as a site manager set it here, `handler` as
    RCRAInfo's handler record (`federalGeneratorStatus`) has it. The setting wins."""

    epa_id: str
    setting: GeneratorCategory | None = None
    handler: GeneratorCategory | None = None

    @property
    def category(self) -> GeneratorCategory | None:
        return self.setting or self.handler


class DeadlineStore(Protocol):
    async def reported(self, mtns: Sequence[str]) -> Mapping[str, Mapping[DeadlineKind, date]]:
        """For each of these manifests that has any, the day each clock was reported."""

    async def record_reported(self, reported: ReportedDeadline) -> None:
        """Record (or record again, replacing the day and note) that a clock was dealt with."""

    async def categories(self, epa_ids: Sequence[str]) -> Mapping[str, SiteCategory]:
        """Every one of these sites, with its setting and its handler record's category."""

    async def set_category(
        self, epa_id: str, category: GeneratorCategory | None, *, by: UUID, at: datetime
    ) -> None:
        """Set the site's category here (None: follow the handler record again)."""
