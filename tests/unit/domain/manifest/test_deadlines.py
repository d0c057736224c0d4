"""The RCRA clocks of a manifest: exception report, discrepancy, receipt signature."""

from __future__ import annotations

from datetime import date, timedelta

import msgspec
import pytest

from haztrak.domain.manifest import (
    DiscrepancyResidueInfo,
    ElectronicSignature,
    HandlerRole,
    Manifest,
    ManifestHandlerSite,
    PaperSignature,
    Status,
    Waste,
)
from haztrak.domain.manifest.deadlines import (
    Deadline,
    DeadlineKind,
    DeadlineState,
    GeneratorCategory,
    clock_state,
    manifest_deadlines,
    most_urgent,
)

PICKUP = date(2026, 1, 1)


def _signed(epa_id: str, on: date | None, *, order: int | None = None) -> ManifestHandlerSite:
    signatures = (
        [ElectronicSignature(signature_date=f"{on.isoformat()}T15:00:00.000+0000")] if on else None
    )
    return ManifestHandlerSite(
        epa_site_id=epa_id, electronic_signatures_info=signatures, order=order
    )


def manifest(
    *,
    picked_up: date | None = PICKUP,
    delivered: date | None = None,
    facility_signed: date | None = None,
    status: Status = Status.IN_TRANSIT,
    wastes: list[Waste] | None = None,
    rejection: bool | None = None,
) -> Manifest:
    return Manifest(
        manifest_tracking_number="100000001ELC",
        status=status,
        generator=_signed("VATESTGEN001", picked_up),
        transporters=[
            _signed("VATESTTRA001", picked_up, order=1),
            _signed("VATESTTRA002", delivered, order=2),
        ],
        designated_facility=_signed("VATESTTSDF01", facility_signed),
        wastes=wastes,
        rejection=rejection,
    )


def only(deadlines: list[Deadline], kind: DeadlineKind) -> Deadline:
    found = [d for d in deadlines if d.kind is kind]
    assert len(found) == 1, deadlines
    return found[0]


def kinds(deadlines: list[Deadline]) -> set[DeadlineKind]:
    return {d.kind for d in deadlines}


def day(n: int) -> date:
    return PICKUP + timedelta(days=n)


# --- exception report -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "state"),
    [
        (0, DeadlineState.OK),
        (34, DeadlineState.OK),
        (35, DeadlineState.NEAR),
        (45, DeadlineState.NEAR),
        (46, DeadlineState.LATE),
    ],
)
def test_lqg_contacts_at_35_days_and_reports_by_45(days: int, state: DeadlineState) -> None:
    deadline = only(
        manifest_deadlines(manifest(), today=day(days), generator_category=GeneratorCategory.LQG),
        DeadlineKind.EXCEPTION_REPORT,
    )
    assert deadline.state is state
    assert (deadline.started, deadline.near_on, deadline.due) == (PICKUP, day(35), day(45))
    assert deadline.site_id == "VATESTGEN001"
    assert deadline.role is HandlerRole.GENERATOR


@pytest.mark.parametrize(
    ("days", "state"),
    [(35, DeadlineState.OK), (49, DeadlineState.OK), (50, DeadlineState.NEAR),
     (60, DeadlineState.NEAR), (61, DeadlineState.LATE)],
)  # fmt: skip
def test_sqg_reports_by_60_days(days: int, state: DeadlineState) -> None:
    deadline = only(
        manifest_deadlines(manifest(), today=day(days), generator_category=GeneratorCategory.SQG),
        DeadlineKind.EXCEPTION_REPORT,
    )
    assert deadline.state is state
    assert deadline.due == day(60)


def test_an_unknown_category_takes_the_lqg_clock() -> None:
    deadline = only(manifest_deadlines(manifest(), today=day(40)), DeadlineKind.EXCEPTION_REPORT)
    assert deadline.due == day(45)
    assert deadline.state is DeadlineState.NEAR
    assert "35 days" in deadline.summary(day(40))


@pytest.mark.parametrize("category", [GeneratorCategory.VSQG, GeneratorCategory.NOT_A_GENERATOR])
def test_a_very_small_generator_owes_no_exception_report(category: GeneratorCategory) -> None:
    deadlines = manifest_deadlines(manifest(), today=day(90), generator_category=category)
    assert DeadlineKind.EXCEPTION_REPORT not in kinds(deadlines)


def test_the_clock_stops_at_the_facilitys_signature() -> None:
    signed = manifest(delivered=day(3), facility_signed=day(50), status=Status.SIGNED)
    assert manifest_deadlines(signed, today=day(80)) == []


