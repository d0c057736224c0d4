"""The manifest API on both backends: drafts, versions, lists, tracking numbers, validation,
and who may see and change what."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from dishka import AsyncContainer
from litestar import Litestar

from haztrak.application.ports.persistence import AuditLog
from tests.http.conftest import Browser, _logged_in, store_from_rcrainfo
from tests.manifest_documents import a_manifest, manifest_document

MTN_KEYS = {"manifestTrackingNumber", "status", "submissionType", "signatureStatus"}


@pytest.fixture
async def transporter1(app: Litestar) -> AsyncIterator[Browser]:
    async for browser in _logged_in(app, "transporter1"):
        yield browser


async def create(browser: Browser, **changes: Any) -> httpx.Response:
    response = await browser.post("/api/manifest", json=manifest_document(**changes))
    assert response.status_code == 201, response.text
    return response


async def test_a_draft_is_created_read_replaced_and_deleted(testuser1: Browser) -> None:
    created = await create(testuser1)
    body = created.json()
    mtn = body["manifestTrackingNumber"]
    assert mtn.endswith("DFT")
    assert len(mtn) == 12
    assert body["status"] == "NotAssigned"
    assert body["warnings"] == []
    assert created.headers["location"] == f"/api/manifest/{mtn}"
    etag = created.headers["etag"]

    read = await testuser1.get(f"/api/manifest/{mtn}")
    assert read.status_code == 200
    assert read.headers["etag"] == etag
    document = read.json()
    assert "warnings" not in document
    assert document == {k: v for k, v in body.items() if k != "warnings"}
    assert document["generator"]["signed"] is False
    assert [t["signed"] for t in document["transporters"]] == [False, False]
    assert document["designatedFacility"]["signed"] is False
    assert len(document["wastes"]) == 3
    unchanged = await testuser1.get(f"/api/manifest/{mtn}", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304

    document["wastes"] = document["wastes"][:1]
    replaced = await testuser1.put(
        f"/api/manifest/{mtn}", json=document, headers={"If-Match": etag}
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.headers["etag"] != etag
    assert len(replaced.json()["wastes"]) == 1
    assert replaced.json()["warnings"] == []

    gone = await testuser1.delete(
        f"/api/manifest/{mtn}", headers={"If-Match": replaced.headers["etag"]}
    )
    assert gone.status_code == 204
    assert (await testuser1.get(f"/api/manifest/{mtn}")).status_code == 404


async def test_a_stale_if_match_answers_412_and_changes_nothing(testuser1: Browser) -> None:
    created = await create(testuser1)
    mtn, first = created.json()["manifestTrackingNumber"], created.headers["etag"]
    second = await testuser1.put(
        f"/api/manifest/{mtn}", json=manifest_document(wastes=2), headers={"If-Match": first}
    )
    assert second.status_code == 200

    stale = await testuser1.put(
        f"/api/manifest/{mtn}", json=manifest_document(wastes=1), headers={"If-Match": first}
    )
    assert stale.status_code == 412, stale.text
    assert stale.json()["status"] == 412
    assert stale.headers["content-type"].startswith("application/problem+json")
    weak = await testuser1.put(
        f"/api/manifest/{mtn}",
        json=manifest_document(wastes=1),
        headers={"If-Match": f"W/{second.headers['etag']}"},
    )
    assert weak.status_code == 412
    stale_delete = await testuser1.delete(f"/api/manifest/{mtn}", headers={"If-Match": first})
    assert stale_delete.status_code == 412

    current = await testuser1.get(f"/api/manifest/{mtn}")
    assert current.headers["etag"] == second.headers["etag"]
    assert len(current.json()["wastes"]) == 2


async def test_an_incomplete_draft_is_saved_with_its_warnings(testuser1: Browser) -> None:
    response = await testuser1.post(
        "/api/manifest",
        json={"manifestTrackingNumber": "", "generator": {"epaSiteId": "VATESTGEN001"}},
    )
    assert response.status_code == 201, response.text
    warnings = {w["field"] for w in response.json()["warnings"]}
    assert {"transporters", "designatedFacility", "generator.emergencyPhone"} <= warnings
    # a client may send the answer back as it got it
    mtn = response.json()["manifestTrackingNumber"]
    again = await testuser1.put(f"/api/manifest/{mtn}", json=response.json())
    assert again.status_code == 200, again.text


async def test_a_malformed_manifest_is_a_422_naming_every_field(testuser1: Browser) -> None:
    bad = manifest_document()
    bad["wastes"][1]["quantity"]["quantity"] = "lots"
    bad["generator"]["epaSiteId"] = 5
    bad["transporters"][0]["colour"] = "red"
    bad["status"] = "Bogus"
    response = await testuser1.post("/api/manifest", json=bad)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["title"] == "Invalid manifest"
    fields = {e["field"] for e in problem["errors"]}
    assert fields >= {"wastes.1.quantity.quantity", "generator.epaSiteId", "status"}
    assert "transporters.0.colour" not in fields  # an unknown key is dropped, never refused
    created = await create(testuser1)
    mtn = created.json()["manifestTrackingNumber"]
    replaced = await testuser1.put(f"/api/manifest/{mtn}", json=bad)
    assert replaced.status_code == 422


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{not json",
        b"[]",
        b'"text"',
        b"\xff\xfe\x00",
        b'{"transporters": "x"}',
        b'{"wastes": [{"lineNumber": 1e400}]}',
        b'{"generator": {"epaSiteId": "VATESTGEN001", "siteAddress": {"address1": null}}}',
        b'{"manifestTrackingNumber": "000000001DFT", "generator": {"epaSiteId": "VATESTGEN001"}}',
        b'{"status": "Signed", "generator": {"epaSiteId": "VATESTGEN001"}}',
        b'{"generator": {"epaSiteId": "MOCKTSDFS001"}}',
        b"{}",
    ],
)
async def test_bad_input_is_a_4xx_never_a_500(testuser1: Browser, raw: bytes) -> None:
    response = await testuser1.post(
        "/api/manifest", content=raw, headers={"Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500, response.text
    assert response.status_code != 201
    if response.status_code == 422:
        assert response.json()["errors"], response.text
    created = await create(testuser1)
    put = await testuser1.put(
        f"/api/manifest/{created.json()['manifestTrackingNumber']}",
        content=raw,
        headers={"Content-Type": "application/json"},
    )
    assert 200 <= put.status_code < 500, put.text


async def test_every_site_type_finds_the_manifest_in_its_tracking_numbers(
    app: Litestar, testuser1: Browser, transporter1: Browser, tsdf1: Browser
) -> None:
    mtn = "100000001ELC"
    await store_from_rcrainfo(app, a_manifest(mtn=mtn, status="Scheduled"))

    async def numbers(browser: Browser, path: str) -> list[str]:
        response = await browser.get(f"/api/manifest/mtn{path}")
        assert response.status_code == 200, response.text
        for item in response.json():
            assert set(item) == MTN_KEYS
        return [item["manifestTrackingNumber"] for item in response.json()]

    assert await numbers(testuser1, "") == [mtn]
    assert await numbers(testuser1, "/VATESTGEN001") == [mtn]
    assert await numbers(testuser1, "/VATESTGEN001/Generator") == [mtn]
    assert await numbers(testuser1, "/VATESTGEN001/Tsdf") == []
    # both transporters are transporter1's sites: the manifest still comes once
    assert await numbers(transporter1, "") == [mtn]
    assert await numbers(transporter1, "/MOCKTRANS002/Transporter") == [mtn]
    assert await numbers(transporter1, "/MOCKTRANS001/transporter") == [mtn]
    assert await numbers(tsdf1, "/MOCKTSDFS001/Tsdf") == [mtn]
    assert await numbers(tsdf1, "/MOCKTSDFS001/Generator") == []
    item = (await tsdf1.get("/api/manifest/mtn/MOCKTSDFS001")).json()[0]
    assert item == {
        "manifestTrackingNumber": mtn,
        "status": "Scheduled",
        "submissionType": "FullElectronic",
        "signatureStatus": None,
    }
    wrong = await tsdf1.get("/api/manifest/mtn/MOCKTSDFS001/Shipper")
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "siteType"
    # handlers see the manifest, and that it is not signed yet
    document = (await transporter1.get(f"/api/manifest/{mtn}")).json()
    assert document["generator"]["signed"] is False

    # a draft is the generator's until it is in e-Manifest: the others named on it do not
    # see it in any list
    draft = (await create(testuser1)).json()["manifestTrackingNumber"]
    assert await numbers(testuser1, "") == [draft, mtn]
    assert await numbers(testuser1, "/VATESTGEN001/Generator") == [draft, mtn]
    for browser in (transporter1, tsdf1):
        assert await numbers(browser, "") == [mtn]
        listing = (await browser.get("/api/manifest")).json()
        assert [i["manifestTrackingNumber"] for i in listing["items"]] == [mtn]
        assert listing["total"] == 1
    assert await numbers(transporter1, "/MOCKTRANS001/Transporter") == [mtn]
    assert await numbers(tsdf1, "/MOCKTSDFS001/Tsdf") == [mtn]


async def test_a_site_named_on_a_draft_can_neither_take_nor_touch_it(
    testuser1: Browser, transporter1: Browser, tsdf1: Browser, orgadmin: Browser
) -> None:
    """Issue 11: transporter1 replaced the generator of a generator's draft (200), and the
    generator's users then got 404 for their own draft; a TSDF could edit or delete it."""
    created = await create(testuser1)
    mtn = created.json()["manifestTrackingNumber"]
    taken = manifest_document(mtn=mtn, generator="MOCKTRANS002")
    for browser in (transporter1, tsdf1):
        assert (await browser.get(f"/api/manifest/{mtn}")).status_code == 404
        assert (await browser.put(f"/api/manifest/{mtn}", json=taken)).status_code == 404
        assert (await browser.delete(f"/api/manifest/{mtn}")).status_code == 404
    read = await testuser1.get(f"/api/manifest/{mtn}")
    assert read.status_code == 200
    assert read.headers["etag"] == created.headers["etag"]
    assert read.json()["generator"]["epaSiteId"] == "VATESTGEN001"
    # its own users cannot move it away from the generator either
    for browser in (testuser1, orgadmin):
        moved = await browser.put(f"/api/manifest/{mtn}", json=taken)
        assert moved.status_code == 422, moved.text
        assert moved.json()["errors"][0]["field"] == "generator.epaSiteId"
        assert "VATESTGEN001" in moved.json()["errors"][0]["message"]
    assert (await testuser1.get(f"/api/manifest/{mtn}")).headers["etag"] == created.headers["etag"]
    # a transporter's own draft naming the generator is the transporter's, not the generator's
    theirs = await create(transporter1)
    theirs_mtn = theirs.json()["manifestTrackingNumber"]
    assert (await transporter1.get(f"/api/manifest/{theirs_mtn}")).status_code == 200
    for browser in (testuser1, orgadmin, tsdf1):
        assert (await browser.get(f"/api/manifest/{theirs_mtn}")).status_code == 404


