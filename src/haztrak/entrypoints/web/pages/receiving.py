"""Receiving a shipment (issue 13): the designated facility's "Record receipt" form (per waste
line a quantity or type discrepancy and residue, for the manifest a rejection), and the action
that starts the manifest for rejected or residue waste. The rules are the domain's; the form
only gathers the answers and shows each problem next to its field."""

from __future__ import annotations

from typing import Any

import msgspec
from dishka import FromDishka
from litestar import Controller, Request, Response, get, post

from haztrak.application.manifests.viewing import OpenedManifest, OpenManifest
from haztrak.application.rcrainfo.receiving import RecordReceipt, StartRejectedWasteManifest
from haztrak.domain.errors import Conflict, Forbidden
from haztrak.domain.identity import User
from haztrak.domain.manifest import Manifest, ManifestShapeError, Problem
from haztrak.domain.manifest.receiving import MAX_RECEIPT_COMMENT, Receipt
from haztrak.domain.manifest_actions import ManifestAction
from haztrak.entrypoints.web.flash import redirect
from haztrak.entrypoints.web.pages.manifests import _detail, _sentence
from haztrak.entrypoints.web.templating import page

MAX_FIELD = 1_000
"""A form value longer than any answer (comments stop at 255): refused before anything."""
REJECTIONS = (("", "No rejection"), ("PartialReject", "Partial rejection"),
              ("FullReject", "Full rejection"))  # fmt: skip
ON_SITE = (("", "Choose"), ("yes", "Yes, the transporter is still here"),
           ("no", "No, the transporter has left"))  # fmt: skip
DESTINATIONS = (("Tsdf", "An alternate facility"), ("Generator", "Back to the generator"))


class LineForm(msgspec.Struct, frozen=True, kw_only=True):
    """One waste line's answers, as the form names them (`line-<n>-...`)."""

    line: int
    description: str
    quantity: bool = False
    type: bool = False
    discrepancy_comments: str = ""
    residue: bool = False
    residue_comments: str = ""


class ReceiptForm(msgspec.Struct, frozen=True, kw_only=True):
    lines: tuple[LineForm, ...]
    rejection: str = ""
    transporter_on_site: str = ""
    destination: str = "Tsdf"
    alternate_id: str = ""
    new_mtns: str = ""
    rejection_comments: str = ""
    residue_mtns: str = ""


def _description(manifest: Manifest, number: int) -> str:
    for waste in manifest.wastes or ():
        if int(waste.line_number) == number:
            if waste.dot_information is not None:
                return waste.dot_information.printed_dot_information
            return waste.waste_description or ""
    return ""


def _prefilled(manifest: Manifest) -> ReceiptForm:
    """The form as the manifest stands: an earlier receipt is shown again."""
    lines = []
    for waste in manifest.wastes or ():
        info = waste.discrepancy_residue_info
        number = int(waste.line_number)
        lines.append(
            LineForm(
                line=number,
                description=_description(manifest, number),
                quantity=bool(info and info.waste_quantity),
                type=bool(info and info.waste_type),
                discrepancy_comments=(info.discrepancy_comments or "") if info else "",
                residue=bool(info and info.residue),
                residue_comments=(info.residue_comments or "") if info else "",
            )
        )
    residue_mtns = ", ".join(manifest.residue_new_manifest_tracking_numbers or ())
    rejection = manifest.rejection_info
    if not manifest.rejection or rejection is None:
        return ReceiptForm(lines=tuple(lines), residue_mtns=residue_mtns)
    alternate = rejection.alternate_designated_facility
    on_site = rejection.transporter_on_site
    kind = rejection.alternate_designated_facility_type
    return ReceiptForm(
        lines=tuple(lines),
        rejection=rejection.rejection_type.value if rejection.rejection_type else "",
        transporter_on_site="" if on_site is None else ("yes" if on_site else "no"),
        destination=kind.value if kind else "Tsdf",
        alternate_id=(alternate.epa_site_id or "") if alternate else "",
        new_mtns=", ".join(rejection.new_manifest_tracking_numbers or ()),
        rejection_comments=rejection.rejection_comments or "",
        residue_mtns=residue_mtns,
    )


