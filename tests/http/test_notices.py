"""The notices API: an event recorded by a write through the app's own container becomes a
notice of the users of its site; the list, the unread count, marking read, preferences."""

from __future__ import annotations

from typing import Any

from dishka import AsyncContainer
from litestar import Litestar

from haztrak.application.events.dispatch import DispatchEvents
from tests.http.conftest import Browser, store_from_rcrainfo
from tests.manifest_documents import a_manifest

MTN = "100000009ELC"


async def _dispatch(app: Litestar) -> Any:
    container: AsyncContainer = app.state.dishka_container
    async with container() as scope:
        return await (await scope.get(DispatchEvents))()


async def test_a_manifest_waiting_for_a_site_is_a_notice_of_its_users(
    app: Litestar, testuser1: Browser, tsdf1: Browser
) -> None:
    await store_from_rcrainfo(app, a_manifest(mtn=MTN, status="Scheduled"))
    assert (await _dispatch(app))["dispatched"] == 1
    listed = await testuser1.get("/api/notices")
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert body["unread"] == 1
    assert body["next"] is None
    (notice,) = body["items"]
    assert notice["kind"] == "manifest.awaiting_signature"
    assert notice["manifestTrackingNumber"] == MTN
    assert notice["link"] == f"/manifests/{MTN}"
    assert notice["read"] is False
    assert MTN in notice["title"]
    # the facility is on the manifest but it is not its turn
    assert (await tsdf1.get("/api/notices")).json()["items"] == []

    assert (await testuser1.post(f"/api/notices/{notice['id']}/read")).status_code == 204
    after = (await testuser1.get("/api/notices")).json()
    assert after["unread"] == 0
    assert after["items"][0]["read"] is True
    assert (await testuser1.get("/api/notices?unread=true")).json()["items"] == []
    # someone else's notice is not there for you
    assert (await tsdf1.post(f"/api/notices/{notice['id']}/read")).status_code == 404
    marked = await testuser1.post("/api/notices/read")
    assert marked.json() == {"marked": 0}


async def test_preferences_are_read_and_set(testuser1: Browser) -> None:
    got = await testuser1.get("/api/notices/preferences")
    assert got.status_code == 200
    body = got.json()
    assert body["deliveries"]["manifest.signed"] == "in_app"
    assert len(body["deliveries"]) == 10
    assert body["emailEnabled"] is False  # no HT_SMTP_HOST in the tests
    put = await testuser1.put(
        "/api/notices/preferences", json={"deliveries": {"manifest.signed": "in_app"}}
    )
    assert put.status_code == 200, put.text


async def test_bad_preferences_and_cursors_name_the_field(testuser1: Browser) -> None:
    bad_kind = await testuser1.put(
        "/api/notices/preferences", json={"deliveries": {"manifest.eaten": "email"}}
    )
    assert bad_kind.status_code == 422
    assert "manifest.eaten" in bad_kind.text
    bad_delivery = await testuser1.put(
        "/api/notices/preferences", json={"deliveries": {"manifest.signed": "pigeon"}}
    )
    assert bad_delivery.status_code == 422
    assert "manifest.signed" in bad_delivery.text
    bad_cursor = await testuser1.get("/api/notices?cursor=nope")
    assert bad_cursor.status_code == 422
    assert "cursor" in bad_cursor.text
    bad_limit = await testuser1.get("/api/notices?limit=0")
    assert bad_limit.status_code in (400, 422)


async def test_notices_need_a_session(anonymous: Browser) -> None:
    assert (await anonymous.get("/api/notices")).status_code == 401
    assert (await anonymous.get("/api/notices/preferences")).status_code == 401
