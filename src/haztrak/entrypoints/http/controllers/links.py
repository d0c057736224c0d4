"""Links into RCRAInfo's own e-Manifest pages (EPA's UI-link service), for the steps that must
happen there."""

from __future__ import annotations

from typing import Annotated

import msgspec
from dishka import FromDishka
from litestar import Controller, post
from litestar.openapi import ResponseSpec

from haztrak.application.rcrainfo.links import GetRcrainfoLink, LinkRequest
from haztrak.domain.identity import User
from haztrak.entrypoints.http import text as limits
from haztrak.entrypoints.http.controllers.tasks import TaskAccepted
from haztrak.entrypoints.http.openapi import answers
from haztrak.entrypoints.http.text import text, text_list

MAX_FILTER = 100


class LinkBody(msgspec.Struct, kw_only=True, rename="camel", forbid_unknown_fields=True):
    page: Annotated[str, text(20)]
    """Dashboard, BulkSign, BulkQuickSign, View, Edit or Sign."""
    epa_site_id: Annotated[str, text(limits.EPA_ID)]
    """The site of yours to act as in RCRAInfo."""
    manifest_tracking_number: Annotated[str, text(limits.MTN)] | None = None
    """Required for View, Edit and Sign; not allowed for the others."""
    filter: (
        Annotated[
            list[Annotated[str, text(limits.MTN)]], text_list(limits.MTN, max_items=MAX_FILTER)
        ]
        | None
    ) = None
    """Tracking numbers, for Dashboard, BulkSign and BulkQuickSign."""
    view: Annotated[str, text(30)] | None = None
    """Dashboard: Incoming, Outgoing, All, Transporting, Broker, CorrectionRequests; BulkSign:
    Original, Corrections, CorrectionRequests; BulkQuickSign: Incoming, Outgoing, Transporting."""


class LinkOut(msgspec.Struct, kw_only=True):
    url: str


class LinkController(Controller):
    tags = ["rcrainfo"]

    @post(
        "/rcrainfo/links",
        status_code=200,
        responses=answers(400, 403, 404, 409, 422, 429, 502)
        | {202: ResponseSpec(TaskAccepted, description="Still running: follow the task")},
        summary="The address of an RCRAInfo e-Manifest page, for a step that must happen there",
        description=(
            "EPA's UI-link service: `{url}` of RCRAInfo's View, Edit or Sign page of a "
            "manifest, or a site's Dashboard, BulkSign or BulkQuickSign page (optionally "
            "filtered to some manifests), for the user to open and sign in to RCRAInfo. Needs "
            "a role on `epaSiteId` (signer for the signing pages, preparer for Edit); the "
            "manifest must name the site and be in e-Manifest. RCRAInfo is asked in a task; "
            "the request waits a few seconds for it and answers 202 `{taskId}` if it takes "
            "longer. EPA's refusals (a Sign page for a manifest not ready for that site's "
            "signature) are 422 with its field errors."
        ),
    )
    async def link(
        self, user: User, data: LinkBody, get_link: FromDishka[GetRcrainfoLink]
    ) -> LinkOut:
        request = LinkRequest(
            page=data.page,
            site_id=data.epa_site_id,
            manifest_tracking_number=data.manifest_tracking_number,
            filter=tuple(data.filter or ()),
            view=data.view,
        )
        return LinkOut(url=await get_link(user, request))
