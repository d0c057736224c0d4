"""An in-memory DeadlineStore."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from uuid import UUID

from haztrak.application.ports.deadlines import DeadlineStore, ReportedDeadline, SiteCategory
from haztrak.domain.manifest.deadlines import DeadlineKind, GeneratorCategory


class MemoryDeadlineStore(DeadlineStore):
    def __init__(self) -> None:
        self.reports: dict[tuple[str, DeadlineKind], ReportedDeadline] = {}
        self.settings: dict[str, GeneratorCategory] = {}
        self.handlers: dict[str, GeneratorCategory] = {}
        """The handler records' categories (RCRAInfo's federalGeneratorStatus)."""

    async def reported(self, mtns: Sequence[str]) -> Mapping[str, Mapping[DeadlineKind, date]]:
        found: dict[str, dict[DeadlineKind, date]] = {}
        wanted = set(mtns)
        for (mtn, kind), report in self.reports.items():
            if mtn in wanted:
                found.setdefault(mtn, {})[kind] = report.reported_on
        return found

    async def record_reported(self, reported: ReportedDeadline) -> None:
        self.reports[(reported.mtn, reported.kind)] = reported

    async def categories(self, epa_ids: Sequence[str]) -> Mapping[str, SiteCategory]:
        return {
            epa_id: SiteCategory(
                epa_id=epa_id, setting=self.settings.get(epa_id), handler=self.handlers.get(epa_id)
            )
            for epa_id in sorted(set(epa_ids))
        }

    async def set_category(
        self, epa_id: str, category: GeneratorCategory | None, *, by: UUID, at: datetime
    ) -> None:
        if category is None:
            self.settings.pop(epa_id, None)
        else:
            self.settings[epa_id] = category
