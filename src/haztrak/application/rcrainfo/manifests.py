"""Manifests and e-Manifest: submitting, Quicker Sign, and keeping a site's copies in sync.

Each request checks what it can at once (access, the lifecycle, whose turn it is, that the
org has credentials) and starts a task; the task talks to RCRAInfo and stores RCRAInfo's copy
of every manifest it touched, so local status follows e-Manifest.

No duplicate manifest is ever created in e-Manifest: an electronic save carries a reference
comment (label `Haztrak submission`, the task id) and, before a save is tried again after one
whose outcome is unknown (a timeout), the site's manifests updated since are searched for that
reference. EPA documents these comments as the submitter's reference information.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec

from haztrak.application.audit import Auditor
from haztrak.application.manifests.access import (
    ensure_may,
    ensure_may_change,
    visible_manifest,
)
from haztrak.application.manifests.documents import read_manifest
from haztrak.application.manifests.files import ManifestFiles
from haztrak.application.ports.manifests import ManifestReader, ManifestRepository
from haztrak.application.ports.persistence import (
    MembershipRepository,
    SiteRepository,
    UnitOfWork,
)
from haztrak.application.ports.rcrainfo import (
    QuickerSign,
    Rcrainfo,
    RcrainfoCredentials,
    RcrainfoError,
    RcrainfoErrorKind,
    RcrainfoProblem,
    SaveReport,
    SignReport,
)
from haztrak.application.ports.security import Clock
from haztrak.application.ports.tasks import TaskRepository
from haztrak.application.rcrainfo.accounts import RcrainfoAccounts, RcrainfoNotConfigured
from haztrak.application.rcrainfo.copies import REFERENCE_LABEL, RcrainfoCopies
from haztrak.application.rcrainfo.corrections import start_correction
from haztrak.application.tasks.errors import ConcurrentUpdate
from haztrak.application.tasks.launch import TaskLauncher
from haztrak.application.tasks.run import TaskRun
from haztrak.domain.access import (
    Action,
    Grants,
    ManifestTarget,
    SiteTarget,
    ensure_draft_stays_with_owner,
    require,
)
from haztrak.domain.errors import Conflict, DomainError, InvalidValue, NotFound
from haztrak.domain.identity import SiteRole, User
from haztrak.domain.manifest import (
    AdditionalInfo,
    CheckPurpose,
    Comment,
    HandlerRole,
    Manifest,
    ManifestShapeError,
    Operation,
    QuickerSignature,
    SigningTurn,
    Status,
    apply_quicker_signature,
    business_problems,
    is_draft_tracking_number,
    next_signer,
    parse_iso_datetime,
)
from haztrak.domain.manifest.attachments import (
    has_documents,
    read_scanned_manifest,
    with_scan,
)
from haztrak.domain.manifest.copies import ManifestClash
from haztrak.domain.manifest.corrections import CORRECTABLE
from haztrak.domain.tasks import Task, TaskName

RECONCILE_MARGIN = timedelta(minutes=5)
"""How far before an uncertain save the search for it starts (clocks differ)."""
SYNC_OVERLAP = timedelta(minutes=5)
"""A sync asks for manifests updated a little before the last one ended (clocks differ)."""
SYNC_BATCH = 100
"""A site sync commits (and records where it stands) after this many manifests..."""
SYNC_BATCH_TIME = timedelta(seconds=5)
"""...or after this long, whichever comes first: a killed worker costs at most one batch."""
MAX_SIGN_BATCH = 100
MAX_PRINTED_NAME = 80


# --- submit ---------------------------------------------------------------------------------


class SubmitManifest:
    """Send a manifest to e-Manifest: a draft (or a manifest new here) is created there and
    gets its real tracking number; a manifest already there is updated. The local copy is then
    replaced by RCRAInfo's. e-Manifest's business rules are checked first, as errors.

    An Image or DataImage5Copy manifest may bring its scanned paper form (`attachment`: a zip
    holding one PDF, or the PDF alone): it is checked, described in `printedDocument`, put
    aside for the task, sent with the save or update, and then kept with the manifest."""

    def __init__(
        self,
        memberships: MembershipRepository,
        manifests: ManifestReader,
        accounts: RcrainfoAccounts,
        tasks: TaskRepository,
        launcher: TaskLauncher,
        auditor: Auditor,
        clock: Clock,
        uow: UnitOfWork,
        files: ManifestFiles,
    ) -> None:
        self._files = files
        self._memberships = memberships
        self._manifests = manifests
        self._accounts = accounts
        self._tasks = tasks
        self._launcher = launcher
        self._auditor = auditor
        self._clock = clock
        self._uow = uow

    async def __call__(
        self,
        user: User,
        raw: bytes,
        attachment: bytes | None = None,
        attachment_name: str | None = None,
    ) -> Task:
        read = read_manifest(raw)
        manifest = read.manifest
        grants = await self._memberships.grants(user.id)
        mtn = manifest.manifest_tracking_number
        require(
            grants,
            Action.SUBMIT_MANIFEST,
            ManifestTarget(manifest.site_ids()),
            kind="manifest",
            key=mtn or "(new)",
        )
        scan = None
        if attachment is not None:
            scan = read_scanned_manifest(attachment, upload_name=attachment_name)
            manifest = with_scan(manifest, scan)
        stored = await self._manifests.by_mtn(mtn) if mtn else None
        if stored is not None:
            stored = await visible_manifest(self._manifests, grants, stored.mtn)
        elif is_draft_tracking_number(mtn):
            raise NotFound("manifest", str(mtn))
        if stored is not None and stored.manifest.current_status() in CORRECTABLE:
            # Signed by its facility: corrected in e-Manifest (EPA's correct), not updated.
            return await start_correction(
                user,
                grants,
                stored,
                read,
                accounts=self._accounts,
                tasks=self._tasks,
                launcher=self._launcher,
                auditor=self._auditor,
                uow=self._uow,
            )
        paper = manifest.submission_type is not None and manifest.submission_type.is_paper
        if stored is not None:
            in_emanifest = not stored.manifest.is_draft()
        else:  # an electronic manifest with a real number is in e-Manifest; paper may not be
            in_emanifest = mtn is not None and not paper
        if stored is None:
            ensure_may(grants, manifest, Operation.SUBMIT)
        else:
            ensure_may_change(grants, stored, Operation.SUBMIT)
            if stored.manifest.is_draft():  # it leaves for e-Manifest as its owner site's
                ensure_draft_stays_with_owner(stored.owner_site, stored.manifest, manifest)
        outgoing = _outgoing(manifest)
        purpose = CheckPurpose.EMANIFEST_UPDATE if in_emanifest else CheckPurpose.EMANIFEST_SAVE
        problems = business_problems(outgoing, now=self._clock.now(), purpose=purpose)
        if problems:
            raise ManifestShapeError(problems)
        submitter = await self._submitting_site(grants, manifest)
        if mtn:
            active = await self._tasks.active(TaskName.SUBMIT_MANIFEST, mtn)
            if active is not None:
                if active.owner_id == user.id and scan is None:
                    return active
                raise Conflict(f"manifest {mtn} is being sent to e-Manifest already")
        payload = {
            "manifest": msgspec.to_builtins(outgoing),
            "update": in_emanifest,
            "siteId": submitter,
            "draftMtn": mtn if is_draft_tracking_number(mtn) else None,
            "ownerOrgId": str(stored.owner_org_id) if stored and stored.owner_org_id else None,
            "ignored": [msgspec.structs.asdict(p) for p in read.ignored],
        }
        if scan is not None:
            payload["attachment"] = await self._files.stage(scan)
        task = await self._launcher.launch(
            TaskName.SUBMIT_MANIFEST, owner=user, payload=payload, subject=mtn
        )
        await self._auditor.record(
            user, "submit_to_emanifest", "manifest", mtn or "(new)", task=str(task.id)
        )
        await self._uow.commit()
        return task

    async def _submitting_site(self, grants: Grants, manifest: Manifest) -> str:
        """The first party, in signing order, at a site where the user prepares manifests and
        whose org has working RCRAInfo credentials: the account that sends it."""
        candidates = [
            handler.epa_site_id
            for _, handler in manifest.handlers()
            if handler.epa_site_id
            and (role := grants.role_on(handler.epa_site_id)) is not None
            and role.at_least(SiteRole.PREPARER)
        ]
        refusal: RcrainfoNotConfigured | NotFound | None = None
        for site_id in dict.fromkeys(candidates):
            try:
                await self._accounts.site_ready(site_id)
            except (RcrainfoNotConfigured, NotFound) as error:
                refusal = refusal or error
                continue
            return site_id
        raise refusal or RcrainfoNotConfigured("none of your sites on this manifest is set up")


def _outgoing(manifest: Manifest) -> Manifest:
    """The manifest as e-Manifest gets it: no local draft number or `signed` flags, and a
    local draft (NotAssigned) created as Pending, the least a manifest can be there."""
    outgoing = manifest.for_emanifest()
    if outgoing.status is Status.NOT_ASSIGNED:
        outgoing = msgspec.structs.replace(outgoing, status=Status.PENDING)
    return outgoing


def _with_reference(manifest: Manifest, reference: str, site_id: str) -> Manifest:
    info = manifest.additional_info or AdditionalInfo()
    comments = [c for c in info.comments or () if c.label != REFERENCE_LABEL] + [
        Comment(label=REFERENCE_LABEL, description=reference, handler_id=site_id)
    ]
    return msgspec.structs.replace(
        manifest, additional_info=msgspec.structs.replace(info, comments=comments)
    )


def _has_reference(manifest: Manifest, reference: str) -> bool:
    info = manifest.additional_info
    return any(
        c.label == REFERENCE_LABEL and c.description == reference
        for c in (info.comments if info and info.comments else ())
    )


def _report(report: SaveReport) -> dict[str, Any]:
    return {
        "manifestTrackingNumber": report.manifest_tracking_number,
        "operationStatus": report.operation_status,
        "reportId": report.report_id,
        "date": report.date,
        "warnings": [msgspec.structs.asdict(w) for w in report.warnings],
    }


class SaveToEmanifest:
    """The task of SubmitManifest."""

    def __init__(
        self,
        rcrainfo: Rcrainfo,
        accounts: RcrainfoAccounts,
        manifests: ManifestRepository,
        sites: SiteRepository,
        clock: Clock,
        copies: RcrainfoCopies,
        files: ManifestFiles,
    ) -> None:
        self._rcrainfo = rcrainfo
        self._accounts = accounts
        self._manifests = manifests
        self._sites = sites
        self._clock = clock
        self._copies = copies
        self._files = files

    async def __call__(self, run: TaskRun) -> dict[str, Any]:
        payload = run.payload
        manifest = msgspec.convert(payload["manifest"], Manifest)
        site_id: str = payload["siteId"]
        site, _ = await self._accounts.site_ready(site_id)
        credentials = await self._accounts.for_site(site_id)
        if "report" not in run.state:
            report = await self._send(run, credentials, manifest, site_id)
            await run.checkpoint(report=_report(report))
        report_state: dict[str, Any] = run.state["report"]
        mtn: str = report_state["manifestTrackingNumber"]
        await self._keep_scan(payload.get("attachment"), mtn, manifest)
        remote = await self._rcrainfo.get_manifest(credentials, mtn)
        draft_mtn = payload.get("draftMtn")
        owner = payload.get("ownerOrgId")
        new_save = not payload.get("update") and manifest.manifest_tracking_number is None
        # Stored before the draft goes: a number that belongs to another manifest here fails
        # the task with the draft still a draft.
        await self._copies.keep(
            run,
            remote,
            owner_org_id=UUID(owner) if owner else site.org_id,
            at=self._clock.now(),
            saved_by=str(run.task.id) if new_save else None,
            draft_mtn=draft_mtn,
        )
        draft = await self._manifests.by_mtn(draft_mtn) if draft_mtn else None
        if draft is not None:
            try:
                await self._manifests.delete(draft.id, expected_version=draft.version)
            except Conflict as clash:  # edited this very moment: read it again
                raise ConcurrentUpdate(f"draft {draft_mtn} changed meanwhile") from clash
        # Keys dropped on the way out come first among the report's warnings.
        warnings = [*payload.get("ignored", ()), *report_state.get("warnings", ())]
        return {**report_state, "warnings": warnings, "status": remote.current_status().value}

    async def _attachment(self, run: TaskRun) -> bytes | None:
        """The scan uploaded with the request, put aside until it is sent."""
        key = run.payload.get("attachment")
        if not key:
            return None
        staged = await self._files.staged(key)
        if staged is None:
            raise Conflict(
                "the scanned manifest uploaded with this request is no longer kept; upload it again"
            )
        return staged

    async def _keep_scan(self, key: str | None, mtn: str, manifest: Manifest) -> None:
        """Once e-Manifest has it, keep the scan with the manifest (idempotent: the upload
        put aside goes only after the scan is kept)."""
        if not key:
            return
        staged = await self._files.staged(key)
        if staged is None:  # an earlier attempt kept it
            return
        document = manifest.printed_document
        await self._files.keep_scan(
            mtn, read_scanned_manifest(staged), document.name if document else None
        )
        await self._files.unstage(key)

    async def _send(
        self, run: TaskRun, credentials: RcrainfoCredentials, manifest: Manifest, site_id: str
    ) -> SaveReport:
        mtn = manifest.manifest_tracking_number
        attachment = await self._attachment(run)
        if run.payload.get("update"):
            return await self._rcrainfo.update_manifest(credentials, manifest, attachment)
        if mtn is not None:
            # A paper manifest brings its printed number: whether e-Manifest has it already
            # (an earlier attempt saved it) decides between save and update.
            if await self._rcrainfo.mtn_exists(credentials, mtn):
                return await self._rcrainfo.update_manifest(credentials, manifest, attachment)
            return await self._rcrainfo.save_manifest(credentials, manifest, attachment)
        reference = str(run.task.id)
        started = run.state.get("saveStartedAt")
        if started is None:
            # The first save: every later attempt searches from here (not from its own save),
            # so a save of any earlier attempt is found.
            await run.checkpoint(saveStartedAt=self._clock.now())
        else:
            found = await self._find_saved(
                run, credentials, site_id, reference, datetime.fromisoformat(started)
            )
            if found is not None:
                return SaveReport(manifest_tracking_number=found, operation_status="Saved")
            draft_mtn = run.payload.get("draftMtn")
            if draft_mtn and await self._manifests.by_mtn(draft_mtn) is None:
                raise Conflict(
                    f"draft {draft_mtn} was submitted or deleted since this task began; "
                    "it is not sent again"
                )
        return await self._rcrainfo.save_manifest(
            credentials, _with_reference(manifest, reference, site_id)
        )

    async def _find_saved(
        self,
        run: TaskRun,
        credentials: RcrainfoCredentials,
        site_id: str,
        reference: str,
        since: datetime,
    ) -> str | None:
        """The manifest an earlier attempt of this task created, if it did.

        Resumable: each manifest found not to be it is recorded at once, so an attempt that
        meets an error goes on where the last one stopped, and a later reconcile (after another
        uncertain save) checks only manifests it has not seen. A manifest stored here answers
        from its local copy: a tracking number is never issued twice, and a copy of ours
        carries our reference from its creation."""
        candidates = await self._rcrainfo.search_manifests(
            credentials, site_id=site_id, updated_since=since - RECONCILE_MARGIN
        )
        checked: set[str] = set(run.state.get("notSaved") or ())
        for mtn in sorted(set(candidates) - checked, reverse=True):
            stored = await self._manifests.by_mtn(mtn)
            if stored is not None:
                if _has_reference(stored.manifest, reference):
                    return mtn
                continue
            if _has_reference(await self._rcrainfo.get_manifest(credentials, mtn), reference):
                return mtn
            checked.add(mtn)
            await run.checkpoint(notSaved=sorted(checked))
        return None


# --- Quicker Sign ---------------------------------------------------------------------------


class QuickSign(msgspec.Struct, frozen=True, kw_only=True):
    manifest_tracking_numbers: tuple[str, ...]
    site_id: str
    site_type: HandlerRole
    printed_signature_name: str
    printed_signature_date: datetime | None = None
    transporter_order: int | None = None


def printed_signature_date(text: str | None) -> datetime | None:
    """The signature date as a client writes it (any ISO 8601 date-time; the original Haztrak
    client leaves out the seconds: `2026-12-03T08:03.000Z`), or InvalidValue."""
    if text is None:
        return None
    try:
        return parse_iso_datetime(text)
    except ValueError:
        raise InvalidValue(
            "printedSignatureDate",
            "must be an ISO 8601 date-time that exists, such as 2026-12-03T08:03:00Z",
        ) from None


class QuickSignManifests:
    """Sign as the handler whose turn it is; the signature goes to e-Manifest in a task.

    Only a signer (or site manager) of that site signs for it, only when every manifest waits
    for that site's signature; the date is now unless given, and never in the future."""

    def __init__(
        self,
        memberships: MembershipRepository,
        manifests: ManifestReader,
        accounts: RcrainfoAccounts,
        launcher: TaskLauncher,
        auditor: Auditor,
        clock: Clock,
        uow: UnitOfWork,
    ) -> None:
        self._memberships = memberships
        self._manifests = manifests
        self._accounts = accounts
        self._launcher = launcher
        self._auditor = auditor
        self._clock = clock
        self._uow = uow

    async def __call__(self, user: User, command: QuickSign) -> Task:
        mtns = tuple(dict.fromkeys(command.manifest_tracking_numbers))
        if not 1 <= len(mtns) <= MAX_SIGN_BATCH:
            raise InvalidValue(
                "manifestTrackingNumbers", f"must list 1-{MAX_SIGN_BATCH} tracking numbers"
            )
        name = command.printed_signature_name.strip()
        if not 1 <= len(name) <= MAX_PRINTED_NAME:
            raise InvalidValue("printedSignatureName", f"must be 1-{MAX_PRINTED_NAME} characters")
        if command.site_type in (HandlerRole.BROKER,):
            raise InvalidValue("siteType", "a broker does not sign a manifest")
        transporter = command.site_type is HandlerRole.TRANSPORTER
        if transporter and command.transporter_order is None:
            raise InvalidValue("transporterOrder", "is required when siteType is Transporter")
        now = self._clock.now()
        signed_at = command.printed_signature_date or now
        if signed_at.tzinfo is None:
            raise InvalidValue("printedSignatureDate", "must carry a time zone (e.g. Z)")
        if signed_at > now:
            raise InvalidValue("printedSignatureDate", "may not be in the future")
        grants = await self._memberships.grants(user.id)
        require(
            grants,
            Action.SIGN_MANIFEST,
            SiteTarget(command.site_id),
            kind="site",
            key=command.site_id,
        )
        signature = QuickerSignature(
            site_id=command.site_id,
            site_type=command.site_type,
            printed_name=name,
            signed_at=signed_at,
            transporter_order=command.transporter_order if transporter else None,
        )
        signable, refused = await self._in_turn(grants, mtns, signature, now)
        await self._accounts.site_ready(command.site_id)
        payload = {
            "manifestTrackingNumbers": list(signable),
            # Out of turn when asked (as EPA's per-manifest report says): not sent, each with why.
            "refused": [
                {"manifestTrackingNumber": mtn, "reasons": [reason]} for mtn, reason in refused
            ],
            "siteId": command.site_id,
            "siteType": command.site_type.value,
            "transporterOrder": signature.transporter_order,
            "printedSignatureName": name,
            "printedSignatureDate": signed_at,
        }
        task = await self._launcher.launch(
            TaskName.QUICKER_SIGN,
            owner=user,
            payload=msgspec.to_builtins(payload),
            subject=command.site_id,
        )
        for mtn in signable:
            await self._auditor.record(
                user,
                "quicker_sign",
                "manifest",
                mtn,
                site=command.site_id,
                role=command.site_type.value,
                task=str(task.id),
            )
        await self._uow.commit()
        return task

    async def _in_turn(
        self, grants: Grants, mtns: Sequence[str], signature: QuickerSignature, now: datetime
    ) -> tuple[list[str], list[tuple[str, str]]]:
        """The manifests that wait for this signature, and the others each with the reason;
        none that can be signed refuses the request (the one manifest's own error, or a Conflict
        naming each)."""
        signable: list[str] = []
        refused: list[tuple[str, str]] = []
        errors: list[DomainError] = []
        for mtn in mtns:
            try:
                stored = await visible_manifest(self._manifests, grants, mtn)
                apply_quicker_signature(stored.manifest, signature, now=now)
            except (NotFound, Conflict) as error:
                errors.append(error)
                refused.append((mtn, _reason(error)))
            else:
                signable.append(mtn)
        if not signable:
            if len(errors) == 1 or all(isinstance(e, NotFound) for e in errors):
                raise errors[0]
            raise Conflict(
                "none of the manifests can be signed now: "
                + "; ".join(f"{mtn}: {reason}" for mtn, reason in refused)
            )
        return signable, refused


