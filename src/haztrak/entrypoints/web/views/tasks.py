"""A task as a person follows it: what it is, where it stands, what came of it, and what to
do next when it failed. Words only; no raw JSON reaches a page."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

from haztrak.domain.tasks import Task, TaskName, TaskProblem, TaskStatus
from haztrak.entrypoints.web.views.text import sentence

Status = Literal["PENDING", "STARTED", "SUCCESS", "FAILURE"]

LABELS: dict[TaskName, str] = {
    TaskName.SUBMIT_MANIFEST: "Submit to e-Manifest",
    TaskName.QUICKER_SIGN: "Quicker Sign",
    TaskName.SYNC_SITE_MANIFESTS: "Sync with RCRAInfo",
    TaskName.SYNC_RCRAINFO_PROFILE: "Sync RCRAInfo permissions",
    TaskName.SEARCH_RCRA_SITES: "Search RCRAInfo sites",
    TaskName.PULL_RCRA_SITE: "Fetch a site from RCRAInfo",
    TaskName.RCRAINFO_LINK: "Link to RCRAInfo",
    TaskName.REFRESH_LOOKUPS: "Refresh lookups",
    TaskName.PRUNE_TASKS: "Delete old tasks",
    TaskName.DELIVER_WEBHOOK: "Deliver a webhook",
    TaskName.DISPATCH_EVENTS: "Hand out events",
    TaskName.SEND_NOTICE_EMAIL: "E-mail a notice",
    TaskName.SEND_NOTICE_DIGESTS: "E-mail daily digests",
    TaskName.CHECK_DEADLINES: "Check deadlines",
    TaskName.FETCH_MANIFEST_DOCUMENTS: "Fetch documents from RCRAInfo",
    TaskName.CORRECT_MANIFEST: "Correct in e-Manifest",
    TaskName.SIGN_CORRECTION: "Sign a correction",
    TaskName.REVERT_CORRECTION: "Revert a correction",
    TaskName.PULL_MANIFEST_VERSIONS: "Read the versions from e-Manifest",
}
_CORRECTIONS = frozenset(
    {
        TaskName.CORRECT_MANIFEST,
        TaskName.SIGN_CORRECTION,
        TaskName.REVERT_CORRECTION,
        TaskName.PULL_MANIFEST_VERSIONS,
    }
)

_OWN_CREDENTIALS = frozenset({TaskName.SYNC_RCRAINFO_PROFILE})
"""Work done with the user's own RCRAInfo API ID and key (the rest uses the org's)."""

_ADVICE: dict[str, str] = {
    "unauthorized": (
        "RCRAInfo refused the organization's credentials. An admin of the organization must "
        "set its RCRAInfo API ID and key again; then retry."
    ),
    "unauthorized-own": (
        "RCRAInfo refused your credentials. Check the API ID and key on your profile, then retry."
    ),
    "forbidden": (
        "RCRAInfo says this account may not do that for the site. Ask your RCRAInfo site "
        "manager for the permission, sync your permissions on your profile, then retry."
    ),
    "not_found": "RCRAInfo does not know it. Check the EPA ID or tracking number.",
    "validation": "e-Manifest refused the content. Correct the fields listed and send it again.",
    "invalid": "Correct the fields listed and send it again.",
    "locked": "e-Manifest has locked the manifest for now. Retry in a few minutes.",
    "transient": "RCRAInfo did not answer in time. Nothing was lost; retry in a few minutes.",
    "conflict": (
        "The copy here and RCRAInfo's disagree; the copy here was kept. Open the manifest to "
        "check it."
    ),
    "internal": "Something went wrong on our side and it has been logged. Retry later.",
}


class FieldNote(msgspec.Struct, frozen=True, kw_only=True):
    field: str
    message: str


class TaskView(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    label: str
    """A person's name for the kind of work: "Submit to e-Manifest"."""
    status: Status
    outcome: str
    """What came of it, in words (or where it stands, or the error)."""
    advice: str = ""
    """What to do next when it failed."""
    created: datetime
    done: datetime | None = None
    retryable: bool = False
    subject: str | None = None
    """What it is about (a tracking number, an EPA ID), as a link target's key."""
    link: str | None = None
    """The page of what it is about."""
    link_text: str = "Open"
    errors: tuple[FieldNote, ...] = ()
    progress: str = ""
    attempts: int = 0

    @property
    def running(self) -> bool:
        return self.status in ("PENDING", "STARTED")


