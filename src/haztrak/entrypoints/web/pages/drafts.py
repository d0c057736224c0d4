"""The draft editor: create and edit a manifest as a form (`/manifests/new`,
`/manifests/{mtn}/edit`).

The form posts as a plain form. Its buttons carry an `op`: `save`, `submit` (save, then send
to e-Manifest), `check`, or a change to the form itself (`add_transporter`, `up:2`,
`remove_waste:0`, `find:transporters.0`, `choose:designatedFacility:VATSDF000001`...) that
re-renders it. htmx swaps the editor in place and checks the form as the user types
(`/drafts/validate`). Every rule stays in the use cases: ValidateManifest checks,
CreateDraftManifest and UpdateManifest save (If-Match from the version the form was read at),
SubmitManifest sends.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import msgspec
from dishka import FromDishka
from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from haztrak.application.lookups import (
    ListEmanifestCodes,
    ListFederalWasteCodes,
    ListStateWasteCodes,
    SearchDotLookup,
)
from haztrak.application.manifests.drafts import CreateDraftManifest, UpdateManifest
from haztrak.application.manifests.editing import DraftSite, GetManifestToEdit, ListDraftSites
from haztrak.application.manifests.errors import PreconditionFailed
from haztrak.application.manifests.validation import ValidateManifest
from haztrak.application.ports.lookups import DotLookup
from haztrak.application.rcrainfo.manifests import SubmitManifest
from haztrak.application.rcrainfo.sites import SearchRcrainfoSites, SearchRcraSites
from haztrak.application.tasks.errors import TaskFailed, TaskStillRunning
from haztrak.application.tasks.queries import GetTask
from haztrak.domain.errors import Conflict, InvalidValue
from haztrak.domain.handlers import RcraSite
from haztrak.domain.identity import User
from haztrak.domain.manifest import CheckPurpose, ManifestShapeError, Problem
from haztrak.domain.tasks import TaskStatus
from haztrak.entrypoints.web.draft_form import (
    DraftForm,
    FieldProblem,
    input_id,
    place_problems,
)
from haztrak.entrypoints.web.flash import flash_cookie, redirect
from haztrak.entrypoints.web.templating import page

_Request = Request[Any, Any, Any]
MAX_LOOKUPS = 8
"""Parties looked up in the local handler table per save (a form names a handful)."""
SEARCH_LIMIT = 10
_party_slots = ("designatedFacility",)


class RcrainfoSearch(msgspec.Struct, frozen=True, kw_only=True):
    """Where a search of RCRAInfo stands: a task to follow, why it failed, or done."""

    task_id: UUID | None = None
    failed: str | None = None
    done: bool = False


class EditorView(msgspec.Struct, kw_only=True):
    """What the editor template shows; built by the handler, never decided in the template."""

    title: str
    action: str
    validate_url: str
    mtn: str | None
    version: str
    form: DraftForm
    sites: list[DraftSite]
    generator: RcraSite | None
    problems: list[FieldProblem]
    messages: dict[str, FieldProblem]
    """The message shown at each input (by input name)."""
    errors: list[FieldProblem]
    warnings: list[FieldProblem]
    options: dict[str, list[tuple[str, str]]]
    results: dict[str, list[RcraSite]]
    """Handler search results shown under a party (by slot)."""
    searched: dict[str, str]
    rcrainfo: dict[str, RcrainfoSearch] = msgspec.field(default_factory=dict)
    """Where an RCRAInfo search of a party stands (task to follow, failure, done)."""
    conflict: str | None = None
    notice: str | None = None
    """Why a saved draft was not sent to e-Manifest."""
    focus: str | None = None
    """The id of the element that gets focus after an htmx swap."""
    summary_focus: bool = False


class DraftController(Controller):
    include_in_schema = False

    # Pages

    @get("/manifests/new")
    async def new(
        self,
        request: _Request,
        user: User,
        draft_sites: FromDishka[ListDraftSites],
        codes: FromDishka[ListEmanifestCodes],
        dot: FromDishka[SearchDotLookup],
    ) -> Template:
        sites = await draft_sites(user)
        form = DraftForm()
        _use_generator(form, sites[0])
        form.apply("add_transporter")
        form.apply("add_waste")
        view = await _view(form, sites, codes, dot, mtn=None, version="")
        return _render(request, view)

    @get("/manifests/{mtn:str}/edit")
    async def edit(
        self,
        request: _Request,
        user: User,
        mtn: str,
        to_edit: FromDishka[GetManifestToEdit],
        draft_sites: FromDishka[ListDraftSites],
        codes: FromDishka[ListEmanifestCodes],
        dot: FromDishka[SearchDotLookup],
    ) -> Template:
        stored = await to_edit(user, mtn)
        sites = await draft_sites(user)
        document = msgspec.to_builtins(stored.manifest)
        form = DraftForm.from_document(document)
        view = await _view(form, sites, codes, dot, mtn=stored.mtn, version=stored.tag)
        return _render(request, view)

    # Posting the form

    @post("/manifests/new", status_code=200)
    async def post_new(
        self,
        request: _Request,
        user: User,
        draft_sites: FromDishka[ListDraftSites],
        codes: FromDishka[ListEmanifestCodes],
        dot: FromDishka[SearchDotLookup],
        federal: FromDishka[ListFederalWasteCodes],
        handlers: FromDishka[SearchRcraSites],
        rcrainfo: FromDishka[SearchRcrainfoSites],
        validate: FromDishka[ValidateManifest],
        create: FromDishka[CreateDraftManifest],
        update: FromDishka[UpdateManifest],
        submit: FromDishka[SubmitManifest],
    ) -> Response[Any]:
        editor = _Editor(
            request, user, None, {}, draft_sites, codes, dot, federal, handlers, rcrainfo
        )
        return await editor.handle(validate, create, update, submit)

    @post("/manifests/{mtn:str}/edit", status_code=200)
    async def post_edit(
        self,
        request: _Request,
        user: User,
        mtn: str,
        to_edit: FromDishka[GetManifestToEdit],
        draft_sites: FromDishka[ListDraftSites],
        codes: FromDishka[ListEmanifestCodes],
        dot: FromDishka[SearchDotLookup],
        federal: FromDishka[ListFederalWasteCodes],
        handlers: FromDishka[SearchRcraSites],
        rcrainfo: FromDishka[SearchRcrainfoSites],
        validate: FromDishka[ValidateManifest],
        create: FromDishka[CreateDraftManifest],
        update: FromDishka[UpdateManifest],
        submit: FromDishka[SubmitManifest],
    ) -> Response[Any]:
        stored = await to_edit(user, mtn)
        base = msgspec.to_builtins(stored.manifest)
        editor = _Editor(
            request, user, stored.mtn, base, draft_sites, codes, dot, federal, handlers, rcrainfo
        )
        editor.draft = stored.manifest.is_draft()
        return await editor.handle(validate, create, update, submit)

    # As the user types (htmx)

    @post(["/drafts/validate", "/drafts/validate/{mtn:str}"], status_code=200)
    async def check(
        self,
        request: _Request,
        user: User,
        validate: FromDishka[ValidateManifest],
        to_edit: FromDishka[GetManifestToEdit],
        federal: FromDishka[ListFederalWasteCodes],
        handlers: FromDishka[SearchRcraSites],
        draft_sites: FromDishka[ListDraftSites],
        mtn: str | None = None,
    ) -> Template:
        """The problems of the form as it is now: a summary, and each input's message for the
        script to put in place."""
        base: dict[str, Any] = {}
        if mtn is not None:
            base = msgspec.to_builtins((await to_edit(user, mtn)).manifest)
        form = DraftForm.from_fields(await _fields(request))
        sites = await draft_sites(user)
        directory = await _directory(form, sites, handlers)
        descriptions = {c.code: c.description or "" for c in await federal()}
        document = form.build(base, directory.get, descriptions)
        report = await validate(msgspec.json.encode(document), CheckPurpose.LOCAL)
        problems = _placed(form, report.errors, report.warnings)
        messages = _messages(form, problems, attempted=False)
        return page(
            request,
            "drafts/_check.html",
            {
                "errors": [p for p in problems if p.level == "error"],
                "warnings": [p for p in problems if p.level == "warning"],
                "messages": [(input_id(name), p) for name, p in messages.items()],
                "signature": _signature(problems),
                "focus": False,
            },
        )

    @get("/drafts/handlers")
    async def search_handlers(
        self, request: _Request, user: User, handlers: FromDishka[SearchRcraSites]
    ) -> Template:
        """Local handlers matching the search box of one party (its name is `_find.<slot>`)."""
        slot, text = _search_box(request.query_params)
        found = await _local_search(handlers, text) if text else []
        return page(
            request,
            "drafts/_handler_results.html",
            {"slot": slot, "results": found, "searched": text, "rcrainfo": None},
        )

    @post("/drafts/rcrainfo", status_code=200)
    async def search_rcrainfo(
        self, request: _Request, user: User, rcrainfo: FromDishka[SearchRcrainfoSites]
    ) -> Template:
        """RCRAInfo's handlers for the search box: in a task, its progress shown until it ends."""
        fields = await _fields(request)
        slot = _slot(request.query_params.get("slot", ""))
        text = fields.get(f"_find.{slot}", "").strip()[:80].upper()  # EPA IDs
        context: dict[str, Any] = {"slot": slot, "searched": text, "results": []}
        context.update(await _rcrainfo_search(rcrainfo, user, text))
        return page(request, "drafts/_handler_results.html", context)

    @get("/drafts/rcrainfo/{task_id:uuid}")
    async def rcrainfo_progress(
        self, request: _Request, user: User, task_id: UUID, get_task: FromDishka[GetTask]
    ) -> Template:
        task = await get_task(user, task_id)
        slot = _slot(request.query_params.get("slot", ""))
        text = str(task.payload.get("siteId", ""))
        context: dict[str, Any] = {"slot": slot, "searched": text, "results": []}
        if task.status is TaskStatus.SUCCESS:
            context["results"] = msgspec.convert(task.result or [], list[RcraSite])
            context["rcrainfo"] = RcrainfoSearch(done=True)
        elif task.status is TaskStatus.FAILURE:
            detail = task.error.detail if task.error else "the search failed"
            context["rcrainfo"] = RcrainfoSearch(failed=detail)
        else:
            context["rcrainfo"] = RcrainfoSearch(task_id=task.id)
        return page(request, "drafts/_handler_results.html", context)

    @get("/drafts/dot/{kind:str}")
    async def dot_values(
        self, request: _Request, user: User, kind: DotLookup, dot: FromDishka[SearchDotLookup]
    ) -> Template:
        """Suggestions for a DOT input: the options of its datalist."""
        text = next(iter(request.query_params.values()), "")
        values = await dot(kind, text[:100] or None, 20)
        return page(request, "drafts/_options.html", {"values": values})

    @get("/drafts/codes/{kind:str}")
    async def waste_codes(
        self,
        request: _Request,
        user: User,
        kind: str,
        federal: FromDishka[ListFederalWasteCodes],
        state_codes: FromDishka[ListStateWasteCodes],
    ) -> Template:
        """Waste codes matching the search next to a list of codes; choosing one adds it."""
        params = request.query_params
        target = params.get("target", "")
        text = next((v for k, v in params.items() if k.startswith("_codes")), "")[:100]
        if kind == "federal":
            entries = await federal()
        else:
            state = params.get("state", "")
            entries = await state_codes(state) if len(state) == 2 and state.isalpha() else []
        needle = text.strip().lower()
        found = [
            e
            for e in entries
            if needle and (needle in e.code.lower() or needle in (e.description or "").lower())
        ][:SEARCH_LIMIT]
        return page(
            request,
            "drafts/_codes.html",
            {"codes": found, "target": target if _safe_id(target) else "", "searched": text},
        )


