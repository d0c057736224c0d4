"""Corrections in e-Manifest: open or change one, sign it, revert it, and the version history.

Each request checks what it can at once (access, the lifecycle, the lock, that the org has
credentials) and starts a task, as every RCRAInfo call does. The task reads RCRAInfo's copy
first: while e-Manifest holds the manifest locked (in the signing queue, a change of biller, a
correction by EPA) it sends nothing and waits, retried with backoff, with the reason as its
progress and its last error. After the call it keeps RCRAInfo's copy and pulls the version
history (EPA's correction details, and the content of each version not pulled yet).

Every task is safe to run twice: a correction sent again changes the version under correction
to the same content; a revert or a signature whose answer was lost is found done by the status
RCRAInfo's copy has (no longer UnderCorrection) and is not sent again. At most one correction
task (correct, sign, revert) works on a manifest at a time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from haztrak.application.audit import Auditor
from haztrak.application.manifests.access import (
    ensure_keeps_a_site_of,
    ensure_may_change,
    visible_manifest,
)
from haztrak.application.manifests.documents import ReadManifest, read_manifest
from haztrak.application.ports.manifest_versions import ManifestVersionRepository, StoredVersion
from haztrak.application.ports.manifests import ManifestReader, StoredManifest
from haztrak.application.ports.persistence import MembershipRepository, UnitOfWork
from haztrak.application.ports.rcrainfo import (
    QuickerSign,
    Rcrainfo,
    RcrainfoCredentials,
    RcrainfoError,
    RcrainfoErrorKind,
    SaveReport,
)
from haztrak.application.ports.security import Clock
from haztrak.application.ports.tasks import TaskRepository
from haztrak.application.rcrainfo.accounts import RcrainfoAccounts, RcrainfoNotConfigured
from haztrak.application.rcrainfo.copies import RcrainfoCopies
from haztrak.application.tasks.launch import TaskLauncher
from haztrak.application.tasks.run import TaskRun
from haztrak.domain.access import Action, Grants, SiteTarget, require
from haztrak.domain.errors import Conflict, InvalidValue, NotFound
from haztrak.domain.identity import SiteRole, User
from haztrak.domain.manifest import Manifest, Operation, Status
from haztrak.domain.manifest.corrections import (
    VersionHistory,
    VersionStatus,
    correction_document,
    correction_signing_turn,
    ensure_correctable,
    ensure_revertible,
    lock_explanation,
)
from haztrak.domain.tasks import Task, TaskName

CORRECTION_TASKS = (
    TaskName.CORRECT_MANIFEST,
    TaskName.SIGN_CORRECTION,
    TaskName.REVERT_CORRECTION,
)
MAX_PRINTED_NAME = 80


class CorrectionSignature(msgspec.Struct, frozen=True, kw_only=True):
    site_id: str
    printed_signature_name: str
    printed_signature_date: datetime | None = None


class VersionList(msgspec.Struct, frozen=True, kw_only=True):
    """The versions kept of a manifest and when they were pulled (None: never)."""

    history: VersionHistory
    pulled_at: datetime | None = None
    contents: frozenset[int] = frozenset()
    """The numbers of the versions whose content was pulled."""


# --- what the requests share -----------------------------------------------------------------


async def _busy_task(tasks: TaskRepository, user: User, mtn: str, name: TaskName) -> Task | None:
    """The correction task working on the manifest already: the user's own of the same kind is
    answered as it is; any other is a Conflict."""
    for other_name in CORRECTION_TASKS:
        active = await tasks.active(other_name, mtn)
        if active is None:
            continue
        if active.owner_id == user.id and other_name is name:
            return active
        raise Conflict(
            f"manifest {mtn} has a correction task under way already (task {active.id}, "
            f"{other_name.value}); follow that one and try again when it has ended"
        )
    return None


async def _acting_site(
    accounts: RcrainfoAccounts, grants: Grants, manifest: Manifest, least: SiteRole
) -> str:
    """The first party, in signing order, at a site where the user holds `least` or more and
    whose org has working RCRAInfo credentials: the account the work goes out with."""
    refusal: RcrainfoNotConfigured | NotFound | None = None
    candidates = [
        h.epa_site_id
        for _, h in manifest.handlers()
        if h.epa_site_id
        and (role := grants.role_on(h.epa_site_id)) is not None
        and role.at_least(least)
    ]
    for site_id in dict.fromkeys(candidates):
        try:
            await accounts.site_ready(site_id)
        except (RcrainfoNotConfigured, NotFound) as error:
            refusal = refusal or error
            continue
        return site_id
    raise refusal or RcrainfoNotConfigured("none of your sites on this manifest is set up")


class CorrectManifest:
    """Open a correction of a Signed or Corrected manifest (a new version UnderCorrection in
    e-Manifest), or change the version under correction. Needs the signer role on a site of the
    manifest; the body is the whole corrected manifest."""

    def __init__(
        self,
        memberships: MembershipRepository,
        manifests: ManifestReader,
        accounts: RcrainfoAccounts,
        tasks: TaskRepository,
        launcher: TaskLauncher,
        auditor: Auditor,
        uow: UnitOfWork,
    ) -> None:
        self._memberships = memberships
        self._manifests = manifests
        self._accounts = accounts
        self._tasks = tasks
        self._launcher = launcher
        self._auditor = auditor
        self._uow = uow

    async def __call__(self, user: User, mtn: str, raw: bytes) -> Task:
        grants = await self._memberships.grants(user.id)
        stored = await visible_manifest(self._manifests, grants, mtn)
        return await start_correction(
            user,
            grants,
            stored,
            read_manifest(raw),
            accounts=self._accounts,
            tasks=self._tasks,
            launcher=self._launcher,
            auditor=self._auditor,
            uow=self._uow,
        )


async def start_correction(
    user: User,
    grants: Grants,
    stored: StoredManifest,
    read: ReadManifest,
    *,
    accounts: RcrainfoAccounts,
    tasks: TaskRepository,
    launcher: TaskLauncher,
    auditor: Auditor,
    uow: UnitOfWork,
) -> Task:
    """Check and launch a correction of a stored manifest (CorrectManifest; SubmitManifest for
    a manifest its facility signed, which is corrected, not updated)."""
    mtn = stored.mtn
    ensure_correctable(stored.manifest)  # the reason first: the lock, the status
    ensure_may_change(grants, stored, Operation.CORRECT)
    corrected = correction_document(stored.manifest, read.manifest)
    ensure_keeps_a_site_of(grants, corrected)
    busy = await _busy_task(tasks, user, mtn, TaskName.CORRECT_MANIFEST)
    if busy is not None:
        return busy
    site_id = await _acting_site(accounts, grants, stored.manifest, SiteRole.SIGNER)
    payload = {
        "mtn": mtn,
        "siteId": site_id,
        "manifest": msgspec.to_builtins(corrected),
        "ignored": [msgspec.structs.asdict(p) for p in read.ignored],
    }
    task = await launcher.launch(
        TaskName.CORRECT_MANIFEST, owner=user, payload=payload, subject=mtn
    )
    await auditor.record(user, "correct_manifest", "manifest", mtn, site=site_id, task=str(task.id))
    await uow.commit()
    return task


class RevertCorrection:
    """Drop the version under correction in e-Manifest (EPA's revert): the version before it is
    current again. Needs the signer role on a site of the manifest."""

    def __init__(
        self,
        memberships: MembershipRepository,
        manifests: ManifestReader,
        accounts: RcrainfoAccounts,
        tasks: TaskRepository,
        launcher: TaskLauncher,
        auditor: Auditor,
        uow: UnitOfWork,
    ) -> None:
        self._memberships = memberships
        self._manifests = manifests
        self._accounts = accounts
        self._tasks = tasks
        self._launcher = launcher
        self._auditor = auditor
        self._uow = uow

    async def __call__(self, user: User, mtn: str) -> Task:
        grants = await self._memberships.grants(user.id)
        stored = await visible_manifest(self._manifests, grants, mtn)
        ensure_revertible(stored.manifest)
        ensure_may_change(grants, stored, Operation.REVERT)
        busy = await _busy_task(self._tasks, user, mtn, TaskName.REVERT_CORRECTION)
        if busy is not None:
            return busy
        site_id = await _acting_site(self._accounts, grants, stored.manifest, SiteRole.SIGNER)
        task = await self._launcher.launch(
            TaskName.REVERT_CORRECTION,
            owner=user,
            payload={"mtn": mtn, "siteId": site_id},
            subject=mtn,
        )
        await self._auditor.record(
            user, "revert_correction", "manifest", mtn, site=site_id, task=str(task.id)
        )
        await self._uow.commit()
        return task


class SignCorrection:
    """Sign the version under correction electronically as one of the user's sites on the
    manifest (in the role that site has on it); the signed version is Corrected. Needs the
    signer role on that site; the date is now unless given, never in the future."""

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
    ) -> None:
        self._memberships = memberships
        self._manifests = manifests
        self._accounts = accounts
        self._tasks = tasks
        self._launcher = launcher
        self._auditor = auditor
        self._clock = clock
        self._uow = uow

    async def __call__(self, user: User, mtn: str, command: CorrectionSignature) -> Task:
        name = command.printed_signature_name.strip()
        if not 1 <= len(name) <= MAX_PRINTED_NAME:
            raise InvalidValue("printedSignatureName", f"must be 1-{MAX_PRINTED_NAME} characters")
        now = self._clock.now()
        signed_at = command.printed_signature_date or now
        if signed_at.tzinfo is None:
            raise InvalidValue("printedSignatureDate", "must carry a time zone (e.g. Z)")
        if signed_at > now:
            raise InvalidValue("printedSignatureDate", "may not be in the future")
        grants = await self._memberships.grants(user.id)
        stored = await visible_manifest(self._manifests, grants, mtn)
        require(
            grants,
            Action.SIGN_MANIFEST,
            SiteTarget(command.site_id),
            kind="site",
            key=command.site_id,
        )
        turn = correction_signing_turn(stored.manifest, command.site_id)
        busy = await _busy_task(self._tasks, user, mtn, TaskName.SIGN_CORRECTION)
        if busy is not None:
            return busy
        await self._accounts.site_ready(command.site_id)
        payload = {
            "mtn": mtn,
            "siteId": command.site_id,
            "siteType": turn.role.value,
            "transporterOrder": turn.transporter_order,
            "printedSignatureName": name,
            "printedSignatureDate": signed_at,
        }
        task = await self._launcher.launch(
            TaskName.SIGN_CORRECTION,
            owner=user,
            payload=msgspec.to_builtins(payload),
            subject=mtn,
        )
        await self._auditor.record(
            user,
            "sign_correction",
            "manifest",
            mtn,
            site=command.site_id,
            role=turn.role.value,
            task=str(task.id),
        )
        await self._uow.commit()
        return task


class RefreshManifestVersions:
    """Pull a manifest's version history from e-Manifest (any role on one of its sites whose
    org is set up)."""

    def __init__(
        self,
        memberships: MembershipRepository,
        manifests: ManifestReader,
        accounts: RcrainfoAccounts,
        tasks: TaskRepository,
        launcher: TaskLauncher,
    ) -> None:
        self._memberships = memberships
        self._manifests = manifests
        self._accounts = accounts
        self._tasks = tasks
        self._launcher = launcher

    async def __call__(self, user: User, mtn: str) -> Task:
        grants = await self._memberships.grants(user.id)
        stored = await visible_manifest(self._manifests, grants, mtn)
        if stored.manifest.current_status() not in (
            Status.SIGNED,
            Status.CORRECTED,
            Status.UNDER_CORRECTION,
        ):
            raise Conflict(
                f"manifest {mtn} has no versions yet: e-Manifest keeps versions from the "
                "designated facility's signature on"
            )
        active = await self._tasks.active(TaskName.PULL_MANIFEST_VERSIONS, mtn)
        if active is not None:
            return active
        site_id = await _acting_site(self._accounts, grants, stored.manifest, SiteRole.VIEWER)
        return await self._launcher.launch(
            TaskName.PULL_MANIFEST_VERSIONS,
            owner=user,
            payload={"mtn": mtn, "siteId": site_id},
            subject=mtn,
        )


class ListManifestVersions:
    """The version history kept of a manifest (anyone who may see the manifest)."""

    def __init__(
        self,
        memberships: MembershipRepository,
        manifests: ManifestReader,
        versions: ManifestVersionRepository,
    ) -> None:
        self._memberships = memberships
        self._manifests = manifests
        self._versions = versions

    async def __call__(self, user: User, mtn: str) -> VersionList:
        grants = await self._memberships.grants(user.id)
        stored = await visible_manifest(self._manifests, grants, mtn)
        kept = await self._versions.history(stored.mtn)
        return _version_list(stored.mtn, kept)


def _version_list(mtn: str, kept: list[StoredVersion]) -> VersionList:
    return VersionList(
        history=VersionHistory.of(mtn, (k.version for k in kept)),
        pulled_at=max((k.pulled_at for k in kept), default=None),
        contents=frozenset(k.version.version_number for k in kept if k.has_document),
    )


class GetManifestVersion:
    """One version of a manifest as it was (anyone who may see the manifest)."""

    def __init__(
        self,
        memberships: MembershipRepository,
        manifests: ManifestReader,
        versions: ManifestVersionRepository,
    ) -> None:
        self._memberships = memberships
        self._manifests = manifests
        self._versions = versions

    async def __call__(self, user: User, mtn: str, version_number: int) -> Manifest:
        grants = await self._memberships.grants(user.id)
        stored = await visible_manifest(self._manifests, grants, mtn)
        document = await self._versions.document(stored.mtn, version_number)
        if document is None:
            raise NotFound("manifest version", f"{mtn} v{version_number}")
        return document


# --- the tasks -------------------------------------------------------------------------------


class _CorrectionWork:
    """What the correction tasks share: RCRAInfo's copy, the lock, the history."""

    def __init__(
        self,
        rcrainfo: Rcrainfo,
        accounts: RcrainfoAccounts,
        copies: RcrainfoCopies,
        versions: ManifestVersionRepository,
        clock: Clock,
    ) -> None:
        self._rcrainfo = rcrainfo
        self._accounts = accounts
        self._copies = copies
        self._versions = versions
        self._clock = clock

    async def _remote_unlocked(
        self, run: TaskRun, credentials: RcrainfoCredentials, mtn: str
    ) -> Manifest:
        """RCRAInfo's copy; while it is locked the task waits (a transient error that says
        why, retried with backoff), and nothing is sent."""
        remote = await self._rcrainfo.get_manifest(credentials, mtn)
        reason = lock_explanation(remote)
        if reason is not None:
            await _wait(run, mtn, reason)
        return remote

    async def _finish(
        self, run: TaskRun, credentials: RcrainfoCredentials, mtn: str, org_id: UUID | None
    ) -> dict[str, Any]:
        remote = await self._rcrainfo.get_manifest(credentials, mtn)
        await self._copies.keep(run, remote, owner_org_id=org_id, at=self._clock.now())
        history = await pull_history(
            self._rcrainfo, self._versions, credentials, mtn, at=self._clock.now()
        )
        active = history.active
        return {
            "status": remote.current_status().value,
            "versions": len(history.versions),
            "activeVersion": active.version_number if active else None,
        }


