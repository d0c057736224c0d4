"""The correction pages (issue 13 §2): "Correct this manifest" on a manifest its facility signed
(the draft editor's inputs), signing and reverting the version under correction, and the
version history with each version readable. Tasks are started here, not run."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Litestar

from haztrak.application.ports.manifest_versions import ManifestVersionRepository
from haztrak.application.ports.persistence import UnitOfWork
from haztrak.application.ports.tasks import TaskRepository
from haztrak.domain.identity import SiteRole
from haztrak.domain.manifest import LockReason
from haztrak.domain.manifest.corrections import ManifestVersion, VersionAuthor, VersionStatus
from haztrak.domain.tasks import Task, TaskName
from tests.manifest_documents import a_manifest
from tests.web.conftest import Page, WebUser
from tests.web.support import GEN, give_site_role, keep, scope

MTN = "100000001ELC"


async def _task_of(app: Litestar, page: Page) -> Task:
    assert page.status == 303, page.response.text
    location = page.response.headers["location"]
    assert location.startswith(f"/manifests/{MTN}?task=")
    async with scope(app) as request:
        task = await (await request.get(TaskRepository)).get(UUID(location.split("=", 1)[1]))
    assert task is not None
    return task


def _form(page: Page) -> dict[str, str]:
    """What the browser would post: every input and selected option of the form as shown."""
    fields: dict[str, str] = {}
    for element in page.all("#correction-form input"):
        if element.get("type") in ("submit", "checkbox") or not element.get("name"):
            continue
        fields[element["name"]] = element.get("value", "")
    for select in page.all("#correction-form select"):
        chosen = select.select_one("option[selected]")
        fields[select["name"]] = chosen["value"] if chosen else ""
    fields.pop("csrf_token", None)
    return fields


async def test_a_signed_manifest_offers_its_correction_and_the_form_sends_it_as_a_task(
    app: Litestar, generator_user: WebUser
) -> None:
    await keep(app, a_manifest(mtn=MTN, status="Signed"))
    detail = await generator_user.get(f"/manifests/{MTN}")
    actions = detail.texts(".manifest-actions .button")
    assert "Correct this manifest" in actions
    assert "Version history" in actions

    form = await generator_user.get(f"/manifests/{MTN}/correct")
    assert form.status == 200
    assert form.h1 == f"Correct manifest {MTN}"
    assert form.one("#f-wastes-0-quantity-quantity")["value"] != ""
    fields = _form(form)
    fields["wastes.0.quantity.quantity"] = "123"
    sent = await generator_user.post(f"/manifests/{MTN}/correct", {**fields, "op": "send"})
    task = await _task_of(app, sent)
    assert task.name is TaskName.CORRECT_MANIFEST
    assert task.payload["manifest"]["wastes"][0]["quantity"]["quantity"] == 123
    assert task.payload["manifest"]["manifestTrackingNumber"] == MTN
    assert task.payload["manifest"]["status"] == "Signed"
    progress = await generator_user.get(sent.response.headers["location"])
    assert progress.status == 200


async def test_a_refused_correction_names_the_field_and_keeps_what_was_typed(
    app: Litestar, generator_user: WebUser
) -> None:
    await keep(app, a_manifest(mtn=MTN, status="Signed"))
    fields = _form(await generator_user.get(f"/manifests/{MTN}/correct"))
    fields["wastes.0.quantity.containerNumber"] = "many"
    refused = await generator_user.post(f"/manifests/{MTN}/correct", {**fields, "op": "send"})
    assert refused.status == 422
    links = [a["href"] for a in refused.all("#error-summary a")]
    assert "#f-wastes-0-quantity-containerNumber" in links
    assert refused.one("#f-wastes-0-quantity-containerNumber")["value"] == "many"
    assert refused.one("#f-wastes-0-quantity-containerNumber")["aria-invalid"] == "true"


async def test_a_version_under_correction_is_signed_by_a_site_of_the_user_or_reverted(
    app: Litestar, generator_user: WebUser
) -> None:
    await keep(app, a_manifest(mtn=MTN, status="UnderCorrection"))
    detail = await generator_user.get(f"/manifests/{MTN}")
    actions = detail.texts(".manifest-actions .button")
    for wanted in ("Sign the correction", "Change the correction", "Revert the correction"):
        assert wanted in actions

    review = await generator_user.get(f"/manifests/{MTN}/correction/sign")
    assert review.status == 200
    options = [o["value"] for o in review.all("#f-site_id option")]
    assert options == [GEN]
    base = {"site_id": GEN, "printed_name": "Terry Tester", "signed_on": ""}
    unconfirmed = await generator_user.post(f"/manifests/{MTN}/correction/sign", base)
    assert unconfirmed.status == 422
    assert unconfirmed.one("#error-summary a")["href"] == "#confirm"
    foreign = await generator_user.post(
        f"/manifests/{MTN}/correction/sign", {**base, "site_id": "MOCKTSDFS001", "confirm": "yes"}
    )
    assert foreign.status == 422
    assert foreign.one("#error-summary a")["href"] == "#f-site_id"
    signed = await generator_user.post(
        f"/manifests/{MTN}/correction/sign", {**base, "confirm": "yes"}
    )
    task = await _task_of(app, signed)
    assert task.name is TaskName.SIGN_CORRECTION
    assert (task.payload["siteId"], task.payload["siteType"]) == (GEN, "Generator")

    confirm = await generator_user.get(f"/manifests/{MTN}/correction/revert")
    assert confirm.status == 200
    assert confirm.one("form[action$='/correction/revert'] button").get_text(strip=True) == (
        "Yes, revert the correction"
    )
    # one correction task at a time on a manifest: the signature is under way
    busy = await generator_user.post(f"/manifests/{MTN}/correction/revert")
    assert busy.status == 303
    assert busy.response.headers["location"] == f"/manifests/{MTN}"


async def test_a_revert_starts_a_task(app: Litestar, generator_user: WebUser) -> None:
    await keep(app, a_manifest(mtn=MTN, status="UnderCorrection"))
    reverted = await generator_user.post(f"/manifests/{MTN}/correction/revert")
    assert (await _task_of(app, reverted)).name is TaskName.REVERT_CORRECTION


async def _versions(app: Litestar) -> None:
    async with scope(app) as request:
        versions = await request.get(ManifestVersionRepository)
        at = datetime.now(UTC)
        first = a_manifest(mtn=MTN, status="Signed")
        await versions.put(
            MTN,
            ManifestVersion(
                version_number=1,
                status=VersionStatus.SIGNED,
                epa_site_id="MOCKTSDFS001",
                updated_date="2026-01-05T15:00:00.000+0000",
            ),
            first,
            at=at,
        )
        await versions.put(
            MTN,
            ManifestVersion(
                version_number=2,
                status=VersionStatus.UNDER_CORRECTION,
                active=True,
                epa_site_id=GEN,
                updated_by=VersionAuthor(user_id="testuser1", first_name="Terry", last_name="T"),
                updated_date="2026-01-06T15:00:00.000+0000",
            ),
            None,
            at=at,
        )
        await (await request.get(UnitOfWork)).commit()


async def test_the_version_history_lists_who_changed_what_when_and_reads_each_version(
    app: Litestar, generator_user: WebUser
) -> None:
    await keep(app, a_manifest(mtn=MTN, status="UnderCorrection"))
    await _versions(app)
    history = await generator_user.get(f"/manifests/{MTN}/versions")
    assert history.status == 200
    rows = history.all("#versions tbody tr")
    assert [r.select_one("th").get_text(" ", strip=True) for r in rows] == ["2 active", "1"]
    assert "Terry T (testuser1) for VATESTGEN001" in rows[0].get_text(" ", strip=True)
    assert rows[0].get("aria-current") == "true"
    assert "Not read yet" in rows[0].get_text(" ", strip=True)
    link = rows[1].select_one("a")
    assert link["href"] == f"/manifests/{MTN}/versions/1"
    assert history.one("form[action$='/versions/refresh'] button")

    detail = await generator_user.get(f"/manifests/{MTN}")
    section = detail.one("#versions-section [hx-get]")
    assert section["hx-get"] == f"/manifests/{MTN}/versions"
    assert section.select_one("a")["href"] == f"/manifests/{MTN}/versions"  # without scripts
    fragment = await generator_user.htmx("GET", f"/manifests/{MTN}/versions")
    assert fragment.status == 200
    assert fragment.html.select_one("h1") is None
    assert len(fragment.all("#versions tbody tr")) == 2

    version = await generator_user.get(link["href"])
    assert version.status == 200
    assert version.h1 == f"Manifest {MTN} , version 1"
    assert "Signed" in version.text("#version-note")
    assert (await generator_user.get(f"/manifests/{MTN}/versions/2")).status == 404
    refreshed = await generator_user.post(f"/manifests/{MTN}/versions/refresh")
    assert (await _task_of(app, refreshed)).name is TaskName.PULL_MANIFEST_VERSIONS


async def test_a_viewer_reads_the_versions_but_does_not_correct(
    app: Litestar, generator_user: WebUser
) -> None:
    await keep(app, a_manifest(mtn=MTN, status="Signed"))
    await give_site_role(app, "testuser1", GEN, SiteRole.VIEWER)
    detail = await generator_user.get(f"/manifests/{MTN}")
    actions = detail.texts(".manifest-actions .button")
    assert "Version history" in actions
    assert "Correct this manifest" not in actions
    assert (await generator_user.get(f"/manifests/{MTN}/correct")).status == 403
    sent: dict[str, Any] = {"op": "send"}
    assert (await generator_user.post(f"/manifests/{MTN}/correct", sent)).status == 403


async def test_a_locked_manifest_offers_no_correction(
    app: Litestar, generator_user: WebUser
) -> None:
    signed = a_manifest(mtn=MTN, status="Signed")
    await keep(app, msgspec.structs.replace(signed, locked=True, lock_reason=LockReason.ASYNC_SIGN))
    detail = await generator_user.get(f"/manifests/{MTN}")
    assert "Correct this manifest" not in detail.texts(".manifest-actions .button")
    assert (await generator_user.get(f"/manifests/{MTN}/correct")).status == 403
