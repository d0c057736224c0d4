"""RCRAInfo's two error shapes: the error document and the validation report.

An error document (`error.json`) answers a request the service refused as a whole:
`{code, message, errorId, date}`. A report (`crud-emanifest-return.json`) answers save, update
and delete: `{reportId, manifestTrackingNumber, operationStatus, date, errors[], warnings[]}`,
each entry `{message, field, value}` with EPA's field paths (`Emanifest.wastes.0.quantity`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from haztrak.domain.manifest.datetimes import format_epa_datetime

MAX_MESSAGE = 255
"""EPA's schemas cap messages at 255 characters."""


class RcraError(Exception):
    """A refusal answered with an error document."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def error_document(code: str, message: str, now: datetime) -> dict[str, str]:
    return {
        "code": code,
        "message": message[:MAX_MESSAGE],
        "errorId": str(uuid.uuid4()),
        "date": format_epa_datetime(now),
    }


class Problem(msgspec.Struct, frozen=True, omit_defaults=True):
    field: str
    message: str
    value: str | None = None

    def to_json(self) -> dict[str, str]:
        entry = {"message": self.message[:MAX_MESSAGE], "field": self.field}
        if self.value is not None:
            entry["value"] = self.value
        return entry


def as_value(value: Any) -> str:
    """A report entry's `value` is a string; objects and lists go in as JSON."""
    if isinstance(value, str):
        return value
    return msgspec.json.encode(value).decode()


class Findings:
    """Errors and warnings collected while checking one submission."""

    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, field: str, message: str, value: Any = None) -> None:
        self.errors.append(Problem(field, message, None if value is None else as_value(value)))

    def warn(self, field: str, message: str, value: Any = None) -> None:
        self.warnings.append(Problem(field, message, None if value is None else as_value(value)))

    def extend(self, other: Findings) -> None:
        self.errors.extend(other.errors)
        self.warnings.extend(other.warnings)

    @property
    def ok(self) -> bool:
        return not self.errors


def report(
    operation_status: str,
    now: datetime,
    *,
    tracking_number: str | None = None,
    findings: Findings | None = None,
) -> dict[str, Any]:
    document: dict[str, Any] = {"reportId": str(uuid.uuid4())}
    if tracking_number is not None:
        document["manifestTrackingNumber"] = tracking_number
    document["operationStatus"] = operation_status
    document["date"] = format_epa_datetime(now)
    findings = findings or Findings()
    document["errors"] = [problem.to_json() for problem in findings.errors]
    document["warnings"] = [problem.to_json() for problem in findings.warnings]
    return document
