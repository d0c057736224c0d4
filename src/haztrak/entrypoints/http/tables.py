"""Tables (application.manifests.exports.Table) written out as CSV or XLSX, streamed.

CSV goes out a page of rows at a time as the use case reads them. XLSX is a zip whose
directory comes last, so it is written first to a temporary file by XlsxWriter in its
constant-memory mode (each row goes to disk as the next begins), in a worker thread, then
streamed from it.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import IO

import msgspec
from anyio import to_thread
from litestar.enums import MediaType
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)
from litestar.response import Stream

from haztrak.application.manifests.exports import Table, TableFormat
from haztrak.domain.manifest.reports import Cell, Direction, RegisterLine, register_cells

CHUNK = 64 * 1024
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
MEDIA_TYPES = {
    TableFormat.CSV: "text/csv; charset=utf-8",
    TableFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def table_download(*, with_json: bool = False) -> type[Operation]:
    """The `operation_class` of a handler answering a table_stream: its 200 is CSV or XLSX
    (or, `with_json`, the JSON its return type documents)."""

    @dataclass
    class TableOperation(Operation):
        def __post_init__(self) -> None:
            ok = (self.responses or {}).get("200")
            if not isinstance(ok, OpenAPIResponse):
                return
            kept = (ok.content or {}).get(MediaType.JSON) if with_json else None
            content = {MediaType.JSON.value: kept} if kept is not None else {}
            binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
            for media_type in MEDIA_TYPES.values():
                content[media_type] = OpenAPIMediaType(schema=binary)
            ok.content = content

    return TableOperation


def _safe(cell: Cell) -> Cell:
    """Text that a spreadsheet would run as a formula (a name typed as `=HYPERLINK(...)`) is
    written with a leading apostrophe, so it shows as the text it is (OWASP CSV injection)."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


def _csv_chunk(rows: Iterable[Iterable[Cell]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([_safe(cell) for cell in row] for row in rows)
    return out.getvalue().encode()


async def csv_chunks(table: Table) -> AsyncIterator[bytes]:
    # A byte order mark, so that Excel reads the file as UTF-8.
    yield b"\xef\xbb\xbf" + _csv_chunk([table.columns])
    async for rows in table.pages:
        yield _csv_chunk(rows)


def _xlsx_cell(cell: Cell) -> Cell:
    """As _safe; control characters, which XML 1.0 cannot hold, are dropped."""
    if isinstance(cell, str):
        return _safe(_NOT_XML.sub("", cell))
    return cell


class _Sheet:
    """One worksheet written row after row (XlsxWriter's constant-memory mode keeps one)."""

    def __init__(self, file: IO[bytes], title: str) -> None:
        # Imported at the first export, not by every API process at start.
        from xlsxwriter import Workbook  # type: ignore[import-untyped]

        self.book = Workbook(
            file,
            {
                "constant_memory": True,
                # text stays text: no formulas, links or numbers guessed from it
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.sheet = self.book.add_worksheet(title)
        self.next_row = 0

    def append(self, rows: Iterable[Iterable[Cell]]) -> None:
        for row in rows:
            self.sheet.write_row(self.next_row, 0, [_xlsx_cell(cell) for cell in row])
            self.next_row += 1


async def xlsx_chunks(table: Table, sheet_title: str) -> AsyncIterator[bytes]:
    with tempfile.TemporaryFile() as file:
        await _write_xlsx(table, sheet_title, file)
        file.seek(0)
        while chunk := await to_thread.run_sync(file.read, CHUNK):
            yield chunk


async def _write_xlsx(table: Table, sheet_title: str, file: IO[bytes]) -> None:
    sheet = _Sheet(file, sheet_title)
    sheet.append([table.columns])
    async for rows in table.pages:
        await to_thread.run_sync(sheet.append, rows)
    await to_thread.run_sync(sheet.book.close)


def table_stream(table: Table, form: TableFormat, name: str) -> Stream:
    """The table as a download named `name`.csv or `name`.xlsx."""
    chunks = csv_chunks(table) if form is TableFormat.CSV else xlsx_chunks(table, name[:31])
    return Stream(
        chunks,
        media_type=MEDIA_TYPES[form],
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{form.value}"',
            "Cache-Control": "private, no-store",
        },
    )


class RegisterLineOut(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    direction: Direction
    waste_code: str
    """Empty for waste lines without a code."""
    management_method: str
    unit: str
    quantity: int | float
    manifests: int


class RegisterOut(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """What the site shipped (as generator, by shipped date) and received (as designated
    facility, by received date) in the period, per waste code, management method and unit.
    A line with several codes counts under each, so quantities of different codes are not
    to be added up."""

    epa_id: str
    from_: str = msgspec.field(name="from")
    to: str
    lines: list[RegisterLineOut]

    @classmethod
    def of(cls, epa_id: str, start: str, end: str, lines: list[RegisterLine]) -> RegisterOut:
        out = []
        for line in lines:
            cells = register_cells(line)
            quantity = cells[4]
            assert isinstance(quantity, int | float)
            out.append(
                RegisterLineOut(
                    direction=line.direction,
                    waste_code=line.waste_code,
                    management_method=line.management_method,
                    unit=line.unit,
                    quantity=quantity,
                    manifests=line.manifests,
                )
            )
        return cls(epa_id=epa_id, from_=start, to=end, lines=out)
