"""The log of changes to sites' manifest lists (issue 16): one row per site named by a
manifest that was added, changed or deleted, written in the same transaction as the change.

A list's version is the set of its sites' entries (their `seq`s): every committed change adds
an entry never seen before, so the set is new after each commit, whatever order concurrent
writers drew their numbers in (the newest number alone would miss a change that drew a lower
number and committed later). Each write also deletes up to PRUNE_AT_MOST older entries of its
sites, skipping any another writer holds (concurrent writers of one site never wait for each
other, as they would on a counter row), so a site keeps a handful of entries and reading its
version is one short index range. Same metadata as `tables` (migration 0006)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Delete, Index, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from haztrak.adapters.persistence.tables import Base, BigIntId, cast_table


class ManifestListChangeRow(Base):
    __tablename__ = "manifest_list_changes"
    # AUTOINCREMENT on SQLite: a number is never drawn twice, even after its row is pruned
    __table_args__ = (
        Index("ix_manifest_list_changes_site", "epa_id", "seq"),
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    epa_id: Mapped[str] = mapped_column(String(12))


list_changes = cast_table(ManifestListChangeRow)


PRUNE_AT_MOST = 50


def prune_list_changes_of(sites: Any) -> Delete:
    """Delete the oldest entries (up to PRUNE_AT_MOST) of `sites` (a bound list or a
    subquery of EPA IDs) that no other transaction holds; run it before logging the new
    entries, so they stay."""
    c = list_changes.c
    old = (
        select(c.seq)
        .where(c.epa_id.in_(sites))
        .order_by(c.seq)
        .limit(PRUNE_AT_MOST)
        .with_for_update(skip_locked=True)
    )
    return delete(list_changes).where(c.seq.in_(old))