def test_a_signed_status_without_signature_details_stops_the_clock() -> None:
    signed = manifest(delivered=day(3), status=Status.SIGNED)
    assert DeadlineKind.EXCEPTION_REPORT not in kinds(manifest_deadlines(signed, today=day(80)))


def test_no_clock_before_pickup() -> None:
    scheduled = manifest(picked_up=None, status=Status.SCHEDULED)
    assert manifest_deadlines(scheduled, today=day(100)) == []


def test_shipped_date_starts_the_clock_without_a_transporter_signature() -> None:
    shipped = Manifest(
        manifest_tracking_number="100000002ELC",
        status=Status.IN_TRANSIT,
        shipped_date="2026-01-10T04:00:00.000+0000",
        generator=ManifestHandlerSite(epa_site_id="VATESTGEN001"),
        transporters=[ManifestHandlerSite(epa_site_id="VATESTTRA001", order=1)],
        designated_facility=ManifestHandlerSite(epa_site_id="VATESTTSDF01"),
    )
    deadline = only(manifest_deadlines(shipped, today=day(9)), DeadlineKind.EXCEPTION_REPORT)
    assert deadline.started == date(2026, 1, 10)


def test_a_paper_signature_counts_as_pickup() -> None:
    paper = Manifest(
        manifest_tracking_number="100000003JJK",
        status=Status.IN_TRANSIT,
        generator=ManifestHandlerSite(epa_site_id="VATESTGEN001"),
        transporters=[
            ManifestHandlerSite(
                epa_site_id="VATESTTRA001",
                order=1,
                paper_signature_info=PaperSignature(
                    printed_name="T One", signature_date="2026-01-05T12:00:00Z"
                ),
            )
        ],
        designated_facility=ManifestHandlerSite(epa_site_id="VATESTTSDF01"),
    )
    deadline = only(manifest_deadlines(paper, today=day(4)), DeadlineKind.EXCEPTION_REPORT)
    assert deadline.started == date(2026, 1, 5)


def test_a_recorded_report_is_reported_not_late() -> None:
    deadline = only(
        manifest_deadlines(
            manifest(),
            today=day(70),
            reported={DeadlineKind.EXCEPTION_REPORT: day(44)},
        ),
        DeadlineKind.EXCEPTION_REPORT,
    )
    assert deadline.state is DeadlineState.REPORTED
    assert deadline.reported_on == day(44)
    assert "reported" in deadline.summary(day(70))


def test_drafts_have_no_deadlines() -> None:
    draft = Manifest(generator=_signed("VATESTGEN001", PICKUP))
    assert manifest_deadlines(draft, today=day(100)) == []


# --- receipt signature ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "state"),
    [(24, DeadlineState.OK), (25, DeadlineState.NEAR), (30, DeadlineState.NEAR),
     (31, DeadlineState.LATE)],
)  # fmt: skip
def test_the_receiver_signs_within_30_days_of_delivery(days: int, state: DeadlineState) -> None:
    delivered = manifest(delivered=PICKUP, status=Status.READY_FOR_SIGNATURE)
    deadline = only(manifest_deadlines(delivered, today=day(days)), DeadlineKind.RECEIPT_SIGNATURE)
    assert deadline.state is state
    assert deadline.site_id == "VATESTTSDF01"
    assert deadline.role is HandlerRole.TSDF
    assert not deadline.kind.reportable


def test_no_receipt_clock_while_a_transporter_still_carries_it() -> None:
    assert DeadlineKind.RECEIPT_SIGNATURE not in kinds(
        manifest_deadlines(manifest(), today=day(40))
    )


def test_received_date_starts_the_receipt_clock() -> None:
    delivered = msgspec_replace(manifest(), received_date="2026-01-20T00:00:00Z")
    deadline = only(manifest_deadlines(delivered, today=day(20)), DeadlineKind.RECEIPT_SIGNATURE)
    assert deadline.due == date(2026, 2, 19)


def test_the_receipt_clock_stops_at_the_signature() -> None:
    signed = manifest(delivered=day(2), facility_signed=day(40), status=Status.SIGNED)
    assert DeadlineKind.RECEIPT_SIGNATURE not in kinds(manifest_deadlines(signed, today=day(41)))


# --- discrepancy ------------------------------------------------------------------------------


