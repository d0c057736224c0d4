"""Receiving a shipment (issue 13): the designated facility's receipt (discrepancies, residue,
a rejection), the new manifest for rejected or residue waste, and the links between them.

The receipt's body is EPA's vocabulary (`discrepancyResidueInfo`, `rejectionInfo`), bounded
here so that bad input is a 422 naming the field; its rules are the domain's
(domain.manifest.receiving)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from dishka import FromDishka
from litestar import Controller, Response, get, post

from haztrak.application.rcrainfo.receiving import (
    GetManifestLinks,
    LinkedManifest,
    ManifestLinks,
    RecordReceipt,
    StartRejectedWasteManifest,
)
from haztrak.domain.identity import User
from haztrak.domain.manifest import AlternateFacilityType, RejectionType, Status
from haztrak.domain.manifest.receiving import MAX_RECEIPT_COMMENT, Receipt
from haztrak.entrypoints.http import text as limits
from haztrak.entrypoints.http.caching import quoted
from haztrak.entrypoints.http.controllers.tasks import TaskAccepted
from haztrak.entrypoints.http.manifest_schemas import SavedManifestOut
from haztrak.entrypoints.http.openapi import answers
from haztrak.entrypoints.http.text import text, text_list, text_path

_Comment = Annotated[str, text(MAX_RECEIPT_COMMENT)]
_Mtn = Annotated[str, text(limits.MTN)]
_Mtns = Annotated[list[_Mtn], text_list(limits.MTN, max_items=100)]
MAX_LINES = 9_999


class _Body(msgspec.Struct, kw_only=True, rename="camel", forbid_unknown_fields=True):
    pass


class DiscrepancyResidueBody(_Body):
    """One line as received: a quantity or type discrepancy, residue, and why."""

    waste_quantity: bool = False
    waste_type: bool = False
    discrepancy_comments: _Comment | None = None
    """Required when wasteQuantity or wasteType is true (1-255 characters)."""
    residue: bool = False
    residue_comments: _Comment | None = None
    """Required when residue is true (1-255 characters)."""


class WasteReceiptBody(_Body):
    line_number: Annotated[int, msgspec.Meta(ge=1, le=MAX_LINES)]
    discrepancy_residue_info: DiscrepancyResidueBody


class AlternateFacilityBody(_Body):
    epa_site_id: Annotated[str, text(limits.EPA_ID)]


class RejectionBody(_Body):
    transporter_on_site: bool | None = None
    rejection_type: RejectionType | None = None
    """FullReject or PartialReject; FullReject when the transporter is on site."""
    alternate_designated_facility_type: AlternateFacilityType | None = None
    """With the transporter on site: Tsdf (name it) or Generator (the waste goes back)."""
    alternate_designated_facility: AlternateFacilityBody | None = None
    new_manifest_tracking_numbers: _Mtns | None = None
    """With the transporter gone: the new manifests' numbers, if known (optional)."""
    rejection_comments: _Comment | None = None


class ReceiptBody(_Body):
    """The designated facility's receipt. Lines left out had no discrepancy and no residue."""

    wastes: Annotated[list[WasteReceiptBody], msgspec.Meta(max_length=MAX_LINES)] = []
    rejection: bool = False
    rejection_info: RejectionBody | None = None
    residue_new_manifest_tracking_numbers: _Mtns | None = None

    def receipt(self) -> Receipt:
        return msgspec.convert(msgspec.to_builtins(self), Receipt)


class LinkedManifestOut(msgspec.Struct, kw_only=True, rename="camel", omit_defaults=True):
    manifest_tracking_number: str
    status: Status | None = None
    """None when the manifest is not kept here or is not yours to see."""

    @classmethod
    def of(cls, link: LinkedManifest) -> LinkedManifestOut:
        return cls(manifest_tracking_number=link.mtn, status=link.status)


