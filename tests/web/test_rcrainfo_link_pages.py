"""'Open in RCRAInfo' on a manifest's page: the View (and, in turn, Sign) page of RCRAInfo
asked for with EPA's UI-link service, as the user's site on the manifest."""

from __future__ import annotations

from uuid import UUID

from dishka import AsyncContainer
from litestar import Litestar

from haztrak.application.ports.tasks import TaskRepository
from haztrak.domain.tasks import TaskName, TaskStatus
from tests.manifest_documents import a_manifest
from tests.web.conftest import WebUser
from tests.web.support import GEN, a_task, keep

MTN = "100000001ELC"


async def test_a_manifest_opens_in_rcrainfo_through_a_task(
    app: Litestar, generator_user: WebUser
) -> None:
    await keep(app, a_manifest(mtn=MTN, status="Scheduled"))
    page = await generator_user.get(f"/manifests/{MTN}")
    form = page.one("form.rcrainfo-links")
    assert (form["method"], form["action"]) == ("post", f"/manifests/{MTN}/rcrainfo")
    assert form.select_one("input[name=csrf_token]")["value"]
    pages = [b["value"] for b in form.select("button[name=page]")]
    assert pages == ["View", "Sign", "Edit"]  # the generator's turn; still editable

    opened = await generator_user.post(f"/manifests/{MTN}/rcrainfo", {"page": "View"})
    assert opened.status == 303
    location = opened.response.headers["location"]
    assert location.startswith("/tasks/")  # no worker here: RCRAInfo is "slow"
    container: AsyncContainer = app.state.dishka_container
    async with container() as scope:
        task = await (await scope.get(TaskRepository)).get(UUID(location.removeprefix("/tasks/")))
    assert task is not None
    assert task.name is TaskName.RCRAINFO_LINK
    assert task.payload == {"page": "View", "epaSiteId": GEN, "manifestTrackingNumber": MTN}

    wrong = await generator_user.post(f"/manifests/{MTN}/rcrainfo", {"page": "Dashboard"})
    assert wrong.status == 303
    assert wrong.response.headers["location"] == f"/manifests/{MTN}"


async def test_a_finished_link_task_links_to_rcrainfo(
    app: Litestar, generator_user: WebUser
) -> None:
    url = f"https://rcrainfo.test/links/{GEN}/view/{MTN}"
    task_id = await a_task(
        app,
        "testuser1",
        TaskName.RCRAINFO_LINK,
        status=TaskStatus.SUCCESS,
        result={"url": url, "page": "View", "epaSiteId": GEN},
        payload={"page": "View", "epaSiteId": GEN, "manifestTrackingNumber": MTN},
        subject=MTN,
    )
    page = await generator_user.get(f"/tasks/{task_id}")
    assert page.status == 200
    texts = [a.get_text(strip=True) for a in page.all(f'a[href="{url}"]')]
    assert "Open in RCRAInfo" in texts


async def test_a_signed_manifest_opens_for_viewing_only(
    app: Litestar, generator_user: WebUser
) -> None:
    await keep(app, a_manifest(mtn="100000002ELC", status="Signed"))
    signed = await generator_user.get("/manifests/100000002ELC")
    assert [b["value"] for b in signed.all("form.rcrainfo-links button")] == ["View"]