async def _wait(run: TaskRun, mtn: str, reason: str) -> None:
    message = f"manifest {mtn} is locked in e-Manifest ({reason}); nothing is sent until it "
    message += "is unlocked, and the task tries again by itself"
    await run.checkpoint(progress={"waiting": message})
    raise RcrainfoError(RcrainfoErrorKind.TRANSIENT, message, code="E_ManifestLocked")


async def _locked_answer(run: TaskRun, mtn: str, error: RcrainfoError) -> None:
    """EPA answered the call with a lock (it came between our read and the call): wait."""
    if error.kind is RcrainfoErrorKind.LOCKED:
        await _wait(run, mtn, error.message)


def _report(report: SaveReport) -> dict[str, Any]:
    return {
        "manifestTrackingNumber": report.manifest_tracking_number,
        "operationStatus": report.operation_status,
        "currentVersionNumber": report.current_version_number,
        "reportId": report.report_id,
        "date": report.date,
        "warnings": [msgspec.structs.asdict(w) for w in report.warnings],
    }


async def pull_history(
    rcrainfo: Rcrainfo,
    versions: ManifestVersionRepository,
    credentials: RcrainfoCredentials,
    mtn: str,
    *,
    at: datetime,
) -> VersionHistory:
    """Keep e-Manifest's version history of the manifest, and the content of every version
    that is new or changed since it was last pulled (the version under correction always: it
    changes in place); a version gone (reverted) is forgotten."""
    history = await rcrainfo.correction_details(credentials, mtn)
    kept = {k.version.version_number: k for k in await versions.history(mtn)}
    for version in history.versions:
        known = kept.get(version.version_number)
        document = None
        changing = version.status is VersionStatus.UNDER_CORRECTION  # its date may not move
        if changing or known is None or known.version != version or not known.has_document:
            document = await rcrainfo.correction_version(credentials, mtn, version.version_number)
        await versions.put(mtn, version, document, at=at)
    await versions.keep_only(mtn, [v.version_number for v in history.versions])
    return history


