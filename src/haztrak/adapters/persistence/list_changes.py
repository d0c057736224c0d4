"""The log of changes to sites' manifest lists (issue 16): one row per site named by a
manifest that was added, changed or deleted, written in the same transaction as the change.

A list's version is the newest row of each of its sites (an index lookup per site, whatever
the number of manifests), so the unpaginated tracking-number list can answer 304 and be
served from a cache keyed by that version. Rows are only appended (concurrent writers to one
site never wait for each other, as they would on a counter row); prune_list_changes drops the
rows that are no longer any site's newest. Same metadata as `tables` (migration 0006)."""

from __future__ import annotations

from sqlalchemy import Index, String, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from haztrak.adapters.persistence.tables import Base, BigIntId, cast_table


class ManifestListChangeRow(Base):
    __tablename__ = "manifest_list_changes"
    __table_args__ = (Index("ix_manifest_list_changes_site", "epa_id", "seq"),)

    seq: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    epa_id: Mapped[str] = mapped_column(String(12))


list_changes = cast_table(ManifestListChangeRow)


async def prune_list_changes(session: AsyncSession) -> int:
    """Delete every row that is not its site's newest; answers how many went."""
    c = list_changes.c
    newest = select(func.max(c.seq)).group_by(c.epa_id)
    result = await session.execute(delete(list_changes).where(c.seq.not_in(newest)))
    return int(getattr(result, "rowcount", 0) or 0)
