"""What manifests say in tables: export rows (one per manifest or per waste line) and a site's
register for a period (the figures of a biennial report).

Both read a stored manifest document through the slim structs below, which take only the
fields they need and skip the rest, so 100,000 rows cost one small decode each.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from enum import StrEnum

import msgspec

from haztrak.domain.errors import InvalidValue

Cell = str | int | float | None


class _Read(msgspec.Struct, kw_only=True, rename="camel", forbid_unknown_fields=False):
    """Base of the slim views: every other key of EPA's document is skipped."""


class _Code(_Read, kw_only=True):
    code: str | None = None
    description: str | None = None


class _Party(_Read, kw_only=True):
    epa_site_id: str | None = None
    name: str | None = None


class _Dot(_Read, kw_only=True):
    printed_dot_information: str | None = None


class _Quantity(_Read, kw_only=True):
    container_number: int | float | None = None
    container_type: _Code | None = None
    quantity: int | float | None = None
    unit_of_measurement: _Code | None = None


class _Codes(_Read, kw_only=True):
    federal_waste_codes: list[_Code] | None = None
    tsdf_state_waste_codes: list[_Code] | None = None
    generator_state_waste_codes: list[_Code] | None = None


class _Waste(_Read, kw_only=True):
    line_number: int | float | None = None
    dot_information: _Dot | None = None
    waste_description: str | None = None
    quantity: _Quantity | None = None
    hazardous_waste: _Codes | None = None
    management_method: _Code | None = None

    def description(self) -> str | None:
        """The DOT description where there is one, else the waste description."""
        dot = self.dot_information
        if dot is not None and dot.printed_dot_information:
            return dot.printed_dot_information
        return self.waste_description

    def federal_codes(self) -> list[str]:
        codes = self.hazardous_waste.federal_waste_codes if self.hazardous_waste else None
        return [c.code for c in codes or () if c.code]

    def state_codes(self) -> list[str]:
        """The generator's state codes, then the TSDF's, each once."""
        found: dict[str, None] = {}
        if self.hazardous_waste is not None:
            for codes in (
                self.hazardous_waste.generator_state_waste_codes,
                self.hazardous_waste.tsdf_state_waste_codes,
            ):
                found.update((c.code, None) for c in codes or () if c.code)
        return list(found)


class ReportedManifest(_Read, kw_only=True):
    """The fields of a manifest that exports and registers show."""

    manifest_tracking_number: str = ""
    status: str | None = None
    submission_type: str | None = None
    generator: _Party | None = None
    transporters: list[_Party] | None = None
    designated_facility: _Party | None = None
    shipped_date: str | None = None
    received_date: str | None = None
    wastes: list[_Waste] | None = None


_decoder = msgspec.json.Decoder(ReportedManifest)


def reported(document: bytes) -> ReportedManifest:
    """The reported fields of a stored manifest document (EPA's JSON)."""
    return _decoder.decode(document)


class ExportRows(StrEnum):
    MANIFEST = "manifest"
    WASTE = "waste"


MANIFEST_COLUMNS = (
    "Manifest tracking number",
    "Status",
    "Submission type",
    "Generator EPA ID",
    "Generator name",
    "Transporters",
    "Designated facility EPA ID",
    "Designated facility name",
    "Shipped date",
    "Received date",
)
WASTE_COLUMNS = (
    "Line number",
    "Description",
    "Container count",
    "Container type",
    "Quantity",
    "Unit",
    "Federal waste codes",
    "State waste codes",
    "Management method",
)


def export_columns(rows: ExportRows) -> tuple[str, ...]:
    if rows is ExportRows.MANIFEST:
        return (*MANIFEST_COLUMNS, "Waste lines")
    return MANIFEST_COLUMNS + WASTE_COLUMNS


def _party(party: _Party | None) -> tuple[Cell, Cell]:
    return (party.epa_site_id, party.name) if party else (None, None)


def _transporters(parties: list[_Party] | None) -> str:
    """Each transporter as `EPA ID name`, in order, separated by `; `."""
    return "; ".join(
        " ".join(part for part in (t.epa_site_id, t.name) if part) for t in parties or ()
    )


def _number(value: int | float | None) -> int | float | None:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _manifest_cells(m: ReportedManifest) -> list[Cell]:
    return [
        m.manifest_tracking_number,
        m.status,
        m.submission_type,
        *_party(m.generator),
        _transporters(m.transporters),
        *_party(m.designated_facility),
        m.shipped_date,
        m.received_date,
    ]


def _waste_cells(w: _Waste) -> list[Cell]:
    q = w.quantity
    return [
        _number(w.line_number),
        w.description(),
        _number(q.container_number) if q else None,
        q.container_type.code if q and q.container_type else None,
        _number(q.quantity) if q else None,
        q.unit_of_measurement.code if q and q.unit_of_measurement else None,
        " ".join(w.federal_codes()),
        " ".join(w.state_codes()),
        w.management_method.code if w.management_method else None,
    ]


def export_rows(m: ReportedManifest, rows: ExportRows) -> Iterator[list[Cell]]:
    """One row for the manifest, or one per waste line (a manifest without waste lines still
    has its row, with the waste columns empty), in export_columns' order."""
    head = _manifest_cells(m)
    if rows is ExportRows.MANIFEST:
        yield [*head, len(m.wastes or ())]
        return
    if not m.wastes:
        yield head + [None] * len(WASTE_COLUMNS)
        return
    for waste in m.wastes:
        yield head + _waste_cells(waste)