def _line(*, waste_quantity: bool, waste_type: bool, residue: bool) -> Waste:
    return Waste(
        line_number=1,
        dot_hazardous=False,
        epa_waste=True,
        pcb=False,
        br=False,
        discrepancy_residue_info=DiscrepancyResidueInfo(
            waste_quantity=waste_quantity, waste_type=waste_type, residue=residue
        ),
    )


@pytest.mark.parametrize(
    ("days", "state"),
    [(9, DeadlineState.OK), (10, DeadlineState.NEAR), (15, DeadlineState.NEAR),
     (16, DeadlineState.LATE)],
)  # fmt: skip
def test_a_discrepancy_is_settled_within_15_days(days: int, state: DeadlineState) -> None:
    received = manifest(
        delivered=PICKUP,
        facility_signed=PICKUP,
        status=Status.SIGNED,
        wastes=[_line(waste_quantity=True, waste_type=False, residue=False)],
    )
    deadline = only(manifest_deadlines(received, today=day(days)), DeadlineKind.DISCREPANCY)
    assert deadline.state is state
    assert deadline.due == day(15)
    assert deadline.site_id == "VATESTTSDF01"


def test_a_rejection_is_a_discrepancy() -> None:
    rejected = manifest(
        delivered=PICKUP, facility_signed=PICKUP, status=Status.SIGNED, rejection=True
    )
    assert kinds(manifest_deadlines(rejected, today=day(1))) == {DeadlineKind.DISCREPANCY}


def test_residue_alone_is_not_a_discrepancy() -> None:
    residue = manifest(
        delivered=PICKUP,
        facility_signed=PICKUP,
        status=Status.SIGNED,
        wastes=[_line(waste_quantity=False, waste_type=False, residue=True)],
    )
    assert manifest_deadlines(residue, today=day(1)) == []


def test_a_settled_discrepancy_is_reported() -> None:
    received = manifest(
        delivered=PICKUP, facility_signed=PICKUP, status=Status.SIGNED, rejection=True
    )
    deadline = only(
        manifest_deadlines(received, today=day(30), reported={DeadlineKind.DISCREPANCY: day(12)}),
        DeadlineKind.DISCREPANCY,
    )
    assert deadline.state is DeadlineState.REPORTED


def test_a_discrepancy_noted_before_signing_runs_beside_the_receipt_clock() -> None:
    noted = manifest(
        delivered=PICKUP,
        status=Status.READY_FOR_SIGNATURE,
        wastes=[_line(waste_quantity=False, waste_type=True, residue=False)],
    )
    assert kinds(manifest_deadlines(noted, today=day(1))) == {
        DeadlineKind.EXCEPTION_REPORT,
        DeadlineKind.DISCREPANCY,
        DeadlineKind.RECEIPT_SIGNATURE,
    }


# --- helpers ----------------------------------------------------------------------------------


def test_clock_state_edges() -> None:
    near, due = date(2026, 1, 10), date(2026, 1, 15)
    assert clock_state(date(2026, 1, 9), near_on=near, due=due) is DeadlineState.OK
    assert clock_state(near, near_on=near, due=due) is DeadlineState.NEAR
    assert clock_state(due, near_on=near, due=due) is DeadlineState.NEAR
    assert clock_state(date(2026, 1, 16), near_on=near, due=due) is DeadlineState.LATE
    assert (
        clock_state(date(2026, 1, 16), near_on=near, due=due, reported_on=due)
        is DeadlineState.REPORTED
    )


def test_most_urgent_first() -> None:
    deadlines = manifest_deadlines(
        manifest(delivered=PICKUP, status=Status.READY_FOR_SIGNATURE), today=day(32)
    )
    ordered = most_urgent(deadlines)
    assert [d.state for d in ordered] == [DeadlineState.LATE, DeadlineState.OK]
    assert ordered[0].summary(day(32)).endswith("2 days late (due 2026-01-31)")


@pytest.mark.parametrize(
    ("text", "category"),
    [("LQG", GeneratorCategory.LQG), ("sqg", GeneratorCategory.SQG),
     ("VSG", GeneratorCategory.VSQG), ("VSQG", GeneratorCategory.VSQG),
     ("N", GeneratorCategory.NOT_A_GENERATOR), ("", None), (None, None), ("big", None)],
)  # fmt: skip
def test_generator_category_spellings(text: str | None, category: GeneratorCategory | None) -> None:
    assert GeneratorCategory.parse(text) is category


def msgspec_replace(m: Manifest, **changes: object) -> Manifest:
    return msgspec.structs.replace(m, **changes)
