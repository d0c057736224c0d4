"""A submission as EPA's save and update services take it: the manifest JSON as the body, or a
multipart/form-data body with a `manifest` part (the JSON) and an `attachment` part (the zip of
the scanned form), as the emanifest client sends them. Reading parts only: the rules are the
domain's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request
from litestar.datastructures import UploadFile
from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType

from haztrak.domain.errors import InvalidValue
from haztrak.domain.manifest.attachments import MAX_ATTACHMENT_BYTES
from haztrak.entrypoints.http.openapi import MANIFEST_SCHEMA

MAX_SUBMISSION_BYTES = MAX_ATTACHMENT_BYTES + 8 * 1024 * 1024
"""A request body: the largest scan plus room for the manifest JSON and the multipart frame."""


class Submission(msgspec.Struct, frozen=True, kw_only=True):
    manifest: bytes
    attachment: bytes | None = None
    attachment_name: str | None = None


def is_multipart(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/form-data")


async def read_submission(request: Request[Any, Any, Any]) -> Submission:
    if not is_multipart(request):
        return Submission(manifest=await request.body())
    form = await request.form()
    manifest = await _part(form.get("manifest"))
    if manifest is None:
        raise InvalidValue(
            "manifest", "is required: a multipart body has a part named manifest (the JSON)"
        )
    attachment = form.get("attachment")
    if attachment is None or (isinstance(attachment, str) and not attachment):
        return Submission(manifest=manifest)
    data = await _part(attachment)
    if not isinstance(attachment, UploadFile):
        raise InvalidValue("attachment", "must be a file part (a zip holding one PDF)")
    return Submission(manifest=manifest, attachment=data, attachment_name=attachment.filename)


async def _part(part: Any) -> bytes | None:
    if part is None:
        return None
    if isinstance(part, UploadFile):
        data: bytes = await part.read()
        return data
    if isinstance(part, bytes):
        return part
    return str(part).encode()


def manifest_or_multipart_body(description: str) -> type[Operation]:
    """The `operation_class` of a handler that takes the manifest JSON, or the manifest and
    its attachment as multipart/form-data."""

    @dataclass
    class SubmissionOperation(Operation):
        def __post_init__(self) -> None:
            multipart = Schema(
                type=OpenAPIType.OBJECT,
                required=["manifest"],
                properties={
                    "manifest": MANIFEST_SCHEMA,
                    "attachment": Schema(
                        type=OpenAPIType.STRING,
                        format=OpenAPIFormat.BINARY,
                        description=(
                            "Image and DataImage5Copy only: a zip holding exactly one PDF (the "
                            f"scanned form), at most {MAX_ATTACHMENT_BYTES} bytes"
                        ),
                    ),
                },
            )
            self.request_body = RequestBody(
                content={
                    "application/json": OpenAPIMediaType(schema=MANIFEST_SCHEMA),
                    "multipart/form-data": OpenAPIMediaType(schema=multipart),
                },
                description=description,
                required=True,
            )

    return SubmissionOperation
