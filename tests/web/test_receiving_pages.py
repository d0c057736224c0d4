"""Receiving (issue 13): the designated facility's "Record receipt" form on a manifest Ready for
signature, its problems next to their fields, the task that sends it to e-Manifest, and the
manifest for rejected waste started from a received one, linked both ways."""

from __future__ import annotations

from uuid import UUID

import msgspec
from dishka import AsyncContainer
from litestar import Litestar

from haztrak.application.ports.tasks import TaskRepository
from haztrak.domain.manifest import HandlerRole, Manifest
from haztrak.domain.manifest.receiving import Receipt, record_receipt
from haztrak.domain.tasks import TaskName
from tests.manifest_documents import a_manifest
from tests.web.conftest import WebUser
from tests.web.support import GEN, TRANS1, TRANS2, TSDF, keep, signed_by


def arrived(mtn: str, **parties: str) -> Manifest:
    """Signed by its generator and both transporters: it waits for the designated facility."""
    manifest = a_manifest(mtn=mtn, status="Scheduled", **parties)  # type: ignore[arg-type]
    generator = parties.get("generator", GEN)
    return signed_by(
        manifest,
        (HandlerRole.GENERATOR, generator, None),
        (HandlerRole.TRANSPORTER, TRANS1, 1),
        (HandlerRole.TRANSPORTER, TRANS2, 2),
    )


def line_fields(page: object, line: int) -> list[str]:
    return [i["name"] for i in page.all(f"#line-{line} input")]  # type: ignore[attr-defined]


async def test_the_designated_facility_records_a_receipt_and_sees_each_problem_at_its_field(
    app: Litestar, tsdf_user: WebUser, generator_user: WebUser
) -> None:
    await keep(app, arrived("100000011ELC"))

    detail = await tsdf_user.get("/manifests/100000011ELC")
    assert detail.one(".manifest-actions a[href='/manifests/100000011ELC/receive']").text == (
        "Record receipt"
    )
    other = await generator_user.get("/manifests/100000011ELC")
    assert other.all("a[href='/manifests/100000011ELC/receive']") == []
    assert (await generator_user.get("/manifests/100000011ELC/receive")).status == 403

    form = await tsdf_user.get("/manifests/100000011ELC/receive")
    assert form.status == 200
    assert form.h1 == "Record receipt of manifest 100000011ELC"
    assert form.texts(".receipt-line h3")[0].startswith("Line 1: NA1993")
    assert line_fields(form, 1) == [
        "line-1-quantity",
        "line-1-type",
        "line-1-discrepancy_comments",
        "line-1-residue",
        "line-1-residue_comments",
    ]
    assert form.one("#f-rejection option[selected]")["value"] == ""

    refused = await tsdf_user.post(
        "/manifests/100000011ELC/receive",
        {
            "line-1-quantity": "yes",
            "line-2-residue": "yes",
            "line-2-residue_comments": "sludge in the drums",
            "rejection": "FullReject",
            "transporter_on_site": "yes",
            "destination": "Tsdf",
            "alternate_id": TSDF,
        },
    )
    assert refused.status == 422
    anchors = [a["href"] for a in refused.all("#error-summary a")]
    assert anchors == [
        "#f-line-1-discrepancy_comments",
        "#f-rejection_comments",
        "#f-alternate_id",
    ]
    assert "Line 1" in refused.text("#f-line-1-discrepancy_comments-error")
    assert refused.one("#f-line-1-quantity").get("checked") is not None  # kept as posted
    assert refused.one("#f-line-2-residue_comments")["value"] == "sludge in the drums"

    # the facility's org has no RCRAInfo credentials: said on the form, nothing started
    unsent = await tsdf_user.post(
        "/manifests/100000011ELC/receive",
        {"line-1-quantity": "yes", "line-1-discrepancy_comments": "2 drums short"},
    )
    assert unsent.status == 409
    assert unsent.text(".alert__title") == "Not recorded"


async def test_a_receipt_goes_to_e_manifest_as_an_update_in_a_task(
    app: Litestar, generator_user: WebUser
) -> None:
    # testuser1's org has credentials: here its site is the designated facility
    await keep(app, arrived("100000012ELC", generator="VAOTHERGEN01", tsdf=GEN))

    started = await generator_user.post(
        "/manifests/100000012ELC/receive",
        {"line-2-type": "yes", "line-2-discrepancy_comments": "solvent, not diesel"},
    )

    assert started.status == 303, started.response.text
    location = started.response.headers["location"]
    assert location.startswith("/manifests/100000012ELC?task=")
    container: AsyncContainer = app.state.dishka_container
    async with container() as scope:
        task = await (await scope.get(TaskRepository)).get(UUID(location.split("task=")[1]))
    assert task is not None
    assert task.name is TaskName.SUBMIT_MANIFEST
    assert (task.payload["update"], task.payload["receipt"], task.payload["siteId"]) == (
        True,
        True,
        GEN,
    )
    sent = task.payload["manifest"]
    assert sent["discrepancy"] is True
    assert sent["rejection"] is False
    assert [w["discrepancyResidueInfo"]["wasteType"] for w in sent["wastes"]] == [
        False,
        True,
        False,
    ]
    page = await generator_user.get(location)
    assert page.texts(".timeline .timeline__what")[-1]


