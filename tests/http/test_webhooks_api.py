"""The webhooks API for org admins: the secret is in the answer that creates an endpoint and
nowhere else (stored encrypted), refusals name the field, deliveries are listed with their
attempts. Delivery itself is tested in tests/integration/webhooks."""

from __future__ import annotations

from sqlalchemy import select

from haztrak.adapters.persistence import database
from haztrak.adapters.persistence.webhook_tables import WebhookEndpointRow
from haztrak.entrypoints.settings import Settings
from tests.http.conftest import Browser

HOOKS = "/api/orgs/generators-org-llc/webhooks"
NEW = {"url": "https://hooks.example.com/haztrak", "kinds": ["manifest.signed"]}


def fields(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {e["field"] for e in response.json().get("errors", [])}


async def test_the_secret_is_shown_once_and_stored_encrypted(
    orgadmin: Browser, settings: Settings
) -> None:
    created = await orgadmin.post(HOOKS, json={**NEW, "description": "ERP"})
    assert created.status_code == 201, created.text
    body = created.json()
    secret = body["secret"]
    assert secret.startswith("whsec_")
    assert body["endpoint"] == {
        "id": body["endpoint"]["id"],
        "url": NEW["url"],
        "kinds": ["manifest.signed"],
        "description": "ERP",
        "active": True,
        "paused": False,
        "pausedAt": None,
        "consecutiveFailures": 0,
        "createdAt": body["endpoint"]["createdAt"],
    }
    listed = await orgadmin.get(HOOKS)
    assert [e["id"] for e in listed.json()] == [body["endpoint"]["id"]]
    assert secret not in listed.text
    engine = database.create_engine(settings.database.url.reveal())
    async with database.session_factory(engine)() as session:
        stored = [r.secret_encrypted for r in await session.scalars(select(WebhookEndpointRow))]
    await engine.dispose()
    assert len(stored) == 1
    assert secret.encode() not in stored[0]
    assert secret.removeprefix("whsec_").encode() not in stored[0]


async def test_refusals_name_the_field(orgadmin: Browser) -> None:
    cases = [
        ({**NEW, "url": "http://hooks.example.com/x"}, "url"),
        ({**NEW, "url": "https://169.254.169.254/latest"}, "url"),
        ({**NEW, "url": "https://[::1]:8443/x"}, "url"),
        ({**NEW, "url": "https://a:b@hooks.example.com/x"}, "url"),
        ({**NEW, "kinds": []}, "kinds"),
        ({**NEW, "kinds": ["manifest.eaten"]}, "kinds"),
        ({**NEW, "kinds": ["task.failed"]}, "kinds"),
        ({**NEW, "description": "x" * 201}, "description"),
        ({**NEW, "url": "https://h.example.com/\x00"}, "url"),
    ]
    for body, field in cases:
        response = await orgadmin.post(HOOKS, json=body)
        assert response.status_code == 422, (body, response.text)
        assert any(f == field or f.endswith(field) for f in fields(response)), response.text
    unknown = await orgadmin.post(HOOKS, json={**NEW, "secret": "mine"})
    assert unknown.status_code in (400, 422)
    assert (await orgadmin.get(HOOKS)).json() == []


async def test_change_resume_ping_and_deliveries(orgadmin: Browser) -> None:
    endpoint = (await orgadmin.post(HOOKS, json=NEW)).json()["endpoint"]
    path = f"{HOOKS}/{endpoint['id']}"
    changed = await orgadmin.request(
        "PATCH", path, json={"kinds": ["manifest.received", "manifest.signed"], "active": False}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["kinds"] == ["manifest.received", "manifest.signed"]
    assert changed.json()["active"] is False
    refused = await orgadmin.request("PATCH", path, json={"paused": True})
    assert refused.status_code == 422
    assert "paused" in fields(refused)
    ping = await orgadmin.post(f"{path}/ping")
    assert ping.status_code == 202
    delivery = ping.json()
    assert (delivery["kind"], delivery["status"], delivery["attempts"]) == ("ping", "pending", 0)
    listed = await orgadmin.get(f"{HOOKS}/deliveries", params={"endpointId": endpoint["id"]})
    assert [d["id"] for d in listed.json()] == [delivery["id"]]
    bad = await orgadmin.get(f"{HOOKS}/deliveries", params={"endpointId": "nope"})
    assert bad.status_code == 422
    assert "endpointId" in fields(bad)
    detail = await orgadmin.get(f"{HOOKS}/deliveries/{delivery['id']}")
    assert detail.status_code == 200
    assert '"kind":"ping"' in detail.json()["body"]
    assert detail.json()["attemptLog"] == []
    again = await orgadmin.post(f"{HOOKS}/deliveries/{delivery['id']}/redeliver")
    assert again.status_code == 409  # still waiting for its first attempt
    assert (await orgadmin.delete(path)).status_code == 204
    assert (await orgadmin.get(f"{HOOKS}/deliveries/{delivery['id']}")).status_code == 404


async def test_members_who_are_not_admins_are_refused(testuser1: Browser) -> None:
    assert (await testuser1.get(HOOKS)).status_code == 403
    assert (await testuser1.post(HOOKS, json=NEW)).status_code == 403
    assert (await testuser1.get("/api/orgs/mock-transporters/webhooks")).status_code == 404
