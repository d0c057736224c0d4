"""Lookups: seeded from the JSON files in `haztrak.resources.lookups`, read from the database.

`seed_lookups` runs after every migration (see `database.upgrade`); it adds what is missing and
corrects changed descriptions, so running it again changes nothing. It never deletes: a refresh
from RCRAInfo's lookup services may have added values the files lack.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Any

from sqlalchemy import insert, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from haztrak.adapters.persistence.tables import (
    DotLookupRow,
    FederalWasteCodeRow,
    StateWasteCodeRow,
)
from haztrak.application.ports.lookups import DotLookup
from haztrak.domain.manifest import CodeDescription

DOT_FILES = {
    DotLookup.ID: "dot-id-numbers.json",
    DotLookup.NAME: "dot-shipping-names.json",
    DotLookup.CLASS: "dot-hazard-classes.json",
    DotLookup.GROUP: "dot-packing-groups.json",
}


def _resource(name: str) -> Any:
    return json.loads((resources.files("haztrak.resources") / "lookups" / name).read_bytes())


def seed_lookups(connection: Connection) -> None:
    """Load the lookup files into their tables; a no-op before the tables exist."""
    if not inspect(connection).has_table(FederalWasteCodeRow.__tablename__):
        return
    federal = {row["code"]: row["description"] for row in _resource("federal-waste-codes.json")}
    _upsert_descriptions(
        connection,
        FederalWasteCodeRow,
        [FederalWasteCodeRow.code],
        {(code,): text for code, text in federal.items()},
    )
    state: dict[tuple[str, ...], str] = {
        (row["state"], row["code"]): row["description"]
        for row in _resource("state-waste-codes.json")
    }
    _upsert_descriptions(
        connection, StateWasteCodeRow, [StateWasteCodeRow.state, StateWasteCodeRow.code], state
    )
    wanted = {(kind.value, value) for kind, name in DOT_FILES.items() for value in _resource(name)}
    present = set(connection.execute(select(DotLookupRow.kind, DotLookupRow.value)).tuples())
    missing = sorted(wanted - present)
    if missing:
        connection.execute(
            insert(DotLookupRow), [{"kind": kind, "value": value} for kind, value in missing]
        )


def _upsert_descriptions(
    connection: Connection,
    table: type[FederalWasteCodeRow] | type[StateWasteCodeRow],
    key_columns: list[InstrumentedAttribute[str]],
    wanted: dict[tuple[str, ...], str],
) -> None:
    """Insert the missing keys and correct changed descriptions."""
    keys = [column.key for column in key_columns]
    present: dict[tuple[str, ...], str] = {
        tuple(row[:-1]): row[-1]
        for row in connection.execute(select(*key_columns, table.description))
    }
    missing = [
        {**dict(zip(keys, key, strict=True)), "description": description}
        for key, description in sorted(wanted.items())
        if key not in present
    ]
    if missing:
        connection.execute(insert(table), missing)
    for key, description in wanted.items():
        if key in present and present[key] != description:
            connection.execute(
                update(table)
                .where(*(column == value for column, value in zip(key_columns, key, strict=True)))
                .values(description=description)
            )


def _codes(pairs: Iterable[Any]) -> list[CodeDescription]:
    # Sorted here, not in SQL: the engines' collations order text differently.
    return [CodeDescription(code=code, description=text) for code, text in sorted(pairs)]


class SqlLookupReader:
    """Implements LookupReader with one query per call; lists sort by code point."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def federal_waste_codes(self) -> Sequence[CodeDescription]:
        rows = await self._session.execute(
            select(FederalWasteCodeRow.code, FederalWasteCodeRow.description)
        )
        return _codes(rows)

    async def state_waste_codes(self, state: str) -> Sequence[CodeDescription]:
        rows = await self._session.execute(
            select(StateWasteCodeRow.code, StateWasteCodeRow.description).where(
                StateWasteCodeRow.state == state
            )
        )
        return _codes(rows)

    async def dot_values(self, kind: DotLookup) -> Sequence[str]:
        values = await self._session.scalars(
            select(DotLookupRow.value).where(DotLookupRow.kind == kind.value)
        )
        return sorted(values)

    async def all_state_waste_codes(self) -> dict[str, list[CodeDescription]]:
        by_state: dict[str, list[tuple[str, str]]] = {}
        rows = await self._session.execute(
            select(StateWasteCodeRow.state, StateWasteCodeRow.code, StateWasteCodeRow.description)
        )
        for state, code, text in rows:
            by_state.setdefault(state, []).append((code, text))
        return {state: _codes(pairs) for state, pairs in by_state.items()}


class _Snapshot:
    def __init__(
        self,
        federal: Sequence[CodeDescription],
        state: dict[str, list[CodeDescription]],
        dot: dict[DotLookup, Sequence[str]],
    ) -> None:
        self.federal = tuple(federal)
        self.state = {key: tuple(codes) for key, codes in state.items()}
        self.dot = {kind: tuple(values) for kind, values in dot.items()}
        self.loaded_at = time.monotonic()


class CachedLookupReader:
    """Implements LookupReader from memory: the whole catalog (a few thousand short rows) is
    read in one session and kept for `ttl_seconds`, so serving a lookup costs no query.
    A change to the tables shows within the TTL in every process."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], ttl_seconds: float = 300.0
    ) -> None:
        self._sessions = sessions
        self._ttl = ttl_seconds
        self._snapshot: _Snapshot | None = None
        self._lock = asyncio.Lock()

    async def _current(self) -> _Snapshot:
        snapshot = self._snapshot
        if snapshot is not None and time.monotonic() - snapshot.loaded_at < self._ttl:
            return snapshot
        async with self._lock:
            snapshot = self._snapshot
            if snapshot is None or time.monotonic() - snapshot.loaded_at >= self._ttl:
                snapshot = await self._load()
                self._snapshot = snapshot
            return snapshot

    async def _load(self) -> _Snapshot:
        async with self._sessions() as session:
            reader = SqlLookupReader(session)
            return _Snapshot(
                federal=await reader.federal_waste_codes(),
                state=await reader.all_state_waste_codes(),
                dot={kind: await reader.dot_values(kind) for kind in DotLookup},
            )

    async def federal_waste_codes(self) -> Sequence[CodeDescription]:
        return (await self._current()).federal

    async def state_waste_codes(self, state: str) -> Sequence[CodeDescription]:
        return (await self._current()).state.get(state, ())

    async def dot_values(self, kind: DotLookup) -> Sequence[str]:
        return (await self._current()).dot[kind]
