"""Background tasks: work that talks to RCRAInfo, recorded so its caller can follow it.

A task is created PENDING by the request that asks for the work, STARTED each time a worker
claims it, and ends SUCCESS or FAILURE. A transient failure puts it back to PENDING with a time
before which it is not retried; the last error stays visible meanwhile. A finished task is never
run again, and a worker holds a task only while its lease lasts, so a task is safe to deliver
twice and a dead worker's task is picked up again.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

import msgspec


class TaskStatus(StrEnum):
    PENDING = "PENDING"
    STARTED = "STARTED"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"

    @property
    def finished(self) -> bool:
        return self in (TaskStatus.SUCCESS, TaskStatus.FAILURE)


class TaskName(StrEnum):
    SUBMIT_MANIFEST = "submit_manifest"
    QUICKER_SIGN = "quicker_sign"
    SYNC_SITE_MANIFESTS = "sync_site_manifests"
    SYNC_RCRAINFO_PROFILE = "sync_rcrainfo_profile"
    SEARCH_RCRA_SITES = "search_rcra_sites"
    PULL_RCRA_SITE = "pull_rcra_site"
    RCRAINFO_LINK = "rcrainfo_link"
    REFRESH_LOOKUPS = "refresh_lookups"
    PRUNE_TASKS = "prune_tasks"
    DELIVER_WEBHOOK = "deliver_webhook"
    DISPATCH_EVENTS = "dispatch_events"
    SEND_NOTICE_EMAIL = "send_notice_email"
    SEND_NOTICE_DIGESTS = "send_notice_digests"
    CHECK_DEADLINES = "check_deadlines"
    FETCH_MANIFEST_DOCUMENTS = "fetch_manifest_documents"
    CORRECT_MANIFEST = "correct_manifest"
    REVERT_CORRECTION = "revert_correction"
    SIGN_CORRECTION = "sign_correction"
    PULL_MANIFEST_VERSIONS = "pull_manifest_versions"

    @property
    def bulk(self) -> bool:
        """Long work nobody waits for at a screen; it yields to interactive tasks."""
        return self in _BULK


_BULK = frozenset({TaskName.SYNC_SITE_MANIFESTS, TaskName.REFRESH_LOOKUPS, TaskName.PRUNE_TASKS})


class FieldProblem(msgspec.Struct, frozen=True, kw_only=True):
    field: str
    message: str
    value: str | None = None


class TaskProblem(msgspec.Struct, frozen=True, kw_only=True):
    """Why a task failed (or why its last attempt did): a problem document's content.

    `kind` says what failed (an RCRAInfo error kind, `not_found`, `conflict`, `invalid`,
    `internal`); `errors` are EPA's field errors when it gave any. Never holds a secret.
    """

    title: str
    detail: str
    kind: str
    code: str | None = None
    errors: tuple[FieldProblem, ...] = ()
    warnings: tuple[FieldProblem, ...] = ()


RUN_AFTER_ATTEMPT = "runAfterAttempt"
"""The key of a task's state that holds how many attempts ran before its current run."""


class Task(msgspec.Struct, kw_only=True):
    id: UUID
    name: TaskName
    owner_id: UUID | None
    """The user who asked for it; None for work the scheduler started."""
    created_at: datetime
    payload: dict[str, Any] = msgspec.field(default_factory=dict)
    """The task's arguments; messages on the queue carry only the id."""
    subject: str | None = None
    """What the task is about (an EPA ID, a tracking number), to find work already under way."""
    status: TaskStatus = TaskStatus.PENDING
    attempts: int = 0
    progress: dict[str, Any] = msgspec.field(default_factory=dict)
    """What the task has done so far, for the person following it."""
    state: dict[str, Any] = msgspec.field(default_factory=dict)
    """Where the work stands, so that a retry resumes instead of starting over (not shown)."""
    result: Any = None
    error: TaskProblem | None = None
    started_at: datetime | None = None
    done_at: datetime | None = None
    not_before: datetime | None = None
    """A PENDING task waiting to be retried is not run before this."""
    lease_until: datetime | None = None
    """A STARTED task belongs to the worker running it until then."""
    enqueued_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status.finished

    @property
    def run_attempts(self) -> int:
        """Attempts of the current run: a failed task its owner retries starts a new run
        (`attempts` keeps counting, as it fences the writes of each attempt)."""
        before = self.state.get(RUN_AFTER_ATTEMPT, 0)
        return self.attempts - (before if isinstance(before, int) else 0)

    def reopened(self) -> dict[str, Any]:
        """The resume state of a new run of this failed task: where the work stands is kept,
        so the new run resumes; the attempts counted so far belong to the old run."""
        return {**self.state, RUN_AFTER_ATTEMPT: self.attempts}

    def claimable(self, at: datetime) -> bool:
        """A worker may run it now: pending and due, or started by a worker whose lease ran out."""
        if self.status is TaskStatus.PENDING:
            return self.not_before is None or self.not_before <= at
        if self.status is TaskStatus.STARTED:
            return self.lease_until is None or self.lease_until <= at
        return False

    def busy_until(self, at: datetime) -> datetime | None:
        """When an unfinished task that cannot be claimed now may be tried again."""
        if self.finished or self.claimable(at):
            return None
        return self.lease_until if self.status is TaskStatus.STARTED else self.not_before

    def due_for_requeue(self, at: datetime, grace: timedelta) -> bool:
        """Claimable, and its message should have reached a worker more than `grace` ago."""
        if not self.claimable(at):
            return False
        return self.enqueued_at is None or self.enqueued_at < at - grace


class RetryPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """Exponential backoff with jitter: the n-th retry waits between half and all of
    `first_delay * 2**(n-1)`, never more than `max_delay`.

    A run of a task is bounded by time: it keeps retrying transient failures until `max_seconds`
    have passed since its first attempt started (the last retry is brought forward to that
    limit), and makes at most `max_attempts` attempts, a guard against work that fails fast
    forever. Its owner may start a new run of a failed task (`Task.run_attempts`)."""

    max_attempts: int = 100
    max_seconds: float = 3600.0
    first_delay: float = 10.0
    max_delay: float = 900.0

    def gives_up_after(self, attempts: int) -> bool:
        return attempts >= self.max_attempts

    def next_try(self, attempts: int, elapsed: float, jitter: float) -> float | None:
        """Seconds before the next try of a run that made `attempts` attempts and began
        `elapsed` seconds ago, or None when it gives up; `jitter` is uniform in [0, 1)."""
        remaining = self.max_seconds - elapsed
        if self.gives_up_after(attempts) or remaining <= 0:
            return None
        return min(self.delay(attempts, jitter), remaining)

    def delay(self, attempts: int, jitter: float) -> float:
        """Seconds before the next try after `attempts` tries; `jitter` is uniform in [0, 1)."""
        exponent = min(max(attempts - 1, 0), 32)
        ceiling = min(self.first_delay * 2.0**exponent, self.max_delay)
        return ceiling * (0.5 + jitter / 2)


def window_key(job: str, interval: timedelta, at: datetime) -> str:
    """The name of the time window `at` falls in for a job run every `interval`, counted from
    the Unix epoch, so every scheduler agrees on it."""
    seconds = interval.total_seconds()
    index = math.floor((at - _EPOCH).total_seconds() / seconds)
    return f"{job}:{int(seconds)}:{index}"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
