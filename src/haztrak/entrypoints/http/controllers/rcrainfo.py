"""RCRAInfo work: submit and Quicker Sign in e-Manifest, site and profile syncs (each answers
202 `{taskId}`), and handler look-ups (local first, RCRAInfo on a miss)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from dishka import FromDishka
from litestar import Controller, Request, get, post
from litestar.openapi import ResponseSpec
from litestar.params import QueryParameter

from haztrak.application.rcrainfo.manifests import (
    QuickSign,
    QuickSignManifests,
    SubmitManifest,
    SyncSiteManifests,
    printed_signature_date,
)
from haztrak.application.rcrainfo.profile import SyncRcrainfoProfile
from haztrak.application.rcrainfo.sites import (
    GetRcraSite,
    SearchRcrainfoSites,
    SearchRcraSites,
    parse_site_type,
)
from haztrak.domain.handlers import RcraSite
from haztrak.domain.identity import User
from haztrak.domain.manifest import HandlerRole
from haztrak.entrypoints.http import text as limits
from haztrak.entrypoints.http.controllers.tasks import TaskAccepted
from haztrak.entrypoints.http.openapi import answers
from haztrak.entrypoints.http.text import text, text_list, text_path, text_query
from haztrak.entrypoints.http.uploads import (
    MAX_SUBMISSION_BYTES,
    manifest_or_multipart_body,
    read_submission,
)

_TASK = (
    " Answers 202 `{taskId}`; follow the task at `GET /api/task/{taskId}`. Transient RCRAInfo "
    "failures are retried with backoff; the task ends FAILURE with the reason otherwise."
)
_WAITS = (
    " RCRAInfo is asked in a task; the request waits a few seconds for it and answers 202 "
    "`{taskId}` if it takes longer."
)


_ACCEPTED = ResponseSpec(TaskAccepted, description="Still running: follow the task")
_TASK_ANSWERS = answers(400, 403, 404, 409, 422)
# A look-up that waits for its task answers as the task ended, or 202 while it runs.
_WAITING_ANSWERS = answers(400, 403, 404, 409, 422, 429, 502) | {202: _ACCEPTED}


class _Body(msgspec.Struct, kw_only=True, rename="camel", forbid_unknown_fields=True):
    pass


class QuickSignBody(_Body):
    manifest_tracking_numbers: Annotated[
        list[Annotated[str, text(limits.MTN)]],
        text_list(limits.MTN, max_items=limits.TRACKING_NUMBERS),
    ]
    site_id: Annotated[str, text(limits.EPA_ID)]
    site_type: HandlerRole
    printed_signature_name: Annotated[str, text(limits.SIGNATURE_NAME)]
    printed_signature_date: Annotated[str, text(limits.DATE_TIME)] | None = None
    """ISO 8601, seconds optional (the original client sends `2026-12-03T08:03.000Z`)."""
    transporter_order: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)] | None = None


class SiteSyncBody(_Body):
    site_id: Annotated[str, text(limits.EPA_ID)]


class SiteSearchBody(_Body):
    site_id: Annotated[str, text(limits.EPA_ID)]
    site_type: Annotated[str, text(limits.SITE_TYPE)] | None = None


class RcrainfoController(Controller):
    tags = ["rcrainfo"]

    @post(
        "/manifest/emanifest",
        responses=answers(400, 403, 404, 409, 413, 422),
        operation_class=manifest_or_multipart_body(
            "EPA's manifest JSON, to create or update in e-Manifest; or, for an Image or "
            "DataImage5Copy manifest with its scanned form, multipart/form-data with the parts "
            "`manifest` (the JSON) and `attachment` (a zip holding one PDF), as EPA's service "
            "takes them."
        ),
        request_max_body_size=MAX_SUBMISSION_BYTES,
        status_code=202,
        summary="Create or update a manifest in e-Manifest",
        description=(
            "The body is EPA's manifest JSON. A draft (a `#########DFT` number, or none) is "
            "created in e-Manifest and gets its real tracking number; a manifest already there "
            "is updated. The local copy is then replaced by RCRAInfo's. Needs the preparer "
            "role on one of its sites; e-Manifest's rules are checked first (422). The "
            "attachment (multipart only) is for Image and DataImage5Copy manifests: a zip "
            "holding exactly one PDF (a PDF alone is zipped here); `printedDocument` is set "
            "from it, it is sent with the save or update and then kept with the manifest "
            "(`GET /api/manifest/{mtn}/attachments`). Anything else is a 422 naming "
            "`attachment`; a body over the size limit is a 413." + _TASK
        ),
    )
    async def submit(
        self,
        user: User,
        request: Request[Any, Any, Any],
        submit: FromDishka[SubmitManifest],
    ) -> TaskAccepted:
        sent = await read_submission(request)
        task = await submit(user, sent.manifest, sent.attachment, sent.attachment_name)
        return TaskAccepted.of(task)

    @post(
        "/manifest/emanifest/sign",
        responses=_TASK_ANSWERS,
        status_code=202,
        summary="Quicker Sign manifests as one of your sites",
        description=(
            "Needs the signer role on `siteId`. Manifests that do not wait for that site's "
            "signature (another party's turn, already signed, not found) are not sent: the "
            "task's `payload.refused` and `result.notSigned` name each with its reasons, "
            "beside e-Manifest's own per-manifest report; 409 when none waits for it. "
            "`printedSignatureDate` defaults to now." + _TASK
        ),
    )
    async def sign(
        self, user: User, data: QuickSignBody, sign: FromDishka[QuickSignManifests]
    ) -> TaskAccepted:
        command = QuickSign(
            manifest_tracking_numbers=tuple(data.manifest_tracking_numbers),
            site_id=data.site_id,
            site_type=data.site_type,
            printed_signature_name=data.printed_signature_name,
            printed_signature_date=printed_signature_date(data.printed_signature_date),
            transporter_order=data.transporter_order,
        )
        return TaskAccepted.of(await sign(user, command))

    @post(
        "/manifest/emanifest/sync",
        responses=_TASK_ANSWERS,
        status_code=202,
        summary="Pull a site's manifests changed in RCRAInfo since its last sync",
        description="Any role on the site may sync it." + _TASK,
    )
    async def sync_site(
        self, user: User, data: SiteSyncBody, sync: FromDishka[SyncSiteManifests]
    ) -> TaskAccepted:
        return TaskAccepted.of(await sync(user, data.site_id))

    @post(
        "/rcrainfo-profile/sync",
        responses=answers(403),
        status_code=202,
        summary="Pull your site permissions from RCRAInfo, with your own API ID and key",
        description=(
            "Shown afterwards in `GET /api/rcrainfo-profile/{username}`. Without an API ID and "
            "key or an RCRAInfo username the task is FAILURE at once, with the reason in "
            "`error.detail` and `result`." + _TASK
        ),
    )
    async def sync_profile(self, user: User, sync: FromDishka[SyncRcrainfoProfile]) -> TaskAccepted:
        return TaskAccepted.of(await sync(user, refusal_as_task=True))

    @post(
        "/rcrainfo/rcrasite/search",
        responses=_WAITING_ANSWERS,
        status_code=200,
        summary="Search RCRAInfo's handlers by EPA ID (cached for a day)",
        description=(
            "`siteId` is 2-12 letters or digits of an EPA ID; `siteType` generator, "
            "transporter, designatedFacility or broker." + _WAITS
        ),
    )
    async def search_rcrainfo(
        self, user: User, data: SiteSearchBody, search: FromDishka[SearchRcrainfoSites]
    ) -> list[RcraSite]:
        site_type = parse_site_type(data.site_type, "siteType")
        return await search(user, data.site_id, site_type)

    @get(
        "/rcrasite/search",
        responses=answers(400, 422),
        summary="Search the handlers kept here (case-insensitive contains on ID and name)",
    )
    async def search_local(
        self,
        user: User,
        search: FromDishka[SearchRcraSites],
        epa_id: Annotated[str | None, text_query(limits.EPA_ID, name="epaId")] = None,
        site_name: Annotated[str | None, text_query(limits.SITE_NAME, name="siteName")] = None,
        site_type: Annotated[
            str | None,
            text_query(
                limits.SITE_TYPE,
                name="siteType",
                description="generator, transporter, tsdf, broker",
            ),
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> list[RcraSite]:
        return list(
            await search(
                epa_id=epa_id,
                name=site_name,
                site_type=parse_site_type(site_type, "siteType"),
                limit=limit,
            )
        )

    @get(
        "/rcrasite/{epa_id:str}",
        responses=_WAITING_ANSWERS,
        summary="One handler: the local copy, else RCRAInfo's site details",
        description="404 when RCRAInfo has no such site." + _WAITS,
    )
    async def get_site(
        self,
        user: User,
        epa_id: Annotated[str, text_path(limits.EPA_ID, "VATESTGEN001")],
        get_site: FromDishka[GetRcraSite],
    ) -> RcraSite:
        return await get_site(user, epa_id)