class ManifestLinksOut(msgspec.Struct, kw_only=True, rename="camel"):
    originals: list[LinkedManifestOut]
    """The manifests whose rejected or residue waste this one carries on."""
    carried_on: list[LinkedManifestOut]
    """The manifests (drafts included) that carry this one's rejected or residue waste on."""

    @classmethod
    def of(cls, links: ManifestLinks) -> ManifestLinksOut:
        return cls(
            originals=[LinkedManifestOut.of(link) for link in links.originals],
            carried_on=[LinkedManifestOut.of(link) for link in links.carried_on],
        )


class ReceivingController(Controller):
    path = "/manifest/{mtn:str}"
    tags = ["manifests"]

    @post(
        "/receipt",
        responses=answers(400, 403, 404, 409, 422),
        status_code=202,
        summary="Record the designated facility's receipt: discrepancies, residue, rejection",
        description=(
            "Per waste line (`lineNumber`) a quantity or type discrepancy and residue, with "
            "comments; for the manifest a partial or full rejection (`rejectionInfo`: "
            "transporter on site or not, FullReject/PartialReject, the alternate facility "
            "(Tsdf, with its EPA ID) or the Generator as destination when the transporter is "
            "on site, comments, the new manifests' numbers when it has left). EPA's rules "
            "apply: only while the manifest is ReadyForSignature and before the facility "
            "signs (409 otherwise), only by a preparer or above of the designated facility "
            "(403), e-Manifest derives `discrepancy` and `residue`. The receipt goes to "
            "e-Manifest as an update in a task: 202 `{taskId}`, follow it at "
            "`GET /api/task/{taskId}`. With the transporter on site, the alternate facility "
            "(Quicker Sign `RejectionInfo_AlternateTsdf`) or the generator signs after the "
            "designated facility."
        ),
    )
    async def record(
        self,
        user: User,
        mtn: Annotated[str, text_path(limits.MTN)],
        data: ReceiptBody,
        record: FromDishka[RecordReceipt],
    ) -> TaskAccepted:
        return TaskAccepted.of(await record(user, mtn, data.receipt()))

    @post(
        "/rejected-waste",
        responses=answers(400, 403, 404, 409, 422),
        status_code=201,
        summary="Start the manifest for this manifest's rejected or residue waste (a draft)",
        description=(
            "For a received manifest with a rejection (the transporter gone) or residue: a "
            "new draft whose generator is the designated facility, pre-filled with the lines "
            "that had a discrepancy or residue (all lines on a full rejection), naming this "
            "manifest in `additionalInfo.originalManifestTrackingNumbers` with "
            "`containsPreviousRejectOrResidue`. Choose its transporters and destination, then "
            "submit it. `GET .../links` lists it on both manifests. Needs the preparer role "
            "at the designated facility (403); 409 when no waste leaves on a new manifest. "
            "Asked again while the facility's draft for it is still a draft, it returns that "
            "draft instead of starting another."
        ),
    )
    async def start_rejected_waste(
        self,
        user: User,
        mtn: Annotated[str, text_path(limits.MTN)],
        start: FromDishka[StartRejectedWasteManifest],
    ) -> Response[SavedManifestOut]:
        saved = await start(user, mtn)
        headers = {
            "ETag": quoted(saved.stored.tag),
            "Location": f"/api/manifest/{saved.stored.mtn}",
        }
        return Response(SavedManifestOut.of(saved), status_code=201, headers=headers)

    @get(
        "/links",
        responses=answers(400, 404, 422),
        summary="The manifests linked to this one by rejected or residue waste, both ways",
        description=(
            "`originals`: the manifests whose rejected or residue waste this one carries on; "
            "`carriedOn`: the manifests (your drafts included) that carry this one's on. A "
            "manifest EPA lists that is not kept here (or not yours to see) has no status."
        ),
    )
    async def links(
        self,
        user: User,
        mtn: Annotated[str, text_path(limits.MTN)],
        get_links: FromDishka[GetManifestLinks],
    ) -> ManifestLinksOut:
        return ManifestLinksOut.of(await get_links(user, mtn))
