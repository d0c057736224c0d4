"""Corrections of a manifest in e-Manifest, and its version history.

Correct, sign a correction and revert start tasks (202 `{taskId}`), as every RCRAInfo call
does; the version history is what the last of them (or a refresh) pulled from e-Manifest.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from dishka import FromDishka
from litestar import Controller, Request, get, post
from litestar.openapi import ResponseSpec
from litestar.params import Parameter

from haztrak.application.rcrainfo.corrections import (
    CorrectionSignature,
    CorrectManifest,
    GetManifestVersion,
    ListManifestVersions,
    RefreshManifestVersions,
    RevertCorrection,
    SignCorrection,
    VersionList,
)
from haztrak.application.rcrainfo.manifests import printed_signature_date
from haztrak.domain.identity import User
from haztrak.domain.manifest import ElectronicSignature, Manifest
from haztrak.domain.manifest.corrections import VersionAuthor, VersionStatus
from haztrak.entrypoints.http import text as limits
from haztrak.entrypoints.http.controllers.tasks import TaskAccepted
from haztrak.entrypoints.http.openapi import answers, manifest_body
from haztrak.entrypoints.http.text import text, text_path

_TASK = (
    " Answers 202 `{taskId}`; follow the task at `GET /api/task/{taskId}`. While e-Manifest "
    "holds the manifest locked (`E_ManifestLockedAsyncSign`: in the signing queue; "
    "`E_ManifestLockedEpaChangeBiller`; an EPA correction) the task sends nothing and waits, "
    "retried with backoff: its `progress.waiting` and its last error say why. Afterwards the "
    "local copy is RCRAInfo's and the version history is pulled again."
)
_TASK_ANSWERS = answers(400, 403, 404, 409, 422)
_MTN = Annotated[str, text_path(limits.MTN)]


class VersionOut(msgspec.Struct, kw_only=True, rename="camel", omit_defaults=True):
    """One version (EPA's correction details), and whether its content can be read here."""

    version_number: int
    status: VersionStatus
    active: bool
    content_available: bool
    epa_site_id: str | None = None
    created_date: str | None = None
    updated_date: str | None = None
    updated_by: VersionAuthor | None = None
    electronic_signatures_info: list[ElectronicSignature] = []


class VersionsOut(msgspec.Struct, kw_only=True, rename="camel"):
    manifest_tracking_number: str
    pulled_at: str | None
    """When the history was last pulled from e-Manifest (null: never)."""
    versions: list[VersionOut]
    """Newest first."""

    @classmethod
    def of(cls, listed: VersionList) -> VersionsOut:
        return cls(
            manifest_tracking_number=listed.history.manifest_tracking_number,
            pulled_at=listed.pulled_at.isoformat() if listed.pulled_at else None,
            versions=[
                VersionOut(
                    version_number=v.version_number,
                    status=v.status,
                    active=v.active,
                    content_available=v.version_number in listed.contents,
                    epa_site_id=v.epa_site_id,
                    created_date=v.created_date,
                    updated_date=v.updated_date,
                    updated_by=v.updated_by,
                    electronic_signatures_info=list(v.electronic_signatures_info),
                )
                for v in listed.history.versions
            ],
        )


class CorrectionSignBody(msgspec.Struct, kw_only=True, rename="camel", forbid_unknown_fields=True):
    site_id: Annotated[str, text(limits.EPA_ID)]
    """One of your sites on the manifest; it signs in the role it has there."""
    printed_signature_name: Annotated[str, text(limits.SIGNATURE_NAME)]
    printed_signature_date: Annotated[str, text(limits.DATE_TIME)] | None = None


class ManifestCorrectionController(Controller):
    path = "/manifest/{mtn:str}"
    tags = ["corrections"]

    @get(
        "/versions",
        responses=answers(400, 404, 422),
        summary="A manifest's versions (e-Manifest's correction history), newest first",
        description=(
            "Each version's number, status (Signed, UnderCorrection, Corrected), whether it is "
            "the active one, who changed it last and when, its signatures, and whether its "
            "content can be read at `/versions/{versionNumber}`. Kept from the last correction "
            "task or refresh (`pulledAt`); anyone who may see the manifest may read it."
        ),
    )
    async def versions(
        self, user: User, mtn: _MTN, list_versions: FromDishka[ListManifestVersions]
    ) -> VersionsOut:
        return VersionsOut.of(await list_versions(user, mtn))

    @get(
        "/versions/{version_number:int}",
        responses={200: ResponseSpec(Manifest, description="The version (EPA's JSON)")}
        | answers(400, 404, 422),
        summary="One version of a manifest, as it was",
    )
    async def version(
        self,
        user: User,
        mtn: _MTN,
        version_number: Annotated[int, Parameter(ge=1, le=2**31 - 1)],
        get_version: FromDishka[GetManifestVersion],
    ) -> Manifest:
        return await get_version(user, mtn, version_number)

    @post(
        "/versions/refresh",
        responses=_TASK_ANSWERS,
        status_code=202,
        summary="Pull a manifest's version history from e-Manifest",
        description="Any role on a site of the manifest whose org is set up." + _TASK,
    )
    async def refresh(
        self, user: User, mtn: _MTN, refresh: FromDishka[RefreshManifestVersions]
    ) -> TaskAccepted:
        return TaskAccepted.of(await refresh(user, mtn))

    @post(
        "/correction",
        responses=_TASK_ANSWERS,
        status_code=202,
        operation_class=manifest_body(
            "The whole corrected manifest (EPA's JSON); its tracking number and submission type "
            "stay the manifest's."
        ),
        summary="Correct a manifest: open a correction, or change the one under correction",
        description=(
            "From Signed or Corrected, e-Manifest makes a new version UnderCorrection; from "
            "UnderCorrection it changes that version (at most one is under correction). Needs "
            "the signer role on a site of the manifest. What e-Manifest sets itself (dates, "
            "signatures, status, locks) is not taken from the body. 409 when the status or a "
            "lock does not allow it, or another correction task is under way." + _TASK
        ),
    )
    async def correct(
        self,
        user: User,
        mtn: _MTN,
        request: Request[Any, Any, Any],
        correct: FromDishka[CorrectManifest],
    ) -> TaskAccepted:
        return TaskAccepted.of(await correct(user, mtn, await request.body()))

    @post(
        "/correction/sign",
        responses=_TASK_ANSWERS,
        status_code=202,
        summary="Sign the version under correction electronically",
        description=(
            "As `siteId`, one of your sites on the manifest where you are a signer, in the role "
            "it has there (generator, transporter, designated or alternate facility). The "
            "signed version is Corrected. `printedSignatureDate` defaults to now." + _TASK
        ),
    )
    async def sign(
        self,
        user: User,
        mtn: _MTN,
        data: CorrectionSignBody,
        sign: FromDishka[SignCorrection],
    ) -> TaskAccepted:
        command = CorrectionSignature(
            site_id=data.site_id,
            printed_signature_name=data.printed_signature_name,
            printed_signature_date=printed_signature_date(data.printed_signature_date),
        )
        return TaskAccepted.of(await sign(user, mtn, command))

    @post(
        "/correction/revert",
        responses=_TASK_ANSWERS,
        status_code=202,
        summary="Revert a correction: drop the version under correction",
        description=(
            "EPA's revert: the version before it is current again. Needs the signer role on a "
            "site of the manifest; 409 when no version is under correction." + _TASK
        ),
    )
    async def revert(
        self, user: User, mtn: _MTN, revert: FromDishka[RevertCorrection]
    ) -> TaskAccepted:
        return TaskAccepted.of(await revert(user, mtn))
