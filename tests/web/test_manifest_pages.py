"""The manifest pages: the list (filters in the URL, keyset pages, search as you type), one
manifest in the order of EPA form 8700-22 with only the actions the user may take now, the
signature's review page, the delete confirmation and the print view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec
from dishka import AsyncContainer
from litestar import Litestar

from haztrak.application.ports.manifests import ManifestRepository
from haztrak.application.ports.persistence import UnitOfWork
from haztrak.application.ports.tasks import TaskRepository
from haztrak.domain.manifest import ElectronicSignature, Manifest, Signer
from haztrak.domain.tasks import TaskName, TaskStatus
from tests.manifest_documents import a_manifest, manifest_document
from tests.web.conftest import WebUser

FORM_ORDER = [
    "box-generator",
    "box-transporters",
    "box-facility",
    "box-wastes",
    "box-handling",
    "box-certification",
    "box-receipt",
    "box-discrepancy",
    "box-receipt-tsdf",
]


async def keep(app: Litestar, *manifests: Manifest, start: datetime | None = None) -> None:
    """Store manifests as a sync from RCRAInfo would, one second apart (the last newest)."""
    container: AsyncContainer = app.state.dishka_container
    at = start or datetime.now(UTC) - timedelta(hours=1)
    async with container() as scope:
        repository = await scope.get(ManifestRepository)
        for index, manifest in enumerate(manifests):
            await repository.upsert_by_mtn(
                manifest, owner_org_id=None, at=at + timedelta(seconds=index)
            )
        await (await scope.get(UnitOfWork)).commit()


def signed(manifest: Manifest, *roles: str) -> Manifest:
    """The manifest with the generator (and transporters by order) signed."""
    signature = ElectronicSignature(
        signer=Signer(first_name="Gina", last_name="Generator"),
        signature_date="2026-12-01T10:00:00.000+00:00",
    )
    changes: dict[str, Any] = {}
    if "generator" in roles and manifest.generator:
        changes["generator"] = msgspec.structs.replace(
            manifest.generator, electronic_signatures_info=[signature]
        )
    return msgspec.structs.replace(manifest, **changes)


async def draft(user: WebUser, **changes: Any) -> str:
    response = await user.client.post(
        "/api/manifest",
        json=manifest_document(**changes),
        headers={"X-CSRFToken": user.csrf},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["manifestTrackingNumber"])


def mtns(page: Any) -> list[str]:
    return page.texts("#results tbody tr td:first-child a")


async def test_the_list_filters_from_the_url_and_searches_names_ids_and_codes(
    app: Litestar, generator_user: WebUser
) -> None:
    acme = a_manifest(mtn="100000001ELC", status="Scheduled", tsdf="VATSDFACME01")
    acme = msgspec.structs.replace(
        acme,
        designated_facility=msgspec.structs.replace(
            acme.designated_facility, name="Acme Chemical Disposal"
        ),
    )
    incoming = a_manifest(
        mtn="100000002ELC", status="InTransit", generator="VAOTHERGEN01", tsdf="VATESTGEN001"
    )
    no_waste = a_manifest(mtn="100000003ELC", status="Signed", wastes=0)
    await keep(app, acme, incoming, no_waste)
    mine = await draft(generator_user)

    everything = await generator_user.get("/manifests")
    assert everything.status == 200
    assert everything.h1 == "Manifests"
    assert mtns(everything) == [mine, "100000003ELC", "100000002ELC", "100000001ELC"]
    assert everything.text("#results-h") == "4 manifests"

    cases = {
        "q=acme": ["100000001ELC"],  # a handler's name
        "q=chemical+disp": ["100000001ELC"],  # from a word of it on
        "q=vatsdfac": ["100000001ELC"],  # an EPA ID it begins
        "q=D001": [mine, "100000002ELC", "100000001ELC"],  # a waste code
        "q=0003": ["100000003ELC"],  # part of the tracking number
        "status=InTransit": ["100000002ELC"],
        "role=Tsdf": ["100000002ELC"],  # incoming
        "role=Generator&status=Signed": ["100000003ELC"],
        "site=VATESTGEN001&sort=oldest": ["100000001ELC", "100000002ELC", "100000003ELC", mine],
        "from=2000-01-01&to=2000-12-31": [],
    }
    for query, expected in cases.items():
        page = await generator_user.get(f"/manifests?{query}")
        assert page.status == 200, query
        assert mtns(page) == expected, query
    # the filters stay in the form: the URL is the view
    page = await generator_user.get("/manifests?q=acme&status=Scheduled&sort=oldest")
    assert page.one("#f-q")["value"] == "acme"
    assert page.one("#f-status option[selected]")["value"] == "Scheduled"
    assert page.one("#f-sort option[selected]")["value"] == "oldest"
    assert page.text("#results-h") == "1 manifest match"
    # a bad filter is named next to its field, never a 500
    bad = await generator_user.get("/manifests?to=yesterday")
    assert bad.status == 400
    assert "Changed until must be a date" in bad.text("#f-to-error")
    foreign = await generator_user.get("/manifests?site=MOCKTSDFS001")
    assert foreign.status == 400
    assert "Site is not one of your sites" in foreign.text("#f-site-error")


async def test_search_as_you_type_swaps_the_results_and_pages_follow_the_keyset(
    app: Litestar, generator_user: WebUser
) -> None:
    many = [a_manifest(mtn=f"1000000{n:02d}ELC", status="Scheduled") for n in range(1, 28)]
    await keep(app, *many)
    form = (await generator_user.get("/manifests")).one("form.filters")
    assert form["method"] == "get"
    search = form.select_one("#f-q")
    assert search["hx-trigger"] == "input changed delay:300ms, search"
    assert search["hx-push-url"] == "true"

    partial = await generator_user.htmx(
        "GET", "/manifests?q=100000027", headers={"HX-Target": "results"}
    )
    assert partial.status == 200
    assert partial.html.find("html") is None  # only the results region
    assert partial.text("#results-status") == "1 manifest match"  # announced, out of band
    assert partial.one("#results-status")["hx-swap-oob"] == "true"
    assert mtns(partial) == ["100000027ELC"]

    first = await generator_user.get("/manifests?status=Scheduled")
    assert first.text("#results-h") == "27 manifests match"
    assert len(mtns(first)) == 25
    assert mtns(first)[0] == "100000027ELC"
    next_link = first.one("a[rel=next]")["href"]
    assert "status=Scheduled" in next_link
    await keep(app, a_manifest(mtn="100000099ELC", status="Scheduled"), start=datetime.now(UTC))
    second = await generator_user.get(next_link)
    assert mtns(second) == ["100000002ELC", "100000001ELC"]  # the new one shifts nothing
    assert second.all("a[rel=next]") == []
    assert second.one(".pager a")["href"] == "/manifests?status=Scheduled"


async def test_a_manifest_reads_in_form_order_with_only_the_actions_allowed_now(
    app: Litestar, generator_user: WebUser, transporter_user: WebUser
) -> None:
    await keep(app, a_manifest(mtn="100000001ELC", status="Scheduled"))
    page = await generator_user.get("/manifests/100000001ELC")
    assert page.status == 200
    boxes = [section["id"] for section in page.all(".manifest-form section h2")]
    assert boxes == FORM_ORDER
    assert page.texts(".parties > li > .party__role") == [
        "Transporter 1",
        "Transporter 2",
    ]
    assert "NA1993, Waste Diesel fuel, 3, III" in page.texts(".waste-table tbody tr")[0]
    assert page.text(".waiting") == "Waiting for the generator (Generator VATESTGEN001) to sign."
    # testuser1 signs for the generator: sign, sync and update (Scheduled); no draft actions
    actions = page.one(".manifest-actions")
    assert actions.select_one("a.button--sign")["href"] == "/manifests/100000001ELC/sign"
    assert actions.select_one("form[action='/manifests/100000001ELC/sync']") is not None
    assert actions.select("a[href$='/edit'], a[href$='/delete']") == []
    # the transporter is on the manifest but it is not its turn
    theirs = await transporter_user.get("/manifests/100000001ELC")
    assert theirs.status == 200
    assert theirs.all(".manifest-actions a.button--sign") == []
    assert (await transporter_user.get("/manifests/100000001ELC/sign")).status == 403

    # once the generator signed, it is transporter 1's turn
    await keep(app, signed(a_manifest(mtn="100000001ELC", status="Scheduled"), "generator"))
    theirs = await transporter_user.get("/manifests/100000001ELC")
    sign = theirs.one(".manifest-actions a.button--sign")
    assert sign.get_text(strip=True) == "Review and sign as transporter 1"
    assert "Gina Generator" in theirs.text("section[aria-labelledby=box-certification]")
    assert (await generator_user.get("/manifests/100000001ELC")).all("a.button--sign") == []


async def test_a_viewer_sees_no_edit_or_sign_and_a_foreign_manifest_is_a_404_page(
    app: Litestar, generator_user: WebUser, org_admin: WebUser
) -> None:
    await keep(
        app,
        a_manifest(mtn="100000001ELC", status="Scheduled"),
        a_manifest(
            mtn="100000002ELC",
            status="Scheduled",
            generator="VAOTHERGEN01",
            transporters=("VAOTHERTRN01",),
            tsdf="VAOTHERTSD01",
        ),
    )
    mtn = await draft(generator_user)
    demoted = await org_admin.client.put(
        "/api/orgs/generators-org-llc/members/testuser1/sites/VATESTGEN001",
        json={"role": "viewer"},
        headers={"X-CSRFToken": org_admin.csrf},
    )
    assert demoted.status_code in (200, 204), demoted.text
    page = await generator_user.get("/manifests/100000001ELC")
    assert page.status == 200
    assert page.texts(".manifest-actions .button") == [
        "Sync with RCRAInfo",
        "Open in RCRAInfo",
        "Print view",
        "Download PDF",
    ]
    assert (await generator_user.get("/manifests/100000001ELC/sign")).status == 403
    # the draft is its site's preparers': a viewer does not see it at all
    for url in (f"/manifests/{mtn}", f"/manifests/{mtn}/delete", f"/manifests/{mtn}/print"):
        gone = await generator_user.get(url)
        assert gone.status == 404, url
        assert gone.h1 == "Not found"
    assert mtn not in mtns(await generator_user.get("/manifests"))
    # another org's manifest does not exist for this user, on every page of it
    for url in ("/manifests/100000002ELC", "/manifests/100000002ELC/sign"):
        foreign = await generator_user.get(url)
        assert foreign.status == 404, url
        assert foreign.h1 == "Not found"
    posted = await generator_user.post("/manifests/100000002ELC/sync")
    assert posted.status == 404


async def test_signing_reviews_the_manifest_then_starts_quicker_sign_and_shows_progress(
    app: Litestar, generator_user: WebUser
) -> None:
    await keep(app, a_manifest(mtn="100000001ELC", status="Scheduled"))
    review = await generator_user.get("/manifests/100000001ELC/sign")
    assert review.status == 200
    assert review.h1 == "Review and sign manifest 100000001ELC"
    assert review.text(".seat__who") == (
        "You sign for Generator VATESTGEN001 ( VATESTGEN001 ) as the generator ."
    )
    assert [s["id"] for s in review.all(".manifest-form section h2")] == FORM_ORDER
    assert review.one("#f-printed_name")["value"] == "Terry Tester"
    assert review.one("#f-signed_on")["value"] == datetime.now(UTC).date().isoformat()
    assert review.one("#confirm").get("checked") is None
    fields = {i["name"]: i.get("value", "") for i in review.all("#sign-panel input[type=hidden]")}
    fields.pop("csrf_token")
    assert fields == {"site_id": "VATESTGEN001", "site_type": "Generator", "transporter_order": ""}

    unconfirmed = await generator_user.post(
        "/manifests/100000001ELC/sign",
        {**fields, "printed_name": "Terry Tester", "signed_on": ""},
    )
    assert unconfirmed.status == 422
    assert unconfirmed.one("#error-summary a")["href"] == "#confirm"
    assert "reviewed" in unconfirmed.text("#confirm-error")

    started = await generator_user.post(
        "/manifests/100000001ELC/sign",
        {**fields, "printed_name": "Terry Tester", "signed_on": "", "confirm": "yes"},
    )
    assert started.status == 303, started.response.text
    location = started.response.headers["location"]
    assert location.startswith("/manifests/100000001ELC?task=")
    task_id = UUID(location.split("task=")[1])
    container: AsyncContainer = app.state.dishka_container
    async with container() as scope:
        task = await (await scope.get(TaskRepository)).get(task_id)
    assert task is not None
    assert (task.name, task.status) == (TaskName.QUICKER_SIGN, TaskStatus.PENDING)
    assert task.payload["manifestTrackingNumbers"] == ["100000001ELC"]
    assert task.payload["printedSignatureName"] == "Terry Tester"
    assert task.enqueued_at is not None

    progress = await generator_user.get(location)
    box = progress.one("#manifest-task-box")
    assert box["data-task-status"] == "PENDING"
    assert box["hx-get"].startswith(f"/tasks/{task_id}/progress")
    history = progress.texts(".timeline .timeline__what")
    assert history == ["Quicker Sign requested as generator for VATESTGEN001"]

    # with htmx the signature panel turns into the task's progress in place
    await keep(app, a_manifest(mtn="100000002ELC", status="Scheduled"))
    swapped = await generator_user.htmx(
        "POST",
        "/manifests/100000002ELC/sign",
        data={**fields, "printed_name": "Terry Tester", "confirm": "yes"},
    )
    assert swapped.status == 200
    assert swapped.html.find("html") is None
    assert swapped.one("#sign-panel [data-task-status]")["data-task-status"] == "PENDING"


async def test_a_draft_is_deleted_after_a_confirmation_and_prints_as_a_paper_copy(
    generator_user: WebUser,
) -> None:
    mtn = await draft(generator_user)
    page = await generator_user.get(f"/manifests/{mtn}")
    actions = page.one(".manifest-actions")
    assert actions.select_one(f"a[href='/manifests/{mtn}/edit']") is not None
    assert actions.select_one(f"form[action='/manifests/{mtn}/submit']") is not None
    assert actions.select("a.button--sign, form[action$='/sync']") == []

    printed = await generator_user.get(f"/manifests/{mtn}/print")
    assert printed.status == 200
    assert printed.one("button[data-print]").get_text(strip=True) == "Print"
    assert [s["id"] for s in printed.all(".manifest-form section h2")] == FORM_ORDER

    confirm = await generator_user.get(f"/manifests/{mtn}/delete")
    assert confirm.status == 200
    assert confirm.h1 == f"Delete draft {mtn} ?"  # the number in its own (mono) span
    form = confirm.one(f"form[action='/manifests/{mtn}/delete']")
    version = form.select_one("input[name=version]")["value"]
    stale = await generator_user.post(f"/manifests/{mtn}/delete", {"version": "0-1"})
    assert stale.status == 303
    assert (await generator_user.get(f"/manifests/{mtn}")).status == 200  # nothing deleted
    deleted = await generator_user.post(f"/manifests/{mtn}/delete", {"version": version})
    assert deleted.status == 303
    assert deleted.response.headers["location"] == "/manifests"
    after = await generator_user.get("/manifests")
    assert after.text("#flash") == f"Draft {mtn} deleted."
    assert (await generator_user.get(f"/manifests/{mtn}")).status == 404


async def test_submitting_a_draft_shows_its_task_and_then_leads_to_the_manifest(
    app: Litestar, generator_user: WebUser
) -> None:
    mtn = await draft(generator_user)
    submitted = await generator_user.post(f"/manifests/{mtn}/submit")
    assert submitted.status == 303, submitted.response.text
    location = submitted.response.headers["location"]
    task_id = UUID(location.split("task=")[1])
    page = await generator_user.get(location)
    assert page.one("#manifest-task-box")["data-task-status"] == "PENDING"
    assert "Submit to e-Manifest" in page.text("#manifest-task-box")

    # the worker saves it in e-Manifest and the draft goes: the page leads on to the manifest
    container: AsyncContainer = app.state.dishka_container
    async with container() as scope:
        tasks = await scope.get(TaskRepository)
        now = datetime.now(UTC)
        claimed = await tasks.claim(task_id, at=now, lease_until=now)
        assert claimed is not None
        result = {"manifestTrackingNumber": "100000009ELC"}
        ended = await tasks.finish(
            task_id, attempt=claimed.attempts, status=TaskStatus.SUCCESS, at=now, result=result
        )
        assert ended
        await (await scope.get(UnitOfWork)).commit()
    gone = await generator_user.client.delete(
        f"/api/manifest/{mtn}", headers={"X-CSRFToken": generator_user.csrf}
    )
    assert gone.status_code == 204
    onward = await generator_user.get(location)
    assert onward.status == 303
    assert onward.response.headers["location"] == "/manifests/100000009ELC"
    # without the task, a draft that is gone is a 404 page
    assert (await generator_user.get(f"/manifests/{mtn}")).status == 404