async def test_the_list_pages_newest_first_and_is_stable_under_inserts(
    testuser1: Browser,
) -> None:
    mtns = [(await create(testuser1)).json()["manifestTrackingNumber"] for _ in range(5)]
    first = (await testuser1.get("/api/manifest", params={"limit": 2})).json()
    assert first["total"] == 5
    assert [i["manifestTrackingNumber"] for i in first["items"]] == mtns[::-1][:2]
    item = first["items"][0]
    assert item["generator"] == {
        "epaSiteId": "VATESTGEN001",
        "name": "Generator VATESTGEN001",
        "signed": False,
    }
    assert [t["order"] for t in item["transporters"]] == [1, 2]
    assert item["wasteLines"] == 3
    assert item["status"] == "NotAssigned"

    newer = [(await create(testuser1)).json()["manifestTrackingNumber"] for _ in range(2)]
    second = (
        await testuser1.get("/api/manifest", params={"limit": 2, "cursor": first["next"]})
    ).json()
    assert [i["manifestTrackingNumber"] for i in second["items"]] == mtns[::-1][2:4]
    assert second["total"] == 7
    third = (
        await testuser1.get("/api/manifest", params={"limit": 2, "cursor": second["next"]})
    ).json()
    assert [i["manifestTrackingNumber"] for i in third["items"]] == [mtns[0]]
    assert third["next"] is None

    newest = await testuser1.get(
        "/api/manifest",
        params={"site": "VATESTGEN001", "siteType": "generator", "q": newer[-1][-6:]},
    )
    assert [i["manifestTrackingNumber"] for i in newest.json()["items"]] == [newer[-1]]
    filtered = await testuser1.get(
        "/api/manifest", params={"status": "Scheduled", "submissionType": "Hybrid"}
    )
    assert filtered.json() == {"items": [], "total": 0, "totalExact": True, "next": None}
    since = await testuser1.get("/api/manifest", params={"updatedSince": "2999-01-01T00:00:00"})
    assert since.json()["total"] == 0
    before = await testuser1.get("/api/manifest", params={"updatedBefore": "2000-01-01"})
    assert before.json()["total"] == 0
    oldest = await testuser1.get("/api/manifest", params={"sort": "oldest", "limit": 1})
    assert [i["manifestTrackingNumber"] for i in oldest.json()["items"]] == [mtns[0]]
    # free text also finds a handler's name (from any word on), EPA ID or a waste code
    for text in ("facility mocktsdf", "MOCKTRANS00", "d001"):
        found = await testuser1.get("/api/manifest", params={"q": text})
        assert found.json()["total"] == 7, text

    for params, field in [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"cursor": "nonsense"}, "cursor"),
        ({"status": "Lost"}, "status"),
        ({"siteType": "shipper"}, "siteType"),
        ({"updatedSince": "yesterday"}, "updatedSince"),
        ({"updatedBefore": "soon"}, "updatedBefore"),
        ({"sort": "sideways"}, "sort"),
    ]:
        response = await testuser1.get("/api/manifest", params=params)
        assert response.status_code == 422, (params, response.text)
        assert field in {e["field"] for e in response.json()["errors"]}, response.text


