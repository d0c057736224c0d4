"""The terms a manifest is found by: its handlers' EPA IDs and names, its waste codes

Existing manifests are indexed from their documents, as domain.manifest.search indexes a
manifest (written out here so that this migration does not change when the code does).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 13:50:00.000000
"""

import json
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from advanced_alchemy.types import GUID
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MAX_TERM = 100
_BATCH = 500


def _norm(text: str) -> str:
    return " ".join(text.upper().split())[:_MAX_TERM]


def _terms(document: dict[str, Any]) -> set[str]:
    handlers = [document.get("generator"), *(document.get("transporters") or ())]
    handlers += [document.get("designatedFacility"), document.get("broker")]
    rejection = document.get("rejectionInfo") or {}
    handlers.append(rejection.get("alternateDesignatedFacility"))
    terms: set[str] = set()
    for handler in handlers:
        if not isinstance(handler, dict):
            continue
        if isinstance(handler.get("epaSiteId"), str):
            terms.add(_norm(handler["epaSiteId"]))
        if isinstance(handler.get("name"), str):
            words = _norm(handler["name"]).split(" ")
            terms.update(" ".join(words[i:])[:_MAX_TERM] for i in range(len(words)))
    for waste in document.get("wastes") or ():
        codes = (waste or {}).get("hazardousWaste") or {}
        for key in ("federalWasteCodes", "tsdfStateWasteCodes", "generatorStateWasteCodes"):
            for code in codes.get(key) or ():
                if isinstance(code, dict) and isinstance(code.get("code"), str):
                    terms.add(_norm(code["code"]))
        for code in codes.get("txWasteCodes") or ():
            if isinstance(code, str):
                terms.add(_norm(code))
    terms.discard("")
    return terms


def _rows(bind: sa.Connection) -> Iterator[dict[str, Any]]:
    manifests = sa.table("manifests", sa.column("id", GUID()), sa.column("document", sa.Text()))
    query = sa.select(manifests.c.id, sa.cast(manifests.c.document, sa.Text()))
    for manifest_id, document in bind.execute(query):
        try:
            parsed = json.loads(document) if document else {}
        except ValueError:
            continue
        for term in _terms(parsed if isinstance(parsed, dict) else {}):
            yield {"term": term, "manifest_id": manifest_id}


def upgrade() -> None:
    terms = op.create_table(
        "manifest_search_terms",
        sa.Column(
            "term",
            sa.String(length=100).with_variant(sa.String(length=100, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("manifest_id", GUID(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["manifest_id"],
            ["manifests.id"],
            name=op.f("fk_manifest_search_terms_manifest_id_manifests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("term", "manifest_id", name=op.f("pk_manifest_search_terms")),
    )
    with op.batch_alter_table("manifest_search_terms", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_manifest_search_terms_manifest_id"), ["manifest_id"], unique=False
        )
    assert terms is not None
    batch: list[dict[str, Any]] = []
    bind = op.get_bind()
    for row in list(_rows(bind)):
        batch.append(row)
        if len(batch) >= _BATCH:
            op.bulk_insert(terms, batch)
            batch = []
    if batch:
        op.bulk_insert(terms, batch)


def downgrade() -> None:
    with op.batch_alter_table("manifest_search_terms", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_manifest_search_terms_manifest_id"))
    op.drop_table("manifest_search_terms")
