"""A manifest's documents from its page: fetch them from RCRAInfo (a task whose progress the
manifest page shows), and upload the scanned form of an Image or DataImage5Copy manifest, sent
to e-Manifest with the manifest as stored here. Plain forms with the CSRF token."""

from __future__ import annotations

from typing import Any

from dishka import FromDishka
from litestar import Controller, Request, Response, post
from litestar.datastructures import UploadFile

from haztrak.application.manifests.queries import GetManifest
from haztrak.application.rcrainfo.documents import FetchManifestDocuments
from haztrak.application.rcrainfo.manifests import SubmitManifest
from haztrak.domain.errors import Conflict, Forbidden, InvalidValue
from haztrak.domain.identity import User
from haztrak.domain.manifest import ManifestShapeError
from haztrak.entrypoints.http.uploads import MAX_SUBMISSION_BYTES
from haztrak.entrypoints.web.flash import redirect
from haztrak.entrypoints.web.views.text import sentence

UPLOAD_FIELD = "scan"


class ManifestDocumentPages(Controller):
    include_in_schema = False

    @post("/manifests/{mtn:str}/documents/fetch")
    async def fetch(
        self, user: User, mtn: str, fetch: FromDishka[FetchManifestDocuments]
    ) -> Response[Any]:
        try:
            task = await fetch(user, mtn)
        except (Conflict, Forbidden) as error:
            return redirect(f"/manifests/{mtn}", "error", sentence(str(error)))
        return redirect(f"/manifests/{mtn}?task={task.id}#documents-h")

    @post("/manifests/{mtn:str}/documents/upload", request_max_body_size=MAX_SUBMISSION_BYTES)
    async def upload(
        self,
        request: Request[Any, Any, Any],
        user: User,
        mtn: str,
        get_manifest: FromDishka[GetManifest],
        submit: FromDishka[SubmitManifest],
    ) -> Response[Any]:
        document = await get_manifest(user, mtn)  # 404 for a manifest the user may not see
        form = await request.form()
        upload = form.get(UPLOAD_FIELD)
        if not isinstance(upload, UploadFile) or not upload.filename:
            return redirect(
                f"/manifests/{mtn}",
                "error",
                "Choose the scanned manifest to upload: a PDF, or a zip holding one PDF.",
            )
        data = await upload.read()
        try:
            task = await submit(user, document.json, data, upload.filename)
        except InvalidValue as error:
            return redirect(f"/manifests/{mtn}", "error", sentence(f"the scan {error.message}"))
        except ManifestShapeError as error:
            return redirect(
                f"/manifests/{mtn}",
                "error",
                f"e-Manifest would refuse it: {error}. Fix the manifest, then upload again.",
            )
        except (Conflict, Forbidden) as error:
            return redirect(f"/manifests/{mtn}", "error", sentence(str(error)))
        return redirect(f"/manifests/{mtn}?task={task.id}")
