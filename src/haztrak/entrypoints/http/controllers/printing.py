"""A manifest printed as EPA form 8700-22 (PDF)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from dishka import FromDishka
from litestar import Controller, Response, get
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)

from haztrak.application.manifests.printing import PrintManifest
from haztrak.domain.identity import User
from haztrak.entrypoints.http import text as limits
from haztrak.entrypoints.http.openapi import answers
from haztrak.entrypoints.http.text import text_path

PDF = "application/pdf"


@dataclass
class _PdfOperation(Operation):
    """The 200 answer is a PDF file, not JSON."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse):
            binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
            ok.content = {PDF: OpenAPIMediaType(schema=binary)}


class ManifestPdfController(Controller):
    path = "/manifest"
    tags = ["manifests"]

    @get(
        "/{mtn:str}/pdf",
        responses={200: ResponseSpec(None, description="The manifest as a PDF attachment")}
        | answers(400, 404, 422),
        operation_class=_PdfOperation,
        summary="A manifest as EPA form 8700-22 (PDF), with 8700-22A continuation sheets",
        description=(
            "The manifest laid out as the Uniform Hazardous Waste Manifest, items 1 to 20 in "
            "the form's order, with e-signatures' names and dates. More than two transporters "
            "or four waste lines go on continuation sheets (form 8700-22A: two transporters "
            "and ten lines each). A draft prints stamped DRAFT \N{EM DASH} NOT VALID FOR "
            "SHIPMENT. Who may read the manifest (`GET /api/manifest/{mtn}`) may print it; "
            "to anyone else it is 404. Content-Disposition names the file "
            "`manifest-<tracking number or draft number>.pdf`."
        ),
    )
    async def pdf(
        self,
        user: User,
        mtn: Annotated[str, text_path(limits.MTN)],
        print_manifest: FromDishka[PrintManifest],
    ) -> Response[bytes]:
        printed = await print_manifest(user, mtn)
        return Response(
            printed.content,
            media_type=PDF,
            headers={
                "Content-Disposition": f'attachment; filename="{printed.filename}"',
                "Cache-Control": "private, no-store",
            },
        )
