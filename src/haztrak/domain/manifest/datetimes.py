"""Date-times as e-Manifest writes them.

The manifest keeps EPA's date-time strings as they arrived, so that a manifest encodes back to
the same JSON; rules parse them with `parse_epa_datetime` when they need to compare.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_EPA_DATETIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})T(?P<time>\d{2}:\d{2}:\d{2})"
    r"(?:\.(?P<fraction>\d{1,9}))?"
    r"(?P<offset>Z|[+-]\d{2}:?\d{2})"
)

DATETIME_EXAMPLE = "2019-03-13T04:00:00.000+0000"


def parse_epa_datetime(text: str) -> datetime:
    """Parse `2019-03-13T04:00:00.000+0000`, `…Z` or `…+00:00`, with or without a fraction.

    The result is aware and in UTC. An offset is required: EPA's schema says date-time, which
    has one. Raises ValueError for anything else.
    """
    match = _EPA_DATETIME.fullmatch(text)
    if match is None:
        raise ValueError(f"not a date-time like {DATETIME_EXAMPLE}: {text!r}")
    fraction = (match["fraction"] or "").ljust(6, "0")[:6]
    naive = datetime.fromisoformat(f"{match['date']}T{match['time']}.{fraction}")
    try:
        return naive.replace(tzinfo=_offset(match["offset"])).astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+2300 is before the first UTC instant
        raise ValueError(f"not a date-time in range: {text!r}") from None


_ISO_DATETIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2}))?(?:[.,](?P<fraction>\d{1,9}))?"
    r"(?P<offset>[Zz]|[+-]\d{2}(?::?\d{2})?)?",
    re.ASCII,  # 0-9 only
)


def parse_iso_datetime(text: str) -> datetime:
    """Parse the ISO 8601 date-times a browser writes, with or without seconds.

    `2026-12-03T08:03:15.250Z`, `2026-12-03T08:03Z`, `2026-12-03T08:03:15+01:00`, and the form
    the original Haztrak client sends, `2026-12-03T08:03.000Z` (a decimal fraction of the
    minute, as ISO 8601 allows on the last unit given). The result is in UTC when the text has
    an offset, and naive when it has none, so that the caller decides what that means. Raises
    ValueError for anything else, including a date or time that does not exist.
    """
    match = _ISO_DATETIME.fullmatch(text)
    if match is None:
        raise ValueError(f"not an ISO 8601 date-time like 2026-12-03T08:03:00Z: {text!r}")
    digits = match["fraction"] or ""
    second = match["second"]
    try:
        moment = datetime.fromisoformat(f"{match['date']}T{match['hour']}:{match['minute']}")
        if second is None:  # the fraction is of the minute
            moment += timedelta(microseconds=int(digits.ljust(9, "0")) * 60 // 1000)
        elif int(second) > 59:
            raise ValueError("a minute has 60 seconds")
        else:
            moment += timedelta(seconds=int(second), microseconds=int(digits.ljust(6, "0")[:6]))
        offset = match["offset"]
        if offset is None:
            return moment
        if len(offset) == 3:  # +HH
            offset += "00"
        return moment.replace(tzinfo=_offset(offset.upper())).astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError(f"not a date-time that exists: {text!r}") from None


def is_epa_datetime(text: str) -> bool:
    try:
        parse_epa_datetime(text)
    except ValueError:
        return False
    return True


def format_epa_datetime(moment: datetime) -> str:
    """The form this service writes: UTC with milliseconds, `2019-03-13T04:00:00.000+0000`."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no known offset")
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


def _offset(text: str) -> timezone:
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise ValueError(f"not a UTC offset: {text!r}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
