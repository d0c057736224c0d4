"""The column types of the schema: a UUID, a UTC timestamp, a JSON document.

The migrations were written with advanced-alchemy's `GUID`, `DateTimeUTC` and `JsonB`, and
these store and read exactly the same: a native UUID on PostgreSQL and 16 bytes on SQLite, a
timestamp with time zone kept in UTC and read back aware, JSONB on PostgreSQL and JSON text on
SQLite. They are written here because importing advanced-alchemy imports all of it, and with it
Litestar and every integration it finds installed: about 20 MiB in each worker and scheduler,
which never serve HTTP. The migrations keep importing advanced-alchemy: only `haztrak migrate`
runs them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy import JSON, DateTime
from sqlalchemy.dialects.postgresql import JSONB as PG_JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.engine import Dialect
from sqlalchemy.types import BINARY, TypeDecorator, TypeEngine


class GUID(TypeDecorator[UUID]):
    """A UUID: PostgreSQL's own type, elsewhere its 16 bytes."""

    impl = BINARY(16)
    cache_ok = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # `length=16` in the migrations
        super().__init__()

    @property
    def python_type(self) -> type[UUID]:
        return UUID

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(PG_UUID())
        return dialect.type_descriptor(BINARY(16))

    def process_bind_param(self, value: UUID | str | bytes | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "postgresql":
            return str(value)
        return _uuid(value).bytes

    def process_result_value(self, value: Any, dialect: Dialect) -> UUID | None:
        if value is None or isinstance(value, UUID):
            return value
        return UUID(bytes=bytes(value))


def _uuid(value: UUID | str | bytes) -> UUID:
    if isinstance(value, UUID):
        return value
    if isinstance(value, str):
        return UUID(hex=value)
    return UUID(bytes=value)


class DateTimeUTC(TypeDecorator[datetime]):
    """A moment: stored in UTC, read back with its time zone on every database (SQLite keeps
    none). A time without a zone is refused rather than guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise TypeError("tzinfo is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


JsonB: TypeEngine[Any] = JSON().with_variant(PG_JSONB(), "postgresql")
"""A JSON document: JSONB on PostgreSQL, JSON text elsewhere (see `encode_json`)."""

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


def encode_json(value: Any) -> str:
    """The engines' JSON serializer: msgspec, as advanced-alchemy's engines used, so dates,
    UUIDs, enums and Structs inside a document are written as they were."""
    return _encoder.encode(value).decode()


def decode_json(text: str | bytes) -> Any:
    return _decoder.decode(text)