def _reason(error: DomainError) -> str:
    if isinstance(error, NotFound):
        return "not found among your sites' manifests"
    return str(error)


class SignInEmanifest:
    """The task of QuickSignManifests: sign, then pull the manifests back. Run again, it signs
    only the manifests that still wait for this site."""

    def __init__(
        self,
        rcrainfo: Rcrainfo,
        accounts: RcrainfoAccounts,
        copies: RcrainfoCopies,
        clock: Clock,
    ) -> None:
        self._rcrainfo = rcrainfo
        self._accounts = accounts
        self._copies = copies
        self._clock = clock

    async def __call__(self, run: TaskRun) -> dict[str, Any]:
        payload = run.payload
        mtns: list[str] = payload["manifestTrackingNumbers"]
        site_type = HandlerRole(payload["siteType"])
        turn = SigningTurn(role=site_type, transporter_order=payload.get("transporterOrder"))
        site, _ = await self._accounts.site_ready(payload["siteId"])
        credentials = await self._accounts.for_site(payload["siteId"])
        if "report" not in run.state:
            waiting = mtns
            if "signStartedAt" in run.state:  # an earlier attempt may have signed some
                waiting = [
                    mtn
                    for mtn in mtns
                    if next_signer(await self._rcrainfo.get_manifest(credentials, mtn)) == turn
                ]
            report = SignReport(operation_status="Completed")
            if waiting:
                await run.checkpoint(signStartedAt=self._clock.now())
                report = await self._rcrainfo.quicker_sign(
                    credentials,
                    QuickerSign(
                        site_id=site.epa_id,
                        site_type=site_type,
                        printed_signature_name=payload["printedSignatureName"],
                        printed_signature_date=datetime.fromisoformat(
                            payload["printedSignatureDate"]
                        ),
                        manifest_tracking_numbers=tuple(waiting),
                        transporter_order=turn.transporter_order,
                    ),
                )
            _refuse_if_none_signed(report, waiting)
            await run.checkpoint(
                report=_sign_report(report, mtns, waiting, payload.get("refused") or [])
            )
        remotes = [await self._rcrainfo.get_manifest(credentials, mtn) for mtn in mtns]
        for remote in remotes:
            await self._copies.keep(run, remote, owner_org_id=site.org_id, at=self._clock.now())
        statuses = {
            mtn: remote.current_status().value for mtn, remote in zip(mtns, remotes, strict=True)
        }
        return {**run.state["report"], "statuses": statuses}


