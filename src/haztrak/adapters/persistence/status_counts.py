"""How many manifests each site has in each status, kept by PostgreSQL itself (issue 16): the
dashboard and a site's page show these counts, which a count over every manifest of a site
would make cost as much as the site is big.

`site_status_counts` holds signed changes (+1, -1) of a (site, status) count; a count is the
sum of its site's rows. Triggers (migration 0011, PostgreSQL) write them in the transaction
of each change to `manifests` and `manifest_handlers`, whatever writes it (the repository,
the benchmark's bulk load, a migration), with the rule the counting query has: a manifest
counts once for each site it names, a draft only for its owner site. Each write also folds
up to FOLD_AT_MOST of its sites' oldest rows into one per status, skipping rows another
writer holds: concurrent writers of one site never wait for each other (as they would on one
counter row per site), and a site keeps a few dozen rows. Same metadata as `tables`.

SQLite (the embedded default, for small installs) counts with the query instead; the table
is there, unused, so that both databases have the same tables."""

from __future__ import annotations

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from haztrak.adapters.persistence.tables import Base, BigIntId

FOLD_AT_MOST = 64


class SiteStatusCountRow(Base):
    __tablename__ = "site_status_counts"
    __table_args__ = (Index("ix_site_status_counts_site", "epa_id", "seq"),)

    seq: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    epa_id: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(30))
    delta: Mapped[int] = mapped_column(Integer)


COUNTS_OF_SITES = (
    "SELECT epa_id, status, sum(delta) AS count FROM site_status_counts "
    "WHERE epa_id = ANY({sites}::varchar[]) "
    "AND (status <> 'NotAssigned' OR epa_id = ANY({drafts}::varchar[])) "
    "GROUP BY epa_id, status HAVING sum(delta) > 0"
)
"""The counts of some sites (`sites`, an array placeholder), drafts only of `drafts`."""
