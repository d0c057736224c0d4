"""The relational schema. Alembic migrations in `migrations/` create exactly this."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from haztrak.adapters.persistence.column_types import GUID, DateTimeUTC, JsonB

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# A BIGINT primary key that SQLite still treats as its autoincrementing rowid.
BigIntId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def cast_table(row: type[Base]) -> Table:
    """The Table behind a mapped class, typed as one (for Core statements)."""
    table = row.__table__
    assert isinstance(table, Table)
    return table


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[UUID] = mapped_column(GUID, primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    first_name: Mapped[str] = mapped_column(String(150), default="")
    last_name: Mapped[str] = mapped_column(String(150), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class OrgRow(Base):
    __tablename__ = "orgs"

    id: Mapped[UUID] = mapped_column(GUID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    rcrainfo_api_id: Mapped[str | None] = mapped_column(String(100))
    rcrainfo_api_key_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    rcrainfo_credentials_failing: Mapped[bool] = mapped_column(Boolean, default=False)


class RcraSiteRow(Base):
    """A handler as RCRAInfo describes it; the document is EPA's JSON."""

    __tablename__ = "rcra_sites"

    epa_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    site_type: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200), index=True)
    document: Mapped[dict[str, Any]] = mapped_column(JsonB)


class SiteRow(Base):
    __tablename__ = "sites"

    id: Mapped[UUID] = mapped_column(GUID, primary_key=True)
    epa_id: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    site_type: Mapped[str] = mapped_column(String(20))
    org_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("orgs.id", ondelete="CASCADE"), index=True
    )
    last_manifest_sync: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class OrgMembershipRow(Base):
    __tablename__ = "org_memberships"

    org_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("orgs.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(20))


class SitePermissionRow(Base):
    __tablename__ = "site_permissions"

    site_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(20))


class RcrainfoProfileRow(Base):
    __tablename__ = "rcrainfo_profiles"

    user_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    rcra_username: Mapped[str | None] = mapped_column(String(100))
    api_id: Mapped[str | None] = mapped_column(String(100))
    api_key_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_number: Mapped[str | None] = mapped_column(String(20))


class RcraSitePermissionRow(Base):
    """A user's permissions on a site as RCRAInfo's user search last reported them."""

    __tablename__ = "rcra_site_permissions"

    user_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    epa_site_id: Mapped[str] = mapped_column(String(12), primary_key=True)
    site_management: Mapped[bool] = mapped_column(Boolean, default=False)
    annual_report: Mapped[str] = mapped_column(String(20), default="None")
    biennial_report: Mapped[str] = mapped_column(String(20), default="None")
    emanifest: Mapped[str] = mapped_column(String(20), default="None")
    wiets: Mapped[str] = mapped_column(String(20), default="None")
    my_rcra_id: Mapped[str] = mapped_column(String(20), default="None")


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"

    id: Mapped[UUID] = mapped_column(GUID, primary_key=True)
    user_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class AuditEntryRow(Base):
    """Append-only: nothing in the application updates or deletes these rows."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True), index=True)
    actor_id: Mapped[UUID | None] = mapped_column(GUID)
    actor: Mapped[str] = mapped_column(String(150))
    action: Mapped[str] = mapped_column(String(50))
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)


class ManifestRow(Base):
    """A manifest: EPA's whole document, and the columns that queries filter and sort on."""

    __tablename__ = "manifests"
    __table_args__ = (Index("ix_manifests_updated", "updated_at", "id"),)

    id: Mapped[UUID] = mapped_column(GUID, primary_key=True)
    mtn: Mapped[str] = mapped_column(String(12), unique=True)
    status: Mapped[str] = mapped_column(String(30))
    submission_type: Mapped[str | None] = mapped_column(String(20))
    signature_status: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    version: Mapped[int] = mapped_column(Integer)
    owner_org_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("orgs.id", ondelete="SET NULL"), index=True
    )
    owner_site_id: Mapped[str | None] = mapped_column(String(12))
    """The EPA ID of the site that prepared the manifest; a draft is that site's alone."""
    document: Mapped[dict[str, Any]] = mapped_column(JsonB)
    # On PostgreSQL the table also has `headline`, what a list shows of the document, kept
    # by the database itself (migration 0012, read by pg_reads.page_statement): no code here
    # writes it, so it is not mapped.


class ManifestHandlerRow(Base):
    """One party on a manifest, so that "the manifests of these sites" is one indexed query."""

    __tablename__ = "manifest_handlers"
    __table_args__ = (Index("ix_manifest_handlers_site", "epa_id", "role", "manifest_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    manifest_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("manifests.id", ondelete="CASCADE"), index=True
    )
    epa_id: Mapped[str] = mapped_column(String(12))
    role: Mapped[str] = mapped_column(String(30))
    transporter_order: Mapped[int | None] = mapped_column(Integer)


class ManifestSearchTermRow(Base):
    """A term a manifest is found by (domain.manifest.search): a handler's EPA ID, a word-on
    part of its name, a waste code. The key (term, manifest) is the index that a search's
    prefix range runs on; binary order on PostgreSQL too, so that the range is a prefix."""

    __tablename__ = "manifest_search_terms"

    term: Mapped[str] = mapped_column(
        String(100).with_variant(String(100, collation="C"), "postgresql"), primary_key=True
    )
    manifest_id: Mapped[UUID] = mapped_column(
        GUID, ForeignKey("manifests.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class DraftNumberRow(Base):
    """Every draft tracking number ever issued. The number comes from the database's own
    never-reused counter (a Postgres identity sequence, SQLite AUTOINCREMENT), so numbers
    do not collide under concurrent creation and are not reused after a draft is deleted."""

    __tablename__ = "draft_numbers"
    __table_args__ = {"sqlite_autoincrement": True}

    number: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    issued_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


class FederalWasteCodeRow(Base):
    __tablename__ = "federal_waste_codes"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    description: Mapped[str] = mapped_column(Text)


class StateWasteCodeRow(Base):
    __tablename__ = "state_waste_codes"

    state: Mapped[str] = mapped_column(String(2), primary_key=True)
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    description: Mapped[str] = mapped_column(Text)


class DotLookupRow(Base):
    """DOT hazardous-materials values by kind: id numbers, shipping names, classes, groups."""

    __tablename__ = "dot_lookups"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[str] = mapped_column(String(500), primary_key=True)


class TaskRow(Base):
    """A background task and its lifecycle; `payload` holds its arguments, `state` where an
    attempt stopped, `error` a problem document."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_name_subject", "name", "subject"),
        Index("ix_tasks_status_enqueued", "status", "enqueued_at"),
        Index("ix_tasks_status_done", "status", "done_at"),
    )

    id: Mapped[UUID] = mapped_column(GUID, primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[UUID | None] = mapped_column(
        GUID, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[dict[str, Any]] = mapped_column(JsonB)
    progress: Mapped[dict[str, Any]] = mapped_column(JsonB)
    state: Mapped[dict[str, Any]] = mapped_column(JsonB)
    result: Mapped[Any | None] = mapped_column(JsonB)
    error: Mapped[dict[str, Any] | None] = mapped_column(JsonB)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    not_before: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    lease_until: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    enqueued_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


# Tables declared in modules of their own join this metadata here, so that every reader of
# Base.metadata (Alembic, the schema tests) sees them.
from haztrak.adapters.persistence import deadlines as _deadlines  # noqa: E402, F401
from haztrak.adapters.persistence import manifest_versions as _manifest_versions  # noqa: E402, F401
