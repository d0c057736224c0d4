"""What clients send that EPA's schema does not say: keys of their own (dropped, each named),
and date-times in the ISO 8601 forms a browser writes."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from tests.manifest_documents import manifest_document

from haztrak.domain.manifest import (
    IGNORED_FIELD,
    Problem,
    drop_unknown_fields,
    parse_iso_datetime,
    schema_problems,
)


def test_unknown_keys_are_dropped_wherever_they_are_and_each_is_named() -> None:
    document: dict[str, Any] = manifest_document()
    document["transporters"][0]["clientKey"] = "0b5c8f0e-4d8e-4e4b-9a3e-3f1f9d1c2a10"
    document["transporters"][1]["manifest"] = 12
    document["generator"]["siteAddress"]["state"]["region"] = "South"
    document["wastes"][2]["quantity"]["note"] = {"deep": [1, 2, {"deeper": "x"}]}
    document["colour"] = "red"
    dropped = drop_unknown_fields(document)
    assert dropped == [
        Problem("generator.siteAddress.state.region", IGNORED_FIELD),
        Problem("transporters.0.clientKey", IGNORED_FIELD),
        Problem("transporters.1.manifest", IGNORED_FIELD),
        Problem("wastes.2.quantity.note", IGNORED_FIELD),
        Problem("colour", IGNORED_FIELD),
    ]
    assert document == manifest_document()
    assert schema_problems(document) == []


def test_what_is_not_an_unknown_key_is_left_for_the_shape_check() -> None:
    document: dict[str, Any] = manifest_document()
    document["generator"] = "VATESTGEN001"  # the wrong type: the check reports it
    document["transporters"][0]["bad\x00key"] = 1  # a NUL is never stored, not even dropped
    document["correctionRequests"] = [{"anything": "goes"}]  # EPA leaves this object open
    before = copy.deepcopy(document)
    assert drop_unknown_fields(document) == []
    assert document == before
    assert {p.field for p in schema_problems(document)} >= {
        "generator",
        "transporters.0.bad\x00key",
    }


def test_a_document_that_is_not_an_object_has_nothing_to_drop() -> None:
    for document in (None, [], "manifest", 5):
        assert drop_unknown_fields(document) == []


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        # the original client's Quicker Sign date: seconds left out, a fraction of the minute
        ("2026-12-03T08:03.000Z", datetime(2026, 12, 3, 8, 3, tzinfo=UTC)),
        ("2026-12-03T08:03.5Z", datetime(2026, 12, 3, 8, 3, 30, tzinfo=UTC)),
        ("2026-12-03T08:03Z", datetime(2026, 12, 3, 8, 3, tzinfo=UTC)),
        ("2026-12-03T08:03:15.250Z", datetime(2026, 12, 3, 8, 3, 15, 250_000, tzinfo=UTC)),
        ("2026-12-03T08:03:15.123456789Z", datetime(2026, 12, 3, 8, 3, 15, 123_456, tzinfo=UTC)),
        ("2026-12-03t08:03:15z", datetime(2026, 12, 3, 8, 3, 15, tzinfo=UTC)),
        ("2026-12-03 08:03:15+01:00", datetime(2026, 12, 3, 7, 3, 15, tzinfo=UTC)),
        ("2026-12-03T08:03:15-0500", datetime(2026, 12, 3, 13, 3, 15, tzinfo=UTC)),
        ("2026-12-03T08:03+02", datetime(2026, 12, 3, 6, 3, tzinfo=UTC)),
        ("2019-03-13T04:00:00.000+0000", datetime(2019, 3, 13, 4, tzinfo=UTC)),  # EPA's own
    ],
)
def test_iso_date_times_a_browser_writes_are_read(text: str, moment: datetime) -> None:
    parsed = parse_iso_datetime(text)
    assert parsed == moment
    assert parsed.tzinfo is UTC


def test_a_date_time_without_an_offset_stays_naive_for_the_caller_to_judge() -> None:
    assert parse_iso_datetime("2026-12-03T08:03") == datetime(2026, 12, 3, 8, 3)
    assert parse_iso_datetime("2026-12-03T08:03").tzinfo is None


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-30T08:03.000Z",  # no such day
        "2026-13-03T08:03Z",
        "2026-12-03T24:00Z",
        "2026-12-03T08:60Z",
        "2026-12-03T08:03:60Z",
        "2026-12-03T08:03+24:00",
        "0001-01-01T00:00+01:00",  # before the first instant
        "9999-12-31T23:59.99-01:00",  # after the last
        "2026-12-03",
        "2026-12-03T08",
        "08:03",
        "yesterday",
        "",
        "2026-12-03T08:03.Z",
        "2026-12-03T08:03:15.1234567890Z",
        "\uff12\uff10\uff12\uff16-12-03T08:03Z",  # digits of other scripts
        "2026-12-03T08:03:\u0661\u0665Z",
    ],
)
def test_a_date_time_that_does_not_exist_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="date-time"):
        parse_iso_datetime(text)


def test_offsets_are_kept_to_the_minute() -> None:
    parsed = parse_iso_datetime("2026-12-03T08:03:00+05:45")
    assert parsed == datetime(2026, 12, 3, 8, 3, tzinfo=timezone(timedelta(hours=5, minutes=45)))