def task_view(task: Task) -> TaskView:
    problem = task.error if task.status is TaskStatus.FAILURE else None
    return TaskView(
        id=str(task.id),
        name=task.name.value,
        label=_label(task),
        status=task.status.value,
        outcome=_failure(problem) if problem else _outcome(task),
        advice=_advice(task, problem) if problem else "",
        created=task.created_at,
        done=task.done_at,
        retryable=task.status is TaskStatus.FAILURE and task.owner_id is not None,
        subject=task.subject,
        link=_link(task),
        link_text=_LINK_TEXT.get(task.name, "Open"),
        errors=tuple(FieldNote(field=e.field, message=e.message) for e in problem.errors)
        if problem
        else (),
        progress=_progress(task),
        attempts=task.attempts,
    )


def _label(task: Task) -> str:
    """The kind of work in a person's words. A receipt goes out as an update of the manifest
    (the submit task with `receipt` in its payload) but is the facility recording its receipt."""
    if task.name is TaskName.SUBMIT_MANIFEST and task.payload.get("receipt"):
        return "Record receipt"
    return LABELS.get(task.name, task.name.value.replace("_", " ").capitalize())


_LINK_TEXT = {
    TaskName.SUBMIT_MANIFEST: "Open the manifest",
    TaskName.QUICKER_SIGN: "Open the manifest",
    TaskName.SYNC_SITE_MANIFESTS: "See the site's manifests",
    TaskName.FETCH_MANIFEST_DOCUMENTS: "See the documents",
    TaskName.SYNC_RCRAINFO_PROFILE: "See your permissions",
    TaskName.CORRECT_MANIFEST: "Open the manifest",
    TaskName.SIGN_CORRECTION: "Open the manifest",
    TaskName.REVERT_CORRECTION: "Open the manifest",
    TaskName.RCRAINFO_LINK: "Open in RCRAInfo",
    TaskName.PULL_MANIFEST_VERSIONS: "See the versions",
}


def _advice(task: Task, problem: TaskProblem) -> str:
    kind = problem.kind
    if kind == "unauthorized" and task.name in _OWN_CREDENTIALS:
        kind = "unauthorized-own"
    return _ADVICE.get(kind, "")


def _failure(problem: TaskProblem) -> str:
    return sentence(problem.detail) or sentence(problem.title)


def _progress(task: Task) -> str:
    p = task.progress
    total, done = p.get("total"), p.get("done")
    if isinstance(total, int) and isinstance(done, int) and total:
        return f"{done} of {total} done"
    if isinstance(done, int) and done:
        return f"{done} done"
    return ""


