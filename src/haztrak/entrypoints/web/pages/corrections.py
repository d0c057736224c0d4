"""Corrections (issue 13 §2): on a manifest its facility signed, "Correct this manifest" (the
draft editor's form: the same inputs, named by EPA path, read and built by `DraftForm`), sign
the version under correction, revert it, and the version history with each version readable.
Each change starts a task through the API's use cases; the manifest page shows its progress."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import msgspec
from dishka import FromDishka
from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from haztrak.application.lookups import ListEmanifestCodes, SearchDotLookup
from haztrak.application.manifests.viewing import OpenedManifest, OpenManifest
from haztrak.application.ports.lookups import DotLookup
from haztrak.application.rcrainfo.corrections import (
    CorrectionSignature,
    CorrectManifest,
    GetManifestVersion,
    ListManifestVersions,
    RefreshManifestVersions,
    RevertCorrection,
    SignCorrection,
)
from haztrak.domain.errors import Conflict, Forbidden, InvalidValue
from haztrak.domain.identity import User
from haztrak.domain.manifest import ManifestShapeError
from haztrak.domain.manifest_actions import ManifestAction, SigningSeat
from haztrak.entrypoints.web.draft_form import DraftForm, FieldProblem, place_problems
from haztrak.entrypoints.web.flash import redirect
from haztrak.entrypoints.web.pages.manifests import _detail, _sentence
from haztrak.entrypoints.web.templating import page
from haztrak.entrypoints.web.views.manifests import STATUS_LABELS, manifest_view

MAX_FIELD = 4_000
"""A posted value longer than any input of the form (handling instructions stop at 4,000)."""
_Request = Request[Any, Any, Any]


class CorrectionEditor(msgspec.Struct, kw_only=True):
    """What the correction form shows (the draft editor's pieces read `form`, `messages`,
    `options`, `searched`, `results`, `rcrainfo`)."""

    mtn: str
    status: str
    form: DraftForm
    options: dict[str, list[tuple[str, str]]]
    problems: list[FieldProblem] = msgspec.field(default_factory=list)
    messages: dict[str, FieldProblem] = msgspec.field(default_factory=dict)
    refusal: str | None = None
    searched: dict[str, str] = msgspec.field(default_factory=dict)
    results: dict[str, list[Any]] = msgspec.field(default_factory=dict)
    rcrainfo: dict[str, Any] = msgspec.field(default_factory=dict)


class VersionRow(msgspec.Struct, frozen=True, kw_only=True):
    number: int
    status: str
    status_label: str
    active: bool
    who: str
    when: str
    signed_by: str
    readable: bool


class SignCorrectionForm(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    csrf_token: str = ""
    site_id: str = ""
    printed_name: str = ""
    signed_on: str = ""
    confirm: str = ""


async def _options(codes: ListEmanifestCodes, dot: SearchDotLookup) -> dict[str, Any]:
    async def coded(name: str) -> list[tuple[str, str]]:
        return [(c.code, f"{c.code} — {c.description}") for c in await codes(name)]

    return {
        "container_types": await coded("container-types"),
        "units": await coded("units-of-measure"),
        "management_methods": await coded("management-methods"),
        "packing_groups": [(g, g) for g in await dot(DotLookup.GROUP, None, 10)],
        "hazard_classes": [(c, c) for c in await dot(DotLookup.CLASS, None, 100)],
    }


def _allowed(opened: OpenedManifest, action: ManifestAction, refusal: str) -> None:
    if not opened.actions.allows(action):
        raise Forbidden(refusal)


def _seat_label(seat: SigningSeat) -> str:
    return f"{seat.name or seat.site_id} ({seat.site_id}) as the {seat.describe()}"


def _today() -> date:
    return datetime.now(UTC).date()


def _task_page(mtn: str, task_id: Any, text: str) -> Response[Any]:
    return redirect(f"/manifests/{mtn}?task={task_id}", "success", text)


class CorrectionPagesController(Controller):
    include_in_schema = False

    # --- the correction form -------------------------------------------------------------

    @get("/manifests/{mtn:str}/correct")
    async def correction_form(
        self,
        request: _Request,
        user: User,
        mtn: str,
        open_manifest: FromDishka[OpenManifest],
        codes: FromDishka[ListEmanifestCodes],
        dot: FromDishka[SearchDotLookup],
    ) -> Template:
        opened = await open_manifest(user, mtn)
        _allowed(opened, ManifestAction.CORRECT, _NOT_CORRECTABLE)
        document = msgspec.to_builtins(opened.stored.manifest)
        editor = CorrectionEditor(
            mtn=opened.stored.mtn,
            status=opened.stored.manifest.current_status().value,
            form=DraftForm.from_document(document),
            options=await _options(codes, dot),
        )
        return page(request, "corrections/edit.html", {**_detail(opened), "view": editor})

    @post("/manifests/{mtn:str}/correct")
    async def correct(
        self,
        request: _Request,
        user: User,
        mtn: str,
        open_manifest: FromDishka[OpenManifest],
        correct: FromDishka[CorrectManifest],
        codes: FromDishka[ListEmanifestCodes],
        dot: FromDishka[SearchDotLookup],
    ) -> Response[Any]:
        opened = await open_manifest(user, mtn)
        _allowed(opened, ManifestAction.CORRECT, _NOT_CORRECTABLE)
        fields = await _fields(request)
        form = DraftForm.from_fields(fields)
        editor = CorrectionEditor(
            mtn=opened.stored.mtn,
            status=opened.stored.manifest.current_status().value,
            form=form,
            options=await _options(codes, dot),
        )
        op = fields.get("op", "")
        if op and op != "send":
            form.apply(op)  # add, remove or move a row; a search needs the draft editor
            return page(request, "corrections/edit.html", {**_detail(opened), "view": editor})
        current = msgspec.to_builtins(opened.stored.manifest)
        document = form.build(base=current)
        try:
            task = await correct(user, mtn, msgspec.json.encode(document))
        except ManifestShapeError as error:
            found = [(p.field, p.message, "error") for p in error.problems]
            return _refused_form(request, opened, editor, place_problems(form, found))
        except InvalidValue as error:
            placed = place_problems(form, [(error.field, error.message, "error")])
            return _refused_form(request, opened, editor, placed)
        except (Conflict, Forbidden) as error:
            editor.refusal = _sentence(str(error))
            return page(
                request,
                "corrections/edit.html",
                {**_detail(opened), "view": editor},
                status_code=409,
            )
        return _task_page(mtn, task.id, "The correction is on its way to e-Manifest.")

    # --- signing and reverting -----------------------------------------------------------

    @get("/manifests/{mtn:str}/correction/sign")
    async def sign_review(
        self, request: _Request, user: User, mtn: str, open_manifest: FromDishka[OpenManifest]
    ) -> Template:
        opened = await open_manifest(user, mtn)
        _allowed(opened, ManifestAction.SIGN_CORRECTION, _NOT_SIGNABLE)
        seats = opened.actions.correction_seats
        form = SignCorrectionForm(
            site_id=seats[0].site_id, printed_name=user.display_name, signed_on=_today().isoformat()
        )
        return page(request, "corrections/sign.html", _sign_context(opened, form))

    @post("/manifests/{mtn:str}/correction/sign")
    async def sign(
        self,
        request: _Request,
        user: User,
        mtn: str,
        open_manifest: FromDishka[OpenManifest],
        sign_correction: FromDishka[SignCorrection],
    ) -> Response[Any]:
        opened = await open_manifest(user, mtn)
        _allowed(opened, ManifestAction.SIGN_CORRECTION, _NOT_SIGNABLE)
        fields = await _fields(request)
        form = msgspec.convert(fields, SignCorrectionForm)
        errors: dict[str, str] = {}
        seats = {s.site_id: s for s in opened.actions.correction_seats}
        if form.site_id not in seats:
            errors["site_id"] = "Choose one of your sites on this manifest"
        if not form.printed_name.strip():
            errors["printed_name"] = "Enter your name as it is printed on the manifest"
        if not form.confirm:
            errors["confirm"] = "Confirm that you have reviewed the correction and sign it"
        signed_at: datetime | None = None
        try:
            day = date.fromisoformat(form.signed_on) if form.signed_on else _today()
            if day > _today():
                errors["signed_on"] = "The date may not be in the future"
            elif day != _today():
                signed_at = datetime.combine(day, time(12), UTC)
        except ValueError:
            errors["signed_on"] = "Enter a date, like 2026-12-03"
        if errors:
            return page(
                request,
                "corrections/sign.html",
                _sign_context(opened, form, errors=errors),
                status_code=422,
            )
        command = CorrectionSignature(
            site_id=form.site_id,
            printed_signature_name=form.printed_name,
            printed_signature_date=signed_at,
        )
        try:
            task = await sign_correction(user, mtn, command)
        except InvalidValue as error:
            field = {"printedSignatureName": "printed_name", "siteId": "site_id"}.get(
                error.field, "signed_on"
            )
            return page(
                request,
                "corrections/sign.html",
                _sign_context(opened, form, errors={field: error.message}),
                status_code=422,
            )
        except (Conflict, Forbidden) as error:
            context = _sign_context(opened, form)
            context["refusal"] = _sentence(str(error))
            return page(request, "corrections/sign.html", context, status_code=409)
        return _task_page(mtn, task.id, "The signature of the correction is on its way.")

    @get("/manifests/{mtn:str}/correction/revert")
    async def revert_confirmation(
        self, request: _Request, user: User, mtn: str, open_manifest: FromDishka[OpenManifest]
    ) -> Template:
        opened = await open_manifest(user, mtn)
        _allowed(opened, ManifestAction.REVERT_CORRECTION, _NOT_REVERTIBLE)
        return page(request, "corrections/revert.html", _detail(opened))

    @post("/manifests/{mtn:str}/correction/revert")
    async def revert(
        self, user: User, mtn: str, revert: FromDishka[RevertCorrection]
    ) -> Response[Any]:
        try:
            task = await revert(user, mtn)
        except (Conflict, Forbidden) as error:
            return redirect(f"/manifests/{mtn}", "error", _sentence(str(error)))
        return _task_page(mtn, task.id, "The correction is being reverted in e-Manifest.")

    # --- the version history -------------------------------------------------------------

    @get("/manifests/{mtn:str}/versions")
    async def versions(
        self,
        request: _Request,
        user: User,
        mtn: str,
        open_manifest: FromDishka[OpenManifest],
        list_versions: FromDishka[ListManifestVersions],
    ) -> Template:
        opened = await open_manifest(user, mtn)
        listed = await list_versions(user, mtn)
        rows = [
            VersionRow(
                number=v.version_number,
                status=v.status.value,
                status_label=STATUS_LABELS.get(v.status.value, v.status.value),
                active=v.active,
                who=(v.updated_by.describe() if v.updated_by else "")
                + (f" for {v.epa_site_id}" if v.epa_site_id else ""),
                when=v.updated_date or v.created_date or "",
                signed_by=", ".join(
                    s.signature_date or "" for s in v.electronic_signatures_info if s.signature_date
                ),
                readable=v.version_number in listed.contents,
            )
            for v in listed.history.versions
        ]
        htmx = request.headers.get("hx-request") and not request.headers.get(
            "hx-history-restore-request"
        )
        return page(
            request,
            "corrections/_versions_table.html" if htmx else "corrections/versions.html",
            {
                **_detail(opened),
                "rows": rows,
                "pulled_at": listed.pulled_at,
                "refreshable": opened.actions.allows(ManifestAction.VERSIONS),
                "fragment": bool(htmx),
            },
        )

    @post("/manifests/{mtn:str}/versions/refresh")
    async def refresh(
        self, user: User, mtn: str, refresh: FromDishka[RefreshManifestVersions]
    ) -> Response[Any]:
        try:
            task = await refresh(user, mtn)
        except (Conflict, Forbidden) as error:
            return redirect(f"/manifests/{mtn}/versions", "error", _sentence(str(error)))
        return _task_page(mtn, task.id, "The version history is being read from e-Manifest.")

    @get("/manifests/{mtn:str}/versions/{number:int}")
    async def version(
        self,
        request: _Request,
        user: User,
        mtn: str,
        number: int,
        open_manifest: FromDishka[OpenManifest],
        get_version: FromDishka[GetManifestVersion],
    ) -> Template:
        opened = await open_manifest(user, mtn)
        content = await get_version(user, mtn, number)
        return page(
            request,
            "corrections/version.html",
            {
                **_detail(opened),
                "m": manifest_view(content),
                "number": number,
                "current": opened.stored.manifest.current_status().value,
            },
        )


_NOT_CORRECTABLE = (
    "This manifest cannot be corrected by you now: only a signer of a site on a manifest its "
    "facility signed corrects it, and not while e-Manifest holds it locked"
)
_NOT_SIGNABLE = "No correction of this manifest waits for a signature of yours"
_NOT_REVERTIBLE = "No correction of this manifest can be reverted by you now"


async def _fields(request: _Request) -> dict[str, str]:
    posted = await request.form()
    fields: dict[str, str] = {}
    for name in posted:
        value = posted.get(name)
        if isinstance(value, str):
            if len(value) > MAX_FIELD or len(name) > 200:
                raise InvalidValue(name[:200], f"is longer than {MAX_FIELD} characters")
            fields[name] = value
    return fields


def _refused_form(
    request: _Request,
    opened: OpenedManifest,
    editor: CorrectionEditor,
    problems: list[FieldProblem],
) -> Template:
    editor.problems = problems
    editor.messages = {p.name: p for p in problems if p.name is not None}
    return page(
        request, "corrections/edit.html", {**_detail(opened), "view": editor}, status_code=422
    )


def _sign_context(
    opened: OpenedManifest, form: SignCorrectionForm, *, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    errors = errors or {}
    anchors = {
        "site_id": "f-site_id",
        "printed_name": "f-printed_name",
        "signed_on": "f-signed_on",
        "confirm": "confirm",
    }
    return {
        **_detail(opened),
        "form": form,
        "seats": [(s.site_id, _seat_label(s)) for s in opened.actions.correction_seats],
        "errors": errors,
        "problems": [{"anchor": anchors[k], "text": v} for k, v in errors.items()],
        "today": _today().isoformat(),
        "refusal": None,
    }
