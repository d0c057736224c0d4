"""Lookups the manifest form needs: waste codes, DOT values, e-Manifest's code lists."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from haztrak.application.ports.lookups import DotLookup, LookupReader
from haztrak.domain.errors import InvalidValue, NotFound
from haztrak.domain.manifest import CodeDescription, codes

MAX_RESULTS = 1000
STATE_PATTERN = re.compile(r"^[A-Za-z]{2}$")

EMANIFEST_CODE_LISTS: Mapping[str, tuple[CodeDescription, ...]] = MappingProxyType(
    {
        "container-types": codes.CONTAINER_TYPES,
        "units-of-measure": codes.UNITS_OF_MEASURE,
        "density-units": codes.DENSITY_UNITS,
        "management-methods": codes.MANAGEMENT_METHODS,
        "form-codes": codes.FORM_CODES,
        "source-codes": codes.SOURCE_CODES,
        "load-types": codes.LOAD_TYPES,
        "packing-groups": codes.DOT_PACKING_GROUPS,
        "mtn-suffixes": codes.MTN_SUFFIXES,
    }
)
"""The code lists validation checks manifests against, by the name the API serves them under."""


def search(values: Sequence[str], q: str | None, limit: int) -> list[str]:
    """Values containing `q` in any case: those that start with it first, each group in the
    list's order."""
    if not 1 <= limit <= MAX_RESULTS:
        raise InvalidValue("limit", f"must be 1-{MAX_RESULTS}")
    needle = (q or "").strip().lower()
    if not needle:
        return list(values[:limit])
    starts: list[str] = []
    contains: list[str] = []
    for value in values:
        lowered = value.lower()
        if lowered.startswith(needle):
            starts.append(value)
        elif needle in lowered:
            contains.append(value)
    return (starts + contains)[:limit]


class ListFederalWasteCodes:
    def __init__(self, lookups: LookupReader) -> None:
        self._lookups = lookups

    async def __call__(self) -> Sequence[CodeDescription]:
        return await self._lookups.federal_waste_codes()


class ListStateWasteCodes:
    def __init__(self, lookups: LookupReader) -> None:
        self._lookups = lookups

    async def __call__(self, state: str) -> Sequence[CodeDescription]:
        if not STATE_PATTERN.fullmatch(state):
            raise InvalidValue("state", "must be a two-letter state code, like VA")
        return await self._lookups.state_waste_codes(state.upper())


class SearchDotLookup:
    def __init__(self, lookups: LookupReader) -> None:
        self._lookups = lookups

    async def __call__(self, kind: DotLookup, q: str | None = None, limit: int = 100) -> list[str]:
        return search(await self._lookups.dot_values(kind), q, limit)


class ListEmanifestCodes:
    """One of EMANIFEST_CODE_LISTS; they are data of the domain, no storage needed."""

    async def __call__(self, name: str) -> Sequence[CodeDescription]:
        entries = EMANIFEST_CODE_LISTS.get(name)
        if entries is None:
            raise NotFound("code list", name)
        return entries
