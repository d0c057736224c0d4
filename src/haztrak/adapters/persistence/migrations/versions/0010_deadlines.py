"""Deadlines: the days a manifest's clocks were recorded as reported, each generator site's
category where the handler record lacks it, and manifests indexed by status and change

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 17:56:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deadline_reports",
        sa.Column("mtn", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("recorded_by", GUID(length=16), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("mtn", "kind", name=op.f("pk_deadline_reports")),
    )
    op.create_table(
        "site_generator_categories",
        sa.Column("epa_id", sa.String(length=12), nullable=False),
        sa.Column("category", sa.String(length=5), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_by", GUID(length=16), nullable=True),
        sa.PrimaryKeyConstraint("epa_id", name=op.f("pk_site_generator_categories")),
    )
    # A plain CREATE INDEX on both databases (a batch could copy the table on SQLite).
    op.create_index("ix_manifests_status_updated", "manifests", ["status", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_manifests_status_updated", table_name="manifests")
    op.drop_table("site_generator_categories")
    op.drop_table("deadline_reports")