class _Editor:
    """One post of the editor form: what the button asked for, and the answer."""

    def __init__(
        self,
        request: _Request,
        user: User,
        mtn: str | None,
        base: dict[str, Any],
        draft_sites: ListDraftSites,
        codes: ListEmanifestCodes,
        dot: SearchDotLookup,
        federal: ListFederalWasteCodes,
        handlers: SearchRcraSites,
        rcrainfo: SearchRcrainfoSites,
    ) -> None:
        self.request = request
        self.user = user
        self.mtn = mtn
        self.base = base
        self.draft = True
        self._draft_sites = draft_sites
        self._codes = codes
        self._dot = dot
        self._federal = federal
        self._handlers = handlers
        self._rcrainfo = rcrainfo

    async def handle(
        self,
        validate: ValidateManifest,
        create: CreateDraftManifest,
        update: UpdateManifest,
        submit: SubmitManifest,
    ) -> Response[Any]:
        fields = await _fields(self.request)
        form = DraftForm.from_fields(fields)
        version = fields.get("_version", "")
        op = fields.get("op", "save")
        sites = await self._draft_sites(self.user)
        view = await _view(form, sites, self._codes, self._dot, mtn=self.mtn, version=version)
        name, _, arg = op.partition(":")
        if form.apply(op):
            view.focus = _focus_after(form, name, arg)
            return self._render(view)
        if name == "find":
            slot = _slot(arg)
            text = form.controls.get(f"_find.{slot}", "")
            view.results[slot] = await _local_search(self._handlers, text) if text else []
            view.searched[slot] = text
            view.focus = f"results-{slot.replace('.', '-')}"
            return self._render(view)
        if name == "find_rcrainfo":
            slot = _slot(arg)
            text = form.controls.get(f"_find.{slot}", "")
            found = await _rcrainfo_search(self._rcrainfo, self.user, text)
            view.results[slot] = found.get("results", [])
            view.rcrainfo[slot] = found["rcrainfo"]
            view.searched[slot] = text
            view.focus = f"results-{slot.replace('.', '-')}"
            return self._render(view)
        if name == "choose":
            slot, _, epa_id = arg.rpartition(":")
            record = await _exact(self._handlers, epa_id)
            handler = msgspec.to_builtins(record) if record else {"epaSiteId": epa_id}
            if form.fill_party(_slot(slot), handler):
                view.focus = input_id(f"{_slot(slot)}.name")
            return self._render(view)
        if name == "use_generator":
            chosen = form.generator.get("epaSiteId", "")
            site = next((s for s in sites if s.view.site.epa_id == chosen), None)
            if site is not None:
                _use_generator(form, site)
            view.focus = input_id("generator.epaSiteId")
            return self._render(view)
        directory = await _directory(form, sites, self._handlers)
        descriptions = {c.code: c.description or "" for c in await self._federal()}
        document = form.build(self.base, directory.get, descriptions)
        raw = msgspec.json.encode(document)
        if op == "check":
            report = await validate(raw, CheckPurpose.LOCAL)
            return self._problems(view, report.errors, report.warnings, attempted=True)
        try:
            if self.mtn is None:
                saved = await create(self.user, raw)
            else:
                saved = await update(self.user, self.mtn, raw, [version] if version else None)
        except ManifestShapeError as error:
            return self._problems(view, error.problems, [], attempted=True, status=422)
        except InvalidValue as error:
            problem = Problem(error.field, error.message)
            return self._problems(view, [problem], [], attempted=True, status=422)
        except PreconditionFailed:
            view.conflict = (
                "This manifest was changed in the meantime (in another tab or by someone "
                "else), so your changes were not saved. Open the latest version and make "
                "them again."
            )
            view.focus = "draft-conflict"
            return self._render(view, status=409)
        mtn = saved.stored.mtn
        if op == "submit":
            manifest_json = msgspec.json.encode(saved.stored.manifest)
            problems: list[Problem] = []
            try:
                await submit(self.user, manifest_json)
            except ManifestShapeError as error:
                problems, refusal = error.problems, "e-Manifest needs a few more things first."
            except Conflict as error:  # no working RCRAInfo account, a send already running
                refusal = f"{str(error)[:1].upper()}{str(error)[1:]}."
            else:
                return self._redirect(
                    f"/manifests/{mtn}", "info", f"Saved {mtn} and sending it to e-Manifest."
                )
            # Saved, not sent: the form goes on from the saved draft.
            document = msgspec.to_builtins(saved.stored.manifest)
            view = await _view(
                DraftForm.from_document(document),
                sites,
                self._codes,
                self._dot,
                mtn=mtn,
                version=saved.stored.tag,
            )
            view.notice = f"Saved as draft {mtn} but not sent to e-Manifest: {refusal}"
            return self._problems(view, problems, [], attempted=True, status=422)
        count = len(saved.warnings)
        text = f"Draft {mtn} saved."
        if count:
            plural = "problem" if count == 1 else "problems"
            text += f" {count} {plural} to fix before sending it to e-Manifest."
        return self._redirect(f"/manifests/{mtn}", "success", text)

    def _problems(
        self,
        view: EditorView,
        errors: Sequence[Problem],
        warnings: Sequence[Problem],
        *,
        attempted: bool,
        status: int = 200,
    ) -> Response[Any]:
        view.problems = _placed(view.form, errors, warnings)
        view.errors = [p for p in view.problems if p.level == "error"]
        view.warnings = [p for p in view.problems if p.level == "warning"]
        view.messages = _messages(view.form, view.problems, attempted=attempted)
        view.summary_focus = bool(view.problems)
        return self._render(view, status=status)

    def _render(self, view: EditorView, status: int = 200) -> Template:
        return _render(self.request, view, status)

    def _redirect(self, to: str, level: Any, text: str) -> Response[Any]:
        if self.request.headers.get("hx-request"):
            response: Response[Any] = Response(b"", headers={"HX-Redirect": to})
            response.set_cookie(flash_cookie(level, text))
            return response
        return redirect(to, level, text)


