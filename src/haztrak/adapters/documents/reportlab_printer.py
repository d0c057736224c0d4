"""Form 8700-22 (and its 8700-22A continuation sheets) drawn with ReportLab's canvas.

The page is US Letter, boxes in the form's order and numbering, the standard PDF fonts
(Helvetica: nothing embedded, so a manifest is a few kilobytes). Text that a box cannot hold
at 8 points is set smaller, down to 5; item 14's text that still does not fit flows on to item
32 of continuation sheets. A draft carries the not-valid-for-shipment stamp on every page.
Output is invariant (no creation date or random id), so the same manifest prints the same bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from anyio import to_thread
from reportlab.lib.pagesizes import letter
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from haztrak.domain.manifest.form import (
    DRAFT_STAMP,
    FACILITY_CERTIFICATION,
    GENERATOR_CERTIFICATION,
    MAIN_TRANSPORTERS,
    MAIN_WASTES,
    SHEET_TRANSPORTERS,
    SHEET_WASTES,
    FormParty,
    FormSheet,
    FormSignature,
    FormWaste,
    ManifestForm,
)

PAGE_W, PAGE_H = letter
MARGIN = 18.0
BAND = 14.0
"""The left band with the section names (GENERATOR, TRANSPORTER, DESIGNATED FACILITY)."""
X0 = MARGIN + BAND
X1 = PAGE_W - MARGIN
WIDTH = X1 - X0
TOP = PAGE_H - MARGIN

REGULAR, BOLD, ITALIC = "Helvetica", "Helvetica-Bold", "Helvetica-Oblique"
LABEL_SIZE = 5.5
VALUE_SIZE = 8.0
SMALLEST = 5.0
LEADING = 1.18
PAD = 2.0
LABEL_ROOM = LABEL_SIZE + 3.0
"""Height of a box's label line above its content."""

RED = (0.75, 0.08, 0.08)
MAIN_WASTE_ROW = 36.0
SHEET_WASTE_ROW = 34.0
HANDLING_SIZE = 7.0
MAIN_HANDLING_H = 64.0
SHEET_HANDLING_H = 88.0

_NOT_PRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# The waste table's columns: (item label, width); the description takes what is left.
_WASTE_COLUMNS: tuple[tuple[str, float], ...] = (
    ("HM", 22.0),
    ("DESC", 0.0),
    ("No.", 30.0),
    ("Type", 28.0),
    ("Qty", 50.0),
    ("Unit", 34.0),
    ("Codes", 136.0),
)


def _clean(text: str) -> str:
    """What the standard fonts can show (WinAnsi): other characters print as '?', control
    characters as a space."""
    text = _NOT_PRINTABLE.sub(" ", text)
    if text.isascii():
        return text
    return text.encode("cp1252", "replace").decode("cp1252")


def _split_word(word: str, font: str, size: float, width: float) -> list[str]:
    pieces = []
    while word and stringWidth(word, font, size) > width:
        cut = max(1, int(len(word) * width / stringWidth(word, font, size)))
        while cut > 1 and stringWidth(word[:cut], font, size) > width:
            cut -= 1
        pieces.append(word[:cut])
        word = word[cut:]
    return [*pieces, word] if word else pieces


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Lines of `text` no wider than `width`; a word longer than a line is cut."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for long_word in _clean(paragraph).split():
            for word in _split_word(long_word, font, size, width):
                candidate = f"{line} {word}" if line else word
                if stringWidth(candidate, font, size) <= width:
                    line = candidate
                else:
                    lines.append(line)
                    line = word
        lines.append(line)
    return lines


