"""What the OpenAPI document says that Litestar cannot read from a handler's signature: the
problem documents each operation can answer, and the manifest body the manifest endpoints read
raw (so that the domain reports every shape problem at once, with EPA's field paths)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.openapi import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, Operation, Reference, RequestBody

from haztrak.entrypoints.http.problems import PROBLEM_JSON, Problem

_PROBLEMS = {
    400: "The request is malformed",
    401: "Not logged in: log in, or send a valid bearer token",
    403: "Your role does not allow this (or, with a cookie session, X-CSRFToken is missing)",
    404: "No such object, or not one you may see",
    409: "The object's state does not allow this now",
    412: "If-Match names a version that is no longer the current one; nothing changed",
    413: "The body is larger than this operation takes",
    422: "Invalid input: `errors` names each field and what is wrong",
    429: "Too many attempts: wait as long as Retry-After says",
    502: "RCRAInfo refused the request (for instance the org's API credentials)",
    503: "A service this needs is unavailable now: try again after Retry-After",
}

AUTHENTICATED = (401, 503)
"""Any operation that needs a login: no (valid) login, or the session store is unreachable."""


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """`responses=` of a handler: each status as an RFC 9457 problem document."""
    return {
        status: ResponseSpec(
            Problem,
            description=_PROBLEMS[status],
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for status in statuses
    }


def answers(*statuses: int, public: bool = False) -> dict[int, ResponseSpec]:
    """Problem documents for `statuses`, and for a failed login unless the operation is public.
    Merge other answers with `|`."""
    return problems(*sorted({*(() if public else AUTHENTICATED), *statuses}))


def not_modified() -> ResponseSpec:
    return ResponseSpec(None, description="Not modified: If-None-Match holds the current ETag")


MANIFEST_SCHEMA = Reference(ref="#/components/schemas/Manifest")


def manifest_body(description: str) -> type[Operation]:
    """The `operation_class` of a handler whose body is EPA's manifest JSON, read raw."""

    @dataclass
    class ManifestBodyOperation(Operation):
        def __post_init__(self) -> None:
            self.request_body = RequestBody(
                content={"application/json": OpenAPIMediaType(schema=MANIFEST_SCHEMA)},
                description=description,
                required=True,
            )

    return ManifestBodyOperation


def json_array(item: Any, description: str) -> dict[int, ResponseSpec]:
    """The 200 of a handler that answers encoded JSON itself (`Response[bytes]`)."""
    return {200: ResponseSpec(list[item], description=description, generate_examples=False)}
