"""TrackingNumberLists on the database and a folder of cached lists (issue 16).

A list's version is a hash of what it lists (the sites, the part they play, whose drafts)
and the entries logged for each of its sites (list_changes.py: a handful, pruned as they
are written): one short index range per site, whatever the number of manifests. Its JSON
is kept in a file named by that version, so a change makes a new name and nothing is ever
served stale; old files are pruned, oldest first, past MAX_FILES or MAX_BYTES. A miss walks
the list from the database a keyset chunk at a time, writing each chunk to the client and to
the file as it goes: neither the list nor its JSON is ever held whole (the file is kept only
when the walk finished).

Files are written under a temporary name and renamed, so processes sharing the folder
(workers of one machine) never read half a file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from haztrak.adapters.persistence import manifests as sql
from haztrak.adapters.persistence import pg_reads
from haztrak.adapters.persistence.list_changes import list_changes
from haztrak.adapters.persistence.manifests import summaries_of
from haztrak.adapters.persistence.pgpool import ReadPool
from haztrak.application.ports.manifests import Cursor, ManifestQuery

CHUNK = 2000
"""Manifests per statement of a walk (and per chunk written)."""
WHOLE_BELOW = 1 << 20
"""A cached list smaller than this is answered whole (one read, a Content-Length)."""
READ_SIZE = 256 * 1024
MAX_FILES = 256
MAX_BYTES = 1 << 30

_encoder = msgspec.json.Encoder()
_PG_VERSIONS = (
    "SELECT site, (SELECT string_agg(seq::text, ',' ORDER BY seq) FROM manifest_list_changes "
    "WHERE epa_id = site) FROM unnest($1::varchar[]) AS site"
)
_c = list_changes.c
_SQL_VERSIONS = (
    select(_c.epa_id, _c.seq)
    .where(_c.epa_id.in_(bindparam("sites", expanding=True)))
    .order_by(_c.epa_id, _c.seq)
)


def _tag(query: ManifestQuery, versions: Sequence[Sequence[Any]]) -> str:
    """From (site, its entries) rows: the set of entries is new after every commit."""
    shape = (
        sorted(query.site_ids),
        sorted(query.draft_sites),
        query.site_role.value if query.site_role else None,
        sorted((str(site), str(entries or "")) for site, entries in versions),
    )
    return hashlib.blake2b(_encoder.encode(shape), digest_size=16).hexdigest()


class DbTrackingNumberLists:
    """Implements TrackingNumberLists: on the read pool when there is one (PostgreSQL), else
    on short sessions of their own."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        folder: Path,
        pool: ReadPool | None = None,
    ) -> None:
        self._sessions = sessions
        self._folder = folder
        self._pool = pool

    def __repr__(self) -> str:
        return f"DbTrackingNumberLists(folder={self._folder})"

    async def version(self, query: ManifestQuery) -> str:
        sites = sorted(query.site_ids)
        if not sites:
            return _tag(query, [])
        if self._pool is not None:
            return _tag(query, await self._pool.fetch(_PG_VERSIONS, sites))
        async with self._sessions() as session:
            rows = (await session.execute(_SQL_VERSIONS, {"sites": sites})).all()
        entries: dict[str, list[str]] = {}
        for site, seq in rows:
            entries.setdefault(site, []).append(str(seq))
        return _tag(query, [(site, ",".join(seqs)) for site, seqs in entries.items()])

    async def json(self, query: ManifestQuery, version: str) -> bytes | AsyncIterator[bytes]:
        path = self._folder / f"{version}.json"
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return self._walk(query, path)
        if size < WHOLE_BELOW:
            with contextlib.suppress(FileNotFoundError):  # pruned since: walk again
                return path.read_bytes()
            return self._walk(query, path)
        return self._read(path, query)

    async def _read(self, path: Path, query: ManifestQuery) -> AsyncIterator[bytes]:
        try:
            file = path.open("rb")
        except FileNotFoundError:
            async for chunk in self._walk(query, path):
                yield chunk
            return
        with file:
            while chunk := file.read(READ_SIZE):
                yield chunk

    async def _walk(self, query: ManifestQuery, path: Path) -> AsyncIterator[bytes]:
        self._folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.stem}.{uuid.uuid4().hex}.part")
        done = False
        try:
            with partial.open("wb") as out:
                first = True
                after: Cursor | None = None
                while True:
                    rows = await self._chunk(query, after)
                    if not rows:
                        break
                    items = _encoder.encode(summaries_of(row[2:] for row in rows))
                    # "[a,b" then ",c,d" ... then "]": one array of every chunk's items
                    piece = items[:-1] if first else b"," + items[1:-1]
                    first = False
                    out.write(piece)
                    yield piece
                    if len(rows) < CHUNK:
                        break
                    after = Cursor(rows[-1][0], pg_reads._uuid(rows[-1][1]))
                tail = b"[]" if first else b"]"
                out.write(tail)
                yield tail
            os.replace(partial, path)
            done = True
            self._prune()
        finally:
            if not done:
                with contextlib.suppress(FileNotFoundError):
                    partial.unlink()

    async def _chunk(self, query: ManifestQuery, after: Cursor | None) -> list[Sequence[Any]]:
        """Up to CHUNK rows (updated_at, id, mtn, status, submission_type, signature_status)
        after `after`, newest change first."""
        if not query.site_ids:
            return []
        if self._pool is not None:
            where, args = pg_reads._where(query)
            if after is not None:
                where += pg_reads._after(args, after, oldest_first=False)
            rows = await self._pool.fetch(
                "SELECT updated_at, id, mtn, status, submission_type, signature_status "
                "FROM manifests" + where + pg_reads._NEWEST_FIRST + f" LIMIT {CHUNK}",
                *args,
            )
            return list(rows)
        conditions = sql._conditions(query)
        if after is not None:
            conditions.append(sql._after(after))
        m = sql._manifests
        statement = (
            select(m.updated_at, m.id, *sql._SUMMARY_COLUMNS)
            .where(*conditions)
            .order_by(*sql._NEWEST_FIRST)
            .limit(CHUNK)
        )
        async with self._sessions() as session:
            await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            return [tuple(row) for row in await session.execute(statement)]

    def _prune(self) -> None:
        try:
            files = [(p.stat(), p) for p in self._folder.glob("*.json")]
        except FileNotFoundError:
            return
        files.sort(key=lambda item: item[0].st_mtime, reverse=True)
        total = 0
        for index, (stat, path) in enumerate(files):
            total += stat.st_size
            if index >= MAX_FILES or total > MAX_BYTES:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
