"""Text as it enters the API: no NUL character, and never longer than where it is stored.

Every string of a request (body field, query or path parameter) is declared with one of these,
so the limit is both enforced (a 422 naming the field, before anything reaches a driver) and
published in the OpenAPI document. PostgreSQL cannot store a NUL at all, and SQLite would;
refusing it at the door treats both the same. The lengths are the columns' (see
`adapters/persistence/tables.py`); a value with no column of its own gets a bound a person
never reaches, so no input can make a query or a hash arbitrarily expensive.

Manifest bodies are EPA's JSON, read raw and checked by the domain (`domain/manifest/schema.py`),
which applies the same NUL rule with EPA's field paths.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.openapi.spec import Example
from litestar.params import PathParameter, QueryParameter

NO_NUL = r"^[^\x00]*$"
"""A pattern every string matches unless it holds the NUL character."""

# The columns' lengths.
USERNAME = 150
PERSON_NAME = 150
EMAIL = 254
EPA_ID = 12
MTN = 12
SITE_NAME = 200
SLUG = 200
TOKEN_NAME = 100
RCRA_USERNAME = 100
RCRA_API_ID = 100
PHONE = 20
SITE_TYPE = 20
STATUS = 30
DOT_VALUE = 500
# Values with no column: bounds far beyond any real one.
PASSWORD = 1_024
RCRA_API_KEY = 1_024
SIGNATURE_NAME = 255  # EPA's paperSignatureInfo.printedName
LIST_NAME = 50  # a path key naming one of a few lists: a state, a code list
DATE_TIME = 64
CURSOR = 200
TRACKING_NUMBERS = 1_000  # manifests signed at once


def text(max_length: int, *, min_length: int | None = None) -> msgspec.Meta:
    """The constraints of a string field of a request body: `Annotated[str, text(100)]`."""
    return msgspec.Meta(min_length=min_length, max_length=max_length, pattern=NO_NUL)


def text_list(max_length: int, *, max_items: int) -> msgspec.Meta:
    """The constraints of a list of text: `Annotated[list[Annotated[str, text(12)]],
    text_list(12, max_items=100)]`. The OpenAPI generator does not read constraints of list
    items, so the list states its items' too."""
    items = {"type": "string", "maxLength": max_length, "pattern": NO_NUL}
    return msgspec.Meta(max_length=max_items, extra_json_schema={"extra": {"items": items}})


def text_query(max_length: int, *, name: str | None = None, **kwargs: Any) -> Any:
    """A query parameter's constraints: `Annotated[str | None, text_query(12, name="epaId")]`."""
    return QueryParameter(max_length=max_length, pattern=NO_NUL, name=name, **kwargs)


def text_path(max_length: int, example: str | None = None, **kwargs: Any) -> Any:
    """A path parameter's constraints: `Annotated[str, text_path(12)]`. The example, from the
    demo data (`haztrak demo`), is one a client (or a fuzzer) can try."""
    examples = None if example is None else [Example(value=example)]
    return PathParameter(max_length=max_length, pattern=NO_NUL, examples=examples, **kwargs)
