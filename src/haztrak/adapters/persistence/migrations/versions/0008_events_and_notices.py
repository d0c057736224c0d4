"""Domain events (the outbox) and notices

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 17:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import GUID, DateTimeUTC, JsonB
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_events",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("mtn", sa.String(length=12), nullable=True),
        sa.Column("event", JsonB, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("not_before", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("dispatched_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_events_pending", ["dispatched_at", "at"], unique=False)

    op.create_table(
        "notices",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("user_id", GUID(length=16), nullable=False),
        sa.Column("event_id", GUID(length=16), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("mtn", sa.String(length=12), nullable=True),
        sa.Column("detail", JsonB, nullable=False),
        sa.Column("read_at", DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notices_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint("event_id", "user_id", name="uq_notices_event_user"),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index("ix_notices_user_at", ["user_id", "at", "id"], unique=False)
        batch_op.create_index("ix_notices_user_unread", ["user_id", "read_at"], unique=False)

    op.create_table(
        "notice_preferences",
        sa.Column("user_id", GUID(length=16), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("delivery", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notice_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_notice_preferences")),
    )

    op.create_table(
        "notice_mails",
        sa.Column("id", GUID(length=16), nullable=False),
        sa.Column("event_id", GUID(length=16), nullable=False),
        sa.Column("user_id", GUID(length=16), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("notice_id", GUID(length=16), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("sent_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notice_mails_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["notices.id"],
            name=op.f("fk_notice_mails_notice_id_notices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_mails")),
        sa.UniqueConstraint("event_id", "user_id", "channel", name="uq_notice_mails_key"),
    )
    with op.batch_alter_table("notice_mails", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notice_mails_notice_id"), ["notice_id"], unique=False)
        batch_op.create_index("ix_notice_mails_pending", ["channel", "sent_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notice_mails", schema=None) as batch_op:
        batch_op.drop_index("ix_notice_mails_pending")
        batch_op.drop_index(batch_op.f("ix_notice_mails_notice_id"))
    op.drop_table("notice_mails")
    op.drop_table("notice_preferences")
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index("ix_notices_user_unread")
        batch_op.drop_index("ix_notices_user_at")
    op.drop_table("notices")
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_events_pending")
    op.drop_table("outbox_events")
