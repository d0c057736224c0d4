"""EPA's JSON schemas (draft-04), checked with `jsonschema` and reported in EPA's words.

e-Manifest validates with a Java JSON-schema validator and reports its messages, e.g.
`Object has missing required properties (["dotHazardous","epaWaste","pcb"])` at field
`Emanifest.wastes.0`. This module reproduces those messages and field paths from
`jsonschema` errors, so a client sees what EPA would show it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from importlib import resources
from typing import Any

from jsonschema import Draft4Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from haztrak.entrypoints.sandbox.errors import Problem

MANIFEST_SCHEMA = "emanifest.json"
QUICKER_SIGN_SCHEMA = "quicker-sign.json"
SEARCH_SCHEMA = "search-manifest.json"
DATE_FORMATS = "[yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.SSSZ]"

_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?")
_JSON_TYPES = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
    (type(None), "null"),
)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def json_type(value: Any) -> str:
    return next((name for kind, name in _JSON_TYPES if isinstance(value, kind)), "unknown")


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """One of EPA's schemas, as packaged in `haztrak.resources` (copied byte for byte)."""
    folder = resources.files("haztrak.resources").joinpath("emanifest").joinpath("schema")
    schema: dict[str, Any] = json.loads(folder.joinpath(name).read_text(encoding="utf-8"))
    return schema


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("date-time")
    def is_date_time(instance: object) -> bool:
        return not isinstance(instance, str) or _DATE_TIME.fullmatch(instance) is not None

    return checker


@functools.cache
def validator(name: str) -> Draft4Validator:
    return Draft4Validator(_portable(load_schema(name)), format_checker=_format_checker())


def _portable(node: Any) -> Any:
    """A copy whose regular expressions Python can compile. EPA writes `[\\w-\\.]`, which
    ECMA-262 and Java read as a literal hyphen and Python refuses as a bad range."""
    if isinstance(node, dict):
        return {
            key: _python_pattern(value)
            if key == "pattern" and isinstance(value, str)
            else _portable(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_portable(value) for value in node]
    return node


def _python_pattern(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error:
        return pattern.replace("\\w-", "\\w\\-")
    return pattern


def schema_problems(
    document: Any, name: str = MANIFEST_SCHEMA, root: str = "Emanifest"
) -> list[Problem]:
    """Every schema violation, one entry per object for missing and unexpected properties."""
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for error in _leaf_errors(validator(name).iter_errors(document)):
        field = ".".join([root, *(str(part) for part in error.absolute_path)])
        message = describe(error)
        if (field, message) not in seen:
            seen.add((field, message))
            problems.append(Problem(field, message))
    return sorted(problems, key=lambda p: (p.field, p.message))


def _leaf_errors(errors: Iterable[ValidationError]) -> Iterable[ValidationError]:
    for error in errors:
        if error.context and error.validator in ("anyOf", "oneOf"):
            yield from _leaf_errors(error.context)
        else:
            yield error


def describe(error: ValidationError) -> str:
    """EPA's (the Java validator's) wording of one `jsonschema` error."""
    kind = error.validator
    expected: Any = error.validator_value
    instance: Any = error.instance
    schema: Any = error.schema
    if kind == "type":
        allowed = [expected] if isinstance(expected, str) else list(expected)
        return (
            f"Instance type ({json_type(instance)}) does not match any allowed primitive type "
            f"(allowed: {_json(allowed)})"
        )
    if kind == "required":
        missing = sorted(name for name in expected if name not in instance)
        return f"Object has missing required properties ({_json(missing)})"
    if kind == "additionalProperties":
        known = set(schema.get("properties", {}))
        extra = sorted(key for key in instance if key not in known)
        return f"Object instance has properties which are not allowed by the schema: {_json(extra)}"
    if kind == "enum":
        return (
            f"Instance value ({_json(instance)}) not found in enum "
            f"(possible values: {_json(expected)})"
        )
    if kind == "maxLength":
        return (
            f"String {_json(instance)} is too long "
            f"(length: {len(instance)}, maximum allowed: {expected})"
        )
    if kind == "minLength":
        return (
            f"String {_json(instance)} is too short "
            f"(length: {len(instance)}, required minimum: {expected})"
        )
    if kind == "maximum":
        return (
            "Numeric instance is greater than the required maximum "
            f"(maximum: {expected}, found: {instance})"
        )
    if kind == "minimum":
        return (
            "Numeric instance is lower than the required minimum "
            f"(minimum: {expected}, found: {instance})"
        )
    if kind == "pattern":
        return f"ECMA 262 regex {_json(expected)} does not match input string {_json(instance)}"
    if kind == "format":
        return (
            f"String {_json(instance)} is invalid against requested date format(s) {DATE_FORMATS}"
        )
    if kind == "dependencies":
        return _dependency_message(error)
    return error.message


def _dependency_message(error: ValidationError) -> str:
    dependencies: Any = error.validator_value
    instance: Any = error.instance
    for prop, needed in dependencies.items():
        if prop in instance and isinstance(needed, list):
            missing = [name for name in needed if name not in instance]
            if missing:
                return (
                    f"Property {_json(prop)} of object has missing property dependencies "
                    f"(schema requires {_json(needed)}; missing: {_json(missing)})"
                )
    return error.message