def _render(request: _Request, view: EditorView, status: int = 200) -> Template:
    htmx = request.headers.get("hx-request")
    template = "drafts/_editor.html" if htmx else "drafts/edit.html"
    response = page(request, template, {"view": view}, status_code=status)
    if htmx and view.mtn and request.url.path == "/manifests/new":
        # Saved, not sent: the address becomes the draft's, so a reload does not lose it.
        response.headers["HX-Push-Url"] = f"/manifests/{view.mtn}/edit"
    return response


async def _view(
    form: DraftForm,
    sites: list[DraftSite],
    codes: ListEmanifestCodes,
    dot: SearchDotLookup,
    *,
    mtn: str | None,
    version: str,
) -> EditorView:
    generator_id = form.generator.get("epaSiteId", "")
    generator = next((s.view.handler for s in sites if s.view.site.epa_id == generator_id), None)

    async def options(name: str) -> list[tuple[str, str]]:
        return [(c.code, f"{c.code} — {c.description}") for c in await codes(name)]

    return EditorView(
        title=f"Edit manifest {mtn}" if mtn else "New manifest",
        action=f"/manifests/{mtn}/edit" if mtn else "/manifests/new",
        validate_url=f"/drafts/validate/{mtn}" if mtn else "/drafts/validate",
        mtn=mtn,
        version=version,
        form=form,
        sites=sites,
        generator=generator,
        problems=[],
        messages={},
        errors=[],
        warnings=[],
        options={
            "container_types": await options("container-types"),
            "units": await options("units-of-measure"),
            "management_methods": await options("management-methods"),
            "packing_groups": [(g, g) for g in await dot(DotLookup.GROUP, None, 10)],
            "hazard_classes": [(c, c) for c in await dot(DotLookup.CLASS, None, 100)],
            "sites": [
                (s.view.site.epa_id, f"{s.view.site.epa_id} — {s.view.handler.name}") for s in sites
            ],
        },
        results={},
        searched={},
    )


