"""Each manifest's headline (what a list shows of it) kept beside its document on PostgreSQL:
a page reads a few hundred bytes per row instead of decompressing the document and picking
the headline out of it on every request

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 19:10:00.000000
"""

# ruff: noqa: S608 - the statements are put together from this module's literals only

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What ManifestHeadline (application/ports/manifests.py) reads of a document: the tracking
# number, status, submission type, signature status, dates, each party's EPA ID, name, order
# and whether it signed (the document carries `signed`, see Manifest.with_signed_flags), and
# one 0 per waste line. Null keys are dropped, so the headline's defaults apply. A change to
# this shape needs a new function and a statement that writes every row again (UPDATE
# manifests SET document = document): PostgreSQL does not recompute a stored column when the
# function under it changes.


def _party(path: str) -> str:
    return (
        f"CASE WHEN jsonb_typeof({path}) = 'object' THEN jsonb_build_object("
        f"'epaSiteId', {path}->'epaSiteId', 'name', {path}->'name', "
        f"'order', {path}->'order', 'signed', {path}->'signed') END"
    )


_GENERATOR = _party("document->'generator'")
_FACILITY = _party("document->'designatedFacility'")
_HEADLINE = (
    "jsonb_strip_nulls(jsonb_build_object("
    "'manifestTrackingNumber', document->'manifestTrackingNumber', "
    "'status', document->'status', "
    "'submissionType', document->'submissionType', "
    "'signatureStatus', document->'signatureStatus', "
    "'potentialShipDate', document->'potentialShipDate', "
    "'shippedDate', document->'shippedDate', "
    f"'generator', {_GENERATOR}, "
    f"'designatedFacility', {_FACILITY}, "
    "'transporters', CASE WHEN jsonb_typeof(document->'transporters') = 'array' THEN "
    f"(SELECT jsonb_agg({_party('t.value')} ORDER BY t.n) FROM "
    "jsonb_array_elements(document->'transporters') WITH ORDINALITY AS t(value, n)) END, "
    "'wastes', CASE WHEN jsonb_typeof(document->'wastes') = 'array' THEN "
    "(SELECT jsonb_agg(0) FROM jsonb_array_elements(document->'wastes')) END"
    "))"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite picks the headline out of the document when it reads a page
    op.execute(
        "CREATE FUNCTION haztrak_manifest_headline(document jsonb) RETURNS json "
        f"LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ({_HEADLINE})::json $$"
    )
    # json, not jsonb: the text as written, handed out without a conversion. Every row is
    # written again here (a table rewrite under an exclusive lock: about a minute per million
    # manifests), and by PostgreSQL on every change of a document from here on.
    op.execute(
        "ALTER TABLE manifests ADD COLUMN headline json "
        "GENERATED ALWAYS AS (haztrak_manifest_headline(document)) STORED"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE manifests DROP COLUMN IF EXISTS headline")
    op.execute("DROP FUNCTION IF EXISTS haztrak_manifest_headline(jsonb)")