def fit(
    text: str, width: float, height: float, *, font: str = REGULAR, size: float = VALUE_SIZE
) -> tuple[float, list[str]]:
    """The largest size from `size` down to 5 points at which `text` fits the box, and its
    lines; at 5 points, what does not fit ends in an ellipsis."""
    while True:
        lines = wrap(text, font, size, width)
        room = max(1, int(height // (size * LEADING)))
        if len(lines) <= room:
            return size, lines
        if size <= SMALLEST:
            kept = lines[:room]
            kept[-1] = kept[-1][: max(0, len(kept[-1]) - 2)] + "\N{HORIZONTAL ELLIPSIS}"
            return size, kept
        size = max(SMALLEST, size - 0.5)


class _Page:
    """Drawing helpers on one page; `y` is the top of the next box, going down."""

    def __init__(self, canvas: Canvas) -> None:
        self.c = canvas
        self.y = TOP

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float = VALUE_SIZE,
        font: str = REGULAR,
    ) -> None:
        self.c.setFont(font, size)
        self.c.drawString(x, y, _clean(text))

    def label(self, x: float, top: float, text: str) -> None:
        self.text(x + PAD, top - LABEL_SIZE - 1.5, text, LABEL_SIZE, BOLD)

    def lines(
        self,
        x: float,
        top: float,
        lines: Sequence[str],
        size: float = VALUE_SIZE,
        font: str = REGULAR,
    ) -> None:
        if not lines:
            return
        text = self.c.beginText(x, top - size)
        text.setFont(font, size, size * LEADING)
        for line in lines:
            text.textLine(_clean(line))
        self.c.drawText(text)

    def box(self, x: float, top: float, w: float, h: float, label: str = "") -> None:
        self.c.rect(x, top - h, w, h)
        if label:
            self.label(x, top, label)

    def value(
        self,
        x: float,
        top: float,
        w: float,
        h: float,
        text: str,
        *,
        font: str = REGULAR,
        size: float = VALUE_SIZE,
        labelled: bool = True,
    ) -> None:
        """`text` fitted into the box below its label."""
        room_top = top - (LABEL_ROOM if labelled else PAD)
        size, lines = fit(text, w - 2 * PAD, room_top - (top - h) - 1, font=font, size=size)
        self.lines(x + PAD, room_top, lines, size, font)

    def field(
        self,
        x: float,
        top: float,
        w: float,
        h: float,
        label: str,
        text: str,
        *,
        font: str = REGULAR,
        size: float = VALUE_SIZE,
    ) -> None:
        self.box(x, top, w, h, label)
        self.value(x, top, w, h, text, font=font, size=size)

    def check(self, x: float, y: float, checked: bool, text: str) -> float:
        """A check box and its words at baseline `y`; answers the x after them."""
        self.c.rect(x, y - 0.5, 6, 6)
        if checked:
            self.text(x + 0.9, y + 0.3, "X", 6.5, BOLD)
        self.text(x + 9, y, text, 6.5)
        return x + 9 + float(stringWidth(text, REGULAR, 6.5)) + 10

    def band(self, top: float, bottom: float, text: str) -> None:
        """The left band's section name, read bottom to top."""
        self.c.rect(MARGIN, bottom, BAND, top - bottom)
        self.c.saveState()
        self.c.translate(MARGIN + BAND - 4, (top + bottom) / 2)
        self.c.rotate(90)
        size = 6.5
        while size > 4 and stringWidth(text, BOLD, size) > top - bottom - 4:
            size -= 0.5
        self.c.setFont(BOLD, size)
        self.c.drawCentredString(0, 0, text)
        self.c.restoreState()

    def signature_row(
        self, top: float, h: float, who: str, signature: FormSignature | None
    ) -> None:
        """Printed/Typed Name | Signature | Month Day Year."""
        name_w, sign_w = WIDTH * 0.42, WIDTH * 0.38
        date_w = WIDTH - name_w - sign_w
        self.field(X0, top, name_w, h, f"{who} Printed/Typed Name".strip(), "")
        self.box(X0 + name_w, top, sign_w, h, "Signature")
        self.box(X0 + name_w + sign_w, top, date_w, h, "Month  Day  Year")
        if signature is None:
            return
        self.value(X0, top, name_w, h, signature.printed_name, font=BOLD)
        self.value(X0 + name_w, top, sign_w, h, signature.signature, font=ITALIC)
        self.value(X0 + name_w + sign_w, top, date_w, h, signature.date)


def _header(page: _Page, form: ManifestForm, title: str, number: str) -> None:
    c = page.c
    top = page.y
    page.text(MARGIN, top - 7, "Please print or type.", 6)
    page.text(MARGIN, top - 15, number, 6, BOLD)
    c.setFont(BOLD, 12)
    c.drawCentredString(PAGE_W / 2, top - 12, title)
    if form.draft:
        c.setFillColorRGB(*RED)
        c.setFont(BOLD, 9)
        c.drawRightString(X1, top - 22, DRAFT_STAMP)
        c.setFillColorRGB(0, 0, 0)
    else:
        c.setFont(REGULAR, 6.5)
        c.drawRightString(X1, top - 21, "Status in e-Manifest: " + form.status)
    page.y = top - 26


def _draft_stamp(canvas: Canvas) -> None:
    canvas.saveState()
    canvas.setFillColorRGB(*RED, alpha=0.16)
    canvas.setStrokeColorRGB(*RED, alpha=0.16)
    canvas.translate(PAGE_W / 2, PAGE_H / 2)
    canvas.rotate(52)
    canvas.setFont(BOLD, 46)
    canvas.drawCentredString(0, 14, "DRAFT")
    canvas.setFont(BOLD, 30)
    canvas.drawCentredString(0, -26, "NOT VALID FOR SHIPMENT")
    canvas.restoreState()


def _footer(page: _Page, form: ManifestForm, sheet: FormSheet) -> None:
    words = (
        "Printed from Haztrak. The manifest of record is the one in EPA's e-Manifest."
        if not form.draft
        else "A draft in Haztrak, not sent to e-Manifest: not a manifest, not valid for shipment."
    )
    page.text(X0, MARGIN - 8, words, 6, ITALIC)
    page.c.setFont(REGULAR, 6)
    page.c.drawRightString(X1, MARGIN - 8, f"Page {sheet.page} of {form.page_count}")


def _party_lines(party: FormParty, address: tuple[str, ...]) -> str:
    return "\n".join([party.name, *address]) if party.name or address else ""


def _transporter_boxes(
    page: _Page, items: tuple[str, str], transporters: Sequence[FormParty], first_number: int
) -> None:
    name_w = WIDTH * 0.68
    for index, item in enumerate(items):
        transporter = transporters[index] if index < len(transporters) else None
        number = transporter.number if transporter and transporter.number else first_number + index
        top, h = page.y, 24.0
        page.field(
            X0,
            top,
            name_w,
            h,
            f"{item}. Transporter {number} Company Name",
            transporter.name if transporter else "",
            font=BOLD,
        )
        page.field(
            X0 + name_w,
            top,
            WIDTH - name_w,
            h,
            "U.S. EPA ID Number",
            transporter.epa_id if transporter else "",
            font=BOLD,
        )
        page.y -= h


def _waste_table(
    page: _Page, items: Sequence[str], wastes: Sequence[FormWaste], rows: int, row_h: float
) -> None:
    """The waste lines: a header of the items' labels, then `rows` rows."""
    fixed = sum(w for _, w in _WASTE_COLUMNS)
    widths = [w or WIDTH - fixed for _, w in _WASTE_COLUMNS]
    xs = [X0]
    for w in widths[:-1]:
        xs.append(xs[-1] + w)
    hm, desc, containers, quantity, unit, codes = items
    labels = [
        f"{hm}.\nHM",
        f"{desc}. U.S. DOT Description (including Proper Shipping Name, Hazard Class, ID "
        "Number, and Packing Group (if any))",
        "",
        "",
        f"{quantity}. Total\nQuantity",
        f"{unit}. Unit\nWt./Vol.",
        f"{codes}. Waste Codes",
    ]
    top, head = page.y, 22.0
    for x, w, text in zip(xs, widths, labels, strict=True):
        page.c.rect(x, top - head, w, head)
        size, lines = fit(text, w - 2 * PAD, head - 3, font=BOLD, size=LABEL_SIZE)
        page.lines(x + PAD, top - 1.5, lines, size, BOLD)
    # item 10 spans its two columns: Containers, over No. and Type
    page.c.setFillColorRGB(1, 1, 1)
    page.c.rect(xs[2] + 0.4, top - 10, widths[2] + widths[3] - 0.8, 9.6, stroke=0, fill=1)
    page.c.setFillColorRGB(0, 0, 0)
    page.c.line(xs[2], top - 10, xs[4], top - 10)
    page.text(xs[2] + PAD, top - LABEL_SIZE - 1.5, f"{containers}. Containers", LABEL_SIZE, BOLD)
    page.text(xs[2] + PAD, top - 18, "No.", LABEL_SIZE, BOLD)
    page.text(xs[3] + PAD, top - 18, "Type", LABEL_SIZE, BOLD)
    top -= head
    for row in range(rows):
        waste = wastes[row] if row < len(wastes) else None
        for x, w in zip(xs, widths, strict=True):
            page.c.rect(x, top - row_h, w, row_h)
        if waste is not None:
            _waste_row(page, xs, widths, top, row_h, waste)
        top -= row_h
    page.y = top


def _waste_row(
    page: _Page, xs: list[float], widths: list[float], top: float, h: float, waste: FormWaste
) -> None:
    if waste.hazardous:
        page.c.setFont(BOLD, 9)
        page.c.drawCentredString(xs[0] + widths[0] / 2, top - h / 2 - 3, "X")
    number = f"{waste.line}."
    page.text(xs[1] + PAD, top - VALUE_SIZE - PAD, number, 7, BOLD)
    indent = stringWidth(number, BOLD, 7) + 3
    size, lines = fit(waste.description, widths[1] - indent - 2 * PAD, h - 2 * PAD)
    page.lines(xs[1] + PAD + indent, top - PAD, lines, size)
    for column, text in ((2, waste.containers), (3, waste.container_type)):
        page.value(xs[column], top, widths[column], h, text, labelled=False)
    page.value(xs[4], top, widths[4], h, waste.quantity, labelled=False)
    page.value(xs[5], top, widths[5], h, waste.unit, labelled=False)
    page.value(xs[6], top, widths[6], h, "  ".join(waste.waste_codes), labelled=False)


def _method_codes(page: _Page, item: str, wastes: Sequence[FormWaste], cells: int) -> None:
    top, h = page.y, 24.0 if cells <= 5 else 34.0
    page.box(
        X0,
        top,
        WIDTH,
        h,
        f"{item}. Hazardous Waste Report Management Method Codes (i.e., codes for hazardous "
        "waste treatment, disposal, and recycling systems)",
    )
    per_row = min(cells, 5)
    w = WIDTH / per_row
    rows = -(-cells // per_row)
    row_h = (h - LABEL_ROOM) / rows
    for index in range(cells):
        x = X0 + (index % per_row) * w
        baseline = top - LABEL_ROOM - (index // per_row) * row_h - row_h + 2.5
        if index < len(wastes):
            waste = wastes[index]
            page.text(x + PAD + 2, baseline, f"{waste.line}.", 6.5)
            page.text(x + PAD + 16, baseline, waste.management_method, 8, BOLD)
        else:
            page.text(x + PAD + 2, baseline, f"{index + 1}." if cells == MAIN_WASTES else "", 6.5)
    page.y -= h


def _handling_lines(form: ManifestForm) -> list[str]:
    return wrap("\n".join(form.special_handling), REGULAR, HANDLING_SIZE, WIDTH - 2 * PAD)


def _handling_room(height: float) -> int:
    return int((height - LABEL_ROOM - PAD) // (HANDLING_SIZE * LEADING))


def _main_form(page: _Page, form: ManifestForm, sheet: FormSheet, handling: list[str]) -> None:
    _header(page, form, "UNIFORM HAZARDOUS WASTE MANIFEST", "EPA Form 8700-22")
    generator, facility = form.generator, form.facility
    generator_top = page.y

    # 1-4
    top, h = page.y, 28.0
    widths = (150.0, 56.0, 150.0, WIDTH - 356.0)
    xs = (X0, X0 + 150, X0 + 206, X0 + 356)
    page.field(xs[0], top, widths[0], h, "1. Generator ID Number", generator.epa_id, font=BOLD)
    page.field(xs[1], top, widths[1], h, "2. Page", f"1 of {form.page_count}")
    page.field(xs[2], top, widths[2], h, "3. Emergency Response Phone", generator.emergency_phone)
    mtn = form.tracking_number + ("  (draft)" if form.draft else "")
    page.field(xs[3], top, widths[3], h, "4. Manifest Tracking Number", mtn, font=BOLD, size=11)
    page.y -= h

    # 5
    top, h = page.y, 64.0
    half = WIDTH / 2
    page.field(
        X0,
        top,
        half,
        h - 11,
        "5. Generator's Name and Mailing Address",
        _party_lines(generator, generator.mailing_address),
    )
    page.field(
        X0 + half,
        top,
        half,
        h - 11,
        "Generator's Site Address (if different than mailing address)",
        _party_lines(generator, generator.site_address)
        if generator.site_address != generator.mailing_address
        else "",
    )
    page.c.rect(X0, top - h, WIDTH, 11)
    page.text(X0 + PAD, top - h + 3, "Generator's Phone:", LABEL_SIZE, BOLD)
    page.text(X0 + 60, top - h + 3, generator.phone, 7.5)
    page.y -= h

    # 6, 7
    _transporter_boxes(page, ("6", "7"), sheet.transporters, 1)

    # 8
    top, h = page.y, 54.0
    name_w = WIDTH * 0.68
    page.field(
        X0,
        top,
        name_w,
        h - 11,
        "8. Designated Facility Name and Site Address",
        _party_lines(facility, facility.site_address),
    )
    page.field(
        X0 + name_w, top, WIDTH - name_w, h - 11, "U.S. EPA ID Number", facility.epa_id, font=BOLD
    )
    page.c.rect(X0, top - h, WIDTH, 11)
    page.text(X0 + PAD, top - h + 3, "Facility's Phone:", LABEL_SIZE, BOLD)
    page.text(X0 + 60, top - h + 3, facility.phone, 7.5)
    page.y -= h

    # 9-13
    _waste_table(
        page, ("9a", "9b", "10", "11", "12", "13"), sheet.wastes, MAIN_WASTES, MAIN_WASTE_ROW
    )

    # 14
    top, h = page.y, MAIN_HANDLING_H
    page.box(X0, top, WIDTH, h, "14. Special Handling Instructions and Additional Information")
    room = _handling_room(h)
    shown = handling[:room]
    if len(handling) > room:
        shown[-1] = "(continued in item 32 of the continuation sheet)"
    page.lines(X0 + PAD, top - LABEL_ROOM, shown, HANDLING_SIZE)
    page.y -= h

    # 15
    top = page.y
    size, lines = fit(GENERATOR_CERTIFICATION, WIDTH - 2 * PAD, 30, font=REGULAR, size=5.5)
    cert_h = len(lines) * size * LEADING + 4
    page.box(X0, top, WIDTH, cert_h)
    page.lines(X0 + PAD, top - 1.5, lines, size)
    page.y -= cert_h
    page.signature_row(page.y, 22.0, "Generator's/Offeror's", generator.signature)
    page.y -= 22.0
    page.band(generator_top, page.y, "GENERATOR")

    # 16
    top, h = page.y, 26.0
    page.box(X0, top, WIDTH, h, "16. International Shipments")
    baseline = top - LABEL_ROOM - 7
    x = page.check(X0 + 80, top - 8, form.importing, "Import to U.S.")
    page.check(x, top - 8, False, "Export from U.S.")
    page.text(X0 + PAD, baseline, "Port of entry/exit:", LABEL_SIZE, BOLD)
    page.text(X0 + 56, baseline, form.port_of_entry, 7.5)
    page.text(
        X0 + WIDTH * 0.42, baseline, "Transporter signature (for exports only):", LABEL_SIZE, BOLD
    )
    page.text(X0 + WIDTH * 0.78, baseline, "Date leaving U.S.:", LABEL_SIZE, BOLD)
    page.band(top, top - h, "INT'L")
    page.y -= h

    # 17
    _acknowledgments(
        page,
        "17. Transporter Acknowledgment of Receipt of Materials",
        ("",) * MAIN_TRANSPORTERS,
        sheet.transporters,
        1,
    )

    # 18
    facility_top = page.y
    _discrepancy(page, form, sheet)

    # 19
    _method_codes(page, "19", sheet.wastes, MAIN_WASTES)

    # 20
    top = page.y
    page.box(X0, top, WIDTH, 9)
    page.text(X0 + PAD, top - 6.5, "20. " + FACILITY_CERTIFICATION, LABEL_SIZE, BOLD)
    page.y -= 9
    page.signature_row(page.y, 22.0, "", facility.signature)
    page.y -= 22.0
    page.band(facility_top, page.y, "DESIGNATED FACILITY")


def _acknowledgments(
    page: _Page,
    heading: str,
    items: Sequence[str],
    transporters: Sequence[FormParty],
    first_number: int,
) -> None:
    """Item 17 (one heading, two rows) or items 33 and 34 (a row each)."""
    top = page.y
    page.box(X0, top, WIDTH, 9)
    page.text(X0 + PAD, top - 6.5, heading, LABEL_SIZE, BOLD)
    page.y -= 9
    for index, item in enumerate(items):
        transporter = transporters[index] if index < len(transporters) else None
        number = transporter.number if transporter and transporter.number else first_number + index
        page.signature_row(
            page.y,
            21.0,
            f"{item}Transporter {number}",
            transporter.signature if transporter else None,
        )
        page.y -= 21.0
    page.band(top, page.y, "TRANSPORTER")


def _discrepancy(page: _Page, form: ManifestForm, sheet: FormSheet) -> None:
    found = form.discrepancy
    top, h = page.y, 48.0
    page.box(X0, top, WIDTH, h, "18. Discrepancy")
    page.text(
        X0 + 60, top - LABEL_SIZE - 1.5, "18a. Discrepancy Indication Space", LABEL_SIZE, BOLD
    )
    baseline = top - LABEL_ROOM - 7
    x = X0 + PAD + 2
    for checked, words in (
        (found.quantity, "Quantity"),
        (found.type, "Type"),
        (found.residue, "Residue"),
        (found.partial_rejection, "Partial Rejection"),
        (found.full_rejection, "Full Rejection"),
    ):
        x = page.check(x, baseline, checked, words)
    page.text(x + 10, baseline, "Manifest Reference Number:", LABEL_SIZE, BOLD)
    page.text(x + 86, baseline, ", ".join(found.reference_numbers), 7.5, BOLD)
    notes = [*found.notes, *(w.discrepancy for w in sheet.wastes if w.discrepancy)]
    size, lines = fit("\n".join(notes), WIDTH - 2 * PAD, h - LABEL_ROOM - 12, size=7.0)
    page.lines(X0 + PAD, baseline - 3, lines, size)
    page.y -= h

    alternate = found.alternate or FormParty()
    top, h = page.y, 26.0
    name_w = WIDTH * 0.68
    page.field(
        X0,
        top,
        name_w,
        h,
        "18b. Alternate Facility (or Generator)",
        ", ".join(p for p in (alternate.name, *alternate.site_address) if p),
    )
    page.field(
        X0 + name_w, top, WIDTH - name_w, h, "U.S. EPA ID Number", alternate.epa_id, font=BOLD
    )
    page.text(X0 + PAD, top - h + 2.5, "Facility's Phone:", LABEL_SIZE, BOLD)
    page.text(X0 + 56, top - h + 2.5, alternate.phone, 7)
    page.y -= h
    page.signature_row(
        page.y, 21.0, "18c. Alternate Facility (or Generator)", found.alternate_signature
    )
    page.y -= 21.0


def _continuation(
    page: _Page, form: ManifestForm, sheet: FormSheet, handling: Sequence[str]
) -> None:
    _header(
        page,
        form,
        "UNIFORM HAZARDOUS WASTE MANIFEST (Continuation Sheet)",
        "EPA Form 8700-22A",
    )
    generator_top = page.y
    top, h = page.y, 28.0
    page.field(X0, top, 150, h, "21. Generator ID Number", form.generator.epa_id, font=BOLD)
    page.field(X0 + 150, top, 56, h, "22. Page", f"{sheet.page} of {form.page_count}")
    mtn = form.tracking_number + ("  (draft)" if form.draft else "")
    page.field(
        X0 + 206, top, WIDTH - 206, h, "23. Manifest Tracking Number", mtn, font=BOLD, size=11
    )
    page.y -= h
    top, h = page.y, 24.0
    page.field(X0, top, WIDTH, h, "24. Generator's Name", form.generator.name)
    page.y -= h
    first = MAIN_TRANSPORTERS + (sheet.page - 2) * SHEET_TRANSPORTERS + 1
    _transporter_boxes(page, ("25", "26"), sheet.transporters, first)
    _waste_table(
        page, ("27a", "27b", "28", "29", "30", "31"), sheet.wastes, SHEET_WASTES, SHEET_WASTE_ROW
    )
    top, h = page.y, SHEET_HANDLING_H
    page.box(X0, top, WIDTH, h, "32. Special Handling Instructions and Additional Information")
    page.lines(X0 + PAD, top - LABEL_ROOM, handling, HANDLING_SIZE)
    page.y -= h
    page.band(generator_top, page.y, "GENERATOR")
    _acknowledgments(
        page,
        "Transporter Acknowledgment of Receipt of Materials",
        ("33. ", "34. "),
        sheet.transporters,
        first,
    )
    facility_top = page.y
    top, h = page.y, 44.0
    notes = "\n".join(w.discrepancy for w in sheet.wastes if w.discrepancy)
    page.field(X0, top, WIDTH, h, "35. Discrepancy", notes, size=7.0)
    page.y -= h
    _method_codes(page, "36", sheet.wastes, SHEET_WASTES)
    page.band(facility_top, page.y, "DESIGNATED FACILITY")


def render_form(form: ManifestForm) -> bytes:
    """The PDF of the form (synchronous: CPU only)."""
    handling = _handling_lines(form)
    main_room = _handling_room(MAIN_HANDLING_H)
    sheet_room = _handling_room(SHEET_HANDLING_H)
    overflow: list[str] = []
    if len(handling) > main_room:
        overflow = handling[main_room - 1 :]
        form = form.with_sheets(-(-len(overflow) // sheet_room))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=letter, invariant=True, pageCompression=True)
    canvas.setTitle(f"Hazardous waste manifest {form.tracking_number}")
    canvas.setSubject("EPA Form 8700-22" + (" (" + DRAFT_STAMP + ")" if form.draft else ""))
    canvas.setCreator("Haztrak")
    canvas.setLineWidth(0.6)
    for sheet in form.sheets:
        page = _Page(canvas)
        canvas.setLineWidth(0.6)
        if form.draft:
            _draft_stamp(canvas)
        if sheet.continuation:
            start = (sheet.page - 2) * sheet_room
            _continuation(page, form, sheet, overflow[start : start + sheet_room])
        else:
            _main_form(page, form, sheet, handling)
        _footer(page, form, sheet)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


class ReportlabManifestPrinter:
    """ManifestPrinter on ReportLab. The drawing runs in a worker thread, so a long manifest
    does not hold up the event loop between its GIL slices."""

    async def render(self, form: ManifestForm) -> bytes:
        return await to_thread.run_sync(render_form, form)
