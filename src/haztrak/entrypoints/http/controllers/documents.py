"""A manifest's documents: the scanned paper form and what RCRAInfo keeps with the manifest
(copies of record, EPA's form PDF). Listed and downloaded by whoever may see the manifest;
fetched from RCRAInfo in a task."""

from __future__ import annotations

from typing import Annotated

from dishka import FromDishka
from litestar import Controller, Response, get, post
from litestar.openapi import ResponseSpec

from haztrak.application.manifests.files import GetManifestDocument, ListManifestDocuments
from haztrak.application.rcrainfo.documents import FetchManifestDocuments
from haztrak.domain.identity import User
from haztrak.domain.manifest.attachments import ManifestDocumentInfo
from haztrak.entrypoints.http import text as limits
from haztrak.entrypoints.http.controllers.tasks import TaskAccepted
from haztrak.entrypoints.http.openapi import answers
from haztrak.entrypoints.http.text import text_path

DOCUMENT_NAME = 127

_DOWNLOAD = ResponseSpec(
    bytes,
    description=(
        "The document as it is kept: application/pdf, text/html (a copy of record) or another "
        "type, always as an attachment"
    ),
    media_type="application/octet-stream",
    generate_examples=False,
)


class ManifestDocumentController(Controller):
    path = "/manifest/{mtn:str}/attachments"
    tags = ["manifests"]

    @get(
        "/",
        responses=answers(400, 404, 422),
        summary="The documents kept for a manifest",
        description=(
            "`[{name, size, contentType, kind, storedAt}]` by name. `kind` is `scan` (the "
            "scanned paper form of an Image or DataImage5Copy manifest), `copyOfRecord` (a "
            "party's human-readable copy of record), `form` (EPA's form 8700-22 PDF) or "
            "`other`. Whoever may see the manifest may list them (404 otherwise). Documents "
            "come from an upload with the manifest (`POST /api/manifest/emanifest`), from "
            "`POST .../attachments/fetch`, and from site syncs."
        ),
    )
    async def list_documents(
        self,
        user: User,
        mtn: Annotated[str, text_path(limits.MTN, "100032524ELC")],
        list_documents: FromDishka[ListManifestDocuments],
    ) -> list[ManifestDocumentInfo]:
        return await list_documents(user, mtn)

    @get(
        "/{name:str}",
        responses={200: _DOWNLOAD} | answers(400, 404, 422),
        summary="Download one document of a manifest",
        description=(
            "The file, as an attachment, with its media type. Documents are served in a "
            "sandbox (Content-Security-Policy) so that an HTML copy of record runs nothing."
        ),
    )
    async def download(
        self,
        user: User,
        mtn: Annotated[str, text_path(limits.MTN, "100032524ELC")],
        name: Annotated[str, text_path(DOCUMENT_NAME, "cor-g.html")],
        get_document: FromDishka[GetManifestDocument],
    ) -> Response[bytes]:
        document = await get_document(user, mtn, name)
        return Response(
            document.data,
            media_type=document.content_type,
            headers={
                "Content-Disposition": f'attachment; filename="{document.name}"',
                "Content-Security-Policy": "sandbox; default-src 'none'",
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "private, no-cache",
            },
        )

    @post(
        "/fetch",
        responses=answers(400, 404, 409, 422),
        status_code=202,
        summary="Fetch a manifest's documents from RCRAInfo (a task)",
        description=(
            "Downloads EPA's attachments of the manifest (the scanned form, the copies of "
            "record, the form PDF) and keeps them. Whoever may see the manifest may fetch, "
            "through a site of theirs on it whose org has RCRAInfo credentials (409 when none "
            "has). A draft is not in e-Manifest (409). Answers 202 `{taskId}`; follow the task "
            "at `GET /api/task/{taskId}`."
        ),
    )
    async def fetch(
        self,
        user: User,
        mtn: Annotated[str, text_path(limits.MTN, "100032524ELC")],
        fetch: FromDishka[FetchManifestDocuments],
    ) -> TaskAccepted:
        return TaskAccepted.of(await fetch(user, mtn))