class CorrectInEmanifest(_CorrectionWork):
    """The task of CorrectManifest."""

    async def __call__(self, run: TaskRun) -> dict[str, Any]:
        payload = run.payload
        mtn: str = payload["mtn"]
        site, _ = await self._accounts.site_ready(payload["siteId"])
        credentials = await self._accounts.for_site(payload["siteId"])
        if "report" not in run.state:
            await self._remote_unlocked(run, credentials, mtn)
            corrected = msgspec.convert(payload["manifest"], Manifest)
            await run.checkpoint(correctStartedAt=self._clock.now(), progress={"waiting": None})
            try:
                report = await self._rcrainfo.correct_manifest(credentials, corrected)
            except RcrainfoError as error:
                await _locked_answer(run, mtn, error)
                raise
            await run.checkpoint(report=_report(report))
        report_state: dict[str, Any] = run.state["report"]
        outcome = await self._finish(run, credentials, mtn, site.org_id)
        warnings = [*payload.get("ignored", ()), *report_state.get("warnings", ())]
        return {**report_state, **outcome, "warnings": warnings}


class RevertInEmanifest(_CorrectionWork):
    """The task of RevertCorrection."""

    async def __call__(self, run: TaskRun) -> dict[str, Any]:
        mtn: str = run.payload["mtn"]
        site, _ = await self._accounts.site_ready(run.payload["siteId"])
        credentials = await self._accounts.for_site(run.payload["siteId"])
        if "report" not in run.state:
            remote = await self._remote_unlocked(run, credentials, mtn)
            under = remote.current_status() is Status.UNDER_CORRECTION
            if "revertStartedAt" in run.state and not under:
                report: dict[str, Any] = {"operationStatus": "Reverted", "alreadyDone": True}
            else:
                ensure_revertible(remote)
                await run.checkpoint(revertStartedAt=self._clock.now())
                try:
                    answer = await self._rcrainfo.revert_manifest(credentials, mtn)
                except RcrainfoError as error:
                    await _locked_answer(run, mtn, error)
                    raise
                report = _report(answer)
            await run.checkpoint(report=report)
        outcome = await self._finish(run, credentials, mtn, site.org_id)
        return {**run.state["report"], **outcome}


