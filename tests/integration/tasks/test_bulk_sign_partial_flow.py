"""Bulk Quicker Sign with nothing faked (the app and its web UI, a worker, the real adapter and
EPA's client, the embedded e-Manifest sandbox) when one manifest moves on while its signer
reviews the batch: the others are signed, and that one is reported with the reason, as EPA's
per-manifest report does, instead of the whole batch being refused."""

from __future__ import annotations

from bs4 import BeautifulSoup

from tests.http.conftest import Browser
from tests.http.test_tasks_api import started, task_done
from tests.integration.tasks.test_bulk_sign_and_links_flow import (  # noqa: F401
    GEN,
    app,
    in_emanifest,
    testuser1,
)


async def test_a_manifest_signed_meanwhile_is_reported_and_the_others_signed(
    testuser1: Browser,  # noqa: F811
) -> None:
    mtns = [await in_emanifest(testuser1) for _ in range(3)]
    review = await testuser1.get("/sign?" + "&".join(f"mtn={m}" for m in mtns))
    assert review.status_code == 200, review.text
    form = BeautifulSoup(review.text, "html.parser").select_one(".sign-group form")
    assert form is not None
    group = form.select_one("input[name=group]")["value"]  # type: ignore[index]

    # Meanwhile the first is signed on its own (as a colleague would): the transporter's turn.
    alone = await testuser1.post(
        "/api/manifest/emanifest/sign",
        json={
            "manifestTrackingNumbers": [mtns[0]],
            "siteId": GEN,
            "siteType": "Generator",
            "printedSignatureName": "Colleague",
        },
    )
    assert (await task_done(testuser1, await started(alone)))["status"] == "SUCCESS"

    signed = await testuser1.post(
        "/sign",
        data={
            "csrf_token": testuser1.client.cookies.get("csrftoken") or "",
            "group": group,
            "mtn": mtns,
            "printed_name": "Terry Tester",
            "confirm": "yes",
        },
    )
    assert signed.status_code == 303, signed.text
    task_id = signed.headers["location"].removeprefix("/sign/")
    task = await task_done(testuser1, task_id)
    assert task["status"] == "SUCCESS", task
    assert task["result"]["signed"] == mtns[1:]
    [refused] = task["result"]["notSigned"]
    assert refused["manifestTrackingNumber"] == mtns[0]
    assert "waits for the transporter" in refused["reasons"][0]
    assert {r["manifestTrackingNumber"] for r in task["result"]["manifestReports"]} == set(
        mtns[1:]
    )  # only those went to e-Manifest

    outcome = BeautifulSoup((await testuser1.get(f"/sign/{task_id}")).text, "html.parser")
    said = {m: outcome.select_one(f"#outcome-{m}").get_text(" ", strip=True) for m in mtns}  # type: ignore[union-attr]
    assert all("Signed." in said[m] for m in mtns[1:])
    assert "Not signed" in said[mtns[0]]
    assert "waits for the transporter" in said[mtns[0]]

    # None of them waits for the generator now: the request itself is refused, naming each.
    again = await testuser1.post(
        "/api/manifest/emanifest/sign",
        json={
            "manifestTrackingNumbers": mtns[:2],
            "siteId": GEN,
            "siteType": "Generator",
            "printedSignatureName": "Terry Tester",
        },
    )
    assert again.status_code == 409, again.text
    assert mtns[0] in again.text
    assert mtns[1] in again.text