def _use_generator(form: DraftForm, site: DraftSite) -> None:
    """The generator is one of the user's sites: its emergency phone comes with it."""
    form.generator["epaSiteId"] = site.view.site.epa_id
    phone = site.view.handler.emergency_phone
    if phone is not None:
        form.generator["emergencyPhone.number"] = phone.number


def _placed(
    form: DraftForm, errors: Sequence[Problem], warnings: Sequence[Problem]
) -> list[FieldProblem]:
    found = [(p.field, p.message, "error") for p in errors]
    found += [(p.field, p.message, "warning") for p in warnings]
    return place_problems(form, found)


def _messages(
    form: DraftForm, problems: Sequence[FieldProblem], *, attempted: bool
) -> dict[str, FieldProblem]:
    """The message at each input: its first error; a warning only where the user typed
    something, or once it asked to save (so a new form is not covered in "is required")."""
    shown: dict[str, FieldProblem] = {}
    for problem in problems:
        name = problem.name
        if name is None or (name in shown and shown[name].level == "error"):
            continue
        if problem.level == "warning" and not (attempted or form.has_values(name)):
            continue
        if name not in shown or problem.level == "error":
            shown[name] = problem
    return shown


def _focus_after(form: DraftForm, name: str, arg: str) -> str:
    index = int(arg) if arg.isdigit() else 0
    if name == "add_transporter":
        return input_id(f"transporters.{len(form.transporters) - 1}.epaSiteId")
    if name == "add_waste":
        return input_id(f"wastes.{len(form.wastes) - 1}.dotHazardous")
    if name in ("up", "down"):
        moved = index - 1 if name == "up" else index + 1
        return f"transporter-{moved}"
    if name in ("up_waste", "down_waste"):
        return f"waste-{index - 1 if name == 'up_waste' else index + 1}"
    if name == "remove_transporter":
        return "add-transporter"
    return "add-waste"