def _outcome(task: Task) -> str:
    if task.status is TaskStatus.PENDING:
        if task.error is not None:  # a transient failure waits for its retry
            return f"Waiting to try again: {_failure(task.error)}"
        return "Waiting for a worker."
    if task.status is TaskStatus.STARTED:
        step = _progress(task)
        return f"Working with RCRAInfo ({step})." if step else "Working with RCRAInfo."
    result: Any = task.result if isinstance(task.result, dict) else {}
    match task.name:
        case TaskName.SUBMIT_MANIFEST:
            mtn = result.get("manifestTrackingNumber")
            status = result.get("status")
            now = f", now {status}" if isinstance(status, str) and status else ""
            if task.payload.get("receipt") and mtn:
                return f"Receipt of {mtn} recorded in e-Manifest{now}."
            if result.get("operationStatus") == "Updated":
                return f"Updated {mtn} in e-Manifest{now}." if mtn else "Updated in e-Manifest."
            return f"Saved in e-Manifest as {mtn}{now}." if mtn else "Saved in e-Manifest."
        case TaskName.QUICKER_SIGN:
            reports = result.get("manifestReports") or []
            signed = [r.get("manifestTrackingNumber") for r in reports if r.get("signed")]
            already = result.get("alreadySigned") or []
            refused = [
                f"{r.get('manifestTrackingNumber')} ("
                + ("; ".join(str(e.get("message")) for e in r.get("errors") or []) or "no reason")
                + ")"
                for r in reports
                if not r.get("signed")
            ]
            parts = []
            if signed:
                parts.append("Signature recorded for " + ", ".join(map(str, signed)) + ".")
            if refused:
                parts.append("Not signed: " + ", ".join(refused) + ".")
            if already:
                parts.append("Already signed: " + ", ".join(map(str, already)) + ".")
            return " ".join(parts) or "Signature recorded."
        case TaskName.SYNC_SITE_MANIFESTS:
            count, changed = result.get("manifests"), result.get("changed")
            if isinstance(count, int):
                text = f"{count} manifest{'s' if count != 1 else ''} synced"
                if isinstance(changed, int):
                    text += f", {changed} updated here"
                return text + "."
            return "Synced."
        case TaskName.SYNC_RCRAINFO_PROFILE:
            sites = result.get("sites") or []
            n = len(sites)
            return f"Permissions synced for {n} site{'s' if n != 1 else ''}."
        case TaskName.RCRAINFO_LINK:
            return f"RCRAInfo's {result.get('page', '')} page is ready.".replace("  ", " ")
        case TaskName.PRUNE_TASKS:
            return f"{result.get('deleted', 0)} old tasks deleted."
        case TaskName.FETCH_MANIFEST_DOCUMENTS:
            n = len(result.get("documents") or [])
            return f"{n} document{'s' if n != 1 else ''} kept." if n else "RCRAInfo has none."
        case _ if task.name in _CORRECTIONS:
            return _correction_outcome(task.name, result)
    return "Done."


def _correction_outcome(name: TaskName, result: dict[str, Any]) -> str:
    status, version = result.get("status"), result.get("activeVersion")
    now = f" The manifest is {status} (version {version})." if status and version else ""
    match name:
        case TaskName.CORRECT_MANIFEST:
            if result.get("operationStatus") == "CorrectionUpdated":
                return "The correction was changed in e-Manifest." + now
            return "The correction was opened in e-Manifest." + now
        case TaskName.SIGN_CORRECTION:
            return "The correction was signed." + now
        case TaskName.REVERT_CORRECTION:
            return "The correction was reverted." + now
    count = result.get("versions")
    return f"{count} version{'s' if count != 1 else ''} read from e-Manifest."


def _link(task: Task) -> str | None:
    subject = task.subject
    if task.name is TaskName.SUBMIT_MANIFEST:
        mtn = task.result.get("manifestTrackingNumber") if isinstance(task.result, dict) else None
        target = mtn or subject
        return f"/manifests/{target}" if target else None
    if task.name is TaskName.QUICKER_SIGN:
        mtns = task.payload.get("manifestTrackingNumbers") or []
        return f"/manifests/{mtns[0]}" if len(mtns) == 1 else None
    if task.name is TaskName.SYNC_SITE_MANIFESTS and subject:
        return f"/manifests?site={subject}"
    if task.name is TaskName.SYNC_RCRAINFO_PROFILE:
        return "/profile#permissions"
    if task.name is TaskName.RCRAINFO_LINK and isinstance(task.result, dict):
        url = task.result.get("url")
        return url if isinstance(url, str) and url.startswith("https://") else None
    if task.name is TaskName.FETCH_MANIFEST_DOCUMENTS and subject:
        return f"/manifests/{subject}#documents-h"
    if task.name in _CORRECTIONS and subject:
        suffix = "/versions" if task.name is TaskName.PULL_MANIFEST_VERSIONS else ""
        return f"/manifests/{subject}{suffix}"
    return None
