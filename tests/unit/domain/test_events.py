"""Domain events derived from a manifest before and after a change (domain.events)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from haztrak.domain.events import (
    DomainEvent,
    EventKind,
    credentials_failing,
    deadline_event,
    manifest_events,
    task_failed,
)
from haztrak.domain.manifest import Manifest, manifest_from_document
from tests.manifest_documents import manifest_document

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
MTN = "100000001ELC"
GEN, T1, T2, TSDF = "VATESTGEN001", "MOCKTRANS001", "MOCKTRANS002", "MOCKTSDFS001"
SIGNATURE = {"signatureDate": "2026-03-01T10:00:00.000+00:00"}


def _manifest(status: str = "Scheduled", *, signed: tuple[str, ...] = (), **extra: Any) -> Manifest:
    document = manifest_document(mtn=MTN, status=status)
    parties = [document["generator"], *document["transporters"], document["designatedFacility"]]
    for party in parties:
        if party["epaSiteId"] in signed:
            party["electronicSignaturesInfo"] = [SIGNATURE]
    document.update(extra)
    return manifest_from_document(document)


def _kinds(events: list[DomainEvent]) -> list[EventKind]:
    return [e.kind for e in events]


def test_a_draft_tells_nothing() -> None:
    draft = manifest_from_document(manifest_document(mtn="000000001DFT"))
    assert manifest_events(None, draft, AT) == []
    assert manifest_events(draft, draft, AT) == []


def test_a_new_manifest_waits_for_its_generator() -> None:
    (event,) = manifest_events(None, _manifest(), AT, org_ids=[uuid.UUID(int=7)])
    assert event.kind is EventKind.MANIFEST_AWAITING_SIGNATURE
    assert (event.mtn, event.status, event.at) == (MTN, "Scheduled", AT)
    assert event.site_ids == (GEN,)
    assert event.org_ids == (uuid.UUID(int=7),)
    assert event.detail["role"] == "Generator"


def test_a_submitted_draft_is_new_here() -> None:
    draft = manifest_from_document(manifest_document(mtn="000000001DFT"))
    assert _kinds(manifest_events(draft, _manifest(), AT)) == [
        EventKind.MANIFEST_AWAITING_SIGNATURE
    ]


def test_the_generator_signing_tells_the_signature_and_the_next_turn() -> None:
    before = _manifest()
    after = _manifest("InTransit", signed=(GEN,))
    events = manifest_events(before, after, AT)
    assert _kinds(events) == [EventKind.MANIFEST_AWAITING_SIGNATURE, EventKind.MANIFEST_SIGNED]
    waiting, signed = events
    assert waiting.site_ids == (T1,)
    assert waiting.detail["transporterOrder"] == "1"
    assert signed.detail == {"role": "Generator", "siteId": GEN}
    assert set(signed.site_ids) == {GEN, T1, T2, TSDF}


def test_a_transporter_signature_names_its_order() -> None:
    before = _manifest("InTransit", signed=(GEN,))
    after = _manifest("InTransit", signed=(GEN, T1))
    events = manifest_events(before, after, AT)
    signed = next(e for e in events if e.kind is EventKind.MANIFEST_SIGNED)
    assert signed.detail == {"role": "Transporter", "siteId": T1, "transporterOrder": "1"}
    waiting = next(e for e in events if e.kind is EventKind.MANIFEST_AWAITING_SIGNATURE)
    assert waiting.site_ids == (T2,)


def test_the_facility_signing_is_a_receipt() -> None:
    before = _manifest("ReadyForSignature", signed=(GEN, T1, T2))
    after = _manifest("Signed", signed=(GEN, T1, T2, TSDF), receivedDate="2026-03-01T11:00:00Z")
    assert _kinds(manifest_events(before, after, AT)) == [
        EventKind.MANIFEST_SIGNED,
        EventKind.MANIFEST_RECEIVED,
    ]


def test_a_discrepancy_and_a_rejection_are_told_once() -> None:
    before = _manifest("ReadyForSignature", signed=(GEN, T1, T2))
    document = msgspec.to_builtins(_manifest("Signed", signed=(GEN, T1, T2, TSDF)))
    document["discrepancy"] = True
    document["wastes"][1]["discrepancyResidueInfo"] = {"wasteQuantity": True}
    after = manifest_from_document(document)
    events = manifest_events(before, after, AT)
    assert EventKind.MANIFEST_DISCREPANCY in _kinds(events)
    discrepancy = next(e for e in events if e.kind is EventKind.MANIFEST_DISCREPANCY)
    assert discrepancy.detail == {"wasteLines": "2"}
    assert EventKind.MANIFEST_DISCREPANCY not in _kinds(manifest_events(after, after, AT))

    document["rejection"] = True
    document["rejectionInfo"] = {"transporterOnSite": True, "rejectionType": "FullReject"}
    rejected = manifest_from_document(document)
    kinds = _kinds(manifest_events(before, rejected, AT))
    assert EventKind.MANIFEST_REJECTED in kinds
    assert EventKind.MANIFEST_RECEIVED not in kinds


def test_a_correction_opened() -> None:
    before = _manifest("Signed", signed=(GEN, T1, T2, TSDF))
    after = _manifest("UnderCorrection", signed=(GEN, T1, T2, TSDF))
    assert _kinds(manifest_events(before, after, AT)) == [EventKind.MANIFEST_CORRECTION_OPENED]
    assert manifest_events(after, after, AT) == []


def test_a_first_sight_tells_no_history() -> None:
    """A first sync of a site must not report years of receipts."""
    received = _manifest("Signed", signed=(GEN, T1, T2, TSDF), discrepancy=True)
    assert manifest_events(None, received, AT) == []


def test_an_unchanged_manifest_tells_nothing() -> None:
    manifest = _manifest("InTransit", signed=(GEN,))
    assert manifest_events(manifest, manifest, AT) == []


def test_events_of_other_sources() -> None:
    org, owner, task = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    failing = credentials_failing(org, AT)
    assert (failing.kind, failing.org_ids) == (EventKind.CREDENTIALS_FAILING, (org,))
    failed = task_failed(task, "quicker_sign", owner, AT, title="Refused", subject=MTN)
    assert failed.user_ids == (owner,)
    assert failed.detail == {
        "taskId": str(task),
        "taskName": "quicker_sign",
        "title": "Refused",
        "subject": MTN,
    }


def test_a_deadline_event_has_one_id_per_deadline() -> None:
    due = datetime(2026, 4, 1, tzinfo=UTC)
    near = [
        deadline_event(
            EventKind.DEADLINE_NEAR, MTN, at, site_ids=[GEN], deadline="exception_report", due=due
        )
        for at in (AT, datetime(2026, 3, 2, tzinfo=UTC))
    ]
    assert near[0].id == near[1].id
    passed = deadline_event(
        EventKind.DEADLINE_PASSED, MTN, AT, site_ids=[GEN], deadline="exception_report", due=due
    )
    assert passed.id != near[0].id
    with pytest.raises(ValueError, match="not a deadline"):
        deadline_event(EventKind.MANIFEST_SIGNED, MTN, AT, site_ids=[], deadline="x", due=due)


def test_an_event_survives_json() -> None:
    event = manifest_events(None, _manifest(), AT)[0]
    assert msgspec.json.decode(msgspec.json.encode(event), type=DomainEvent) == event
