"""Tables written out as CSV and XLSX: text stays text, whatever it begins with."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

from openpyxl import load_workbook

from haztrak.application.manifests.exports import Table
from haztrak.domain.manifest.reports import Cell
from haztrak.entrypoints.http.tables import csv_chunks, xlsx_chunks

ROWS: list[list[Cell]] = [
    ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "plain", 480, 1.5, None],
    ["bell\x07 and tab\tinside", "", "", "", "D001 F003", 0, -3, ""],
]


def table() -> Table:
    async def pages() -> AsyncIterator[list[list[Cell]]]:
        yield ROWS[:1]
        yield ROWS[1:]

    return Table(columns=tuple("ABCDEFGH"), pages=pages())


async def test_csv_neutralizes_formulas_and_keeps_numbers() -> None:
    body = b"".join([chunk async for chunk in csv_chunks(table())])
    assert body.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == list("ABCDEFGH")
    assert rows[1] == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "plain",
        "480",
        "1.5",
        "",
    ]
    assert rows[2][0] == "bell\x07 and tab\tinside"


async def test_xlsx_writes_text_as_text_without_control_characters() -> None:
    body = b"".join([chunk async for chunk in xlsx_chunks(table(), "manifests")])
    book = load_workbook(io.BytesIO(body))
    sheet = book["manifests"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple("ABCDEFGH")
    assert rows[1] == (
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "plain",
        480,
        1.5,
        None,
    )
    assert rows[2][:2] == ("bell and tab\tinside", None)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