def received_with_rejection(mtn: str) -> Manifest:
    """Received with line 2 rejected after the transporter left, and signed by the facility."""
    receipt = msgspec.convert(
        {
            "wastes": [
                {
                    "lineNumber": 2,
                    "discrepancyResidueInfo": {
                        "wasteType": True,
                        "discrepancyComments": "not as described",
                    },
                }
            ],
            "rejection": True,
            "rejectionInfo": {
                "transporterOnSite": False,
                "rejectionType": "PartialReject",
                "rejectionComments": "line 2 is not ours",
            },
        },
        Receipt,
    )
    received = record_receipt(arrived(mtn), receipt)
    return signed_by(received, (HandlerRole.TSDF, TSDF, None))


async def test_the_manifest_for_rejected_waste_is_started_prefilled_and_linked_both_ways(
    app: Litestar, tsdf_user: WebUser, generator_user: WebUser
) -> None:
    await keep(app, received_with_rejection("100000013ELC"))

    original = await tsdf_user.get("/manifests/100000013ELC")
    button = original.one("form[action='/manifests/100000013ELC/rejected-waste'] button")
    assert button.text.strip() == "Start the manifest for the rejected waste"
    assert original.all("#manifest-links") == []
    assert (await generator_user.get("/manifests/100000013ELC")).all(
        "form[action='/manifests/100000013ELC/rejected-waste']"
    ) == []

    started = await tsdf_user.post("/manifests/100000013ELC/rejected-waste", {})
    assert started.status == 303
    editor = started.response.headers["location"]
    assert editor.startswith("/manifests/")
    assert editor.endswith("DFT/edit")
    draft_mtn = editor.split("/")[2]

    editor_page = await tsdf_user.get(editor)
    assert editor_page.status == 200
    assert editor_page.one("#f-generator-epaSiteId option[selected]")["value"] == TSDF
    draft = await tsdf_user.get(f"/manifests/{draft_mtn}")
    assert draft.status == 200
    assert draft.one("#manifest-links a.mono")["href"] == "/manifests/100000013ELC"
    assert len(draft.all(".waste-table tbody tr")) == 1  # only the rejected line
    original = await tsdf_user.get("/manifests/100000013ELC")
    links = original.all("#manifest-links .linked-manifests a")
    assert [a["href"] for a in links] == [f"/manifests/{draft_mtn}"]
    # the generator does not see the facility's draft
    assert (await generator_user.get("/manifests/100000013ELC")).all("#manifest-links") == []

    api = await tsdf_user.client.get(f"/api/manifest/{draft_mtn}")
    document = api.json()
    assert document["containsPreviousRejectOrResidue"] is True
    assert document["additionalInfo"]["originalManifestTrackingNumbers"] == ["100000013ELC"]
    assert document["generator"]["epaSiteId"] == TSDF


def rejected_to_alternate(mtn: str) -> Manifest:
    """Rejected in full with the transporter on site, to testuser1's site as the alternate
    facility (so that testuser1 signs last); the designated facility has signed."""
    receipt = msgspec.convert(
        {
            "rejection": True,
            "rejectionInfo": {
                "transporterOnSite": True,
                "alternateDesignatedFacilityType": "Tsdf",
                "alternateDesignatedFacility": {"epaSiteId": GEN, "name": "Alternate Works"},
                "rejectionComments": "not the waste we accept",
            },
        },
        Receipt,
    )
    received = record_receipt(arrived(mtn, generator="VAOTHERGEN01"), receipt)
    return signed_by(received, (HandlerRole.TSDF, TSDF, None))


async def test_the_dashboard_lists_received_manifests_by_their_flags_and_the_alternate_signs(
    app: Litestar, tsdf_user: WebUser, generator_user: WebUser
) -> None:
    await keep(app, received_with_rejection("100000014ELC"))  # Signed, rejected, discrepancy
    await keep(app, rejected_to_alternate("100000015ELC"))  # Ready, the alternate signs
    await keep(app, arrived("100000016ELC"))  # not received yet

    board = await tsdf_user.get("/dashboard")
    items = board.all("#received-h ~ ul li")
    listed = {li.find("a").get_text(strip=True): li.get_text(" ", strip=True) for li in items}
    assert set(listed) == {"100000014ELC", "100000015ELC"}
    assert "Rejected" in listed["100000014ELC"]
    assert "Discrepancy" in listed["100000014ELC"]

    # the alternate facility (here testuser1's site) signs after the designated facility
    detail = await generator_user.get("/manifests/100000015ELC")
    assert "Waiting for the alternate designated facility (Alternate Works)" in detail.text(
        ".waiting"
    )
    notes = detail.texts("section[aria-labelledby=box-discrepancy] p")
    assert "Goes to the alternate facility Alternate Works (VATESTGEN001)" in notes
    review = await generator_user.get("/manifests/100000015ELC/sign")
    assert review.status == 200
    fields = {i["name"]: i.get("value", "") for i in review.all("#sign-panel input[type=hidden]")}
    assert fields["site_type"] == "RejectionInfo_AlternateTsdf"
    assert "alternate facility" in review.text(".certification")