class SignCorrectionInEmanifest(_CorrectionWork):
    """The task of SignCorrection: the signature goes out as a Quicker Sign of the version under
    correction by the site, in its role on the manifest."""

    async def __call__(self, run: TaskRun) -> dict[str, Any]:
        payload = run.payload
        mtn: str = payload["mtn"]
        site, _ = await self._accounts.site_ready(payload["siteId"])
        credentials = await self._accounts.for_site(payload["siteId"])
        if "report" not in run.state:
            remote = await self._remote_unlocked(run, credentials, mtn)
            under = remote.current_status() is Status.UNDER_CORRECTION
            if "signStartedAt" in run.state and not under:
                report: dict[str, Any] = {"operationStatus": "Completed", "alreadyDone": True}
            else:
                turn = correction_signing_turn(remote, site.epa_id)
                await run.checkpoint(signStartedAt=self._clock.now())
                try:
                    signed = await self._rcrainfo.quicker_sign(
                        credentials,
                        QuickerSign(
                            site_id=site.epa_id,
                            site_type=turn.role,
                            printed_signature_name=payload["printedSignatureName"],
                            printed_signature_date=datetime.fromisoformat(
                                payload["printedSignatureDate"]
                            ),
                            manifest_tracking_numbers=(mtn,),
                            transporter_order=turn.transporter_order,
                        ),
                    )
                except RcrainfoError as error:
                    await _locked_answer(run, mtn, error)
                    raise
                report = {
                    "operationStatus": signed.operation_status,
                    "reportId": signed.report_id,
                    "warnings": [msgspec.structs.asdict(w) for w in signed.warnings],
                }
            await run.checkpoint(report=report)
        outcome = await self._finish(run, credentials, mtn, site.org_id)
        return {**run.state["report"], **outcome}


class PullManifestVersions(_CorrectionWork):
    """The task of RefreshManifestVersions."""

    async def __call__(self, run: TaskRun) -> dict[str, Any]:
        mtn: str = run.payload["mtn"]
        await self._accounts.site_ready(run.payload["siteId"])
        credentials = await self._accounts.for_site(run.payload["siteId"])
        history = await pull_history(
            self._rcrainfo, self._versions, credentials, mtn, at=self._clock.now()
        )
        active = history.active
        return {
            "manifestTrackingNumber": mtn,
            "versions": len(history.versions),
            "activeVersion": active.version_number if active else None,
        }
