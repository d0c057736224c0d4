"""The manifests: the filtered list (the filters live in the URL), one manifest in the order of
EPA form 8700-22 with the actions the user may take now, the signature's review page, the
delete confirmation and the print view. RCRAInfo work (submit, update, sign, sync) starts a
task through the API's use cases and shows its progress in place."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

import msgspec
from dishka import AsyncContainer, FromDishka
from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from haztrak.application.identity.orgs import ListMySites
from haztrak.application.manifests.drafts import DeleteManifest
from haztrak.application.manifests.queries import GetManifest, ListManifests, ManifestFilters
from haztrak.application.manifests.viewing import (
    OpenedManifest,
    OpenManifest,
    OpenManifestPage,
)
from haztrak.application.rcrainfo.manifests import (
    QuickSign,
    QuickSignManifests,
    SubmitManifest,
    SyncSiteManifests,
)
from haztrak.application.tasks.queries import GetTask
from haztrak.domain.errors import Conflict, DomainError, Forbidden, InvalidValue, NotFound
from haztrak.domain.identity import User
from haztrak.domain.manifest import ManifestShapeError, Status
from haztrak.domain.manifest_actions import ManifestAction
from haztrak.domain.tasks import Task
from haztrak.entrypoints.web.flash import redirect
from haztrak.entrypoints.web.templating import page
from haztrak.entrypoints.web.views.documents import documents_view
from haztrak.entrypoints.web.views.manifests import (
    STATUS_LABELS,
    actions_view,
    history_view,
    manifest_view,
    seat_view,
    waiting_text,
)
from haztrak.entrypoints.web.views.tasks import task_view

PAGE_SIZE = 25
MAX_PARAM = 100
ROLE_OPTIONS = (
    ("Generator", "Outgoing: the site is the generator"),
    ("Transporter", "Carrying: the site is a transporter"),
    ("Tsdf", "Incoming: the site is the designated facility"),
)
SORT_OPTIONS = (("newest", "Newest first"), ("oldest", "Oldest first"))
FILTER_NAMES = ("q", "site", "status", "role", "from", "to", "sort")


class ListFilters(msgspec.Struct, frozen=True, kw_only=True):
    """The list's filters as the URL has them (empty means not given)."""

    q: str = ""
    site: str = ""
    status: str = ""
    role: str = ""
    from_: str = msgspec.field(default="", name="from")
    to: str = ""
    sort: str = "newest"
    cursor: str = ""

    def given(self) -> dict[str, str]:
        values = {
            "q": self.q,
            "site": self.site,
            "status": self.status,
            "role": self.role,
            "from": self.from_,
            "to": self.to,
            "sort": "" if self.sort == "newest" else self.sort,
        }
        return {k: v for k, v in values.items() if v}

    @property
    def any(self) -> bool:
        return bool(set(self.given()) - {"sort"})


class FilterForm(msgspec.Struct, frozen=True, kw_only=True):
    """The list's filter form as it shows (a fragment rendered once per distinct form)."""

    filters: ListFilters
    sites: tuple[tuple[str, str], ...]
    problem: tuple[str, str] | None = None
    """The field a problem is on and its message."""
    statuses: tuple[tuple[str, str], ...] = tuple((s.value, STATUS_LABELS[s.value]) for s in Status)
    roles: tuple[tuple[str, str], ...] = ROLE_OPTIONS
    sorts: tuple[tuple[str, str], ...] = SORT_OPTIONS

    def error(self, field: str) -> str | None:
        return self.problem[1] if self.problem and self.problem[0] == field else None


