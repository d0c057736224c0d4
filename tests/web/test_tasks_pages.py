"""The user's tasks in the browser: the list, a task's page, its progress box (polled with
htmx until it ends), retrying a failed one; another user's task is a 404 page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from litestar import Litestar

from haztrak.domain.tasks import FieldProblem, TaskName, TaskProblem, TaskStatus
from tests.web.conftest import WebUser
from tests.web.support import a_task, task_status


async def test_progress_box_polls_while_the_task_runs(
    app: Litestar, generator_user: WebUser
) -> None:
    task_id = await a_task(app, "testuser1")
    page = await generator_user.htmx("GET", f"/tasks/{task_id}/progress")
    assert page.status == 200
    box = page.one(f"#task-{task_id}")
    assert box["hx-get"] == f"/tasks/{task_id}/progress"
    assert box["data-task-status"] == "PENDING"
    assert "Sync with RCRAInfo" in page.text(f"#task-{task_id}")


async def test_every_page_has_the_lasting_live_region_for_tasks(
    generator_user: WebUser,
) -> None:
    page = await generator_user.get("/tasks")
    region = page.one("#task-announce")
    assert (region["role"], region["aria-live"]) == ("status", "polite")


async def test_the_task_list_shows_the_user_s_tasks_only(
    app: Litestar, generator_user: WebUser
) -> None:
    mine = await a_task(
        app, "testuser1", status=TaskStatus.SUCCESS, result={"manifests": 3, "changed": 1}
    )
    await a_task(app, "transporter1", subject="MOCKTRANS001")
    page = await generator_user.get("/tasks")
    assert page.status == 200
    rows = page.all("tbody tr")
    assert len(rows) == 1
    assert rows[0].find("a")["href"] == f"/tasks/{mine}"
    text = " ".join(rows[0].get_text(" ", strip=True).split())
    assert "Sync with RCRAInfo" in text
    assert "Done" in text
    assert "3 manifests synced, 1 updated here." in text


async def test_no_tasks_yet(generator_user: WebUser) -> None:
    page = await generator_user.get("/tasks")
    assert "You have not started any RCRAInfo work yet" in page.text(".card")


async def test_the_list_pages_with_a_cursor(app: Litestar, generator_user: WebUser) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(27):
        await a_task(app, "testuser1", created_at=start + timedelta(minutes=n))
    first = await generator_user.get("/tasks")
    assert len(first.all("tbody tr")) == 25
    second = await generator_user.get(first.one("a[rel=next]")["href"])
    assert len(second.all("tbody tr")) == 2
    assert second.all("a[rel=next]") == []
    bad = await generator_user.get("/tasks?cursor=nonsense")
    assert bad.status == 400
    assert "cursor" in bad.text("main")


async def test_a_task_page_says_what_came_of_it(app: Litestar, generator_user: WebUser) -> None:
    task_id = await a_task(
        app,
        "testuser1",
        TaskName.SUBMIT_MANIFEST,
        status=TaskStatus.SUCCESS,
        subject="000000001DFT",
        result={"manifestTrackingNumber": "100000001ELC"},
    )
    page = await generator_user.get(f"/tasks/{task_id}")
    assert page.status == 200
    assert page.h1 == "Submit to e-Manifest"
    box = page.one("#task-box")
    assert not box.has_attr("hx-get")  # ended: no more polling
    assert "Saved in e-Manifest as 100000001ELC." in page.text("#task-box")
    assert page.one("#task-box a")["href"] == "/manifests/100000001ELC"
    assert page.text("#task-box a") == "Open the manifest"


async def test_another_user_s_task_is_a_404_page(app: Litestar, generator_user: WebUser) -> None:
    theirs = await a_task(app, "transporter1", subject="MOCKTRANS001")
    for url in (f"/tasks/{theirs}", f"/tasks/{theirs}/progress"):
        page = await generator_user.get(url)
        assert page.status == 404
        assert page.h1 == "Not found"
    refused = await generator_user.post(f"/tasks/{theirs}/retry")
    assert refused.status == 404
    assert (await generator_user.get(f"/tasks/{uuid4()}")).status == 404
    assert (await generator_user.get("/tasks/not-a-uuid")).status == 404


async def test_the_progress_box_stops_polling_when_the_task_ends(
    app: Litestar, generator_user: WebUser
) -> None:
    task_id = await a_task(app, "testuser1", status=TaskStatus.STARTED)
    running = await generator_user.htmx("GET", f"/tasks/{task_id}/progress?target=site-sync")
    assert running.one("#site-sync")["hx-trigger"] == "load delay:1s"
    assert "Working with RCRAInfo" in running.text("#site-sync")
    done = await a_task(
        app,
        "testuser1",
        TaskName.QUICKER_SIGN,
        status=TaskStatus.SUCCESS,
        result={"manifestReports": [{"manifestTrackingNumber": "100000001ELC", "signed": True}]},
    )
    assert running.all("#task-announce") == []  # nothing to announce while it runs
    ended = await generator_user.htmx("GET", f"/tasks/{done}/progress")
    assert not ended.one(f"#task-{done}").has_attr("hx-get")
    assert "Signature recorded for 100000001ELC." in ended.text(f"#task-{done}")
    # the end is announced in the page's lasting live region, swapped out of band
    announce = ended.one("#task-announce")
    assert announce["hx-swap-oob"] == "innerHTML"
    assert announce.get_text(strip=True) == (
        "Quicker Sign: done. Signature recorded for 100000001ELC."
    )


async def test_a_failed_task_says_what_to_do_and_runs_again(
    app: Litestar, generator_user: WebUser
) -> None:
    task_id = await a_task(
        app,
        "testuser1",
        status=TaskStatus.FAILURE,
        error=TaskProblem(
            title="Invalid manifest",
            detail="e-Manifest refused the manifest",
            kind="validation",
            errors=(FieldProblem(field="wastes.0.quantity", message="is required"),),
        ),
    )
    page = await generator_user.get(f"/tasks/{task_id}")
    text = page.text("#task-box")
    assert "Sync with RCRAInfo failed: e-Manifest refused the manifest." in text
    assert page.texts("#task-box .task__errors li") == ["wastes.0.quantity : is required"]
    assert "Correct the fields listed" in page.text("#task-box .task__advice")
    retry = page.one("#task-box form")
    assert retry["action"] == f"/tasks/{task_id}/retry"
    assert page.all(f'#task-box a[href="/tasks/{task_id}"]') == []  # the page it is on

    again = await generator_user.post(retry["action"])
    assert again.status == 303
    assert again.response.headers["location"] == f"/tasks/{task_id}"
    assert await task_status(app, task_id) is TaskStatus.PENDING
    followed = await generator_user.get(f"/tasks/{task_id}")
    assert followed.one("#task-box")["data-task-status"] == "PENDING"
    assert followed.all("#task-box form") == []


async def test_a_failed_permissions_sync_points_at_the_user_s_own_key(
    app: Litestar, generator_user: WebUser
) -> None:
    task_id = await a_task(
        app,
        "testuser1",
        TaskName.SYNC_RCRAINFO_PROFILE,
        status=TaskStatus.FAILURE,
        subject="testuser1",
        error=TaskProblem(title="Unauthorized", detail="refused", kind="unauthorized"),
    )
    page = await generator_user.htmx("GET", f"/tasks/{task_id}/progress")
    assert "Check the API ID and key on your profile" in page.text(".task__advice")


async def test_retry_with_htmx_answers_the_polling_box(
    app: Litestar, generator_user: WebUser
) -> None:
    task_id = await a_task(
        app,
        "testuser1",
        status=TaskStatus.FAILURE,
        error=TaskProblem(title="Timeout", detail="RCRAInfo did not answer", kind="transient"),
    )
    page = await generator_user.htmx("POST", f"/tasks/{task_id}/retry?target=task-box")
    assert page.status == 200
    assert page.one("#task-box")["hx-get"] == f"/tasks/{task_id}/progress?target=task-box"
    assert page.text("#task-announce") == "Sync with RCRAInfo: started."


async def test_a_task_that_succeeded_is_not_run_again(
    app: Litestar, generator_user: WebUser
) -> None:
    task_id = await a_task(app, "testuser1", status=TaskStatus.SUCCESS, result={"manifests": 0})
    page = await generator_user.get(f"/tasks/{task_id}")
    assert page.all("#task-box form") == []
    refused = await generator_user.post(f"/tasks/{task_id}/retry")
    assert refused.status == 409
