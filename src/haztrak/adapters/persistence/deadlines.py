"""DeadlineStore on SQL: the days clocks were recorded as reported, and generator categories set
here; a site's handler record (rcra_sites) gives its category from RCRAInfo."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import Date, Index, String, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from haztrak.adapters.persistence.column_types import GUID, DateTimeUTC
from haztrak.adapters.persistence.tables import Base, ManifestRow, RcraSiteRow, cast_table
from haztrak.application.ports.deadlines import ReportedDeadline, SiteCategory
from haztrak.domain.manifest.deadlines import DeadlineKind, GeneratorCategory

CHUNK = 500
"""Keys per IN list (SQLite allows 32,766 parameters, asyncpg 32,767)."""

# The deadline list reads the few manifests in a status whose clocks run (picked up and not
# signed; received lately), newest change first: this index is where it starts.
MANIFESTS_BY_STATUS = Index(
    "ix_manifests_status_updated",
    cast_table(ManifestRow).c.status,
    cast_table(ManifestRow).c.updated_at,
)


class DeadlineReportRow(Base):
    """That a manifest's clock (exception report, discrepancy) was dealt with, and when."""

    __tablename__ = "deadline_reports"

    mtn: Mapped[str] = mapped_column(String(12), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    reported_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    recorded_by: Mapped[UUID | None] = mapped_column(GUID)
    note: Mapped[str | None] = mapped_column(String(500))


class SiteGeneratorCategoryRow(Base):
    """A generator site's category as set here, where RCRAInfo's handler record lacks it."""

    __tablename__ = "site_generator_categories"

    epa_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    category: Mapped[str] = mapped_column(String(5))
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    updated_by: Mapped[UUID | None] = mapped_column(GUID)


def _chunks(keys: Sequence[str]) -> list[list[str]]:
    unique = sorted(set(keys))
    return [unique[i : i + CHUNK] for i in range(0, len(unique), CHUNK)]


class SqlDeadlineStore:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def reported(self, mtns: Sequence[str]) -> Mapping[str, Mapping[DeadlineKind, date]]:
        found: dict[str, dict[DeadlineKind, date]] = {}
        for chunk in _chunks(mtns):
            rows = await self._session.execute(
                select(
                    DeadlineReportRow.mtn, DeadlineReportRow.kind, DeadlineReportRow.reported_on
                ).where(DeadlineReportRow.mtn.in_(chunk))
            )
            for mtn, kind, reported_on in rows:
                try:
                    found.setdefault(mtn, {})[DeadlineKind(kind)] = reported_on
                except ValueError:  # a kind a later release wrote
                    continue
        return found

    async def record_reported(self, reported: ReportedDeadline) -> None:
        row = await self._session.get(DeadlineReportRow, (reported.mtn, reported.kind.value))
        if row is None:
            self._session.add(
                DeadlineReportRow(
                    mtn=reported.mtn,
                    kind=reported.kind.value,
                    reported_on=reported.reported_on,
                    recorded_at=reported.recorded_at,
                    recorded_by=reported.recorded_by,
                    note=reported.note,
                )
            )
        else:
            row.reported_on = reported.reported_on
            row.recorded_at = reported.recorded_at
            row.recorded_by = reported.recorded_by
            row.note = reported.note
        await self._session.flush()

    async def categories(self, epa_ids: Sequence[str]) -> Mapping[str, SiteCategory]:
        settings: dict[str, GeneratorCategory | None] = {}
        handlers: dict[str, GeneratorCategory | None] = {}
        for chunk in _chunks(epa_ids):
            rows = await self._session.execute(
                select(SiteGeneratorCategoryRow.epa_id, SiteGeneratorCategoryRow.category).where(
                    SiteGeneratorCategoryRow.epa_id.in_(chunk)
                )
            )
            settings.update({epa_id: GeneratorCategory.parse(c) for epa_id, c in rows})
            documents = await self._session.execute(
                select(RcraSiteRow.epa_id, RcraSiteRow.document).where(
                    RcraSiteRow.epa_id.in_(chunk)
                )
            )
            for epa_id, document in documents:
                status = document.get("federalGeneratorStatus") if document else None
                handlers[epa_id] = GeneratorCategory.parse(
                    status if isinstance(status, str) else None
                )
        return {
            epa_id: SiteCategory(
                epa_id=epa_id, setting=settings.get(epa_id), handler=handlers.get(epa_id)
            )
            for epa_id in sorted(set(epa_ids))
        }

    async def set_category(
        self, epa_id: str, category: GeneratorCategory | None, *, by: UUID, at: datetime
    ) -> None:
        if category is None:
            await self._session.execute(
                delete(SiteGeneratorCategoryRow).where(SiteGeneratorCategoryRow.epa_id == epa_id)
            )
            return
        row = await self._session.get(SiteGeneratorCategoryRow, epa_id)
        if row is None:
            self._session.add(
                SiteGeneratorCategoryRow(
                    epa_id=epa_id, category=category.value, updated_at=at, updated_by=by
                )
            )
        else:
            row.category = category.value
            row.updated_at = at
            row.updated_by = by
        await self._session.flush()
