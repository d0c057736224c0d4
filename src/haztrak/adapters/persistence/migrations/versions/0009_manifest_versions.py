"""Manifest versions: e-Manifest's correction history of each manifest, and each version's
content once pulled

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 17:58:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC, JsonB
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "manifest_versions",
        sa.Column("mtn", sa.String(length=12), nullable=False),
        sa.Column("version_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("summary", JsonB, nullable=False),
        sa.Column("document", JsonB, nullable=True),
        sa.Column("pulled_at", DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("mtn", "version_number", name=op.f("pk_manifest_versions")),
    )


def downgrade() -> None:
    op.drop_table("manifest_versions")