def _refuse_if_none_signed(report: SignReport, waiting: Sequence[str]) -> None:
    refused = [r for r in report.results if not r.signed]
    if waiting and refused and len(refused) >= len(waiting):
        raise RcrainfoError(
            RcrainfoErrorKind.VALIDATION,
            "e-Manifest signed none of the manifests",
            field_errors=[
                RcrainfoProblem(field=r.manifest_tracking_number, message=e.message)
                for r in refused
                for e in (r.errors or [RcrainfoProblem(message="not signed")])
            ],
        )


def _sign_report(
    report: SignReport,
    mtns: Sequence[str],
    waiting: Sequence[str],
    refused: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    return {
        "operationStatus": report.operation_status,
        "reportId": report.report_id,
        "manifestReports": [
            {
                "manifestTrackingNumber": r.manifest_tracking_number,
                "signed": r.signed,
                "errors": [msgspec.structs.asdict(e) for e in r.errors],
            }
            for r in report.results
        ],
        "alreadySigned": [mtn for mtn in mtns if mtn not in waiting],
        # In words for a person or a script: which were signed, which not and why.
        "signed": [r.manifest_tracking_number for r in report.results if r.signed],
        "notSigned": [
            {
                "manifestTrackingNumber": r.manifest_tracking_number,
                "reasons": [e.message for e in r.errors] or ["e-Manifest gave no reason"],
            }
            for r in report.results
            if not r.signed
        ]
        + list(refused),
        "warnings": [msgspec.structs.asdict(w) for w in report.warnings],
    }


# --- site sync ------------------------------------------------------------------------------


class SyncSiteManifests:
    """Pull every manifest of a site changed in RCRAInfo since its last successful sync."""

    def __init__(
        self,
        memberships: MembershipRepository,
        accounts: RcrainfoAccounts,
        launcher: TaskLauncher,
    ) -> None:
        self._memberships = memberships
        self._accounts = accounts
        self._launcher = launcher

    async def __call__(self, user: User, site_id: str) -> Task:
        grants = await self._memberships.grants(user.id)
        require(grants, Action.SYNC_SITE, SiteTarget(site_id), kind="site", key=site_id)
        await self._accounts.site_ready(site_id)
        return await self._launcher.launch(
            TaskName.SYNC_SITE_MANIFESTS, owner=user, payload={"siteId": site_id}, subject=site_id
        )


class PullSiteManifests:
    """The task of a site sync. The window's end is fixed on the first attempt and the site's
    high-water mark moves to it only when every manifest in the window is stored; a failed
    attempt resumes after the last manifest it stored.

    A copy that would replace a newer or a different manifest here is not stored: the clash is
    audited, the rest of the window is pulled, and the task then fails naming each clash.

    A manifest stored with files in RCRAInfo (a scan, copies of record) has them downloaded
    and kept too, when it changed or none are kept yet."""

    def __init__(
        self,
        rcrainfo: Rcrainfo,
        accounts: RcrainfoAccounts,
        manifests: ManifestRepository,
        sites: SiteRepository,
        clock: Clock,
        copies: RcrainfoCopies,
        files: ManifestFiles,
    ) -> None:
        self._files = files
        self._rcrainfo = rcrainfo
        self._accounts = accounts
        self._manifests = manifests
        self._sites = sites
        self._clock = clock
        self._copies = copies

    async def __call__(self, run: TaskRun) -> dict[str, Any]:
        site_id: str = run.payload["siteId"]
        site, org = await self._accounts.site_ready(site_id)
        credentials = await self._accounts.for_org(org)
        if "until" not in run.state:
            since = site.last_manifest_sync
            until = self._clock.now()
            found = await self._rcrainfo.search_manifests(
                credentials,
                site_id=site_id,
                updated_since=since - SYNC_OVERLAP if since else None,
                updated_until=until,
            )
            mtns = sorted(set(found))
            await run.checkpoint(
                since=since,
                until=until,
                mtns=mtns,
                done=0,
                stored=0,
                progress={"total": len(mtns), "done": 0},
            )
        window: list[str] = run.state["mtns"]
        stored = int(run.state["stored"])
        done = int(run.state["done"])
        batch_start = self._clock.now()
        # RCRAInfo answers for the next manifest while this one is stored: the sync takes
        # the time of RCRAInfo's answers, not that plus Haztrak's own work.
        ahead: asyncio.Future[Manifest | None] | None = None
        try:
            for index in range(done, len(window)):
                fetching = ahead or asyncio.ensure_future(self._fetch(credentials, window[index]))
                ahead = None
                try:
                    remote = await fetching
                    if index + 1 < len(window):
                        ahead = asyncio.ensure_future(self._fetch(credentials, window[index + 1]))
                    if remote is not None and await self._pull(
                        run, credentials, remote, site.org_id
                    ):
                        stored += 1
                except RcrainfoError:
                    if index > done:  # keep what this batch stored: a retry resumes after it
                        await run.checkpoint(done=index, stored=stored, progress={"done": index})
                    raise
                # Commit a batch at a time (SYNC_BATCH manifests, or SYNC_BATCH_TIME): a
                # retry, or another worker after this one died, resumes after the last batch,
                # and neither the commits nor the rewritten progress grow with every manifest.
                if (
                    index + 1 - done >= SYNC_BATCH
                    or index + 1 == len(window)
                    or self._clock.now() - batch_start >= SYNC_BATCH_TIME
                ):
                    done = index + 1
                    await run.checkpoint(done=done, stored=stored, progress={"done": done})
                    batch_start = self._clock.now()
        finally:
            if ahead is not None:  # the task stops: the answer read ahead is not wanted
                ahead.cancel()
                with contextlib.suppress(BaseException):
                    await ahead
        until = datetime.fromisoformat(run.state["until"])
        current = await self._sites.by_epa_id(site_id)
        if current and (current.last_manifest_sync is None or current.last_manifest_sync < until):
            await self._sites.set_last_manifest_sync(site.id, until)
        clashes: list[dict[str, str]] = run.state.get("clashes") or []
        if clashes:  # audited one by one; the window is done, so the next sync starts after it
            await run.checkpoint()
            raise ManifestClash(
                ", ".join(c["mtn"] for c in clashes),
                "; ".join(f"{c['mtn']}: {c['reason']}" for c in clashes),
                f"{len(clashes)} of the site's manifests in RCRAInfo were not stored, to keep "
                "the ones here: " + "; ".join(f"{c['reason']}" for c in clashes),
            )
        return {
            "siteId": site_id,
            "since": run.state["since"],
            "until": run.state["until"],
            "manifests": len(window),
            "changed": stored,
        }

    async def _fetch(self, credentials: RcrainfoCredentials, mtn: str) -> Manifest | None:
        """RCRAInfo's copy; None when it was deleted since the search."""
        try:
            return await self._rcrainfo.get_manifest(credentials, mtn)
        except RcrainfoError as error:
            if error.kind is RcrainfoErrorKind.NOT_FOUND:
                return None
            raise

    async def _pull(
        self, run: TaskRun, credentials: RcrainfoCredentials, remote: Manifest, org_id: UUID
    ) -> bool:
        """Store RCRAInfo's copy unless the local one is the same (or newer, or another
        manifest: a clash, audited); True when it changed."""
        mtn = remote.manifest_tracking_number
        local = await self._manifests.by_mtn(mtn) if mtn else None
        if local is not None and local.manifest == remote.with_signed_flags():
            await self._pull_documents(credentials, remote, changed=False)
            return False
        try:
            await self._copies.keep(run, remote, owner_org_id=org_id, at=self._clock.now())
        except ManifestClash:
            return False
        await self._pull_documents(credentials, remote, changed=True)
        return True

    async def _pull_documents(
        self, credentials: RcrainfoCredentials, remote: Manifest, *, changed: bool
    ) -> None:
        mtn = remote.manifest_tracking_number
        if mtn is None or not has_documents(remote):
            return
        if not changed and await self._files.documents(mtn):
            return
        try:
            got = await self._rcrainfo.get_manifest_attachments(credentials, mtn)
        except RcrainfoError as error:
            if error.kind is RcrainfoErrorKind.NOT_FOUND:
                return
            raise
        await self._files.keep_downloaded(mtn, got.files)
