"""RFC 9457 problem documents, with `detail` and, for validation, a list of `{field, message}`."""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Response

PROBLEM_JSON = "application/problem+json"


class FieldProblem(msgspec.Struct, frozen=True):
    field: str
    message: str


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] = msgspec.field(default_factory=list)


def problem(
    status: int,
    title: str,
    detail: str,
    errors: list[FieldProblem] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Problem]:
    return Response(
        Problem(title=title, status=status, detail=detail, errors=errors or []),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


_INDEX = re.compile(r"\[(\d+)\]")
_MISSING = re.compile(r"Object (?:missing required|contains unknown) field `([^`]+)`")


def field_path(raw: str) -> str:
    """`$.wastes[0].quantity` (msgspec) or `data.x` (Litestar) as `wastes.0.quantity`."""
    path = raw.removeprefix("data").removeprefix(".").removeprefix("$").removeprefix(".")
    return _INDEX.sub(r".\1", path).strip(".")


def litestar_field_problems(extra: Any) -> list[FieldProblem]:
    problems = []
    for item in extra if isinstance(extra, list) else []:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", "is not valid"))
        key = field_path(str(item.get("key", "")))
        missing = _MISSING.match(message)
        if missing:
            key = f"{key}.{missing.group(1)}" if key else missing.group(1)
        problems.append(FieldProblem(field=key or "body", message=_humane(message)))
    return problems


def _humane(message: str) -> str:
    # msgspec says "Expected `int`, got `str`"; a person reads "must be an integer".
    expected = re.match(r"Expected `(\w+)(?: \| null)?`, got `(\w+)`", message)
    if expected:
        names = {
            "int": "an integer",
            "str": "a string",
            "bool": "true or false",
            "float": "a number",
            "object": "an object",
            "array": "a list",
        }
        wanted = names.get(expected.group(1), expected.group(1))
        return f"must be {wanted}, not {names.get(expected.group(2), expected.group(2))}"
    if message.startswith("Expected `str` matching regex '^[^\\\\x00]*$'"):
        return "must not contain the NUL character"
    length = re.match(r"Expected `(str|array)` of length ([<>])= (\d+)", message)
    if length:
        bound = "at most" if length.group(2) == "<" else "at least"
        if length.group(1) == "str":
            return f"must be {bound} {length.group(3)} characters"
        return f"must have {bound} {length.group(3)} items"
    if message.startswith("Object missing required field"):
        return "is required"
    if message.startswith("Object contains unknown field"):
        return "is not a field of this request"
    return message
