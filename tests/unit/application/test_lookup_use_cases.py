"""Lookup use cases on the in-memory lookups."""

from __future__ import annotations

import pytest

from haztrak.application.lookups import (
    EMANIFEST_CODE_LISTS,
    ListEmanifestCodes,
    ListFederalWasteCodes,
    ListStateWasteCodes,
    SearchDotLookup,
    search,
)
from haztrak.application.ports.lookups import DotLookup
from haztrak.domain.errors import InvalidValue, NotFound
from haztrak.domain.manifest import codes
from tests.fakes_manifests import MemoryLookupReader


def test_search_is_case_insensitive_and_puts_prefix_matches_first() -> None:
    values = ["Acetal", "Diacetone alcohol", "acetic acid", "Benzene"]
    assert search(values, "ACET", 10) == ["Acetal", "acetic acid", "Diacetone alcohol"]
    assert search(values, "acet", 2) == ["Acetal", "acetic acid"]
    assert search(values, None, 2) == ["Acetal", "Diacetone alcohol"]
    assert search(values, "  ", 10) == values
    assert search(values, "zzz", 10) == []
    for limit in (0, 1001):
        with pytest.raises(InvalidValue) as caught:
            search(values, None, limit)
        assert caught.value.field == "limit"


async def test_dot_lookups() -> None:
    lookup = SearchDotLookup(MemoryLookupReader())
    assert await lookup(DotLookup.GROUP) == ["I", "II", "III"]
    ids = await lookup(DotLookup.ID, "un108", 5)
    assert ids == sorted(ids)
    assert all("UN108" in value for value in ids)
    names = await lookup(DotLookup.NAME, "diesel")
    assert names
    assert all("diesel" in name.lower() for name in names)


async def test_waste_codes() -> None:
    reader = MemoryLookupReader()
    federal = await ListFederalWasteCodes(reader)()
    assert len(federal) == 167
    virginia = await ListStateWasteCodes(reader)("va")
    assert "BCRUSH" in {c.code for c in virginia}
    assert await ListStateWasteCodes(reader)("WY") == []
    for state in ("V", "VAA", "1A", ""):
        with pytest.raises(InvalidValue) as caught:
            await ListStateWasteCodes(reader)(state)
        assert caught.value.field == "state"


async def test_emanifest_code_lists_are_the_lists_validation_uses() -> None:
    lists = ListEmanifestCodes()
    assert await lists("container-types") == codes.CONTAINER_TYPES
    assert await lists("units-of-measure") == codes.UNITS_OF_MEASURE
    assert await lists("management-methods") == codes.MANAGEMENT_METHODS
    assert set(EMANIFEST_CODE_LISTS) >= {
        "density-units",
        "form-codes",
        "source-codes",
        "load-types",
    }
    with pytest.raises(NotFound):
        await lists("colours")