async def test_drafts_are_numbered_apart_under_concurrent_creation(testuser1: Browser) -> None:
    responses = await asyncio.gather(
        *(testuser1.post("/api/manifest", json=manifest_document()) for _ in range(10))
    )
    assert [r.status_code for r in responses] == [201] * 10
    numbers = {r.json()["manifestTrackingNumber"] for r in responses}
    assert len(numbers) == 10


async def test_viewers_only_read(testuser1: Browser, orgadmin: Browser, app: Litestar) -> None:
    mtn = (await create(testuser1)).json()["manifestTrackingNumber"]
    sent = "100000001ELC"
    await store_from_rcrainfo(app, a_manifest(mtn=sent, status="Scheduled"))
    demoted = await orgadmin.put(
        "/api/orgs/generators-org-llc/members/testuser1/sites/VATESTGEN001", json={"role": "viewer"}
    )
    assert demoted.status_code in (200, 204), demoted.text
    # a manifest in e-Manifest: read, not changed
    assert (await testuser1.get(f"/api/manifest/{sent}")).status_code == 200
    numbers = (await testuser1.get("/api/manifest/mtn/VATESTGEN001")).json()
    assert [n["manifestTrackingNumber"] for n in numbers] == [sent]  # drafts are preparers'
    for response in [
        await testuser1.post("/api/manifest", json=manifest_document()),
        await testuser1.put(f"/api/manifest/{sent}", json=manifest_document(mtn=sent)),
    ]:
        assert response.status_code == 403, response.text
    # a draft is its site's preparers' (and above): to a viewer it is not there
    for response in [
        await testuser1.get(f"/api/manifest/{mtn}"),
        await testuser1.put(f"/api/manifest/{mtn}", json=manifest_document()),
        await testuser1.delete(f"/api/manifest/{mtn}"),
    ]:
        assert response.status_code == 404, response.text
    # the org admin manages the site, so may change the draft
    assert (await orgadmin.delete(f"/api/manifest/{mtn}")).status_code == 204
    container: AsyncContainer = app.state.dishka_container
    async with container() as scope:
        log = await scope.get(AuditLog)
        entries = await log.list(object_type="manifest", object_id=mtn)
    assert [(e.actor, e.action) for e in entries] == [
        ("orgadmin", "delete"),
        ("testuser1", "create"),
    ]


