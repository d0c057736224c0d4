"""Manifests and drafts: create, read, replace, delete, list, tracking numbers, validate.

Bodies are EPA's manifest JSON. They are read raw and decoded by the domain, so that a
malformed manifest answers 422 naming every faulty field at once.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from dishka import FromDishka
from litestar import Controller, MediaType, Request, Response, delete, get, post, put
from litestar.openapi import ResponseSpec
from litestar.params import QueryParameter
from litestar.response import Stream

from haztrak.application.manifests.drafts import (
    CreateDraftManifest,
    DeleteManifest,
    SavedManifest,
    UpdateManifest,
)
from haztrak.application.manifests.exports import ExportManifests, TableFormat
from haztrak.application.manifests.queries import (
    GetManifest,
    ListManifests,
    ManifestFilters,
)
from haztrak.application.manifests.tracking_numbers import StreamTrackingNumbers
from haztrak.application.manifests.validation import ValidateManifest
from haztrak.application.ports.manifests import ManifestSummary
from haztrak.domain.identity import User
from haztrak.domain.manifest import CheckPurpose, Manifest, Status, SubmissionType
from haztrak.entrypoints.http import text as limits
from haztrak.entrypoints.http.caching import etag_matches, quoted
from haztrak.entrypoints.http.manifest_schemas import (
    ManifestPageOut,
    SavedManifestOut,
    ValidationOut,
)
from haztrak.entrypoints.http.openapi import answers, manifest_body, not_modified
from haztrak.entrypoints.http.tables import table_download, table_stream
from haztrak.entrypoints.http.text import text_path, text_query

_MANIFEST_BODY = (
    "The body is EPA's manifest JSON (see the e-Manifest schema). Every shape problem is "
    "reported at once as a 422 problem document whose `errors` name the fields. A key EPA's "
    "schema does not define (such as the original client's `clientKey` on a transporter) is "
    "dropped, neither stored nor sent to e-Manifest, and named in `warnings`."
)


def _one_of(kind: type[StrEnum]) -> str:
    return ", ".join(kind)


def _if_match(request: Request[Any, Any, Any]) -> list[str] | None:
    """The entity tags of If-Match. Weak tags never match (RFC 9110 strong comparison)."""
    header = request.headers.get("if-match")
    if header is None:
        return None
    tags = (tag.strip() for tag in header.split(","))
    return [tag.strip('"') for tag in tags if tag and not tag.startswith("W/")]


def _if_none_match(request: Request[Any, Any, Any]) -> frozenset[str]:
    """The entity tags of If-None-Match, unquoted (weak comparison: W/ dropped); `*` as is."""
    header = request.headers.get("if-none-match")
    if not header:
        return frozenset()
    tags = (tag.strip().removeprefix("W/") for tag in header.split(","))
    return frozenset(tag.strip('"') for tag in tags if tag)


def _saved(saved: SavedManifest, status_code: int) -> Response[SavedManifestOut]:
    headers = {"ETag": quoted(saved.stored.tag)}
    if status_code == 201:
        headers["Location"] = f"/api/manifest/{saved.stored.mtn}"
    return Response(SavedManifestOut.of(saved), status_code=status_code, headers=headers)


class ManifestController(Controller):
    path = "/manifest"
    tags = ["manifests"]

    @get(
        "/",
        responses=answers(400, 403, 404, 422),
        summary="The manifests of your sites, newest change first, a page at a time",
        description=(
            "Answers `{items, total, totalExact, next}`: `items` are summaries (tracking "
            "number, status, parties, dates), `total` how many match: exact when `totalExact` "
            "is true (fewer than 1,000 matches), else an estimate (PostgreSQL's planner; on "
            "SQLite a lower bound), so a page costs the same at any number of manifests. "
            "`next` is the cursor of the next page (null on the last). Pages follow a keyset, "
            "so manifests added while you page do not shift the pages after the one you have."
        ),
    )
    async def list_manifests(
        self,
        user: User,
        list_manifests: FromDishka[ListManifests],
        site: Annotated[
            str | None, text_query(limits.EPA_ID, description="EPA ID of one of your sites")
        ] = None,
        site_type: Annotated[
            str | None,
            text_query(
                limits.SITE_TYPE,
                name="siteType",
                description="Generator, Transporter, Tsdf, Broker",
            ),
        ] = None,
        status: Annotated[
            str | None, text_query(limits.STATUS, description=_one_of(Status))
        ] = None,
        submission_type: Annotated[
            str | None,
            text_query(
                limits.SITE_TYPE, name="submissionType", description=_one_of(SubmissionType)
            ),
        ] = None,
        q: Annotated[
            str | None,
            text_query(
                limits.SITE_NAME,
                description=(
                    "any case: part of the tracking number, or the beginning of a handler's "
                    "EPA ID, of a word of a handler's name, or of a waste code"
                ),
            ),
        ] = None,
        updated_since: Annotated[
            str | None,
            text_query(
                limits.DATE_TIME, name="updatedSince", description="ISO 8601; without a zone, UTC"
            ),
        ] = None,
        updated_before: Annotated[
            str | None,
            text_query(
                limits.DATE_TIME,
                name="updatedBefore",
                description="ISO 8601; without a zone, UTC; changed before then",
            ),
        ] = None,
        sort: Annotated[
            str | None, text_query(limits.SITE_TYPE, description="newest (default) or oldest")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        cursor: Annotated[
            str | None,
            text_query(limits.CURSOR, description="`next` of the page before"),
        ] = None,
    ) -> ManifestPageOut:
        filters = ManifestFilters(
            site=site,
            site_type=site_type,
            status=status,
            submission_type=submission_type,
            q=q,
            updated_since=updated_since,
            updated_before=updated_before,
            sort=sort,
        )
        return ManifestPageOut.of(await list_manifests(user, filters, limit=limit, cursor=cursor))

    @get(
        "/export",
        responses={200: ResponseSpec(None, description="The table, as an attachment")}
        | answers(400, 404, 422),
        operation_class=table_download(),
        summary="The manifests of the list (same filters) as CSV or XLSX, streamed",
        description=(
            "Every manifest `GET /api/manifest` finds for the same filters (drafts only for "
            "their site's preparers), in its order, with no page limit: one row per manifest "
            "(`rows=manifest`, the default) or per waste line (`rows=waste`). Columns: "
            "tracking number, status, submission type, generator EPA ID and name, "
            "transporters, designated facility EPA ID and name, shipped and received dates; "
            "then the number of waste lines, or the line's number, description (DOT or "
            "waste), container count and type, quantity, unit, federal and state waste "
            "codes and management method. Text a spreadsheet would take for a formula "
            "begins with an apostrophe."
        ),
    )
    async def export(
        self,
        user: User,
        export: FromDishka[ExportManifests],
        format: Annotated[
            str | None, text_query(limits.SITE_TYPE, description="csv or xlsx")
        ] = None,
        rows: Annotated[
            str | None, text_query(limits.SITE_TYPE, description="manifest (default) or waste")
        ] = None,
        site: Annotated[
            str | None, text_query(limits.EPA_ID, description="EPA ID of one of your sites")
        ] = None,
        site_type: Annotated[
            str | None,
            text_query(
                limits.SITE_TYPE,
                name="siteType",
                description="Generator, Transporter, Tsdf, Broker",
            ),
        ] = None,
        status: Annotated[
            str | None, text_query(limits.STATUS, description=_one_of(Status))
        ] = None,
        submission_type: Annotated[
            str | None,
            text_query(
                limits.SITE_TYPE, name="submissionType", description=_one_of(SubmissionType)
            ),
        ] = None,
        q: Annotated[str | None, text_query(limits.SITE_NAME, description="as in the list")] = None,
        updated_since: Annotated[
            str | None,
            text_query(limits.DATE_TIME, name="updatedSince", description="as in the list"),
        ] = None,
        updated_before: Annotated[
            str | None,
            text_query(limits.DATE_TIME, name="updatedBefore", description="as in the list"),
        ] = None,
        sort: Annotated[
            str | None, text_query(limits.SITE_TYPE, description="newest (default) or oldest")
        ] = None,
    ) -> Stream:
        form = TableFormat.parse(format, TableFormat.CSV, TableFormat.XLSX)
        filters = ManifestFilters(
            site=site,
            site_type=site_type,
            status=status,
            submission_type=submission_type,
            q=q,
            updated_since=updated_since,
            updated_before=updated_before,
            sort=sort,
        )
        return table_stream(await export(user, filters, rows), form, "manifests")

    @post(
        "/",
        responses=answers(400, 403, 404, 409, 422),
        operation_class=manifest_body(_MANIFEST_BODY),
        status_code=201,
        summary="Create a draft: 201 with the manifest, its #########DFT number and `warnings`",
        description=(
            _MANIFEST_BODY + " The body has no tracking number (or an empty one) and status "
            "NotAssigned or none; it must name one of your sites where you are preparer or "
            "above. The answer is the stored manifest plus `warnings`, the business-rule "
            "problems a draft may have (they become errors on submission); ETag and Location "
            "headers name the new version and address."
        ),
    )
    async def create(
        self,
        user: User,
        request: Request[Any, Any, Any],
        create: FromDishka[CreateDraftManifest],
    ) -> Response[SavedManifestOut]:
        return _saved(await create(user, await request.body()), 201)

    @post(
        "/validate",
        responses=answers(400, 403, 422),
        operation_class=manifest_body("The manifest to check (EPA's manifest JSON)."),
        status_code=200,
        summary="Check a manifest without saving it: {valid, errors, warnings}",
        description=(
            "Shape problems are `errors`. Business-rule problems are `warnings` for a local "
            "draft (`purpose=local`, the default) and `errors` for `purpose=emanifest_save` "
            "or `emanifest_update`. Each problem is `{field, message}`. Always 200: the "
            "report is the answer, even for a body that is not JSON."
        ),
    )
    async def validate(
        self,
        user: User,
        request: Request[Any, Any, Any],
        validate: FromDishka[ValidateManifest],
        purpose: CheckPurpose = CheckPurpose.LOCAL,
    ) -> ValidationOut:
        return ValidationOut.of(await validate(await request.body(), purpose))

    @get(
        ["/mtn", "/mtn/{epa_id:str}", "/mtn/{epa_id:str}/{site_type:str}"],
        responses={
            200: ResponseSpec(
                list[ManifestSummary], description="Every tracking number, newest change first"
            ),
            304: not_modified(),
        }
        | answers(400, 404, 422),
        summary="Tracking numbers of your sites' manifests (one site; one part it plays); ETag",
        description=(
            "`[{manifestTrackingNumber, status, submissionType, signatureStatus}]`, each "
            "manifest once, newest change first. `siteType` is Generator, Transporter or Tsdf "
            "(any case). The list is unpaginated (the original client reads it whole): a "
            "large one is streamed, and kept on the server per version, so send the `ETag` "
            "back as `If-None-Match` and a list that has not changed answers 304 at once. "
            "A change to any manifest of the site is seen by the next request. Sites with "
            "many manifests should page with `GET /api/manifest?site=...` instead."
        ),
    )
    async def tracking_numbers(
        self,
        user: User,
        request: Request[Any, Any, Any],
        list_numbers: FromDishka[StreamTrackingNumbers],
        epa_id: Annotated[str | None, text_path(limits.EPA_ID, "VATESTGEN001")] = None,
        site_type: Annotated[str | None, text_path(limits.SITE_TYPE, "Generator")] = None,
    ) -> Response[bytes] | Stream:
        held = _if_none_match(request)
        listed = await list_numbers(user, epa_id, site_type, held=held)
        headers = {"ETag": quoted(listed.tag), "Cache-Control": "private, no-cache"}
        if listed.body is None:
            return Response(b"", status_code=304, headers=headers)
        if isinstance(listed.body, bytes):
            return Response(listed.body, media_type=MediaType.JSON, headers=headers)
        return Stream(listed.body, media_type=MediaType.JSON, headers=headers)

    @get(
        "/{mtn:str}",
        summary="A manifest: EPA's JSON, each handler with a read-only `signed` flag; ETag",
        # The body is the stored JSON as it is; this tells the API docs its shape.
        responses={
            200: ResponseSpec(Manifest, description="The manifest (EPA's JSON)"),
            304: not_modified(),
        }
        | answers(400, 403, 404, 422),
    )
    async def get_manifest(
        self,
        user: User,
        mtn: Annotated[str, text_path(limits.MTN)],
        request: Request[Any, Any, Any],
        get_manifest: FromDishka[GetManifest],
    ) -> Response[bytes]:
        document = await get_manifest(user, mtn)
        etag = quoted(document.tag)
        headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
        if etag_matches(request.headers.get("if-none-match"), etag):
            return Response(b"", status_code=304, headers=headers)
        return Response(document.json, media_type=MediaType.JSON, headers=headers)

    @put(
        "/{mtn:str}",
        responses=answers(400, 403, 404, 409, 412, 422),
        operation_class=manifest_body(_MANIFEST_BODY),
        summary="Replace a draft (or a manifest the rules let you change); honours If-Match",
        description=(
            _MANIFEST_BODY + " Send the ETag you read as If-Match: a stale one answers 412 and "
            "changes nothing. The tracking number and status stay as they are. The answer is "
            "the stored manifest plus `warnings`, as for creation."
        ),
    )
    async def replace(
        self,
        user: User,
        mtn: Annotated[str, text_path(limits.MTN)],
        request: Request[Any, Any, Any],
        update: FromDishka[UpdateManifest],
    ) -> Response[SavedManifestOut]:
        saved = await update(user, mtn, await request.body(), _if_match(request))
        return _saved(saved, 200)

    @delete(
        "/{mtn:str}",
        responses=answers(400, 403, 404, 409, 412, 422),
        summary="Delete a local draft; honours If-Match",
    )
    async def remove(
        self,
        user: User,
        mtn: Annotated[str, text_path(limits.MTN)],
        request: Request[Any, Any, Any],
        delete_manifest: FromDishka[DeleteManifest],
    ) -> None:
        await delete_manifest(user, mtn, _if_match(request))
