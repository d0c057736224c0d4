"""The clocks a manifest starts under RCRA, and where each one stands on a given day.

Three clocks, each owed by one party of the manifest:

- **Exception report** (the generator; 40 CFR 262.42). From the day the first transporter
  picks the waste up (their signature; e-Manifest's `shippedDate` when no signature is known)
  until the designated facility signs. A large quantity generator (LQG) must find out what
  happened after `LQG_CONTACT_DAYS` (35) and file an exception report by `LQG_REPORT_DAYS` (45);
  a small quantity generator (SQG) files by `SQG_REPORT_DAYS` (60). A very small quantity
  generator owes no exception report. An unknown category counts as LQG: the shorter clock.
- **Discrepancy** (the designated facility; 40 CFR 264.72). From receipt of a shipment whose
  waste lines note a quantity or type discrepancy (`wastes[].discrepancyResidueInfo`) or that
  was rejected (`rejection`): settle it with the generator within `DISCREPANCY_DAYS` (15) or
  report it. Every discrepancy e-Manifest records counts: only a person can tell whether it is
  significant, and recording it as reported (settled) ends the warning.
- **Receipt signature** (the designated facility; 40 CFR 264.71). From delivery (the last
  transporter's signature, or `receivedDate`) until the facility signs: e-Manifest must have
  the signed manifest within `RECEIPT_SIGNATURE_DAYS` (30).

A clock that has stopped (the facility signed) is not a deadline any more and is not returned.
A running clock that a person recorded as dealt with is `REPORTED`; otherwise it is `OK`, then
`NEAR` from its `near_on` day, then `LATE` after its `due` day. Days are calendar days in UTC.

Use:

    for deadline in manifest_deadlines(manifest, today=date.today(),
                                       generator_category=GeneratorCategory.LQG,
                                       reported={DeadlineKind.EXCEPTION_REPORT: date(...)}):
        deadline.state, deadline.due, deadline.days_left(today), deadline.summary()
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from enum import StrEnum

import msgspec

from haztrak.domain.manifest.datetimes import parse_epa_datetime
from haztrak.domain.manifest.model import (
    HandlerRole,
    Manifest,
    ManifestHandlerSite,
    Status,
)

LQG_CONTACT_DAYS = 35
LQG_REPORT_DAYS = 45
SQG_REPORT_DAYS = 60
SQG_NEAR_DAYS = 50
"""An SQG's clock is near from day 50: ten days to find the shipment before the report."""
DISCREPANCY_DAYS = 15
DISCREPANCY_NEAR_DAYS = 10
RECEIPT_SIGNATURE_DAYS = 30
RECEIPT_NEAR_DAYS = 25


class DeadlineKind(StrEnum):
    EXCEPTION_REPORT = "exceptionReport"
    DISCREPANCY = "discrepancy"
    RECEIPT_SIGNATURE = "receiptSignature"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def reportable(self) -> bool:
        """Whether a person records this clock as dealt with (a receipt ends with a signature)."""
        return self is not DeadlineKind.RECEIPT_SIGNATURE


_LABELS = {
    DeadlineKind.EXCEPTION_REPORT: "Exception report",
    DeadlineKind.DISCREPANCY: "Discrepancy",
    DeadlineKind.RECEIPT_SIGNATURE: "Receipt signature",
}


class DeadlineState(StrEnum):
    OK = "ok"
    NEAR = "near"
    LATE = "late"
    REPORTED = "reported"


class GeneratorCategory(StrEnum):
    """A generator's federal category, as RCRAInfo's `federalGeneratorStatus` spells it."""

    LQG = "LQG"
    SQG = "SQG"
    VSQG = "VSG"
    NOT_A_GENERATOR = "N"

    @classmethod
    def parse(cls, text: str | None) -> GeneratorCategory | None:
        """RCRAInfo's codes and the common spellings (`VSQG`, `lqg`); None when unknown."""
        if not text:
            return None
        key = text.strip().upper()
        if key == "VSQG":
            return cls.VSQG
        try:
            return cls(key)
        except ValueError:
            return None


