"""Manifest versions (corrections): one row per version of a manifest, with e-Manifest's
summary of it and, once pulled, its content."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import Boolean, Integer, String, delete, null, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from haztrak.adapters.persistence.column_types import DateTimeUTC, JsonB
from haztrak.adapters.persistence.tables import Base
from haztrak.application.ports.manifest_versions import StoredVersion
from haztrak.domain.manifest import Manifest, manifest_from_document
from haztrak.domain.manifest.corrections import ManifestVersion


class ManifestVersionRow(Base):
    """One version of a manifest in e-Manifest (EPA's correction details)."""

    __tablename__ = "manifest_versions"

    mtn: Mapped[str] = mapped_column(String(12), primary_key=True)
    version_number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(Boolean)
    summary: Mapped[dict[str, Any]] = mapped_column(JsonB)
    document: Mapped[dict[str, Any] | None] = mapped_column(JsonB, nullable=True)
    pulled_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


def _version(summary: dict[str, Any]) -> ManifestVersion:
    return msgspec.convert(summary, ManifestVersion)


class SqlManifestVersionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def history(self, mtn: str) -> list[StoredVersion]:
        rows = await self._session.execute(
            select(
                ManifestVersionRow.summary,
                ManifestVersionRow.pulled_at,
                ManifestVersionRow.document.is_not(None),
            )
            .where(ManifestVersionRow.mtn == mtn)
            .order_by(ManifestVersionRow.version_number.desc())
        )
        return [
            StoredVersion(version=_version(summary), pulled_at=at, has_document=bool(has))
            for summary, at, has in rows
        ]

    async def document(self, mtn: str, version_number: int) -> Manifest | None:
        document = await self._session.scalar(
            select(ManifestVersionRow.document).where(
                ManifestVersionRow.mtn == mtn, ManifestVersionRow.version_number == version_number
            )
        )
        return None if document is None else manifest_from_document(document)

    async def put(
        self, mtn: str, version: ManifestVersion, document: Manifest | None, *, at: datetime
    ) -> None:
        summary = msgspec.to_builtins(version)
        row = await self._session.get(ManifestVersionRow, (mtn, version.version_number))
        # SQL NULL, not JSON null, for a version whose content was not pulled
        content: Any = null() if document is None else msgspec.to_builtins(document)
        if row is None:
            self._session.add(
                ManifestVersionRow(
                    mtn=mtn,
                    version_number=version.version_number,
                    status=version.status.value,
                    active=version.active,
                    summary=summary,
                    document=content,
                    pulled_at=at,
                )
            )
        else:
            if document is None and row.summary != summary:
                row.document = null()  # another version under the same number: content is old
            elif document is not None:
                row.document = content
            row.status = version.status.value
            row.active = version.active
            row.summary = summary
            row.pulled_at = at
        await self._session.flush()

    async def keep_only(self, mtn: str, version_numbers: Collection[int]) -> None:
        await self._session.execute(
            delete(ManifestVersionRow).where(
                ManifestVersionRow.mtn == mtn,
                ManifestVersionRow.version_number.not_in(list(version_numbers)),
            )
        )
