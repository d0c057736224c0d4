"""The site that prepared each manifest: a draft is that site's alone until it is submitted

Existing drafts (status NotAssigned) get their generator as owner site; a draft without one
gets its first party in signing order (transporters by order, the designated facility, the
broker).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 13:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OWNERS_OF_EXISTING_DRAFTS = """
UPDATE manifests SET owner_site_id = (
    SELECT h.epa_id FROM manifest_handlers h
    WHERE h.manifest_id = manifests.id
    ORDER BY CASE h.role
        WHEN 'Generator' THEN 0 WHEN 'Transporter' THEN 1 WHEN 'Tsdf' THEN 2
        WHEN 'RejectionInfo_AlternateTsdf' THEN 3 ELSE 4 END,
        h.transporter_order, h.epa_id
    LIMIT 1
)
WHERE status = 'NotAssigned' AND owner_site_id IS NULL
"""


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: SQLite needs no table copy for it.
    op.add_column("manifests", sa.Column("owner_site_id", sa.String(length=12), nullable=True))
    op.execute(_OWNERS_OF_EXISTING_DRAFTS)


def downgrade() -> None:
    # Not in a batch: on SQLite a batch copies the table and drops the old one, and with
    # foreign keys on that drop would cascade to manifest_handlers. SQLite (3.35+) drops an
    # unindexed column in place.
    op.drop_column("manifests", "owner_site_id")
