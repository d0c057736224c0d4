"""Lookups over HTTP: public, cacheable (ETag, Cache-Control, 304), searchable."""

from __future__ import annotations

import pytest

from haztrak.domain.manifest import codes
from tests.http.conftest import Browser


async def test_federal_waste_codes_are_public_and_cacheable(anonymous: Browser) -> None:
    response = await anonymous.get("/api/waste/code/federal")
    assert response.status_code == 200
    body = response.json()
    assert len(body) == 167
    assert body[0] == {"code": "D001", "description": "IGNITABLE WASTE"}
    assert response.headers["cache-control"] == "public, max-age=3600"
    etag = response.headers["etag"]
    again = await anonymous.get("/api/waste/code/federal", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    weak = await anonymous.get(
        "/api/waste/code/federal", headers={"If-None-Match": f'"other", W/{etag}'}
    )
    assert weak.status_code == 304
    changed = await anonymous.get("/api/waste/code/federal", headers={"If-None-Match": '"x"'})
    assert changed.status_code == 200


async def test_state_waste_codes(anonymous: Browser) -> None:
    virginia = await anonymous.get("/api/waste/code/state/va")
    assert virginia.status_code == 200
    assert {"code": "BCRUSH", "description": "Bulb or Lamp Crusher"} in virginia.json()
    assert (await anonymous.get("/api/waste/code/state/WY")).json() == []
    bad = await anonymous.get("/api/waste/code/state/Virginia")
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"field": "state", "message": "must be a two-letter state code, like VA"}
    ]


@pytest.mark.parametrize(
    ("kind", "q", "expected"),
    [
        ("id", "un1088", ["UN1088"]),
        ("name", "ACETAL", ["Acetal"]),
        ("class", "5.", ["5.1", "5.2"]),
        ("group", "", ["I", "II", "III"]),
        ("group", "ii", ["II", "III"]),
    ],
)
async def test_dot_lookups_search_any_case(
    anonymous: Browser, kind: str, q: str, expected: list[str]
) -> None:
    response = await anonymous.get(f"/api/waste/dot/{kind}", params={"q": q})
    assert response.status_code == 200
    assert response.json()[: len(expected)] == expected
    assert response.headers["etag"]


async def test_dot_lookups_take_a_limit(anonymous: Browser) -> None:
    assert len((await anonymous.get("/api/waste/dot/name", params={"limit": 7})).json()) == 7
    assert len((await anonymous.get("/api/waste/dot/id")).json()) == 100
    for limit in ("0", "1001", "many"):
        response = await anonymous.get("/api/waste/dot/id", params={"limit": limit})
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "limit"


async def test_emanifest_code_lists(anonymous: Browser) -> None:
    names = (await anonymous.get("/api/emanifest/code")).json()
    assert "container-types" in names
    containers = await anonymous.get("/api/emanifest/code/container-types")
    assert containers.status_code == 200
    assert containers.json() == [
        {"code": c.code, "description": c.description} for c in codes.CONTAINER_TYPES
    ]
    for name in ("units-of-measure", "management-methods", "density-units", "form-codes"):
        assert (await anonymous.get(f"/api/emanifest/code/{name}")).json()
    assert (await anonymous.get("/api/emanifest/code/colours")).status_code == 404