async def _fields(request: _Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.multi_items() if isinstance(value, str)}


def _slot(text: str) -> str:
    """A party's slot from a button or a query (`designatedFacility`, `transporters.N`)."""
    if text in _party_slots:
        return text
    head, _, index = text.partition(".")
    if head == "transporters" and index.isdigit() and int(index) < 100:
        return f"transporters.{int(index)}"
    return "designatedFacility"


def _search_box(params: Mapping[str, str]) -> tuple[str, str]:
    for key, value in params.items():
        if key.startswith("_find."):
            return _slot(key.removeprefix("_find.")), value.strip()[:80]
    return "designatedFacility", ""


def _signature(problems: Sequence[FieldProblem]) -> str:
    """Names a set of problems, so that the page skips a swap that would change nothing."""
    text = "\n".join(f"{p.level}|{p.field}|{p.message}" for p in problems)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _safe_id(value: str) -> bool:
    return 0 < len(value) <= 120 and all(c.isalnum() or c in "-_" for c in value)


async def _local_search(handlers: SearchRcraSites, text: str) -> list[RcraSite]:
    """Handlers kept here whose EPA ID or name contains the text, EPA ID matches first."""
    found = list(await handlers(epa_id=text, limit=SEARCH_LIMIT))
    seen = {site.epa_site_id for site in found}
    for site in await handlers(name=text, limit=SEARCH_LIMIT):
        if site.epa_site_id not in seen:
            found.append(site)
    return found[:SEARCH_LIMIT]


