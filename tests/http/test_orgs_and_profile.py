"""What a user sees of orgs and sites, its profiles, and org administration."""

from __future__ import annotations

from sqlalchemy import select, text

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.tables import OrgRow, RcrainfoProfileRow
from haztrak.entrypoints.settings import Settings
from tests.http.conftest import DEMO_CREDENTIALS, Browser


async def test_testuser1_sees_exactly_its_org_and_sites(testuser1: Browser) -> None:
    orgs = (await testuser1.get("/api/orgs")).json()
    assert [o["slug"] for o in orgs] == ["generators-org-llc"]
    assert orgs[0] == {
        "id": orgs[0]["id"],
        "name": "Generators Org LLC",
        "slug": "generators-org-llc",
        "rcrainfoIntegrated": True,
    }
    sites = (await testuser1.get("/api/sites")).json()
    assert [s["handler"]["epaSiteId"] for s in sites] == ["VATESTGEN001"]
    site = (await testuser1.get("/api/sites/VATESTGEN001")).json()
    assert site["name"] == "VA TEST GEN 2021"
    assert site["handler"]["siteType"] == "Generator"
    assert site["handler"]["siteAddress"]["state"]["code"] == "VA"
    assert site["lastRcrainfoManifestSync"] is None
    org_sites = (await testuser1.get("/api/orgs/generators-org-llc/sites")).json()
    assert [s["handler"]["epaSiteId"] for s in org_sites] == ["VATESTGEN001"]
    assert (await testuser1.get("/api/sites/MOCKTSDFS001")).status_code == 404
    assert (await testuser1.get("/api/orgs/mock-tsdf")).status_code == 404


async def test_my_profile_lists_orgs_and_sites_with_roles(testuser1: Browser) -> None:
    profile = (await testuser1.get("/api/my-profile")).json()
    assert profile["user"] == "testuser1"
    assert profile["avatar"] is None
    assert profile["org"]["slug"] == "generators-org-llc"
    assert [o["slug"] for o in profile["orgs"]] == ["generators-org-llc"]
    # keyed by EPA ID, each a Site with the permissions the original client reads
    assert list(profile["sites"]) == ["VATESTGEN001"]
    entry = profile["sites"]["VATESTGEN001"]
    assert entry["handler"]["epaSiteId"] == "VATESTGEN001"
    assert entry["name"] == "VA TEST GEN 2021"
    assert entry["permissions"] == {"eManifest": "signer"}
    assert entry["role"] == "signer"


async def test_current_user(testuser1: Browser) -> None:
    me = (await testuser1.get("/api/user/current-user")).json()
    assert set(me) == {"id", "username", "firstName", "lastName", "email"}
    assert me["username"] == "testuser1"
    bad = await testuser1.put("/api/user/current-user", json={"email": "not-an-email"})
    assert bad.status_code == 422
    assert bad.json()["errors"] == [{"field": "email", "message": "must be an email address"}]
    unknown = await testuser1.put("/api/user/current-user", json={"isStaff": True})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "isStaff"


async def test_rcrainfo_profile_key_is_write_only_and_encrypted(
    testuser1: Browser, settings: Settings
) -> None:
    empty = (await testuser1.get("/api/rcrainfo-profile/testuser1")).json()
    assert empty == {
        "user": "testuser1",
        "rcraUsername": None,
        "rcraAPIID": None,
        "phoneNumber": None,
        "apiUser": False,
        "rcraSites": [],
    }
    key = "my-very-secret-rcrainfo-key"
    updated = await testuser1.put(
        "/api/rcrainfo-profile/testuser1",
        json={
            "rcraUsername": "TESTUSER1",
            "rcraAPIID": "api-id-1",
            "rcraAPIKey": key,
            "phoneNumber": "555-123-4567",
        },
    )
    assert updated.status_code == 200
    assert key not in updated.text
    body = updated.json()
    assert body["apiUser"] is True
    assert body["rcraAPIID"] == "api-id-1"
    again = await testuser1.get("/api/rcrainfo-profile/testuser1")
    assert key not in again.text
    assert again.json()["apiUser"] is True

    engine = database.create_engine(settings.database.url.reveal())
    async with database.session_factory(engine)() as session:
        row = await session.scalar(select(RcrainfoProfileRow))
        dump = str(
            [tuple(r) for r in await session.execute(text("SELECT * FROM rcrainfo_profiles"))]
        )
    await engine.dispose()
    assert row is not None
    assert row.api_key_encrypted
    assert key.encode() not in row.api_key_encrypted
    assert key not in dump

    bad_phone = await testuser1.put(
        "/api/rcrainfo-profile/testuser1", json={"phoneNumber": "call me"}
    )
    assert bad_phone.status_code == 422
    assert bad_phone.json()["errors"][0]["field"] == "phoneNumber"