def _posted(manifest: Manifest, posted: dict[str, str]) -> ReceiptForm:
    def text(name: str) -> str:
        return posted.get(name, "").strip()

    lines = tuple(
        LineForm(
            line=line.line,
            description=line.description,
            quantity=bool(posted.get(f"line-{line.line}-quantity")),
            type=bool(posted.get(f"line-{line.line}-type")),
            discrepancy_comments=text(f"line-{line.line}-discrepancy_comments"),
            residue=bool(posted.get(f"line-{line.line}-residue")),
            residue_comments=text(f"line-{line.line}-residue_comments"),
        )
        for line in _prefilled(manifest).lines
    )
    return ReceiptForm(
        lines=lines,
        rejection=text("rejection"),
        transporter_on_site=text("transporter_on_site"),
        destination=text("destination") or "Tsdf",
        alternate_id=text("alternate_id").upper(),
        new_mtns=text("new_mtns").upper(),
        rejection_comments=text("rejection_comments"),
        residue_mtns=text("residue_mtns").upper(),
    )


def _numbers(text: str) -> list[str]:
    return [n for n in (part.strip() for part in text.replace(";", ",").split(",")) if n]


def _receipt(form: ReceiptForm) -> Receipt:
    wastes = [
        {
            "lineNumber": line.line,
            "discrepancyResidueInfo": {
                "wasteQuantity": line.quantity,
                "wasteType": line.type,
                "discrepancyComments": line.discrepancy_comments or None,
                "residue": line.residue,
                "residueComments": line.residue_comments or None,
            },
        }
        for line in form.lines
    ]
    fields: dict[str, Any] = {"wastes": wastes, "rejection": bool(form.rejection)}
    if form.residue_mtns:
        fields["residueNewManifestTrackingNumbers"] = _numbers(form.residue_mtns)
    if form.rejection:
        on_site = {"yes": True, "no": False}.get(form.transporter_on_site)
        info: dict[str, Any] = {
            "transporterOnSite": on_site,
            "rejectionType": form.rejection,
            "rejectionComments": form.rejection_comments or None,
        }
        if on_site:
            info["alternateDesignatedFacilityType"] = form.destination
            if form.destination == "Tsdf" and form.alternate_id:
                info["alternateDesignatedFacility"] = {"epaSiteId": form.alternate_id}
        elif form.new_mtns:
            info["newManifestTrackingNumbers"] = _numbers(form.new_mtns)
        fields["rejectionInfo"] = info
    return msgspec.convert(fields, Receipt)


_REJECTION_FIELDS = {
    "rejection": "rejection",
    "rejectionInfo": "rejection",
    "rejectionInfo.rejectionType": "rejection",
    "rejectionInfo.transporterOnSite": "transporter_on_site",
    "rejectionInfo.alternateDesignatedFacilityType": "destination",
    "rejectionInfo.alternateDesignatedFacility": "alternate_id",
    "rejectionInfo.alternateDesignatedFacility.epaSiteId": "alternate_id",
    "rejectionInfo.newManifestTrackingNumbers": "new_mtns",
    "rejectionInfo.rejectionComments": "rejection_comments",
    "residueNewManifestTrackingNumbers": "residue_mtns",
}
_LINE_FIELDS = {
    "discrepancyComments": "discrepancy_comments",
    "residueComments": "residue_comments",
    "wasteQuantity": "quantity",
    "wasteType": "type",
    "residue": "residue",
}


_LABELS = {
    "quantity": "Quantity discrepancy",
    "type": "Type discrepancy",
    "discrepancy_comments": "The discrepancy's comments",
    "residue": "Residue",
    "residue_comments": "The residue's comments",
    "rejection": "The rejection",
    "transporter_on_site": "Whether the transporter is on site",
    "destination": "Where the rejected waste goes",
    "alternate_id": "The alternate facility's EPA ID",
    "new_mtns": "The new manifests' tracking numbers",
    "rejection_comments": "The rejection's comments",
    "residue_mtns": "The residue's new manifests",
}


def _message(field: str, problem: Problem) -> str:
    line, _, key = field.removeprefix("line-").partition("-")
    if field.startswith("line-"):
        return f"Line {line}: {_LABELS.get(key, key).lower()} {problem.message}."
    return f"{_LABELS.get(field, field)} {problem.message}."


