"""Input built to break things answers a 4xx naming the field, on both backends, never a 500:
deep nesting, integers beyond the columns, the NUL character, strings longer than their column.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar import Litestar

from tests.http.conftest import Browser, _logged_in
from tests.manifest_documents import manifest_document

NUL = "\u0000"
DEEP = 1_000


def nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def fields(response: httpx.Response) -> set[str]:
    body = response.json()
    if "errors" in body and body["errors"] and "param" in body["errors"][0]:
        return {e["param"] for e in body["errors"]}  # allauth's shape, on the login
    return {e["field"] for e in body.get("errors", [])}


def refused(response: httpx.Response, field: str, status: int = 422) -> None:
    assert response.status_code == status, response.text
    assert field in fields(response), response.text


@pytest.fixture
async def signer(app: Litestar) -> AsyncIterator[Browser]:
    async for browser in _logged_in(app, "testuser1"):
        yield browser


@pytest.mark.parametrize(
    "path",
    [
        "/api/manifest",
        "/api/manifest/emanifest",
        "/api/manifest/emanifest/sign",
        "/api/manifest/emanifest/sync",
        "/api/rcrainfo/rcrasite/search",
        "/api/user/tokens",
    ],
)
async def test_a_body_nested_too_deeply_is_refused(signer: Browser, path: str) -> None:
    response = await signer.post(
        path, content=nested(DEEP), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert fields(response) & {"body", ""}, response.text  # "" is the manifest document


async def test_validate_reports_a_body_nested_too_deeply(signer: Browser) -> None:
    response = await signer.post(
        "/api/manifest/validate",
        content=nested(DEEP),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["valid"] is False


async def test_a_login_nested_too_deeply_is_refused(anonymous: Browser) -> None:
    await anonymous.get("/api/browser/v1/auth/session")
    body = b'{"username": "testuser1", "password": "x", "extra": ' + nested(DEEP) + b"}"
    response = await anonymous.post(
        "/api/browser/v1/auth/login", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text


@pytest.mark.parametrize("order", [2**31, 2**63, -(2**31) - 1, 10**30, 1e300])
async def test_a_transporter_order_beyond_the_column_is_refused(
    signer: Browser, order: float
) -> None:
    document = manifest_document()
    document["transporters"][0]["order"] = order
    response = await signer.post("/api/manifest", json=document)
    refused(response, "transporters.0.order")


async def test_a_number_too_large_for_json_is_refused(signer: Browser) -> None:
    raw = httpx.Request("POST", "/", json=manifest_document()).content
    raw = raw.replace(b'"order":1', b'"order":1e400', 1)
    response = await signer.post(
        "/api/manifest", content=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422, response.text


async def test_nul_anywhere_in_a_manifest_is_refused(signer: Browser) -> None:
    document = manifest_document()
    document["generator"]["name"] = f"Gen{NUL}erator"
    refused(await signer.post("/api/manifest", json=document), "generator.name")
    document = manifest_document()
    document["wastes"][0]["wasteDescription"] = NUL
    refused(await signer.post("/api/manifest", json=document), "wastes.0.wasteDescription")
    # open objects keep keys EPA does not list: those are refused too
    document = manifest_document()
    document["correctionRequests"] = [{"stateUser": {f"x{NUL}": "y"}}]
    response = await signer.post("/api/manifest", json=document)
    assert response.status_code == 422, response.text
    assert any(f.startswith("correctionRequests.0.stateUser") for f in fields(response))


async def test_nul_in_a_manifest_for_emanifest_is_refused(signer: Browser) -> None:
    document = manifest_document()
    document["generator"]["name"] = NUL
    refused(await signer.post("/api/manifest/emanifest", json=document), "generator.name")


async def test_nul_in_a_manifest_update_is_refused(signer: Browser) -> None:
    created = await signer.post("/api/manifest", json=manifest_document())
    assert created.status_code == 201, created.text
    document = created.json()
    document.pop("warnings")
    document["designatedFacility"]["name"] = NUL
    response = await signer.put(
        f"/api/manifest/{document['manifestTrackingNumber']}", json=document
    )
    refused(response, "designatedFacility.name")


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/manifest?q=%00", "q"),
        ("/api/manifest?site=VA%00", "site"),
        ("/api/manifest?cursor=%00", "cursor"),
        ("/api/rcrasite/search?siteName=a%00", "siteName"),
        ("/api/rcrasite/search?epaId=%00", "epaId"),
        ("/api/waste/dot/name?q=%00", "q"),
        ("/api/manifest/%00", "mtn"),
        ("/api/manifest/mtn/%00", "epa_id"),
        ("/api/rcrasite/%00", "epa_id"),
        ("/api/sites/%00", "epa_id"),
        ("/api/orgs/%00", "slug"),
        ("/api/rcrainfo-profile/%00", "username"),
        ("/api/waste/code/state/%00", "state_code"),
        ("/api/emanifest/code/%00", "name"),
    ],
)
async def test_nul_in_a_query_or_path_is_refused(signer: Browser, path: str, field: str) -> None:
    refused(await signer.get(path), field)


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("POST", "/api/user/tokens", {"name": f"a{NUL}"}, "name"),
        ("PUT", "/api/user/current-user", {"firstName": NUL}, "firstName"),
        ("PUT", "/api/user/current-user", {"email": f"x{NUL}@example.com"}, "email"),
        ("PUT", "/api/rcrainfo-profile/testuser1", {"rcraAPIID": NUL}, "rcraAPIID"),
        ("PUT", "/api/rcrainfo-profile/testuser1", {"rcraUsername": NUL}, "rcraUsername"),
        ("PUT", "/api/rcrainfo-profile/testuser1", {"phoneNumber": NUL}, "phoneNumber"),
        ("POST", "/api/manifest/emanifest/sync", {"siteId": NUL}, "siteId"),
        ("POST", "/api/rcrainfo/rcrasite/search", {"siteId": NUL}, "siteId"),
        (
            "POST",
            "/api/manifest/emanifest/sign",
            {
                "manifestTrackingNumbers": [NUL],
                "siteId": "VATESTGEN001",
                "siteType": "Generator",
                "printedSignatureName": "A",
            },
            "manifestTrackingNumbers.0",
        ),
        (
            "POST",
            "/api/manifest/emanifest/sign",
            {
                "manifestTrackingNumbers": ["123456789ELC"],
                "siteId": "VATESTGEN001",
                "siteType": "Generator",
                "printedSignatureName": NUL,
            },
            "printedSignatureName",
        ),
    ],
)
async def test_nul_in_a_body_is_refused(
    signer: Browser, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    refused(await signer.request(method, path, json=body), field)


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("PUT", "/api/orgs/generators-org-llc/rcrainfo", {"rcraAPIID": NUL}, "rcraAPIID"),
        ("PUT", "/api/orgs/generators-org-llc/rcrainfo", {"rcraAPIID": "x" * 5_000}, "rcraAPIID"),
        ("PUT", "/api/orgs/generators-org-llc/rcrainfo", {"rcraAPIKey": NUL}, "rcraAPIKey"),
        ("PUT", "/api/orgs/generators-org-llc/members/%00", {"role": "member"}, "username"),
        (
            "POST",
            "/api/orgs/generators-org-llc/sites",
            {"epaId": "VA0000000001", "name": NUL, "siteType": "Generator"},
            "name",
        ),
    ],
)
async def test_org_admin_input_with_nul_or_too_long_is_refused(
    orgadmin: Browser, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    refused(await orgadmin.request(method, path, json=body), field)


@pytest.mark.parametrize(
    ("username", "password"),
    [(f"testuser1{NUL}", "x"), ("u" * 300, "x"), ("testuser1", f"x{NUL}")],
)
async def test_a_login_with_nul_or_too_long_is_refused(
    anonymous: Browser, username: str, password: str
) -> None:
    await anonymous.get("/api/browser/v1/auth/session")
    response = await anonymous.post(
        "/api/browser/v1/auth/login", json={"username": username, "password": password}
    )
    assert response.status_code == 400, response.text
    assert fields(response) & {"username", "password"}, response.text


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("PUT", "/api/rcrainfo-profile/testuser1", {"rcraAPIID": "x" * 5_000}, "rcraAPIID"),
        ("PUT", "/api/rcrainfo-profile/testuser1", {"phoneNumber": "1" * 21}, "phoneNumber"),
        ("POST", "/api/user/tokens", {"name": "t" * 101}, "name"),
        ("PUT", "/api/user/current-user", {"lastName": "l" * 151}, "lastName"),
        ("PUT", "/api/user/current-user", {"email": "e" * 250 + "@x.io"}, "email"),
    ],
)
async def test_a_string_longer_than_its_column_is_refused(
    signer: Browser, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    refused(await signer.request(method, path, json=body), field)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/manifest?q=" + "a" * 50_001, "q"),
        ("/api/rcrasite/search?siteName=" + "a" * 50_001, "siteName"),
        ("/api/waste/dot/name?q=" + "a" * 50_001, "q"),
    ],
)
async def test_a_search_too_long_for_a_like_pattern_is_refused(
    signer: Browser, path: str, field: str
) -> None:
    refused(await signer.get(path), field)


@pytest.mark.parametrize("path", ["/api/manifest", "/api/manifest/emanifest"])
async def test_a_tracking_number_longer_than_its_column_is_refused(
    signer: Browser, path: str
) -> None:
    document = manifest_document(mtn="1" * 300)
    response = await signer.post(path, json=document)
    assert 400 <= response.status_code < 500, response.text


@pytest.mark.parametrize("order", [2**31, 2**63, 2**70, -1])
async def test_a_quicker_sign_transporter_order_beyond_any_transporter_is_refused(
    signer: Browser, order: int
) -> None:
    body = {
        "manifestTrackingNumbers": ["123456789ELC"],
        "siteId": "VATESTGEN001",
        "siteType": "Transporter",
        "printedSignatureName": "A",
        "transporterOrder": order,
    }
    response = await signer.post("/api/manifest/emanifest/sign", json=body)
    refused(response, "transporterOrder")  # before looking for the manifest
