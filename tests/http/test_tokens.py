"""Personal API tokens: shown once, stored hashed, accepted as Bearer, revocable."""

from __future__ import annotations

import hashlib

from litestar import Litestar
from sqlalchemy import select

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.tables import ApiTokenRow
from haztrak.entrypoints.settings import Settings
from tests.http.conftest import Browser, http_client


async def test_a_token_is_shown_once_and_works_as_bearer(
    testuser1: Browser, app: Litestar, settings: Settings
) -> None:
    created = await testuser1.post("/api/user/tokens", json={"name": "my script"})
    assert created.status_code == 201
    body = created.json()
    raw = body["token"]
    assert raw.startswith("htk_")
    assert body["prefix"] == raw[:10]

    listed = await testuser1.get("/api/user/tokens")
    assert [t["name"] for t in listed.json()] == ["my script"]
    assert "token" not in listed.json()[0]

    # stored as a hash only
    engine = database.create_engine(settings.database.url.reveal())
    async with database.session_factory(engine)() as session:
        rows = (await session.scalars(select(ApiTokenRow))).all()
    await engine.dispose()
    assert [r.token_hash for r in rows] == [hashlib.sha256(raw.encode()).hexdigest()]
    assert all(raw not in (r.token_hash, r.prefix, r.name) for r in rows)

    async with http_client(app) as script:
        me = await script.get("/api/user/current-user", headers={"Authorization": f"Bearer {raw}"})
        assert me.status_code == 200
        assert me.json()["username"] == "testuser1"
        # bearer requests need no CSRF token: no cookie is involved
        update = await script.put(
            "/api/user/current-user",
            json={"lastName": "Scripted"},
            headers={"Authorization": f"Bearer {raw}"},
        )
        assert update.status_code == 200

        revoked = await testuser1.delete(f"/api/user/tokens/{body['id']}")
        assert revoked.status_code == 204
        after = await script.get(
            "/api/user/current-user", headers={"Authorization": f"Bearer {raw}"}
        )
        assert after.status_code == 401
    assert (await testuser1.get("/api/user/tokens")).json() == []


async def test_bad_bearer_tokens_are_401(anonymous: Browser) -> None:
    for header in ("Bearer htk_not-a-real-token", "Bearer nonsense", "Basic abc", "Bearer "):
        response = await anonymous.get("/api/user/current-user", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_user_cannot_revoke_another_users_token(testuser1: Browser, tsdf1: Browser) -> None:
    token = (await testuser1.post("/api/user/tokens", json={"name": "mine"})).json()
    response = await tsdf1.delete(f"/api/user/tokens/{token['id']}")
    assert response.status_code == 404
    assert len((await testuser1.get("/api/user/tokens")).json()) == 1


async def test_token_name_is_validated(testuser1: Browser) -> None:
    response = await testuser1.post("/api/user/tokens", json={"name": "   "})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "name", "message": "must be 1-100 characters"}]
    missing = await testuser1.post("/api/user/tokens", json={})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "name"
