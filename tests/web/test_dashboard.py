"""The dashboard: the user's sites with counts per status, what waits for the user's
signature (by the lifecycle's turn and the user's role), the user's drafts, manifests received
with discrepancies or rejections, the user's running or failed tasks, and a banner when an
org's RCRAInfo credentials are failing."""

from __future__ import annotations

import msgspec
from litestar import Litestar

from haztrak.domain.identity import SiteRole
from haztrak.domain.manifest import HandlerRole
from haztrak.domain.tasks import TaskName, TaskProblem, TaskStatus
from tests.manifest_documents import a_manifest, manifest_document
from tests.web.conftest import WebUser
from tests.web.support import (
    GEN,
    TRANS1,
    TSDF,
    a_task,
    give_site_role,
    keep,
    mark_credentials_failing,
    signed_by,
    stored,
)


def _waiting(page: object) -> list[str]:
    return [a.get_text(strip=True) for a in page.all("#sign-h ~ .dash-list .dash-item__mtn")]  # type: ignore[attr-defined]


async def test_the_dashboard_needs_a_sign_in(visitor: WebUser) -> None:
    page = await visitor.get("/dashboard")
    assert page.status == 303
    assert page.response.headers["location"] == "/login?next=/dashboard"


async def test_waiting_for_your_signature_follows_the_signing_order(
    app: Litestar,
    generator_user: WebUser,
    transporter_user: WebUser,
    tsdf_user: WebUser,
) -> None:
    await stored(app, "100000001ELC")  # Scheduled, nobody signed: the generator's turn
    await keep(
        app,
        signed_by(
            a_manifest(mtn="100000002ELC", status="Scheduled"),
            (HandlerRole.GENERATOR, GEN, None),
        ),
    )  # the first transporter's turn
    await stored(app, "100000003ELC", status="ReadyForSignature")  # the facility's turn
    await stored(app, "100000004ELC", status="Signed")  # nobody's

    gen = await generator_user.get("/dashboard")
    assert gen.status == 200
    assert _waiting(gen) == ["100000001ELC"]
    assert "generator" in gen.text("#sign-h ~ .dash-list .dash-item__note")
    sign = gen.one("#sign-h ~ .dash-list a.button--sign")
    assert sign["href"] == "/manifests/100000001ELC/sign"

    trans = await transporter_user.get("/dashboard")
    assert _waiting(trans) == ["100000002ELC"]
    assert "transporter 1" in trans.text("#sign-h ~ .dash-list .dash-item__note")

    tsdf = await tsdf_user.get("/dashboard")
    assert _waiting(tsdf) == ["100000003ELC"]


async def test_a_viewer_and_a_hybrid_generator_have_nothing_to_sign(
    app: Litestar, tsdf_user: WebUser, generator_user: WebUser
) -> None:
    await stored(app, "100000011ELC")
    await stored(app, "100000012ELC", submission_type="Hybrid")
    await give_site_role(app, "tsdf1", GEN, SiteRole.VIEWER)

    viewer = await tsdf_user.get("/dashboard")
    assert _waiting(viewer) == []
    assert "Nothing waits for your signature" in viewer.text("#sign-h + p")

    signer = await generator_user.get("/dashboard")
    assert _waiting(signer) == ["100000011ELC"]  # a Hybrid generator signs on paper


async def test_each_site_counts_its_manifests_per_status(
    app: Litestar, generator_user: WebUser, transporter_user: WebUser
) -> None:
    for number in (21, 22):
        await stored(app, f"1000000{number}ELC")
    await stored(app, "100000023ELC", status="Signed")
    made = await generator_user.client.post(
        "/api/manifest",
        content=msgspec.json.encode(manifest_document()),
        headers={"X-CSRFToken": generator_user.csrf, "Content-Type": "application/json"},
    )
    assert made.status_code == 201, made.text

    gen = await generator_user.get("/dashboard")
    counts = {
        link["href"].split("status=")[1]: link.find("strong").get_text()
        for link in gen.all(".site-card .count-link")
    }
    assert counts == {"NotAssigned": "1", "Scheduled": "2", "Signed": "1"}
    assert gen.one(".site-card h3 a")["href"] == f"/sites/{GEN}"

    # The draft is VATESTGEN001's alone: the transporter's sites count only the others.
    trans = await transporter_user.get("/dashboard")
    cards = {c.find("h3").get_text(strip=True): c for c in trans.all(".site-card")}
    first = cards["MOCK TRANSPORTER 1"]
    found = {
        link["href"].split("status=")[1]: link.find("strong").get_text()
        for link in first.select(".count-link")
    }
    assert found == {"Scheduled": "2", "Signed": "1"}


