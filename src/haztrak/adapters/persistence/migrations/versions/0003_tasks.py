"""Background tasks

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC, JsonB
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tasks",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("owner_id", GUID(length=16), nullable=True),
        sa.Column("subject", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("payload", JsonB, nullable=False),
        sa.Column("progress", JsonB, nullable=False),
        sa.Column("state", JsonB, nullable=False),
        sa.Column("result", JsonB, nullable=True),
        sa.Column("error", JsonB, nullable=True),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("started_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("done_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("not_before", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("lease_until", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("enqueued_at", DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_tasks_owner_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tasks_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index("ix_tasks_name_subject", ["name", "subject"], unique=False)
        batch_op.create_index("ix_tasks_status_enqueued", ["status", "enqueued_at"], unique=False)
        batch_op.create_index("ix_tasks_status_done", ["status", "done_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_status_done")
        batch_op.drop_index("ix_tasks_status_enqueued")
        batch_op.drop_index("ix_tasks_name_subject")
        batch_op.drop_index(batch_op.f("ix_tasks_owner_id"))
    op.drop_table("tasks")