async def test_validation_answers_errors_and_warnings_without_saving(testuser1: Browser) -> None:
    shape = await testuser1.post("/api/manifest/validate", json={"wastes": "none"})
    assert shape.status_code == 200
    assert shape.json() == {
        "valid": False,
        "errors": [{"field": "wastes", "message": shape.json()["errors"][0]["message"]}],
        "warnings": [],
    }
    draft = {"generator": {"epaSiteId": "VATESTGEN001"}}
    local = (await testuser1.post("/api/manifest/validate", json=draft)).json()
    assert local["valid"] is True
    assert "designatedFacility" in {w["field"] for w in local["warnings"]}
    strict = await testuser1.post(
        "/api/manifest/validate", params={"purpose": "emanifest_save"}, json=draft
    )
    assert strict.json()["valid"] is False
    assert "designatedFacility" in {e["field"] for e in strict.json()["errors"]}
    not_json = await testuser1.post("/api/manifest/validate", content=b"{")
    assert not_json.json()["errors"][0]["field"] == ""
    bad_purpose = await testuser1.post(
        "/api/manifest/validate", params={"purpose": "whatever"}, json=draft
    )
    assert bad_purpose.status_code == 422
    assert (await testuser1.get("/api/manifest")).json()["total"] == 0


async def test_another_orgs_manifest_is_not_in_its_lists(
    testuser1: Browser, tsdf1: Browser
) -> None:
    await create(testuser1, tsdf="VAOTHERTSDF1")
    assert (await tsdf1.get("/api/manifest")).json()["total"] == 0
    assert (await tsdf1.get("/api/manifest/mtn")).json() == []