async def test_drafts_are_listed_to_their_site_s_preparers_only(
    app: Litestar, generator_user: WebUser, transporter_user: WebUser
) -> None:
    made = await generator_user.client.post(
        "/api/manifest",
        content=msgspec.json.encode(manifest_document()),
        headers={"X-CSRFToken": generator_user.csrf, "Content-Type": "application/json"},
    )
    mtn = made.json()["manifestTrackingNumber"]

    gen = await generator_user.get("/dashboard")
    assert [a.get_text(strip=True) for a in gen.all("#drafts-h ~ .plain-list a")] == [mtn]
    assert gen.text("#drafts-h .count-pill") == "1"

    trans = await transporter_user.get("/dashboard")
    assert trans.all("#drafts-h ~ .plain-list a") == []
    assert "No drafts you can edit" in trans.text("#drafts-h + p")


async def test_received_manifests_with_discrepancies_or_rejections(
    app: Litestar, tsdf_user: WebUser
) -> None:
    await keep(
        app,
        msgspec.structs.replace(a_manifest(mtn="100000031ELC", status="Signed"), discrepancy=True),
    )
    await keep(
        app,
        msgspec.structs.replace(a_manifest(mtn="100000032ELC", status="Signed"), rejection=True),
    )
    await stored(app, "100000033ELC", status="Signed")  # received as described

    page = await tsdf_user.get("/dashboard")
    items = {
        li.find("a").get_text(strip=True): [b.get_text(strip=True) for b in li.select(".badge")]
        for li in page.all("#received-h ~ .plain-list li")
    }
    assert items == {"100000032ELC": ["Rejected"], "100000031ELC": ["Discrepancy"]}


async def test_the_user_s_running_and_failed_tasks_with_what_to_do(
    app: Litestar, generator_user: WebUser
) -> None:
    running = await a_task(app, "testuser1")
    failed = await a_task(
        app,
        "testuser1",
        TaskName.SUBMIT_MANIFEST,
        status=TaskStatus.FAILURE,
        subject="100000041ELC",
        error=TaskProblem(
            title="Unauthorized", detail="RCRAInfo refused the API ID and key", kind="unauthorized"
        ),
    )
    await a_task(app, "testuser1", status=TaskStatus.SUCCESS, result={"manifests": 3})
    await a_task(app, "transporter1", status=TaskStatus.FAILURE, subject=TRANS1)

    page = await generator_user.get("/dashboard")
    boxes = page.all("#tasks-h ~ .task")
    assert [b["id"] for b in boxes] == [f"task-{failed}", f"task-{running}"]
    assert page.one(f"#task-{running}")["hx-get"] == f"/tasks/{running}/progress"
    failure = page.text(f"#task-{failed}")
    assert "Submit to e-Manifest failed: RCRAInfo refused the API ID and key." in failure
    assert "An admin of the organization must set its RCRAInfo API ID and key again" in failure
    retry = page.one(f"#task-{failed} form")
    assert retry["action"] == f"/tasks/{failed}/retry"


async def test_a_banner_when_an_org_s_rcrainfo_credentials_fail(
    app: Litestar, generator_user: WebUser, org_admin: WebUser, tsdf_user: WebUser
) -> None:
    assert (await generator_user.get("/dashboard")).all(".alert--error") == []
    await mark_credentials_failing(app, "generators-org-llc")

    member = await generator_user.get("/dashboard")
    banner = member.text(".alert--error")
    assert "RCRAInfo refused the credentials of Generators Org LLC" in banner
    assert "Ask an admin of Generators Org LLC" in banner
    assert member.all(".alert--error a") == []

    admin = await org_admin.get("/dashboard")
    assert admin.one(".alert--error a")["href"] == "/org/generators-org-llc#credentials"

    assert (await tsdf_user.get("/dashboard")).all(".alert--error") == []


async def test_a_user_without_sites_is_told_how_to_get_one(
    app: Litestar, generator_user: WebUser
) -> None:
    await give_site_role(app, "testuser1", GEN, None)
    page = await generator_user.get("/dashboard")
    assert "You do not work for any site yet" in page.text("#sites-h + .cards")
    assert TSDF not in page.response.text
