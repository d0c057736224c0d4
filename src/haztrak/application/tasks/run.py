"""Running one task in a worker: claim it, do its work, record how it ended.

The claim is committed before any work, so the task shows STARTED and holds a lease. The work
and the SUCCESS record commit together. Transient RCRAInfo errors, a service that does not
answer now (the document storage, the cache), and unexpected errors (which may be a database
hiccup) retry with backoff and jitter until the policy's time limit (or its
attempt cap) is reached; anything else fails at once. A task that gives up says why, and its
owner may run it again (RetryTask). RCRAInfo refusing an org's credentials flags them failing,
so no task tries them again into EPA's three-strike lockout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from datetime import timedelta
from typing import Any, Protocol
from uuid import UUID

import msgspec

from haztrak.application.errors import ServiceUnavailable
from haztrak.application.ports.persistence import UnitOfWork
from haztrak.application.ports.rcrainfo import RcrainfoError, RcrainfoErrorKind, RcrainfoProblem
from haztrak.application.ports.security import Clock
from haztrak.application.ports.tasks import TaskLeases, TaskRepository
from haztrak.application.rcrainfo.accounts import RcrainfoAccounts
from haztrak.application.tasks.errors import ConcurrentUpdate, RetryLater
from haztrak.application.tasks.policy import TaskPolicy
from haztrak.domain.errors import Conflict, DomainError, Forbidden, InvalidValue, NotFound
from haztrak.domain.manifest import ManifestShapeError
from haztrak.domain.tasks import (
    FieldProblem,
    RetryPolicy,
    Task,
    TaskName,
    TaskProblem,
    TaskStatus,
)

log = logging.getLogger("haztrak.tasks")

_RCRAINFO_TITLES = {
    RcrainfoErrorKind.UNAUTHORIZED: "RCRAInfo refused the credentials",
    RcrainfoErrorKind.FORBIDDEN: "Not permitted in RCRAInfo",
    RcrainfoErrorKind.NOT_FOUND: "Not found in RCRAInfo",
    RcrainfoErrorKind.VALIDATION: "Refused by e-Manifest",
    RcrainfoErrorKind.LOCKED: "Locked in e-Manifest",
    RcrainfoErrorKind.TRANSIENT: "RCRAInfo is unavailable",
}


class LeaseLost(Exception):
    """Another worker took the task over (this one's lease ran out); stop without writing."""


class TaskRun:
    """What a task handler sees of its task: the arguments, where an earlier attempt stopped,
    and a way to save where this one stands."""

    def __init__(
        self,
        task: Task,
        tasks: TaskRepository,
        clock: Clock,
        uow: UnitOfWork,
        lease: timedelta,
    ) -> None:
        self.task = task
        self._tasks = tasks
        self._clock = clock
        self._uow = uow
        self._lease = lease

    @property
    def payload(self) -> dict[str, Any]:
        return self.task.payload

    @property
    def state(self) -> dict[str, Any]:
        return self.task.state

    async def checkpoint(self, *, progress: dict[str, Any] | None = None, **state: Any) -> None:
        """Commit the work done so far with the resume state and progress, and renew the
        lease. Raises LeaseLost when another worker has taken the task over."""
        self.task.state.update(msgspec.to_builtins(state))
        if progress:
            self.task.progress.update(msgspec.to_builtins(progress))
        kept = await self._tasks.checkpoint(
            self.task.id,
            attempt=self.task.attempts,
            progress=self.task.progress,
            state=self.task.state,
            lease_until=self._clock.now() + self._lease,
        )
        if not kept:
            await self._uow.rollback()
            raise LeaseLost(str(self.task.id))
        await self._uow.commit()


class TaskHandler(Protocol):
    """The work of one kind of task. Returns the result (JSON-able or msgspec structs);
    raises to fail. Must be safe to run again after any failure."""

    async def __call__(self, run: TaskRun) -> Any: ...


class TaskHandlers(Protocol):
    async def handler_for(self, name: TaskName) -> TaskHandler: ...


class RunOutcome(msgspec.Struct, frozen=True):
    retry_in: float | None = None
    """Seconds after which the queue should deliver the task again; None when it is done
    with it (finished, or another worker holds it)."""


class RunTask:
    def __init__(
        self,
        tasks: TaskRepository,
        leases: TaskLeases,
        handlers: TaskHandlers,
        accounts: RcrainfoAccounts,
        policy: TaskPolicy,
        clock: Clock,
        uow: UnitOfWork,
    ) -> None:
        self._tasks = tasks
        self._leases = leases
        self._handlers = handlers
        self._accounts = accounts
        self._policy = policy
        self._clock = clock
        self._uow = uow

    async def __call__(self, task_id: UUID) -> RunOutcome:
        now = self._clock.now()
        task = await self._tasks.claim(task_id, at=now, lease_until=now + self._policy.lease)
        await self._uow.commit()
        if task is None:
            return await self._not_claimed(task_id)
        log.info("task %s %s: attempt %d", task.name.value, task.id, task.attempts)
        run = TaskRun(task, self._tasks, self._clock, self._uow, self._policy.lease)
        keeper = asyncio.create_task(self._keep_lease(task))
        try:
            handler = await self._handlers.handler_for(task.name)
            result = await handler(run)
        except LeaseLost:
            log.warning("task %s %s: another worker took it over", task.name.value, task.id)
            return RunOutcome()
        except Exception as exc:  # the boundary of a task: every failure is recorded
            await self._uow.rollback()
            return await self._failed(task, exc)
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
        done = await self._tasks.finish(
            task.id,
            attempt=task.attempts,
            status=TaskStatus.SUCCESS,
            at=self._clock.now(),
            result=msgspec.to_builtins(result),
        )
        if not done:
            await self._uow.rollback()
            log.warning("task %s %s: another worker took it over", task.name.value, task.id)
            return RunOutcome()
        await self._uow.commit()
        log.info("task %s %s: success", task.name.value, task.id)
        return RunOutcome()

    async def _keep_lease(self, task: Task) -> None:
        """Renew the lease every third of its length while the work runs, so that only a
        worker that stopped (or hangs) loses its task."""
        every = self._policy.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            try:
                kept = await self._leases.renew(
                    task.id,
                    attempt=task.attempts,
                    lease_until=self._clock.now() + self._policy.lease,
                )
            except Exception:  # a busy database: try again next time
                log.warning("task %s: lease renewal failed", task.id, exc_info=True)
                continue
            if not kept:
                return

    async def _not_claimed(self, task_id: UUID) -> RunOutcome:
        current = await self._tasks.get(task_id)
        if current is None or current.finished:
            return RunOutcome()
        now = self._clock.now()
        until = current.busy_until(now)
        if until is None:  # claimable, but another worker claimed it a moment ago
            return RunOutcome(retry_in=1.0)
        return RunOutcome(retry_in=max((until - now).total_seconds(), 0.5))

    async def _failed(self, task: Task, exc: Exception) -> RunOutcome:
        expected = isinstance(exc, DomainError)
        if not expected:
            log.error(
                "task %s %s: unexpected %s",
                task.name.value,
                task.id,
                type(exc).__name__,
                exc_info=exc,
            )
        problem = problem_for(exc)
        if isinstance(exc, RcrainfoError) and exc.credentials_refused:
            await self._accounts.mark_failing()  # EPA refused the key, not a bare 401
        retryable = (
            not expected
            or isinstance(exc, ConcurrentUpdate | RetryLater | ServiceUnavailable)
            or (isinstance(exc, RcrainfoError) and exc.retryable)
        )
        retry = self._policy.retry_for(task.name)
        now = self._clock.now()
        elapsed = (now - (task.started_at or now)).total_seconds()
        delay = None
        if retryable:
            delay = retry.next_try(task.run_attempts, elapsed, random.random())  # noqa: S311
        if delay is not None:
            kept = await self._tasks.retry_later(
                task.id,
                attempt=task.attempts,
                not_before=now + timedelta(seconds=delay),
                error=problem,
            )
            await self._uow.commit()
            if isinstance(exc, ConcurrentUpdate):
                # Expected when sites that share manifests sync at once (every site does on a
                # first start): say so, rather than "Concurrent update" with no explanation.
                log.info(
                    "task %s %s: %s at the same moment (sites that share a manifest sync at "
                    "once); nothing is lost: retry in %.1fs, reading it afresh",
                    task.name.value,
                    task.id,
                    problem.detail,
                    delay,
                )
            else:
                log.info(
                    "task %s %s: %s; retry in %.1fs",
                    task.name.value,
                    task.id,
                    problem.title,
                    delay,
                )
            return RunOutcome(retry_in=delay) if kept else RunOutcome()
        if retryable:
            problem = msgspec.structs.replace(
                problem, detail=_gave_up(task.run_attempts, elapsed, retry, problem.detail)
            )
        await self._tasks.finish(
            task.id, attempt=task.attempts, status=TaskStatus.FAILURE, at=now, error=problem
        )
        await self._uow.commit()
        log.info("task %s %s: failed: %s", task.name.value, task.id, problem.title)
        return RunOutcome()


def _gave_up(attempts: int, elapsed: float, retry: RetryPolicy, detail: str) -> str:
    """Why a task that met only transient failures stopped, in words its owner can act on."""
    limit = (
        "the most attempts a task makes"
        if retry.gives_up_after(attempts)
        else "the time a task keeps trying"
    )
    return (
        f"gave up after {attempts} attempts in {_duration(elapsed)} ({limit}); the last "
        f"error: {detail}. Nothing done so far is lost: retry the task and it resumes where "
        "it stopped."
    )


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def problem_for(exc: Exception) -> TaskProblem:
    """What a person following the task is told about an error."""
    match exc:
        case RcrainfoError():
            return TaskProblem(
                title=_RCRAINFO_TITLES[exc.kind],
                detail=exc.message,
                kind=exc.kind.value,
                code=exc.code,
                errors=tuple(_field_problem(p) for p in exc.field_errors),
                warnings=tuple(_field_problem(p) for p in exc.warnings),
            )
        case ManifestShapeError():
            return TaskProblem(
                title="Invalid manifest",
                detail=str(exc),
                kind="invalid",
                errors=tuple(FieldProblem(field=p.field, message=p.message) for p in exc.problems),
            )
        case InvalidValue():
            return TaskProblem(
                title="Invalid input",
                detail=str(exc),
                kind="invalid",
                errors=(FieldProblem(field=exc.field, message=exc.message),),
            )
        case NotFound():
            return TaskProblem(title="Not found", detail=str(exc), kind="not_found")
        case Forbidden():
            return TaskProblem(title="Forbidden", detail=str(exc), kind="forbidden")
        case Conflict():
            return TaskProblem(title="Conflict", detail=str(exc), kind="conflict")
        case ConcurrentUpdate():
            return TaskProblem(title="Concurrent update", detail=str(exc), kind="transient")
        case ServiceUnavailable():  # the document storage, the cache: an outage passes
            return TaskProblem(title="Service unavailable", detail=str(exc), kind="transient")
        case DomainError():
            return TaskProblem(title="Failed", detail=str(exc), kind="failed")
    return TaskProblem(
        title="Internal error",
        detail="something went wrong on our side; it has been logged",
        kind="internal",
    )


def _field_problem(problem: RcrainfoProblem) -> FieldProblem:
    field = (problem.field or "").strip()
    return FieldProblem(
        field=field.removeprefix("Emanifest.").removeprefix("emanifest."),
        message=problem.message,
        value=problem.value,
    )
