"""Signing many manifests at once: the dashboard's selection of manifests waiting for the
user's signature, a review page listing each one (EPA requires that the signer can review what
is signed), one Quicker Sign per site and role, and the outcome manifest by manifest."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID

import msgspec
from dishka import FromDishka
from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from haztrak.application.manifests.viewing import OpenedManifest, OpenManifest
from haztrak.application.rcrainfo.manifests import (
    MAX_SIGN_BATCH,
    QuickSign,
    QuickSignManifests,
)
from haztrak.application.tasks.queries import GetTask
from haztrak.domain.errors import Conflict, Forbidden, InvalidValue, NotFound
from haztrak.domain.identity import User
from haztrak.domain.manifest import HandlerRole
from haztrak.domain.manifest.tracking_numbers import is_tracking_number
from haztrak.domain.tasks import Task, TaskName, TaskStatus
from haztrak.entrypoints.web.flash import redirect
from haztrak.entrypoints.web.templating import page
from haztrak.entrypoints.web.views.manifests import (
    ManifestView,
    SeatView,
    manifest_view,
    seat_view,
)
from haztrak.entrypoints.web.views.tasks import task_view
from haztrak.entrypoints.web.views.text import sentence


class SeatGroup(msgspec.Struct, kw_only=True):
    """Manifests the user signs as the same site in the same role: one Quicker Sign."""

    key: str
    seat: SeatView
    manifests: list[ManifestView]

    @property
    def mtns(self) -> list[str]:
        return [m.mtn for m in self.manifests]


class Skipped(msgspec.Struct, frozen=True, kw_only=True):
    mtn: str
    reason: str


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    mtn: str
    signed: bool
    text: str


def _today() -> date:
    return datetime.now(UTC).date()


def _group_key(opened: OpenedManifest) -> str:
    seat = opened.actions.seat
    assert seat is not None
    return f"{seat.site_id}|{seat.role.value}|{seat.transporter_order or ''}"


async def _review(
    user: User, mtns: list[str], open_manifest: OpenManifest
) -> tuple[list[SeatGroup], list[Skipped]]:
    groups: dict[str, SeatGroup] = {}
    skipped: list[Skipped] = []
    for mtn in dict.fromkeys(mtns):
        if not is_tracking_number(mtn):
            skipped.append(Skipped(mtn=mtn[:20], reason="not a manifest tracking number"))
            continue
        try:
            opened = await open_manifest(user, mtn)
        except NotFound:
            skipped.append(Skipped(mtn=mtn, reason="not found among your sites' manifests"))
            continue
        seat = opened.actions.seat
        if seat is None:
            skipped.append(Skipped(mtn=mtn, reason="it does not wait for a signature of yours"))
            continue
        key = _group_key(opened)
        if key not in groups:
            groups[key] = SeatGroup(key=key, seat=seat_view(seat), manifests=[])
        groups[key].manifests.append(manifest_view(opened.stored.manifest))
    return list(groups.values()), skipped


def outcomes(task: Task) -> list[Outcome]:
    """Each manifest of a Quicker Sign task, signed or not and why, in words."""
    mtns: list[str] = [str(m) for m in task.payload.get("manifestTrackingNumbers") or []]
    found: dict[str, Outcome] = {}
    if task.status is TaskStatus.SUCCESS and isinstance(task.result, dict):
        for report in task.result.get("manifestReports") or []:
            mtn = str(report.get("manifestTrackingNumber") or "")
            if report.get("signed"):
                found[mtn] = Outcome(mtn=mtn, signed=True, text="Signed.")
            else:
                reasons = [str(e.get("message")) for e in report.get("errors") or []]
                found[mtn] = Outcome(
                    mtn=mtn,
                    signed=False,
                    text="Not signed: " + ("; ".join(reasons) or "e-Manifest gave no reason") + ".",
                )
        for mtn in task.result.get("alreadySigned") or []:
            found[str(mtn)] = Outcome(
                mtn=str(mtn), signed=True, text="Already signed by an earlier attempt."
            )
    elif task.status is TaskStatus.FAILURE and task.error is not None:
        why: dict[str, list[str]] = {}
        for problem in task.error.errors:
            why.setdefault(problem.value or problem.field, []).append(problem.message)
        for mtn in mtns:
            said = why.get(mtn) or [sentence(task.error.detail)]
            found[mtn] = Outcome(mtn=mtn, signed=False, text="Not signed: " + "; ".join(said))
    for refusal in task.payload.get("refused") or []:
        mtn = str(refusal.get("manifestTrackingNumber") or "")
        told = "; ".join(str(r) for r in refusal.get("reasons") or []) or "out of turn"
        found[mtn] = Outcome(
            mtn=mtn,
            signed=False,
            text=f"Not signed: {told.rstrip('.')}. Not sent to e-Manifest.",
        )
    return [found[m] for m in (*mtns, *_refused(task)) if m in found]


def _refused(task: Task) -> list[str]:
    """The manifests a Quicker Sign request did not send: not waiting for this signature."""
    return [
        str(r.get("manifestTrackingNumber") or "")
        for r in task.payload.get("refused") or []
        if isinstance(r, dict)
    ]


class BulkSignController(Controller):
    include_in_schema = False

    @get("/sign")
    async def review(
        self,
        request: Request[Any, Any, Any],
        user: User,
        open_manifest: FromDishka[OpenManifest],
    ) -> Response[Any]:
        mtns = [m.strip() for m in request.query_params.getall("mtn", []) if m.strip()]
        if not mtns:
            return redirect("/dashboard", "error", "Select the manifests to sign first.")
        if len(mtns) > MAX_SIGN_BATCH:
            return redirect(
                "/dashboard", "error", f"Select at most {MAX_SIGN_BATCH} manifests at once."
            )
        groups, skipped = await _review(user, mtns, open_manifest)
        return page(
            request,
            "sign/review.html",
            {
                "groups": groups,
                "skipped": skipped,
                "printed_name": user.display_name,
                "today": _today().isoformat(),
                "errors": {},
                "refusal": None,
            },
        )

    @post("/sign")
    async def sign(
        self,
        request: Request[Any, Any, Any],
        user: User,
        open_manifest: FromDishka[OpenManifest],
        quick_sign: FromDishka[QuickSignManifests],
    ) -> Response[Any]:
        form = await request.form()
        mtns = [m for m in form.getall("mtn", []) if isinstance(m, str)][: MAX_SIGN_BATCH + 1]
        printed_name = str(form.get("printed_name") or "")[:255]
        signed_on = str(form.get("signed_on") or "")[:20]
        posted_key = str(form.get("group") or "")[:60]
        groups, skipped = await _review(user, mtns, open_manifest)
        errors: dict[str, str] = {}
        if not form.get("confirm"):
            errors["confirm"] = "Confirm that you have reviewed these manifests and sign them"
        if not printed_name.strip():
            errors["printed_name"] = "Enter your name as it is printed on the manifests"
        signed_at: datetime | None = None
        try:
            day = date.fromisoformat(signed_on) if signed_on else None
            if day is not None and day != _today():
                signed_at = datetime.combine(day, time(12), UTC)
        except ValueError:
            errors["signed_on"] = "must be a date like 2026-01-31"
        context: dict[str, Any] = {
            "groups": groups,
            "skipped": skipped,
            "printed_name": printed_name,
            "today": _today().isoformat(),
            "signed_on": signed_on,
            "errors": errors,
            "refusal": None,
        }
        group = next((g for g in groups if g.key == posted_key), None)
        if group is None:
            context["refusal"] = (
                "These manifests moved on while you were reviewing them: none waits for "
                "this signature of yours now. Review the list again."
            )
            return page(request, "sign/review.html", context, status_code=409)
        if errors:
            return page(request, "sign/review.html", context, status_code=422)
        # Every manifest reviewed is asked for: those that moved on meanwhile (signed by
        # someone else, another turn) are not sent, and the outcome says why for each.
        command = QuickSign(
            manifest_tracking_numbers=tuple(m for m in mtns if is_tracking_number(m)),
            site_id=group.seat.site_id,
            site_type=HandlerRole(group.seat.role_value),
            printed_signature_name=printed_name,
            printed_signature_date=signed_at,
            transporter_order=group.seat.transporter_order,
        )
        try:
            task = await quick_sign(user, command)
        except InvalidValue as error:
            field = {"printedSignatureName": "printed_name"}.get(error.field, "signed_on")
            context["errors"] = {field: error.message}
            return page(request, "sign/review.html", context, status_code=422)
        except (Conflict, Forbidden) as error:
            context["refusal"] = sentence(str(error))
            return page(request, "sign/review.html", context, status_code=409)
        return redirect(f"/sign/{task.id}")

    @get("/sign/{task_id:uuid}")
    async def outcome(
        self,
        request: Request[Any, Any, Any],
        user: User,
        task_id: UUID,
        get_task: FromDishka[GetTask],
    ) -> Template:
        task = await get_task(user, task_id)
        if task.name is not TaskName.QUICKER_SIGN:
            raise NotFound("signature", str(task_id))
        return page(
            request,
            "sign/outcome.html",
            {
                "task": task_view(task),
                "outcomes": outcomes(task),
                "mtns": [*(task.payload.get("manifestTrackingNumbers") or []), *_refused(task)],
                "site_id": task.payload.get("siteId"),
            },
        )