async def _exact(handlers: SearchRcraSites, epa_id: str) -> RcraSite | None:
    epa_id = epa_id.strip().upper()
    if not epa_id:
        return None
    found = await handlers(epa_id=epa_id, limit=5)
    return next((site for site in found if site.epa_site_id.upper() == epa_id), None)


async def _rcrainfo_search(rcrainfo: SearchRcrainfoSites, user: User, text: str) -> dict[str, Any]:
    """RCRAInfo's answer, or the task to follow, or why it cannot be asked."""
    try:
        results = await rcrainfo(user, text, None)
    except TaskStillRunning as running:
        return {"rcrainfo": RcrainfoSearch(task_id=running.task_id)}
    except TaskFailed as failed:
        return {"rcrainfo": RcrainfoSearch(failed=failed.problem.detail)}
    except InvalidValue:
        return {
            "rcrainfo": RcrainfoSearch(
                failed="RCRAInfo is searched by EPA ID: 2-12 letters or digits."
            )
        }
    return {"results": results, "rcrainfo": RcrainfoSearch(done=True)}


async def _directory(
    form: DraftForm, sites: Sequence[DraftSite], handlers: SearchRcraSites
) -> dict[str, dict[str, Any]]:
    """The handler record of each party on the form: the user's sites, then the local table."""
    records: dict[str, dict[str, Any]] = {
        s.view.site.epa_id.upper(): msgspec.to_builtins(s.view.handler) for s in sites
    }
    for epa_id in sorted(form.party_epa_ids() - set(records))[:MAX_LOOKUPS]:
        record = await _exact(handlers, epa_id)
        if record is not None:
            records[epa_id] = msgspec.to_builtins(record)
    return records
