"""A receipt goes to e-Manifest through the submit task (an update of the manifest), but the
task list and the task's page say it is a receipt, and a submission stays a submission."""

from __future__ import annotations

from litestar import Litestar

from haztrak.domain.tasks import TaskName, TaskStatus
from tests.web.conftest import WebUser
from tests.web.support import a_task

MTN = "100000012ELC"


async def test_a_receipt_task_is_called_record_receipt(
    app: Litestar, generator_user: WebUser
) -> None:
    receipt = await a_task(
        app,
        "testuser1",
        TaskName.SUBMIT_MANIFEST,
        status=TaskStatus.SUCCESS,
        subject=MTN,
        payload={"siteId": "VATESTGEN001", "update": True, "receipt": True},
        result={"manifestTrackingNumber": MTN, "operationStatus": "Updated", "status": "Signed"},
    )
    submit = await a_task(
        app,
        "testuser1",
        TaskName.SUBMIT_MANIFEST,
        status=TaskStatus.SUCCESS,
        subject="000000001DFT",
        result={"manifestTrackingNumber": "100000001ELC"},
    )
    page = await generator_user.get(f"/tasks/{receipt}")
    assert page.h1 == "Record receipt"
    assert f"Receipt of {MTN} recorded in e-Manifest, now Signed." in page.text("#task-box")
    assert page.one("#task-box a")["href"] == f"/manifests/{MTN}"
    assert (await generator_user.get(f"/tasks/{submit}")).h1 == "Submit to e-Manifest"

    listing = await generator_user.get("/tasks")
    labels = {
        row.select_one("td[data-label=Task] a")["href"]: row.select_one(
            "td[data-label=Task] a"
        ).get_text(strip=True)
        for row in listing.all("tbody tr")
    }
    assert labels[f"/tasks/{receipt}"] == "Record receipt"
    assert labels[f"/tasks/{submit}"] == "Submit to e-Manifest"
