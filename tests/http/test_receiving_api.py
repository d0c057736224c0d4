"""Receiving over HTTP (issue 13), on both backends, with a worker and the fake RCRAInfo: the
designated facility's receipt goes to e-Manifest as an update in a task, bad input is a 422
naming the field, the wrong status a 409, another site a 403; the manifest for rejected waste
is a 201 draft linked both ways."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar

from haztrak.domain.manifest import HandlerRole, Manifest, manifest_from_document
from haztrak.domain.manifest.receiving import Receipt, record_receipt
from tests.fakes_rcrainfo import FakeRcrainfo
from tests.http.conftest import Browser, store_from_rcrainfo
from tests.http.test_tasks_api import app, rcrainfo, started, task_done  # noqa: F401
from tests.manifest_documents import a_manifest
from tests.web.support import GEN, TRANS1, TRANS2, TSDF, signed_by


def arrived(mtn: str) -> Manifest:
    return signed_by(
        a_manifest(mtn=mtn, status="Scheduled"),
        (HandlerRole.GENERATOR, GEN, None),
        (HandlerRole.TRANSPORTER, TRANS1, 1),
        (HandlerRole.TRANSPORTER, TRANS2, 2),
    )


async def kept(app: Litestar, rcrainfo: FakeRcrainfo, manifest: Manifest) -> None:  # noqa: F811
    """In e-Manifest and here, as a sync leaves it."""
    rcrainfo.store(manifest)
    await store_from_rcrainfo(app, manifest)


REJECTED: dict[str, Any] = {
    "wastes": [
        {
            "lineNumber": 2,
            "discrepancyResidueInfo": {"wasteType": True, "discrepancyComments": "not diesel"},
        }
    ],
    "rejection": True,
    "rejectionInfo": {
        "transporterOnSite": False,
        "rejectionType": "PartialReject",
        "rejectionComments": "line 2 is not ours",
    },
}


def fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json().get("errors", [])}


async def test_the_receipt_goes_to_e_manifest_in_a_task_and_refusals_name_the_field(
    app: Litestar,  # noqa: F811
    rcrainfo: FakeRcrainfo,  # noqa: F811
    tsdf1: Browser,
    testuser1: Browser,
) -> None:
    await kept(app, rcrainfo, arrived("100000021ELC"))
    url = "/api/manifest/100000021ELC/receipt"

    missing = await tsdf1.post(url, json={"rejection": True, "rejectionInfo": {}})
    assert missing.status_code == 422
    assert fields(missing) == {"rejectionInfo.rejectionComments", "rejectionInfo.transporterOnSite"}
    unknown_line = {"wastes": [{"lineNumber": 9, "discrepancyResidueInfo": {}}]}
    no_line = await tsdf1.post(url, json=unknown_line)
    assert no_line.status_code == 422
    assert fields(no_line) == {"wastes.0.lineNumber"}
    too_long = {"wastes": [{"lineNumber": 1, "discrepancyResidueInfo": {
        "residue": True, "residueComments": "x" * 256}}]}  # fmt: skip
    assert (await tsdf1.post(url, json=too_long)).status_code == 422
    assert (await tsdf1.post(url, json={"surprise": 1})).status_code in (400, 422)
    assert (await testuser1.post(url, json=REJECTED)).status_code == 403  # not the facility
    assert (await tsdf1.post("/api/manifest/100000099ELC/receipt", json={})).status_code == 404

    task = await task_done(tsdf1, await started(await tsdf1.post(url, json=REJECTED)))

    assert task["status"] == "SUCCESS", task
    assert task["taskName"] == "submit_manifest"
    sent = rcrainfo.manifests["100000021ELC"]
    assert (sent.discrepancy, sent.residue, sent.rejection) == (True, False, True)
    local = (await tsdf1.get("/api/manifest/100000021ELC")).json()
    assert local["rejectionInfo"]["rejectionType"] == "PartialReject"
    assert local["wastes"][1]["discrepancyResidueInfo"]["wasteType"] is True
    assert local["wastes"][0]["discrepancyResidueInfo"]["wasteType"] is False

    signed = signed_by(manifest_of(local), (HandlerRole.TSDF, TSDF, None))
    await kept(app, rcrainfo, signed)
    late = await tsdf1.post(url, json=REJECTED)
    assert late.status_code == 409  # the facility signed: its receipt is closed


def manifest_of(document: dict[str, Any]) -> Manifest:
    for handler in [document.get("generator"), *document.get("transporters", []),
                    document.get("designatedFacility")]:  # fmt: skip
        if handler:
            handler.pop("signed", None)
    return manifest_from_document(document)


async def test_the_manifest_for_rejected_waste_is_a_draft_linked_both_ways(
    app: Litestar,  # noqa: F811
    rcrainfo: FakeRcrainfo,  # noqa: F811
    tsdf1: Browser,
    testuser1: Browser,
) -> None:
    received = record_receipt(arrived("100000022ELC"), msgspec.convert(REJECTED, Receipt))
    await kept(app, rcrainfo, signed_by(received, (HandlerRole.TSDF, TSDF, None)))

    assert (await testuser1.post("/api/manifest/100000022ELC/rejected-waste")).status_code == 403
    created = await tsdf1.post("/api/manifest/100000022ELC/rejected-waste")

    assert created.status_code == 201, created.text
    draft = created.json()
    mtn = draft["manifestTrackingNumber"]
    assert created.headers["location"] == f"/api/manifest/{mtn}"
    assert mtn.endswith("DFT")
    assert draft["containsPreviousRejectOrResidue"] is True
    assert draft["additionalInfo"]["originalManifestTrackingNumbers"] == ["100000022ELC"]
    assert [w["lineNumber"] for w in draft["wastes"]] == [1]
    assert {w["field"] for w in draft["warnings"]} >= {"transporters"}

    original = (await tsdf1.get("/api/manifest/100000022ELC/links")).json()
    assert original == {
        "originals": [],
        "carriedOn": [{"manifestTrackingNumber": mtn, "status": "NotAssigned"}],
    }
    again = await tsdf1.post("/api/manifest/100000022ELC/rejected-waste")  # a second click
    assert again.json()["manifestTrackingNumber"] == mtn
    assert (await tsdf1.get("/api/manifest/100000022ELC/links")).json() == original
    back = (await tsdf1.get(f"/api/manifest/{mtn}/links")).json()
    assert back["originals"] == [{"manifestTrackingNumber": "100000022ELC", "status": "Signed"}]
    # the generator sees the original, not the facility's draft
    assert (await testuser1.get("/api/manifest/100000022ELC/links")).json()["carriedOn"] == []
    # nothing leaves on a new manifest from one received without rejection or residue
    await kept(app, rcrainfo, arrived("100000023ELC"))
    refused = await tsdf1.post("/api/manifest/100000023ELC/rejected-waste")
    assert refused.status_code == 409
