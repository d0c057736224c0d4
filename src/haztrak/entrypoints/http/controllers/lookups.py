"""Lookups for the manifest form: waste codes, DOT values, e-Manifest's code lists.

They are public reference data published by EPA and DOT, so they answer without login and
with `Cache-Control: public`: browsers and shared caches may keep them, and an ETag makes a
refresh a 304.
"""

from __future__ import annotations

from typing import Annotated, Any

from dishka import FromDishka
from litestar import Controller, Request, Response, get
from litestar.params import Parameter

from haztrak.application.lookups import (
    EMANIFEST_CODE_LISTS,
    MAX_RESULTS,
    ListEmanifestCodes,
    ListFederalWasteCodes,
    ListStateWasteCodes,
    SearchDotLookup,
)
from haztrak.application.ports.lookups import DotLookup
from haztrak.domain.manifest import CodeDescription
from haztrak.entrypoints.http import text as limits
from haztrak.entrypoints.http.caching import cacheable_json
from haztrak.entrypoints.http.openapi import answers, json_array, not_modified
from haztrak.entrypoints.http.text import text_path, text_query

_Request = Request[Any, Any, Any]
_LOOKUP_ANSWERS = answers(400, 404, 422, public=True) | {304: not_modified()}
_SEARCH = "Case-insensitive contains; values that start with `q` come first."


def _q() -> Any:
    return text_query(limits.DOT_VALUE, default=None, description="part of the value, any case")


def _limit() -> Any:
    return Parameter(default=100, ge=1, le=MAX_RESULTS)


class LookupController(Controller):
    tags = ["lookups"]

    @get(
        "/waste/code/federal",
        responses=json_array(CodeDescription, "[{code, description}]") | _LOOKUP_ANSWERS,
        summary="Federal waste codes: [{code, description}]",
    )
    async def federal(
        self, request: _Request, codes: FromDishka[ListFederalWasteCodes]
    ) -> Response[bytes]:
        return cacheable_json(request, await codes())

    @get(
        "/waste/code/state/{state_code:str}",
        responses=json_array(CodeDescription, "[{code, description}]") | _LOOKUP_ANSWERS,
        summary="A state's waste codes: [{code, description}]",
    )
    async def state_codes(
        self,
        request: _Request,
        state_code: Annotated[str, text_path(limits.LIST_NAME, "VA")],
        codes: FromDishka[ListStateWasteCodes],
    ) -> Response[bytes]:
        return cacheable_json(request, await codes(state_code))

    @get(
        "/waste/dot/{kind:str}",
        responses=json_array(str, "The matching values") | _LOOKUP_ANSWERS,
        summary="DOT values: [string]",
        description=(
            "`kind` is `id` (identification numbers), `name` (proper shipping names), `class` "
            "(hazard classes) or `group` (packing groups). " + _SEARCH
        ),
    )
    async def dot_values(
        self,
        request: _Request,
        kind: DotLookup,
        search: FromDishka[SearchDotLookup],
        q: str | None = _q(),
        limit: int = _limit(),
    ) -> Response[bytes]:
        return cacheable_json(request, await search(kind, q, limit))

    @get(
        "/emanifest/code",
        responses=json_array(str, "The names of the code lists") | _LOOKUP_ANSWERS,
        summary="The names of e-Manifest's code lists served here",
    )
    async def code_lists(self, request: _Request) -> Response[bytes]:
        return cacheable_json(request, sorted(EMANIFEST_CODE_LISTS), max_age=86400)

    @get(
        "/emanifest/code/{name:str}",
        responses=json_array(CodeDescription, "[{code, description}]") | _LOOKUP_ANSWERS,
        summary="One of e-Manifest's code lists (container-types, units-of-measure, ...)",
        description="`[{code, description}]`: the codes manifest validation accepts.",
    )
    async def code_list(
        self,
        request: _Request,
        name: Annotated[str, text_path(limits.LIST_NAME, "units-of-measure")],
        codes: FromDishka[ListEmanifestCodes],
    ) -> Response[bytes]:
        return cacheable_json(request, await codes(name), max_age=86400)
