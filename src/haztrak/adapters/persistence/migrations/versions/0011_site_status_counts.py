"""Each site's manifests per status, kept by PostgreSQL's triggers (adapters/persistence/
status_counts.py): the dashboard's counts cost the same at 1,000 and 1,000,000 manifests

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 16:10:00.000000
"""

# ruff: noqa: S608 - the statements are put together from this module's literals only

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLD_AT_MOST = 64  # status_counts.FOLD_AT_MOST when this was written

# A manifest counts once per site it names; a draft (NotAssigned) only for its owner site.
_COUNTS = "(m.status <> 'NotAssigned' OR m.owner_site_id = {site})"

# Row triggers, each an index probe or two: the plan of a statement-level trigger over a
# bulk load followed stale statistics into a scan per row. `enable_seqscan` off keeps the
# probes on their indexes when the statistics say a table is empty. A bulk load turns the
# triggers off (session_replication_role) and calls haztrak_recount_site_statuses().
_FUNCTIONS = {
    # fold one site's oldest rows into one per status, skipping rows another writer holds
    "haztrak_fold_site_statuses(site varchar)": f"""
    WITH gone AS (
        DELETE FROM site_status_counts WHERE seq IN (
            SELECT seq FROM site_status_counts WHERE epa_id = site
            ORDER BY seq LIMIT {FOLD_AT_MOST} FOR UPDATE SKIP LOCKED)
        RETURNING epa_id, status, delta)
    INSERT INTO site_status_counts (epa_id, status, delta)
    SELECT epa_id, status, sum(delta) FROM gone GROUP BY epa_id, status HAVING sum(delta) <> 0;
    RETURN;
    """,
    # a handler row added: +1 when it is the first of its site on the manifest (rows added
    # before it by the same statement are seen here)
    "haztrak_count_handler_added()": """
    INSERT INTO site_status_counts (epa_id, status, delta)
    SELECT NEW.epa_id, m.status, 1 FROM manifests m
    WHERE m.id = NEW.manifest_id AND (m.status <> 'NotAssigned' OR m.owner_site_id = NEW.epa_id)
    AND NOT EXISTS (SELECT 1 FROM manifest_handlers h
                    WHERE h.manifest_id = NEW.manifest_id AND h.epa_id = NEW.epa_id);
    IF FOUND THEN
        PERFORM haztrak_fold_site_statuses(NEW.epa_id);
    END IF;
    RETURN NEW;
    """,
    # a handler row removed: -1 when no row of its site is left on the manifest (a deleted
    # manifest's rows go after it, when it is gone: haztrak_count_manifest_deleted counted)
    "haztrak_count_handler_removed()": """
    INSERT INTO site_status_counts (epa_id, status, delta)
    SELECT OLD.epa_id, m.status, -1 FROM manifests m
    WHERE m.id = OLD.manifest_id AND (m.status <> 'NotAssigned' OR m.owner_site_id = OLD.epa_id)
    AND NOT EXISTS (SELECT 1 FROM manifest_handlers h
                    WHERE h.manifest_id = OLD.manifest_id AND h.epa_id = OLD.epa_id);
    IF FOUND THEN
        PERFORM haztrak_fold_site_statuses(OLD.epa_id);
    END IF;
    RETURN NULL;
    """,
    # a manifest's status or owner site changed: its sites move from the old to the new
    "haztrak_count_manifest_changed()": """
    INSERT INTO site_status_counts (epa_id, status, delta)
    SELECT DISTINCT h.epa_id, OLD.status, -1 FROM manifest_handlers h
    WHERE h.manifest_id = OLD.id AND (OLD.status <> 'NotAssigned' OR OLD.owner_site_id = h.epa_id)
    UNION ALL
    SELECT DISTINCT h.epa_id, NEW.status, 1 FROM manifest_handlers h
    WHERE h.manifest_id = NEW.id AND (NEW.status <> 'NotAssigned' OR NEW.owner_site_id = h.epa_id);
    PERFORM haztrak_fold_site_statuses(epa_id)
    FROM (SELECT DISTINCT epa_id FROM manifest_handlers WHERE manifest_id = NEW.id) sites;
    RETURN NULL;
    """,
    # a manifest deleted: -1 for its sites, before its handler rows go with it
    "haztrak_count_manifest_deleted()": """
    INSERT INTO site_status_counts (epa_id, status, delta)
    SELECT DISTINCT h.epa_id, OLD.status, -1 FROM manifest_handlers h
    WHERE h.manifest_id = OLD.id AND (OLD.status <> 'NotAssigned' OR OLD.owner_site_id = h.epa_id);
    RETURN OLD;
    """,
    # every count again from the manifests (after a bulk load without the triggers)
    "haztrak_recount_site_statuses()": f"""
    DELETE FROM site_status_counts;
    INSERT INTO site_status_counts (epa_id, status, delta)
    SELECT h.epa_id, m.status, count(DISTINCT m.id) FROM manifest_handlers h
    JOIN manifests m ON m.id = h.manifest_id WHERE {_COUNTS.format(site="h.epa_id")}
    GROUP BY h.epa_id, m.status;
    RETURN;
    """,
}
_RETURNS = {
    "haztrak_fold_site_statuses(site varchar)": "void",
    "haztrak_recount_site_statuses()": "void",
}

