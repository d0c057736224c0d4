"""Manifests as tables: the list's manifests as export rows, and a site's register."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import StrEnum

from haztrak.application.manifests.queries import ManifestFilters, submitted_query, visible_query
from haztrak.application.ports.manifests import Cursor, ManifestQuery, ManifestReader
from haztrak.application.ports.persistence import Principals
from haztrak.domain.errors import InvalidValue
from haztrak.domain.identity import User
from haztrak.domain.manifest.reports import (
    REGISTER_COLUMNS,
    Cell,
    ExportRows,
    Register,
    RegisterLine,
    RegisterPeriod,
    export_columns,
    export_rows,
    register_cells,
    reported,
)

PAGE = 200
"""Manifests read per round trip: memory holds one page of documents at a time."""


class TableFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"

    @classmethod
    def parse(cls, text: str | None, *allowed: TableFormat) -> TableFormat:
        """`text` as one of `allowed` (the first without `text`); InvalidValue names `format`."""
        choices = allowed or tuple(cls)
        if text is None:
            return choices[0]
        found = next((f for f in choices if f.value == text.lower()), None)
        if found is None:
            raise InvalidValue("format", "must be one of: " + ", ".join(choices))
        return found


@dataclass(frozen=True, slots=True)
class Table:
    """A table to write out: its column names, and its rows a page at a time (read as the
    writer asks for them, so the whole table is never in memory)."""

    columns: tuple[str, ...]
    pages: AsyncIterator[list[list[Cell]]]


async def _walk(reader: ManifestReader, query: ManifestQuery) -> AsyncIterator[list[bytes]]:
    """Every matching manifest's document, a keyset page at a time."""
    after: Cursor | None = None
    while True:
        records = await reader.records(query, limit=PAGE, after=after)
        if records:
            yield [r.json for r in records]
        if len(records) < PAGE:
            return
        after = Cursor(records[-1].updated_at, records[-1].id)


class ExportManifests:
    """The manifests ListManifests shows the user for the same filters (the same rules: a
    draft only to its owner site's preparers and above), in the list's order, one row per
    manifest or per waste line. Filters are checked before the first row is read."""

    def __init__(self, manifests: ManifestReader, principals: Principals) -> None:
        self._manifests = manifests
        self._principals = principals

    async def __call__(self, user: User, filters: ManifestFilters, rows: str | None) -> Table:
        shape = _rows(rows)
        query = await visible_query(self._principals, user, filters)
        return Table(columns=export_columns(shape), pages=self._pages(query, shape))

    async def _pages(
        self, query: ManifestQuery, shape: ExportRows
    ) -> AsyncIterator[list[list[Cell]]]:
        async for documents in _walk(self._manifests, query):
            yield [row for document in documents for row in export_rows(reported(document), shape)]


def _rows(text: str | None) -> ExportRows:
    if text is None:
        return ExportRows.MANIFEST
    try:
        return ExportRows(text.lower())
    except ValueError:
        raise InvalidValue("rows", "must be manifest or waste") from None


class GetSiteRegister:
    """What one of the user's sites shipped (as generator) and received (as designated
    facility) in a period, per waste code, management method and unit: the quantities and
    manifest counts of a biennial report (domain.manifest.reports.Register). A site that is
    not the user's is not found."""

    def __init__(self, manifests: ManifestReader, principals: Principals) -> None:
        self._manifests = manifests
        self._principals = principals

    async def __call__(
        self, user: User, epa_id: str, start: str | None, end: str | None
    ) -> list[RegisterLine]:
        period = RegisterPeriod.parse(start, end)
        grants = await self._principals.grants(user.id)
        register = Register(epa_id, period)
        async for documents in _walk(self._manifests, submitted_query(grants, epa_id)):
            for document in documents:
                register.add(reported(document))
        return register.lines()


def register_table(lines: list[RegisterLine]) -> Table:
    async def pages() -> AsyncIterator[list[list[Cell]]]:
        yield [register_cells(line) for line in lines]

    return Table(columns=REGISTER_COLUMNS, pages=pages())