def _field_of(problem: Problem, form: ReceiptForm) -> str:
    """The form field a problem of the receipt is about (its EPA path, read back)."""
    parts = problem.field.split(".")
    if parts[0] == "wastes" and len(parts) > 1 and parts[1].isdigit():
        index = int(parts[1])
        line = form.lines[index].line if index < len(form.lines) else 0
        key = _LINE_FIELDS.get(parts[-1], "discrepancy_comments")
        return f"line-{line}-{key}"
    path = problem.field
    while path and path not in _REJECTION_FIELDS:
        path = path.rpartition(".")[0]
    return _REJECTION_FIELDS.get(path, "rejection")


def _context(
    opened: OpenedManifest,
    form: ReceiptForm,
    errors: dict[str, str] | None = None,
    refusal: str | None = None,
) -> dict[str, Any]:
    errors = errors or {}
    return {
        **_detail(opened),
        "form": form,
        "errors": errors,
        "problems": [{"anchor": f"f-{name}", "text": text} for name, text in errors.items()],
        "refusal": refusal,
        "rejections": REJECTIONS,
        "on_site": ON_SITE,
        "destinations": DESTINATIONS,
        "max_comment": MAX_RECEIPT_COMMENT,
    }


def _ensure_receivable(opened: OpenedManifest) -> None:
    if not opened.actions.allows(ManifestAction.RECEIVE):
        raise Forbidden(
            "This manifest's receipt cannot be recorded by you now: a preparer (or above) of "
            "its designated facility records it while the manifest is Ready for signature, "
            "before the facility signs."
        )


class ReceivingPagesController(Controller):
    include_in_schema = False

    @get("/manifests/{mtn:str}/receive")
    async def receive_form(
        self,
        request: Request[Any, Any, Any],
        user: User,
        mtn: str,
        open_manifest: FromDishka[OpenManifest],
    ) -> Response[Any]:
        opened = await open_manifest(user, mtn)
        _ensure_receivable(opened)
        form = _prefilled(opened.stored.manifest)
        return page(request, "manifests/receive.html", _context(opened, form))

    @post("/manifests/{mtn:str}/receive")
    async def receive(
        self,
        request: Request[Any, Any, Any],
        user: User,
        mtn: str,
        open_manifest: FromDishka[OpenManifest],
        record: FromDishka[RecordReceipt],
    ) -> Response[Any]:
        opened = await open_manifest(user, mtn)
        _ensure_receivable(opened)
        raw = await request.form()
        posted = {k: v for k in raw if isinstance(v := raw.get(k), str)}
        too_long = [k for k, v in posted.items() if len(v) > MAX_FIELD]
        form = _posted(opened.stored.manifest, posted)
        if too_long:
            refused = {
                too_long[0]: f"This answer must be at most {MAX_RECEIPT_COMMENT} characters."
            }
            context = _context(opened, form, refused)
            return page(request, "manifests/receive.html", context, status_code=422)
        try:
            task = await record(user, opened.stored.mtn, _receipt(form))
        except ManifestShapeError as error:
            errors: dict[str, str] = {}
            for problem in error.problems:
                field = _field_of(problem, form)
                errors.setdefault(field, _message(field, problem))
            return page(
                request, "manifests/receive.html", _context(opened, form, errors), status_code=422
            )
        except (Conflict, Forbidden) as error:
            context = _context(opened, form, refusal=_sentence(str(error)))
            return page(request, "manifests/receive.html", context, status_code=409)
        return redirect(f"/manifests/{opened.stored.mtn}?task={task.id}")

    @post("/manifests/{mtn:str}/rejected-waste")
    async def start_rejected_waste(
        self,
        request: Request[Any, Any, Any],
        user: User,
        mtn: str,
        start: FromDishka[StartRejectedWasteManifest],
    ) -> Response[Any]:
        try:
            saved = await start(user, mtn)
        except (Conflict, Forbidden) as error:
            return redirect(f"/manifests/{mtn}", "error", _sentence(str(error)))
        return redirect(
            f"/manifests/{saved.stored.mtn}/edit",
            "success",
            f"Draft {saved.stored.mtn} carries the rejected or residue waste of {mtn} on. "
            "Choose its transporters and destination, then submit it.",
        )