_TRIGGERS = {
    "haztrak_count_handler_added": (
        "BEFORE INSERT ON manifest_handlers FOR EACH ROW "
        "EXECUTE FUNCTION haztrak_count_handler_added()"
    ),
    "haztrak_count_handler_removed": (
        "AFTER DELETE ON manifest_handlers FOR EACH ROW "
        "EXECUTE FUNCTION haztrak_count_handler_removed()"
    ),
    "haztrak_count_manifest_changed": (
        "AFTER UPDATE OF status, owner_site_id ON manifests FOR EACH ROW "
        "WHEN (OLD.status IS DISTINCT FROM NEW.status "
        "OR OLD.owner_site_id IS DISTINCT FROM NEW.owner_site_id) "
        "EXECUTE FUNCTION haztrak_count_manifest_changed()"
    ),
    "haztrak_count_manifest_deleted": (
        "BEFORE DELETE ON manifests FOR EACH ROW EXECUTE FUNCTION haztrak_count_manifest_deleted()"
    ),
}


def upgrade() -> None:
    op.create_table(
        "site_status_counts",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("epa_id", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_site_status_counts")),
    )
    op.create_index("ix_site_status_counts_site", "site_status_counts", ["epa_id", "seq"])
    if op.get_bind().dialect.name != "postgresql":
        return
    # Both tables at once, in the order every writer takes them (a manifest, then its
    # handlers): the triggers' creation waits for the writes under way, and a running release
    # waits for the commit rather than deadlocking with it.
    op.execute("LOCK TABLE manifests, manifest_handlers IN SHARE ROW EXCLUSIVE MODE")
    for name, body in _FUNCTIONS.items():
        # the recount reads whole tables: a scan is its plan
        probes = "" if name == "haztrak_recount_site_statuses()" else "SET enable_seqscan = off "
        op.execute(
            f"CREATE FUNCTION {name} RETURNS {_RETURNS.get(name, 'trigger')} LANGUAGE plpgsql "
            f"{probes}AS $$\nBEGIN\n{body}\nEND;\n$$"
        )
    for name, definition in _TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {definition}")
    # the manifests already there (the triggers hold the tables from here to the commit)
    op.execute("SELECT haztrak_recount_site_statuses()")
    op.execute("ANALYZE site_status_counts")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, definition in _TRIGGERS.items():
            table = definition.split(" ON ")[1].split()[0]
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for name in _FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name.split('(')[0]}")
    op.drop_index("ix_site_status_counts_site", table_name="site_status_counts")
    op.drop_table("site_status_counts")
