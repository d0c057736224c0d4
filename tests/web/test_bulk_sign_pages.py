"""Signing several manifests at once: select on the dashboard, review each, one Quicker Sign
per site and role, then each manifest's outcome in words."""

from __future__ import annotations

from uuid import UUID

from dishka import AsyncContainer
from litestar import Litestar

from haztrak.application.ports.tasks import TaskRepository
from haztrak.domain.manifest import HandlerRole
from haztrak.domain.tasks import FieldProblem, TaskName, TaskProblem, TaskStatus
from tests.manifest_documents import a_manifest
from tests.web.conftest import WebUser
from tests.web.support import GEN, a_task, keep, signed_by

ONE, TWO, NOT_MINE = "100000001ELC", "100000002ELC", "100000003ELC"


async def test_select_review_and_sign_several_manifests(
    app: Litestar, generator_user: WebUser
) -> None:
    await keep(app, a_manifest(mtn=ONE, status="Scheduled"))
    await keep(app, a_manifest(mtn=TWO, status="Scheduled"))
    await keep(
        app,
        signed_by(a_manifest(mtn=NOT_MINE, status="Scheduled"), (HandlerRole.GENERATOR, GEN, None)),
    )  # the transporter's turn now

    board = await generator_user.get("/dashboard")
    form = board.one("form.bulk-sign")
    assert (form["method"], form["action"]) == ("get", "/sign")
    picks = board.all('input[type=checkbox][name=mtn][form="bulk-sign"]')
    assert form["id"] == "bulk-sign"
    assert {i["value"] for i in picks} == {ONE, TWO}
    for box in picks:
        assert board.one(f'label[for="{box["id"]}"]') is not None

    review = await generator_user.get(f"/sign?mtn={ONE}&mtn={TWO}&mtn={NOT_MINE}")
    assert review.status == 200
    assert review.h1 == "Review and sign the selected manifests"
    assert [a.get_text(strip=True) for a in review.all(".review-item h3 a")] == [ONE, TWO]
    assert review.all(f"#review-{ONE} table tbody tr")  # the waste lines are shown
    assert NOT_MINE in review.text("#skipped-h ~ ul")
    sign_form = review.one(".sign-group form")
    hidden = [i["value"] for i in sign_form.select("input[type=hidden][name=mtn]")]
    assert hidden == [ONE, TWO]
    group = sign_form.select_one("input[name=group]")["value"]

    unconfirmed = await generator_user.post(
        "/sign", {"mtn": [ONE, TWO], "group": group, "printed_name": "Terry Tester"}
    )
    assert unconfirmed.status == 422
    assert "reviewed" in unconfirmed.response.text

    moved_on = await generator_user.post(
        "/sign",
        {"mtn": [NOT_MINE], "group": group, "printed_name": "T", "confirm": "yes"},
    )
    assert moved_on.status == 409  # none of them waits for this signature
    assert "moved on" in moved_on.response.text

    started = await generator_user.post(
        "/sign",
        {"mtn": [ONE, TWO], "group": group, "printed_name": "Terry Tester", "confirm": "yes"},
    )
    assert started.status == 303, started.response.text
    location = started.response.headers["location"]
    task_id = UUID(location.removeprefix("/sign/"))
    container: AsyncContainer = app.state.dishka_container
    async with container() as scope:
        task = await (await scope.get(TaskRepository)).get(task_id)
    assert task is not None
    assert task.name is TaskName.QUICKER_SIGN
    assert task.payload["manifestTrackingNumbers"] == [ONE, TWO]
    assert task.payload["siteId"] == GEN

    progress = await generator_user.get(location)
    assert progress.status == 200
    assert progress.one("#sign-task")["data-task-status"] == "PENDING"
    assert "Reload" in progress.text("#outcome-h ~ p")


async def test_the_outcome_says_which_were_signed_and_why_not(
    app: Litestar, generator_user: WebUser
) -> None:
    result = {
        "operationStatus": "PartiallySigned",
        "manifestReports": [
            {"manifestTrackingNumber": ONE, "signed": True, "errors": []},
            {
                "manifestTrackingNumber": TWO,
                "signed": False,
                "errors": [{"message": "Manifest is not ready to be quick signed"}],
            },
        ],
        "alreadySigned": [],
    }
    task_id = await a_task(
        app,
        "testuser1",
        TaskName.QUICKER_SIGN,
        status=TaskStatus.SUCCESS,
        result=result,
        payload={"manifestTrackingNumbers": [ONE, TWO], "siteId": GEN},
    )
    page = await generator_user.get(f"/sign/{task_id}")
    assert page.status == 200
    assert page.text(f"#outcome-{ONE}") == f"{ONE} Signed Signed."
    assert "Not signed: Manifest is not ready to be quick signed" in page.text(f"#outcome-{TWO}")

    failed = await a_task(
        app,
        "testuser1",
        TaskName.QUICKER_SIGN,
        status=TaskStatus.FAILURE,
        error=TaskProblem(
            title="e-Manifest refused",
            detail="e-Manifest signed none of the manifests",
            kind="validation",
            errors=(FieldProblem(field=ONE, message="Manifest not found", value=ONE),),
        ),
        payload={"manifestTrackingNumbers": [ONE], "siteId": GEN},
    )
    refused = await generator_user.get(f"/sign/{failed}")
    assert "Not signed: Manifest not found" in refused.text(f"#outcome-{ONE}")

    other = await a_task(app, "testuser1", TaskName.SYNC_SITE_MANIFESTS)
    assert (await generator_user.get(f"/sign/{other}")).status == 404
    assert (await generator_user.get("/sign")).status == 303


async def test_a_manifest_that_moved_on_is_reported_and_the_others_are_signed(
    app: Litestar, generator_user: WebUser
) -> None:
    await keep(app, a_manifest(mtn=ONE, status="Scheduled"))
    await keep(
        app,
        signed_by(a_manifest(mtn=NOT_MINE, status="Scheduled"), (HandlerRole.GENERATOR, GEN, None)),
    )  # signed by a colleague while this user reviewed it
    review = await generator_user.get(f"/sign?mtn={ONE}")
    group = review.one(".sign-group form input[name=group]")["value"]
    started = await generator_user.post(
        "/sign",
        {"mtn": [ONE, NOT_MINE], "group": group, "printed_name": "Terry", "confirm": "yes"},
    )
    assert started.status == 303, started.response.text
    location = started.response.headers["location"]
    container: AsyncContainer = app.state.dishka_container
    async with container() as scope:
        task = await (await scope.get(TaskRepository)).get(UUID(location.removeprefix("/sign/")))
    assert task is not None
    assert task.payload["manifestTrackingNumbers"] == [ONE]
    assert [r["manifestTrackingNumber"] for r in task.payload["refused"]] == [NOT_MINE]
    outcome = await generator_user.get(location)
    assert outcome.h1 == "Your signature on 2 manifests"
    said = outcome.text(f"#outcome-{NOT_MINE}")
    assert "Not signed" in said
    assert "waits for the transporter" in said
    assert "Not sent to e-Manifest" in said