OTHER_ORG_REQUESTS: list[tuple[str, str, Any]] = [
    ("GET", "/api/manifest/{mtn}", None),
    ("PUT", "/api/manifest/{mtn}", manifest_document(tsdf="MOCKTSDFS001")),
    ("DELETE", "/api/manifest/{mtn}", None),
    ("GET", "/api/manifest/mtn/VATESTGEN001", None),
    ("GET", "/api/manifest/mtn/VATESTGEN001/Generator", None),
    ("GET", "/api/manifest?site=VATESTGEN001", None),
    ("POST", "/api/manifest", manifest_document(tsdf="VAOTHERTSDF1")),
]


@pytest.mark.parametrize(("method", "path", "body"), OTHER_ORG_REQUESTS)
async def test_another_orgs_user_gets_404_on_every_manifest_endpoint(
    testuser1: Browser, tsdf1: Browser, method: str, path: str, body: Any
) -> None:
    created = await create(testuser1, tsdf="VAOTHERTSDF1")
    mtn, etag = created.json()["manifestTrackingNumber"], created.headers["etag"]
    response = await tsdf1.request(method, path.format(mtn=mtn), json=body)
    assert response.status_code == 404, response.text
    assert response.json()["status"] == 404
    # and nothing changed
    after = await testuser1.get(f"/api/manifest/{mtn}")
    assert after.headers["etag"] == etag
    assert (await testuser1.get("/api/manifest")).json()["total"] == 1
