"""Alembic environment: run with a connection handed over by haztrak.adapters.persistence."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from haztrak.adapters.persistence.tables import Base

connection: Connection | None = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `haztrak migrate`, which supplies the connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