# --- the register -----------------------------------------------------------------------------


class Direction(StrEnum):
    SHIPPED = "shipped"
    """The site is the generator and the manifest was shipped in the period."""
    RECEIVED = "received"
    """The site is the designated facility and received the waste in the period."""


NO_CODE = ""
"""The waste code of a line that has none (a non-hazardous waste, for one)."""


class RegisterPeriod(msgspec.Struct, frozen=True):
    start: date
    end: date
    """Inclusive: a manifest shipped on `end` is in the period."""

    @classmethod
    def parse(cls, start: str | None, end: str | None) -> RegisterPeriod:
        """From ISO dates (YYYY-MM-DD); InvalidValue names `from` or `to`."""
        period = cls(_date(start, "from"), _date(end, "to"))
        if period.end < period.start:
            raise InvalidValue("to", "must not be before from")
        return period

    def holds(self, epa_datetime: str | None) -> bool:
        """Whether EPA's date-time (or date) falls in the period, by its calendar date as
        written (EPA writes the handler's local date)."""
        if not epa_datetime:
            return False
        try:
            day = date.fromisoformat(epa_datetime[:10])
        except ValueError:
            return False
        return self.start <= day <= self.end


def _date(text: str | None, field: str) -> date:
    if not text:
        raise InvalidValue(field, "is required: a date like 2026-01-31")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidValue(field, "must be a date like 2026-01-31") from None


class RegisterLine(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """What one site shipped or received in the period under one waste code, management method
    and unit: the total quantity and on how many manifests."""

    direction: Direction
    waste_code: str
    """A federal or state waste code; a line with several counts in full under each of them, as
    the biennial report lists a waste stream under each of its codes (so totals of different
    codes are not to be added up). Empty for a line without codes."""
    management_method: str
    unit: str
    quantity: Decimal
    manifests: int


REGISTER_COLUMNS = (
    "Direction",
    "Waste code",
    "Management method",
    "Unit",
    "Quantity",
    "Manifests",
)


def register_cells(line: RegisterLine) -> list[Cell]:
    quantity = line.quantity
    number: int | float = int(quantity) if quantity == quantity.to_integral() else float(quantity)
    return [
        line.direction.value,
        line.waste_code,
        line.management_method,
        line.unit,
        number,
        line.manifests,
    ]


_Key = tuple[Direction, str, str, str]
"""direction, waste code, management method, unit"""


class Register:
    """Adds up the waste lines of a site's manifests for a period (the rule of a biennial
    report: what the site shipped as generator, by shipped date, and what it received as
    designated facility, by received date; drafts and manifests out of the period count for
    nothing)."""

    def __init__(self, epa_id: str, period: RegisterPeriod) -> None:
        self._site = epa_id
        self._period = period
        self._quantities: dict[_Key, Decimal] = {}
        self._manifests: dict[_Key, int] = {}

    def directions(self, m: ReportedManifest) -> list[Direction]:
        found = []
        generator, facility = _party(m.generator)[0], _party(m.designated_facility)[0]
        if generator == self._site and self._period.holds(m.shipped_date):
            found.append(Direction.SHIPPED)
        if facility == self._site and self._period.holds(m.received_date):
            found.append(Direction.RECEIVED)
        return found

    def add(self, m: ReportedManifest) -> None:
        if m.status in (None, "NotAssigned"):
            return
        seen: set[_Key] = set()  # a manifest counts once under each key, however many lines
        for direction in self.directions(m):
            for waste in m.wastes or ():
                seen.update(self._add_line(direction, waste))
        for key in seen:
            self._manifests[key] = self._manifests.get(key, 0) + 1

    def _add_line(self, direction: Direction, waste: _Waste) -> list[_Key]:
        q = waste.quantity
        amount = Decimal(str(q.quantity)) if q and q.quantity is not None else Decimal(0)
        unit = q.unit_of_measurement.code if q and q.unit_of_measurement else None
        method = waste.management_method.code if waste.management_method else None
        codes = waste.federal_codes() + waste.state_codes() or [NO_CODE]
        keys = [(direction, code, method or "", unit or "") for code in dict.fromkeys(codes)]
        for key in keys:
            self._quantities[key] = self._quantities.get(key, Decimal(0)) + amount
        return keys

    def lines(self) -> list[RegisterLine]:
        """Shipped before received, then by waste code, management method and unit."""
        order = {Direction.SHIPPED: 0, Direction.RECEIVED: 1}
        keys = sorted(self._quantities, key=lambda k: (order[k[0]], *k[1:]))
        return [
            RegisterLine(
                direction=direction,
                waste_code=code,
                management_method=method,
                unit=unit,
                quantity=self._quantities[(direction, code, method, unit)],
                manifests=self._manifests[(direction, code, method, unit)],
            )
            for direction, code, method, unit in keys
        ]


def register_of(
    epa_id: str, period: RegisterPeriod, manifests: Iterable[ReportedManifest]
) -> list[RegisterLine]:
    register = Register(epa_id, period)
    for m in manifests:
        register.add(m)
    return register.lines()
