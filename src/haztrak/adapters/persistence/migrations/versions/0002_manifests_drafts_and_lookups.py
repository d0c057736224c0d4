"""Manifests (document and handler index), draft numbers, lookups

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 10:04:46.144926
"""

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC, JsonB
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "manifests",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("mtn", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("submission_type", sa.String(length=20), nullable=True),
        sa.Column("signature_status", sa.Boolean(), nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("owner_org_id", GUID(length=16), nullable=True),
        sa.Column("document", JsonB, nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_org_id"],
            ["orgs.id"],
            name=op.f("fk_manifests_owner_org_id_orgs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manifests")),
        sa.UniqueConstraint("mtn", name=op.f("uq_manifests_mtn")),
    )
    with op.batch_alter_table("manifests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_manifests_owner_org_id"), ["owner_org_id"], unique=False
        )
        batch_op.create_index("ix_manifests_updated", ["updated_at", "id"], unique=False)

    op.create_table(
        "manifest_handlers",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("manifest_id", GUID(length=16), nullable=False),
        sa.Column("epa_id", sa.String(length=12), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("transporter_order", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["manifest_id"],
            ["manifests.id"],
            name=op.f("fk_manifest_handlers_manifest_id_manifests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manifest_handlers")),
    )
    with op.batch_alter_table("manifest_handlers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_manifest_handlers_manifest_id"), ["manifest_id"], unique=False
        )
        batch_op.create_index(
            "ix_manifest_handlers_site", ["epa_id", "role", "manifest_id"], unique=False
        )

    op.create_table(
        "draft_numbers",
        sa.Column(
            "number",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("issued_at", DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_draft_numbers")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "federal_waste_codes",
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_federal_waste_codes")),
    )
    op.create_table(
        "state_waste_codes",
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("state", "code", name=op.f("pk_state_waste_codes")),
    )
    op.create_table(
        "dot_lookups",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("kind", "value", name=op.f("pk_dot_lookups")),
    )


def downgrade() -> None:
    op.drop_table("dot_lookups")
    op.drop_table("state_waste_codes")
    op.drop_table("federal_waste_codes")
    op.drop_table("draft_numbers")
    with op.batch_alter_table("manifest_handlers", schema=None) as batch_op:
        batch_op.drop_index("ix_manifest_handlers_site")
        batch_op.drop_index(batch_op.f("ix_manifest_handlers_manifest_id"))
    op.drop_table("manifest_handlers")
    with op.batch_alter_table("manifests", schema=None) as batch_op:
        batch_op.drop_index("ix_manifests_updated")
        batch_op.drop_index(batch_op.f("ix_manifests_owner_org_id"))
    op.drop_table("manifests")