async def test_org_key_is_never_returned_and_stored_encrypted(
    orgadmin: Browser, settings: Settings
) -> None:
    secret = DEMO_CREDENTIALS["generators-org-llc"][1]
    for path in ("/api/orgs", "/api/orgs/generators-org-llc", "/api/my-profile"):
        assert secret not in (await orgadmin.get(path)).text
    new_key = "replacement-key-VALUE"
    response = await orgadmin.put(
        "/api/orgs/generators-org-llc/rcrainfo",
        json={"rcraAPIID": "new-id", "rcraAPIKey": new_key},
    )
    assert response.status_code == 200
    assert new_key not in response.text
    assert response.json() == {
        "rcraAPIID": "new-id",
        "apiKeySet": True,
        "rcrainfoIntegrated": True,
        "credentialsFailing": False,
    }
    shown = await orgadmin.get("/api/orgs/generators-org-llc/rcrainfo")
    assert shown.json()["rcraAPIID"] == "new-id"
    assert new_key not in shown.text

    engine = database.create_engine(settings.database.url.reveal())
    async with database.session_factory(engine)() as session:
        keys = [r.rcrainfo_api_key_encrypted for r in await session.scalars(select(OrgRow))]
    await engine.dispose()
    assert all(k is None or (secret.encode() not in k and new_key.encode() not in k) for k in keys)


async def test_org_admin_manages_members_sites_and_roles(orgadmin: Browser, tsdf1: Browser) -> None:
    added = await orgadmin.put(
        "/api/orgs/generators-org-llc/members/tsdf1", json={"role": "member"}
    )
    assert added.status_code == 200
    assert added.json()["role"] == "member"
    # a member without site roles sees the org but no site of it
    assert [o["slug"] for o in (await tsdf1.get("/api/orgs")).json()] == [
        "generators-org-llc",
        "mock-tsdf",
    ]
    assert (await tsdf1.get("/api/orgs/generators-org-llc/sites")).json() == []

    site = await orgadmin.post(
        "/api/orgs/generators-org-llc/sites",
        json={"epaId": "VAD000012345", "name": "Second plant", "siteType": "Generator"},
    )
    assert site.status_code == 201
    assert site.json()["handler"]["epaSiteId"] == "VAD000012345"
    role = await orgadmin.put(
        "/api/orgs/generators-org-llc/members/tsdf1/sites/VAD000012345", json={"role": "viewer"}
    )
    assert role.status_code == 200
    assert [s["handler"]["epaSiteId"] for s in (await tsdf1.get("/api/sites")).json()] == [
        "MOCKTSDFS001",
        "VAD000012345",
    ]
    members = {
        m["username"]: m
        for m in (await orgadmin.get("/api/orgs/generators-org-llc/members")).json()
    }
    assert members["tsdf1"]["siteRoles"] == {"VAD000012345": "viewer"}

    removed = await orgadmin.delete("/api/orgs/generators-org-llc/members/tsdf1")
    assert removed.status_code == 204
    assert (await tsdf1.get("/api/sites/VAD000012345")).status_code == 404
    assert [o["slug"] for o in (await tsdf1.get("/api/orgs")).json()] == ["mock-tsdf"]


async def test_org_admin_input_errors_name_the_field(orgadmin: Browser) -> None:
    bad_id = await orgadmin.post(
        "/api/orgs/generators-org-llc/sites",
        json={"epaId": "nope", "name": "x", "siteType": "Generator"},
    )
    assert bad_id.status_code == 422
    assert bad_id.json()["errors"][0]["field"] == "epaId"
    bad_type = await orgadmin.post(
        "/api/orgs/generators-org-llc/sites",
        json={"epaId": "VAD000012345", "name": "x", "siteType": "Spaceport"},
    )
    assert bad_type.status_code == 422
    assert bad_type.json()["errors"][0]["field"] == "siteType"
    taken = await orgadmin.post(
        "/api/orgs/generators-org-llc/sites",
        json={"epaId": "MOCKTSDFS001", "name": "x", "siteType": "Tsdf"},
    )
    assert taken.status_code == 409
    no_user = await orgadmin.put(
        "/api/orgs/generators-org-llc/members/ghost", json={"role": "member"}
    )
    assert no_user.status_code == 422
    assert no_user.json()["errors"][0]["field"] == "username"
    bad_role = await orgadmin.put(
        "/api/orgs/generators-org-llc/members/testuser1/sites/VATESTGEN001",
        json={"role": "emperor"},
    )
    assert bad_role.status_code == 422
    assert bad_role.json()["errors"][0]["field"] == "role"
    last_admin = await orgadmin.delete("/api/orgs/generators-org-llc/members/orgadmin")
    assert last_admin.status_code == 409