class SignForm(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    csrf_token: str = ""
    printed_name: str = ""
    signed_on: str = ""
    confirm: str = ""
    site_id: str = ""
    site_type: str = ""
    transporter_order: str = ""


def _filters(request: Request[Any, Any, Any]) -> ListFilters:
    params = request.query_params
    values: dict[str, str] = {}
    for name in (*FILTER_NAMES, "cursor"):
        value = (params.get(name) or "").strip()
        if len(value) > MAX_PARAM:
            raise InvalidValue(name, f"must be at most {MAX_PARAM} characters")
        values[name] = value
    values["sort"] = values["sort"] or "newest"
    return msgspec.convert(values, ListFilters)


def _day(text: str, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidValue(field, "must be a date like 2026-01-31") from None


def _use_case_filters(filters: ListFilters) -> ManifestFilters:
    since = _day(filters.from_, "from")
    until = _day(filters.to, "to")
    if since and until and until < since:
        raise InvalidValue("to", "must be the same day as From or later")
    before = datetime.combine(until + timedelta(days=1), time(), UTC) if until else None
    return ManifestFilters(
        site=filters.site or None,
        site_type=filters.role or None,
        status=filters.status or None,
        q=filters.q or None,
        updated_since=datetime.combine(since, time(), UTC).isoformat() if since else None,
        updated_before=before.isoformat() if before else None,
        sort=filters.sort,
    )


def _exports(filters: ManifestFilters) -> list[tuple[str, str]]:
    """Links to GET /api/manifest/export with the list's filters, as that route names them."""
    given = {
        "site": filters.site,
        "siteType": filters.site_type,
        "status": filters.status,
        "q": filters.q,
        "updatedSince": filters.updated_since,
        "updatedBefore": filters.updated_before,
        "sort": filters.sort if filters.sort != "newest" else None,
    }
    query = {k: v for k, v in given.items() if v}
    return [
        (label, "/api/manifest/export?" + urlencode({**query, "format": form, "rows": rows}))
        for label, form, rows in (
            ("Export CSV", "csv", "manifest"),
            ("Export Excel", "xlsx", "manifest"),
            ("Waste lines as CSV", "csv", "waste"),
            ("Waste lines as Excel", "xlsx", "waste"),
        )
    ]


_LABELS = {
    "q": "Search",
    "site": "Site",
    "role": "The site's part",
    "status": "Status",
    "from": "Changed from",
    "to": "Changed until",
    "sort": "Order",
    "cursor": "The page asked for",
}
_FIELD_OF_PROBLEM = {
    "siteType": "role",
    "updatedSince": "from",
    "updatedBefore": "to",
    "site": "site",
}


def _task(task: Task | None) -> Any:
    return task_view(task) if task is not None else None


class ManifestPagesController(Controller):
    include_in_schema = False

    @get("/manifests")
    async def manifests(
        self,
        request: Request[Any, Any, Any],
        user: User,
        list_manifests: FromDishka[ListManifests],
        my_sites: FromDishka[ListMySites],
    ) -> Template:
        filters = ListFilters()
        problem: InvalidValue | None = None
        listing = None
        exports: list[tuple[str, str]] = []
        try:
            filters = _filters(request)
            wanted = _use_case_filters(filters)
            listing = await list_manifests(
                user, wanted, limit=PAGE_SIZE, cursor=filters.cursor or None
            )
            exports = _exports(wanted)
        except NotFound:  # a site that is not the user's: as if it had no manifests
            problem = InvalidValue("site", "is not one of your sites")
        except InvalidValue as error:
            problem = error
        field = _FIELD_OF_PROBLEM.get(problem.field, problem.field) if problem else None
        next_url = None
        if listing is not None and listing.next:
            next_url = "/manifests?" + urlencode({**filters.given(), "cursor": listing.next})
        first_url = "/manifests" + (f"?{urlencode(filters.given())}" if filters.given() else "")
        total = listing.total if listing else 0
        count = "No manifests shown" if problem else f"{total} manifest{'' if total == 1 else 's'}"
        described = (
            (field or "", f"{_LABELS.get(field or '', field)} {problem.message}")
            if problem
            else None
        )
        context = {
            "count": count + (" match" if filters.any and not problem else ""),
            "filters": filters,
            "items": listing.items if listing else [],
            "total": total,
            "next_url": next_url,
            "first_url": first_url if filters.cursor else None,
            "exports": exports,
            "problem": {"field": described[0], "message": described[1]} if described else None,
        }
        status = 400 if problem else 200
        htmx = request.headers.get("hx-request") and not request.headers.get(
            "hx-history-restore-request"
        )
        if htmx and request.headers.get("hx-target") == "results":
            context["partial"] = True
            return page(request, "manifests/_results.html", context, status_code=status)
        context["filter_form"] = FilterForm(
            filters=filters,
            sites=tuple(
                (s.site.epa_id, f"{s.site.name} ({s.site.epa_id})") for s in await my_sites(user)
            ),
            problem=described,
        )
        return page(request, "manifests/list.html", context, status_code=status)

    @get("/manifests/{mtn:str}")
    async def manifest(
        self,
        request: Request[Any, Any, Any],
        user: User,
        mtn: str,
        open_page: FromDishka[OpenManifestPage],
    ) -> Response[Any]:
        task = await _own_task(request, user, request.query_params.get("task"))
        try:
            shown = await open_page(user, mtn)
        except NotFound:
            # a draft that its submission (this page's task) turned into a manifest in
            # e-Manifest: go on to that manifest
            link = task_view(task).link if task is not None else None
            if link and link != f"/manifests/{mtn}":
                return redirect(link, "success", f"Draft {mtn} is in e-Manifest now.")
            raise
        return page(
            request,
            "manifests/detail.html",
            {
                **_detail(shown.opened),
                "history": history_view(shown.opened.history, shown.opened.stored.manifest),
                "task": _task(task),
                "links": shown.links,
                "documents": documents_view(shown),
            },
        )

    @get("/manifests/{mtn:str}/print")
    async def print_view(
        self,
        request: Request[Any, Any, Any],
        user: User,
        mtn: str,
        open_manifest: FromDishka[OpenManifest],
    ) -> Template:
        opened = await open_manifest(user, mtn)
        return page(request, "manifests/print.html", _detail(opened))

    # --- signing ---------------------------------------------------------------------------

    @get("/manifests/{mtn:str}/sign")
    async def sign_review(
        self,
        request: Request[Any, Any, Any],
        user: User,
        mtn: str,
        open_manifest: FromDishka[OpenManifest],
    ) -> Template:
        opened = await open_manifest(user, mtn)
        _ensure_signable(opened)
        form = SignForm(printed_name=user.display_name, signed_on=_today().isoformat())
        return page(request, "manifests/sign.html", _sign_context(opened, form))

    @post("/manifests/{mtn:str}/sign")
    async def sign(
        self,
        request: Request[Any, Any, Any],
        user: User,
        mtn: str,
        open_manifest: FromDishka[OpenManifest],
        quick_sign: FromDishka[QuickSignManifests],
    ) -> Response[Any]:
        opened = await open_manifest(user, mtn)
        posted = await request.form()
        form = msgspec.convert(
            {k: v for k in posted if isinstance(v := posted.get(k), str)}, SignForm
        )
        _ensure_signable(opened)
        seat = opened.actions.seat
        assert seat is not None
        errors: dict[str, str] = {}
        if not form.confirm:
            errors["confirm"] = "Confirm that you have reviewed the manifest and sign it"
        signed_at: datetime | None = None
        try:
            day = _day(form.signed_on, "signed_on")
            if day is not None and day != _today():
                signed_at = datetime.combine(day, time(12), UTC)
        except InvalidValue as error:
            errors["signed_on"] = error.message
        reviewed = (seat.site_id, seat.role.value, str(seat.transporter_order or ""))
        if (form.site_id, form.site_type, form.transporter_order) != reviewed:
            return _sign_refused(
                request,
                opened,
                form,
                "The manifest moved on while you were reviewing it. Review it again.",
            )
        if not form.printed_name.strip():
            errors["printed_name"] = "Enter your name as it is printed on the manifest"
        if errors:
            return page(
                request,
                "manifests/sign.html",
                _sign_context(opened, form, errors=errors),
                status_code=422,
            )
        command = QuickSign(
            manifest_tracking_numbers=(opened.stored.mtn,),
            site_id=seat.site_id,
            site_type=seat.role,
            printed_signature_name=form.printed_name,
            printed_signature_date=signed_at,
            transporter_order=seat.transporter_order,
        )
        try:
            task = await quick_sign(user, command)
        except InvalidValue as error:
            field = {"printedSignatureName": "printed_name"}.get(error.field, "signed_on")
            return page(
                request,
                "manifests/sign.html",
                _sign_context(opened, form, errors={field: error.message}),
                status_code=422,
            )
        except (Conflict, Forbidden) as error:
            return _sign_refused(request, opened, form, _sentence(str(error)))
        if request.headers.get("hx-request"):
            return page(
                request,
                "manifests/_sign_started.html",
                {"task": task_view(task), "mtn": opened.stored.mtn},
            )
        return redirect(f"/manifests/{opened.stored.mtn}?task={task.id}")

    # --- other actions ----------------------------------------------------------------------

    @post(["/manifests/{mtn:str}/submit", "/manifests/{mtn:str}/update"])
    async def submit(
        self,
        request: Request[Any, Any, Any],
        user: User,
        mtn: str,
        get_manifest: FromDishka[GetManifest],
        submit: FromDishka[SubmitManifest],
    ) -> Response[Any]:
        """Send the manifest as stored here: a draft is saved in e-Manifest, a manifest already
        there is updated (SubmitManifest decides which, and checks who may)."""
        return await _send(user, mtn, get_manifest, submit)

    @post("/manifests/{mtn:str}/schedule")
    async def schedule(
        self,
        request: Request[Any, Any, Any],
        user: User,
        mtn: str,
        open_manifest: FromDishka[OpenManifest],
        submit: FromDishka[SubmitManifest],
    ) -> Response[Any]:
        opened = await open_manifest(user, mtn)
        if not opened.actions.allows(ManifestAction.SCHEDULE):
            raise Forbidden("only a Pending electronic manifest can be scheduled, by its preparers")
        scheduled = msgspec.structs.replace(opened.stored.manifest, status=Status.SCHEDULED)
        return await _start_send(user, mtn, msgspec.json.encode(scheduled), submit)

    @post("/manifests/{mtn:str}/sync")
    async def sync(
        self,
        request: Request[Any, Any, Any],
        user: User,
        mtn: str,
        open_manifest: FromDishka[OpenManifest],
        sync_site: FromDishka[SyncSiteManifests],
    ) -> Response[Any]:
        opened = await open_manifest(user, mtn)
        site = opened.actions.sync_site
        if not opened.actions.allows(ManifestAction.SYNC) or site is None:
            raise Forbidden("none of your sites on this manifest can be synced")
        try:
            task = await sync_site(user, site)
        except (Conflict, Forbidden) as error:
            return redirect(f"/manifests/{mtn}", "error", _sentence(str(error)))
        return redirect(f"/manifests/{mtn}?task={task.id}")

    @get("/manifests/{mtn:str}/delete")
    async def delete_confirmation(
        self,
        request: Request[Any, Any, Any],
        user: User,
        mtn: str,
        open_manifest: FromDishka[OpenManifest],
    ) -> Template:
        opened = await open_manifest(user, mtn)
        if not opened.actions.allows(ManifestAction.DELETE):
            raise Forbidden("only a draft's preparers may delete it, and only while it is a draft")
        return page(request, "manifests/delete.html", _detail(opened))

    @post("/manifests/{mtn:str}/delete")
    async def delete(
        self,
        request: Request[Any, Any, Any],
        user: User,
        mtn: str,
        delete_manifest: FromDishka[DeleteManifest],
    ) -> Response[Any]:
        form = await request.form()
        version = form.get("version")
        if_match = [version] if isinstance(version, str) and version else None
        try:
            await delete_manifest(user, mtn, if_match)
        except Conflict as error:
            return redirect(f"/manifests/{mtn}", "error", _sentence(str(error)))
        return redirect("/manifests", "success", f"Draft {mtn} deleted.")


async def _send(
    user: User, mtn: str, get_manifest: GetManifest, submit: SubmitManifest
) -> Response[Any]:
    """Send the manifest as stored here to e-Manifest: a draft is saved there, a manifest
    already there is updated (SubmitManifest decides, and checks who may)."""
    document = await get_manifest(user, mtn)
    return await _start_send(user, mtn, document.json, submit)


async def _start_send(user: User, mtn: str, raw: bytes, submit: SubmitManifest) -> Response[Any]:
    try:
        task = await submit(user, raw)
    except ManifestShapeError as error:
        return redirect(
            f"/manifests/{mtn}",
            "error",
            f"e-Manifest would refuse it: {error}. Edit the draft to fix this, then send it again.",
        )
    except (Conflict, Forbidden, InvalidValue) as error:
        return redirect(f"/manifests/{mtn}", "error", _sentence(str(error)))
    return redirect(f"/manifests/{mtn}?task={task.id}")


def _detail(opened: OpenedManifest) -> dict[str, Any]:
    manifest = opened.stored.manifest
    actions = opened.actions
    return {
        "m": manifest_view(manifest),
        "stored": opened.stored,
        "actions": actions_view(actions),
        "seat": seat_view(actions.seat) if actions.seat else None,
        "waiting": waiting_text(actions, manifest),
    }


def _ensure_signable(opened: OpenedManifest) -> None:
    if opened.actions.seat is None:
        waiting = waiting_text(opened.actions, opened.stored.manifest)
        raise Forbidden(
            "This manifest does not wait for a signature of yours now. "
            + (waiting or "No one can sign it electronically now.")
        )


def _sign_context(
    opened: OpenedManifest, form: SignForm, *, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    errors = errors or {}
    anchors = {"printed_name": "f-printed_name", "signed_on": "f-signed_on", "confirm": "confirm"}
    return {
        **_detail(opened),
        "form": form,
        "errors": errors,
        "problems": [{"anchor": anchors[k], "text": v} for k, v in errors.items()],
        "today": _today().isoformat(),
        "refusal": None,
    }


def _sign_refused(
    request: Request[Any, Any, Any], opened: OpenedManifest, form: SignForm, text: str
) -> Template:
    context = _sign_context(opened, form)
    context["refusal"] = text
    return page(request, "manifests/sign.html", context, status_code=409)


def _today() -> date:
    return datetime.now(UTC).date()


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return "That could not be done."
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


async def _own_task(request: Request[Any, Any, Any], user: User, value: str | None) -> Task | None:
    """The user's task named in the URL (a page shows its progress), else nothing. The use
    case (a database session) is made only for a page that names a task."""
    if not value:
        return None
    container: AsyncContainer = request.state.dishka_container
    get_task = await container.get(GetTask)
    try:
        return await get_task(user, UUID(value))
    except (ValueError, DomainError):
        return None
