"""Who may touch what: anonymous clients get 401 everywhere but the public paths; a user of
one org gets 404 for every object of another org; a member who is not an admin gets 403."""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from tests.http.conftest import Browser

PUBLIC = re.compile(r"^/api/(health|schema|docs|browser/v1/auth|waste|emanifest/code)(/|$)")
PARAM_VALUES = {
    "uuid": "00000000-0000-0000-0000-000000000000",
    "str": "VATESTGEN001",
    "int": "1",
    "path": "x",
}


def _every_route(app: Litestar) -> list[tuple[str, str]]:
    """Every route of the REST API. The web UI's pages send a browser to sign in instead
    (tests/web); test_route_matrix.py checks that nothing else lives outside /api."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api"):
            continue
        path = re.sub(r"\{\w+:(\w+)\}", lambda m: PARAM_VALUES.get(m.group(1), "x"), route.path)
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


async def test_anonymous_gets_401_on_every_route_but_the_public_ones(
    app: Litestar, anonymous: Browser
) -> None:
    routes = _every_route(app)
    private = [(m, p) for m, p in routes if not PUBLIC.match(p)]
    assert len(private) >= 15  # the matrix really covers the API
    for method, path in private:
        response = await anonymous.client.request(method, path, json={})
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["status"] == 401


async def test_public_routes_answer_without_login(anonymous: Browser) -> None:
    assert (await anonymous.get("/api/health")).status_code == 200
    assert (await anonymous.get("/api/health/ready")).status_code == 200
    schema = await anonymous.get("/api/schema")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Haztrak"
    docs = await anonymous.get("/api/docs")
    assert docs.status_code in (301, 302, 307)
    assert (await anonymous.get(docs.headers["location"])).status_code == 200


OTHER_ORG_REQUESTS = [
    ("GET", "/api/orgs/generators-org-llc", None),
    ("GET", "/api/orgs/generators-org-llc/sites", None),
    (
        "POST",
        "/api/orgs/generators-org-llc/sites",
        {"epaId": "VATEST12345", "name": "x", "siteType": "Generator"},
    ),
    ("GET", "/api/orgs/generators-org-llc/members", None),
    ("PUT", "/api/orgs/generators-org-llc/members/tsdf1", {"role": "admin"}),
    ("DELETE", "/api/orgs/generators-org-llc/members/testuser1", None),
    (
        "PUT",
        "/api/orgs/generators-org-llc/members/testuser1/sites/VATESTGEN001",
        {"role": "viewer"},
    ),
    ("DELETE", "/api/orgs/generators-org-llc/members/testuser1/sites/VATESTGEN001", None),
    ("PUT", "/api/orgs/generators-org-llc/rcrainfo", {"rcraAPIID": "stolen"}),
    ("GET", "/api/sites/VATESTGEN001", None),
    ("GET", "/api/rcrainfo-profile/testuser1", None),
    ("PUT", "/api/rcrainfo-profile/testuser1", {"phoneNumber": "555-555-5555"}),
]


@pytest.mark.parametrize(("method", "path", "body"), OTHER_ORG_REQUESTS)
async def test_another_orgs_objects_are_not_found(
    tsdf1: Browser, orgadmin: Browser, method: str, path: str, body: object
) -> None:
    response = await tsdf1.request(method, path, json=body)
    assert response.status_code == 404, response.text
    # and nothing changed
    members = await orgadmin.get("/api/orgs/generators-org-llc/members")
    assert {m["username"]: m["role"] for m in members.json()} == {
        "orgadmin": "admin",
        "testuser1": "member",
    }
    credentials = await orgadmin.get("/api/orgs/generators-org-llc/rcrainfo")
    assert credentials.json()["rcraAPIID"] == "gen-api-id"


async def test_another_users_token_is_not_found(testuser1: Browser, tsdf1: Browser) -> None:
    token = (await testuser1.post("/api/user/tokens", json={"name": "t"})).json()
    assert (await tsdf1.delete(f"/api/user/tokens/{token['id']}")).status_code == 404


ADMIN_ONLY_REQUESTS = [
    (
        "POST",
        "/api/orgs/generators-org-llc/sites",
        {"epaId": "VATEST12345", "name": "x", "siteType": "Generator"},
    ),
    ("GET", "/api/orgs/generators-org-llc/members", None),
    ("PUT", "/api/orgs/generators-org-llc/members/tsdf1", {"role": "member"}),
    ("DELETE", "/api/orgs/generators-org-llc/members/orgadmin", None),
    (
        "PUT",
        "/api/orgs/generators-org-llc/members/testuser1/sites/VATESTGEN001",
        {"role": "site_manager"},
    ),
    ("PUT", "/api/orgs/generators-org-llc/rcrainfo", {"rcraAPIID": "x"}),
    ("GET", "/api/orgs/generators-org-llc/rcrainfo", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ONLY_REQUESTS)
async def test_members_who_are_not_admins_are_forbidden(
    testuser1: Browser, method: str, path: str, body: object
) -> None:
    response = await testuser1.request(method, path, json=body)
    assert response.status_code == 403, response.text
    assert response.json()["title"] == "Forbidden"
