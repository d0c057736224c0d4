"""EPA's date-times, tracking numbers and code lists."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from haztrak.domain.manifest import (
    DRAFT_SUFFIX,
    CodeDescription,
    codes,
    draft_tracking_number,
    format_epa_datetime,
    is_draft_tracking_number,
    is_tracking_number,
    parse_epa_datetime,
)

SCHEMA_FILE = Path(__file__).parents[4] / "src/haztrak/resources/emanifest/schema/emanifest.json"
LOOKUPS = Path(__file__).parents[4] / "src/haztrak/resources/lookups"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-03-13T04:00:00.000+0000", datetime(2019, 3, 13, 4, tzinfo=UTC)),
        ("2023-11-15T02:00:00.000Z", datetime(2023, 11, 15, 2, tzinfo=UTC)),
        ("2019-03-13T04:00:00+00:00", datetime(2019, 3, 13, 4, tzinfo=UTC)),
        ("2019-03-13T04:00:00Z", datetime(2019, 3, 13, 4, tzinfo=UTC)),
        ("2018-01-22T05:07:00.00Z", datetime(2018, 1, 22, 5, 7, tzinfo=UTC)),
        ("2021-09-24T16:54:01.499+0000", datetime(2021, 9, 24, 16, 54, 1, 499_000, tzinfo=UTC)),
        ("2021-09-24T16:54:01.1234567Z", datetime(2021, 9, 24, 16, 54, 1, 123_456, tzinfo=UTC)),
        ("2019-03-13T23:00:00.000-0500", datetime(2019, 3, 14, 4, tzinfo=UTC)),
        ("2019-03-13T09:30:00+05:30", datetime(2019, 3, 13, 4, tzinfo=UTC)),
    ],
)
def test_epa_date_times_parse_to_aware_utc(text: str, expected: datetime) -> None:
    parsed = parse_epa_datetime(text)

    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "text",
    [
        "2019-03-13T04:00:00.000",
        "2019-03-13",
        "2019-03-13 04:00:00Z",
        "2019-13-13T04:00:00Z",
        "2019-03-13T04:00:00+2500",
        "0001-01-01T00:00:00+2300",  # before the first instant a datetime holds in UTC
        "9999-12-31T23:59:59-2300",  # after the last
        "yesterday",
        "",
    ],
)
def test_anything_else_is_not_an_epa_date_time(text: str) -> None:
    with pytest.raises(ValueError, match=r"date-time|offset|month"):
        parse_epa_datetime(text)


def test_we_write_utc_with_milliseconds() -> None:
    moment = datetime(2025, 3, 3, 10, 0, 0, 123_999, tzinfo=timezone(timedelta(hours=-5)))

    assert format_epa_datetime(moment) == "2025-03-03T15:00:00.123+0000"
    assert parse_epa_datetime(format_epa_datetime(moment)) == moment.replace(microsecond=123_000)


def test_a_naive_date_time_cannot_be_written() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_epa_datetime(datetime(2025, 3, 3))


@pytest.mark.parametrize(
    ("value", "tracking", "draft"),
    [
        ("100032524ELC", True, False),
        ("000000042DFT", True, True),
        ("10003252ELC", False, False),
        ("100032524elc", False, False),
        ("CHANGE ME", False, False),
    ],
)
def test_tracking_numbers_and_draft_numbers(value: str, tracking: bool, draft: bool) -> None:
    assert is_tracking_number(value) is tracking
    assert is_draft_tracking_number(value) is draft


def test_draft_numbers_are_nine_digits_and_the_draft_suffix() -> None:
    assert draft_tracking_number(42) == f"000000042{DRAFT_SUFFIX}" == "000000042DFT"
    assert is_draft_tracking_number(None) is False
    with pytest.raises(ValueError, match=r"0\.\.999999999"):
        draft_tracking_number(1_000_000_000)


def _schema_enum(definition: str, key: str) -> list[str]:
    schema = json.loads(SCHEMA_FILE.read_bytes())
    enum: list[str] = schema["definitions"][definition]["properties"][key]["enum"]
    return enum


@pytest.mark.parametrize(
    ("entries", "definition"),
    [
        (codes.CONTAINER_TYPES, "ContainerType"),
        (codes.UNITS_OF_MEASURE, "QuantityUnitsOfMeasurement"),
    ],
)
def test_codes_and_descriptions_are_epas(
    entries: tuple[CodeDescription, ...], definition: str
) -> None:
    assert [entry.code for entry in entries] == _schema_enum(definition, "code")
    assert [entry.description for entry in entries] == _schema_enum(definition, "description")


def test_the_management_methods_hold_epas_h_codes() -> None:
    published = {
        "H010", "H020", "H039", "H040", "H050", "H061", "H070", "H077", "H081", "H101", "H103",
        "H111", "H112", "H121", "H122", "H129", "H131", "H132", "H134", "H135", "H141",
    }  # fmt: skip
    seen_in_rcrainfo = "H011"  # MERCURY RECOVERY, on manifest 100033134ELC

    assert published | {seen_in_rcrainfo} <= set(codes.MANAGEMENT_METHOD_BY_CODE)
    assert codes.MANAGEMENT_METHOD_BY_CODE["H141"].description == (
        "STORAGE, BULKING AND/OR TRANSFER OFF SITE"
    )


def test_the_packing_groups_match_the_dot_lookup() -> None:
    groups = json.loads((LOOKUPS / "dot-packing-groups.json").read_bytes())

    assert [entry.code for entry in codes.DOT_PACKING_GROUPS] == groups


@pytest.mark.parametrize(
    ("entries", "index", "pattern"),
    [
        (codes.CONTAINER_TYPES, codes.CONTAINER_TYPE_BY_CODE, r"^[A-Z]{2}$"),
        (codes.UNITS_OF_MEASURE, codes.UNIT_OF_MEASURE_BY_CODE, r"^[PTKMGLYN]$"),
        (codes.DENSITY_UNITS, codes.DENSITY_UNIT_BY_CODE, r"^[12]$"),
        (codes.MANAGEMENT_METHODS, codes.MANAGEMENT_METHOD_BY_CODE, r"^H\d{3}$"),
        (codes.FORM_CODES, codes.FORM_CODE_BY_CODE, r"^W\d{3}$"),
        (codes.SOURCE_CODES, codes.SOURCE_CODE_BY_CODE, r"^G\d{2}$"),
        (codes.LOAD_TYPES, codes.LOAD_TYPE_BY_CODE, r"^[A-Za-z]+$"),
        (codes.MTN_SUFFIXES, codes.MTN_SUFFIX_BY_CODE, r"^[A-Z]{3}$"),
        (codes.DOT_PACKING_GROUPS, codes.DOT_PACKING_GROUP_BY_CODE, r"^I{1,3}$"),
    ],
)
def test_each_code_list_has_unique_described_codes_and_an_index(
    entries: tuple[CodeDescription, ...], index: Mapping[str, CodeDescription], pattern: str
) -> None:
    assert len({entry.code for entry in entries}) == len(entries)
    assert all(entry.description for entry in entries)
    assert all(re.fullmatch(pattern, entry.code) for entry in entries)
    assert dict(index) == {entry.code: entry for entry in entries}


def test_code_list_entries_cannot_be_changed_in_place() -> None:
    with pytest.raises(AttributeError):
        codes.CONTAINER_TYPES[0].code = "XX"  # type: ignore[misc]
    with pytest.raises(TypeError):
        codes.CONTAINER_TYPE_BY_CODE["XX"] = codes.CONTAINER_TYPES[0]  # type: ignore[index]


def test_the_electronic_suffix_is_known() -> None:
    assert "ELC" in codes.MTN_SUFFIX_BY_CODE