class Deadline(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """One running clock: who owes what (`site_id` in `role`) for manifest `mtn`, by `due`."""

    kind: DeadlineKind
    mtn: str
    site_id: str
    role: HandlerRole
    started: date
    near_on: date
    due: date
    state: DeadlineState
    reported_on: date | None = None
    generator_category: GeneratorCategory | None = None

    def days_left(self, today: date) -> int:
        """Days until `due` (0 on the day, negative when late)."""
        return (self.due - today).days

    def summary(self, today: date) -> str:
        """The deadline in words, for a list or a notice."""
        if self.state is DeadlineState.REPORTED:
            return f"{self.kind.label} recorded as reported on {self.reported_on}"
        left = self.days_left(today)
        what = _DUTIES[self.kind]
        if self.kind is DeadlineKind.EXCEPTION_REPORT:
            category = self.generator_category or GeneratorCategory.LQG
            contacting = category is GeneratorCategory.LQG and self.state is DeadlineState.NEAR
            if contacting:
                what = "no signed copy from the designated facility after 35 days: contact "
                what += "the transporter and the facility, then file an exception report"
        if left < 0:
            return f"{what}: {-left} day{'s' if left != -1 else ''} late (due {self.due})"
        if left == 0:
            return f"{what}: due today"
        return f"{what}: due in {left} day{'s' if left != 1 else ''} ({self.due})"


_DUTIES = {
    DeadlineKind.EXCEPTION_REPORT: "Exception report",
    DeadlineKind.DISCREPANCY: "Settle or report the discrepancy",
    DeadlineKind.RECEIPT_SIGNATURE: "Sign the receipt in e-Manifest",
}


def manifest_deadlines(
    manifest: Manifest,
    *,
    today: date,
    generator_category: GeneratorCategory | None = None,
    reported: Mapping[DeadlineKind, date] | None = None,
) -> list[Deadline]:
    """The clocks running on `manifest` on `today`, in the order exception report, discrepancy,
    receipt signature. `generator_category` is the generator's (None: unknown, counted as LQG);
    `reported` holds the day each clock was recorded as dealt with."""
    mtn = manifest.manifest_tracking_number
    if not mtn or manifest.is_draft():
        return []
    reported = reported or {}
    found = [
        _exception_report(manifest, mtn, today, generator_category, reported),
        _discrepancy(manifest, mtn, today, reported),
        _receipt_signature(manifest, mtn, today),
    ]
    return [deadline for deadline in found if deadline is not None]


def pickup_date(manifest: Manifest) -> date | None:
    """The day the first transporter accepted the waste: their earliest signature, else
    e-Manifest's `shippedDate`."""
    transporters = manifest.ordered_transporters()
    if transporters:
        first = _signed_on(transporters[0])
        if first is not None:
            return first
    return _day(manifest.shipped_date)


def delivery_date(manifest: Manifest) -> date | None:
    """The day the waste reached the designated facility: e-Manifest's `receivedDate`, else the
    last transporter's signature once every transporter has signed."""
    received = _day(manifest.received_date)
    if received is not None:
        return received
    transporters = manifest.ordered_transporters()
    if not transporters or not all(t.has_signed() for t in transporters):
        return None
    return _signed_on(transporters[-1])


def facility_signed_on(manifest: Manifest) -> date | None:
    """The day the designated facility (or the alternate one, after a rejection) signed."""
    for role, handler in manifest.handlers():
        if role in (HandlerRole.TSDF, HandlerRole.ALTERNATE_TSDF):
            signed = _signed_on(handler)
            if signed is not None:
                return signed
    return None


def facility_has_signed(manifest: Manifest) -> bool:
    """Whether the clock that waits for the facility's signature has stopped: it signed, or
    e-Manifest says the manifest is signed (a copy without signature details)."""
    if facility_signed_on(manifest) is not None:
        return True
    status = manifest.current_status()
    return status is not Status.MTN_VALIDATION_FAILED and status.has_reached(Status.SIGNED)


def has_discrepancy(manifest: Manifest) -> bool:
    """A quantity or type discrepancy on a waste line, or a rejection (EPA's `discrepancy`
    flag, derived from the lines, counts too). Residue alone is not a discrepancy."""
    if manifest.discrepancy or manifest.rejection:
        return True
    for waste in manifest.wastes or ():
        info = waste.discrepancy_residue_info
        if info is not None and (info.waste_quantity or info.waste_type):
            return True
    return False


def report_days(category: GeneratorCategory | None) -> int | None:
    """Days from pick-up to the exception report; None when none is owed."""
    if category in (GeneratorCategory.VSQG, GeneratorCategory.NOT_A_GENERATOR):
        return None
    return SQG_REPORT_DAYS if category is GeneratorCategory.SQG else LQG_REPORT_DAYS


def _exception_report(
    manifest: Manifest,
    mtn: str,
    today: date,
    category: GeneratorCategory | None,
    reported: Mapping[DeadlineKind, date],
) -> Deadline | None:
    generator = manifest.generator
    days = report_days(category)
    if generator is None or not generator.epa_site_id or days is None:
        return None
    started = pickup_date(manifest)
    if started is None or facility_has_signed(manifest):
        return None
    near = LQG_CONTACT_DAYS if days == LQG_REPORT_DAYS else SQG_NEAR_DAYS
    return _deadline(
        DeadlineKind.EXCEPTION_REPORT,
        mtn,
        generator.epa_site_id,
        HandlerRole.GENERATOR,
        started,
        near,
        days,
        today,
        reported.get(DeadlineKind.EXCEPTION_REPORT),
        category=category,
    )


def _discrepancy(
    manifest: Manifest, mtn: str, today: date, reported: Mapping[DeadlineKind, date]
) -> Deadline | None:
    facility = manifest.designated_facility
    if facility is None or not facility.epa_site_id or not has_discrepancy(manifest):
        return None
    started = delivery_date(manifest) or facility_signed_on(manifest)
    if started is None:
        return None
    return _deadline(
        DeadlineKind.DISCREPANCY,
        mtn,
        facility.epa_site_id,
        HandlerRole.TSDF,
        started,
        DISCREPANCY_NEAR_DAYS,
        DISCREPANCY_DAYS,
        today,
        reported.get(DeadlineKind.DISCREPANCY),
    )


def _receipt_signature(manifest: Manifest, mtn: str, today: date) -> Deadline | None:
    facility = manifest.designated_facility
    if facility is None or not facility.epa_site_id or facility_has_signed(manifest):
        return None
    started = delivery_date(manifest)
    if started is None:
        return None
    return _deadline(
        DeadlineKind.RECEIPT_SIGNATURE,
        mtn,
        facility.epa_site_id,
        HandlerRole.TSDF,
        started,
        RECEIPT_NEAR_DAYS,
        RECEIPT_SIGNATURE_DAYS,
        today,
        None,
    )


def _deadline(
    kind: DeadlineKind,
    mtn: str,
    site_id: str,
    role: HandlerRole,
    started: date,
    near_days: int,
    due_days: int,
    today: date,
    reported_on: date | None,
    *,
    category: GeneratorCategory | None = None,
) -> Deadline:
    near_on = started + timedelta(days=near_days)
    due = started + timedelta(days=due_days)
    return Deadline(
        kind=kind,
        mtn=mtn,
        site_id=site_id,
        role=role,
        started=started,
        near_on=near_on,
        due=due,
        state=clock_state(today, near_on=near_on, due=due, reported_on=reported_on),
        reported_on=reported_on,
        generator_category=category,
    )


def clock_state(
    today: date, *, near_on: date, due: date, reported_on: date | None = None
) -> DeadlineState:
    """REPORTED once recorded; LATE after the due day; NEAR from `near_on`; else OK."""
    if reported_on is not None:
        return DeadlineState.REPORTED
    if today > due:
        return DeadlineState.LATE
    if today >= near_on:
        return DeadlineState.NEAR
    return DeadlineState.OK


def most_urgent(deadlines: Iterable[Deadline]) -> list[Deadline]:
    """Late first, then near, then ok, then reported; earliest due first within each."""
    order = {
        DeadlineState.LATE: 0,
        DeadlineState.NEAR: 1,
        DeadlineState.OK: 2,
        DeadlineState.REPORTED: 3,
    }
    return sorted(deadlines, key=lambda d: (order[d.state], d.due, d.mtn, d.kind.value))


def _signed_on(handler: ManifestHandlerSite) -> date | None:
    days = [d for d in (_day(text) for text in handler.signature_dates()) if d is not None]
    return min(days) if days else None


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return parse_epa_datetime(text).date()
    except ValueError:
        return None
