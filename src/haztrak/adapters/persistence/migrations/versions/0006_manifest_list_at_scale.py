"""Manifest lists at scale: the tracking number becomes search terms; a log of list changes

The log (adapters/persistence/list_changes.py) versions each site's manifest list, so that
the tracking-number list can be revalidated and cached.

A search is now one prefix range on manifest_search_terms (domain.manifest.search): the
tracking number is indexed from each of its characters on, so "part of the tracking number"
is the beginning of a term. Existing manifests get those terms here (upper case, as
normalize_search_text makes them; tracking numbers hold no spaces). Then ANALYZE, so that
the planner knows the tables' sizes at once rather than after autovacuum's next pass.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 17:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same statement on both databases: a recursive count from 1 to 12 (SQLite has no
# generate_series) up to the longest tracking number (manifests.mtn is String(12)), every
# suffix of every tracking number.
_SUFFIXES = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12)
INSERT INTO manifest_search_terms (term, manifest_id)
SELECT substr(upper(m.mtn), n.i), m.id FROM manifests m JOIN n ON n.i <= length(m.mtn)
ON CONFLICT DO NOTHING
"""


def upgrade() -> None:
    op.create_table(
        "manifest_list_changes",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("epa_id", sa.String(length=12), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_manifest_list_changes")),
        sqlite_autoincrement=True,  # never a number twice, even after its row is pruned
    )
    with op.batch_alter_table("manifest_list_changes", schema=None) as batch_op:
        batch_op.create_index("ix_manifest_list_changes_site", ["epa_id", "seq"], unique=False)
    op.execute(_SUFFIXES)
    op.execute("ANALYZE")


def downgrade() -> None:
    with op.batch_alter_table("manifest_list_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_manifest_list_changes_site")
    op.drop_table("manifest_list_changes")
    # Every term that ends the manifest's own tracking number (an EPA ID or a name equal to
    # one goes too: it then found the manifest by the same text anyway).
    op.execute(
        "DELETE FROM manifest_search_terms WHERE EXISTS (SELECT 1 FROM manifests m "
        "WHERE m.id = manifest_search_terms.manifest_id "
        "AND length(manifest_search_terms.term) <= length(m.mtn) "
        "AND substr(upper(m.mtn), length(m.mtn) - length(manifest_search_terms.term) + 1) "
        "= manifest_search_terms.term)"
    )
