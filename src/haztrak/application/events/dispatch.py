"""Handing the outbox's events to their subscribers: the worker's `dispatch_events` task.

The subscriber interface (stable; webhooks and notices implement it):

    class EventSubscriber(Protocol):
        name: str                      # short, stable: "notices", "webhooks"
        async def __call__(self, event: DomainEvent) -> None: ...

- `event` is a `haztrak.domain.events.DomainEvent` (kind, at, mtn, status, site_ids, org_ids,
  user_ids, detail); its `id` is the event's identity.
- A subscriber writes through the ports of the dispatcher's request scope (the same database
  session) and never commits: the dispatcher commits its writes with the event marked
  dispatched, one event at a time, so an event's effects and its dispatch stand or fall
  together.
- It must be idempotent: an event may be handed over again (a dispatcher that died before its
  commit, a retry after another subscriber failed). Key what it writes by the event id (a
  notice per (event, user), a delivery per (event, endpoint)) and skip what exists.
- Slow or remote work (an e-mail, an HTTP call) is not done here: record it and start a task
  for it, keyed by the event id so it runs once.
- Raising rolls the event's writes back; the event is tried again with backoff, up to
  `MAX_ATTEMPTS`, then kept with its last error and not tried again.

Subscribers are listed in entrypoints/event_providers.py (`EventProvider.subscribers`): add one
there by taking it as an argument and appending it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Protocol

from haztrak.application.ports.events import EventOutbox
from haztrak.application.ports.persistence import UnitOfWork
from haztrak.application.ports.security import Clock
from haztrak.application.tasks.run import TaskRun
from haztrak.domain.events import DomainEvent

log = logging.getLogger("haztrak.events")

MAX_ATTEMPTS = 8
BATCH = 100
FIRST_DELAY = timedelta(seconds=30)
KEEP_DISPATCHED = timedelta(days=30)
"""Dispatched events are kept this long (to look into), then deleted by the dispatcher."""


class EventSubscriber(Protocol):
    name: str

    async def __call__(self, event: DomainEvent) -> None: ...


class EventSubscribers(list[EventSubscriber]):
    """Every subscriber of this process, in the order they are handed each event."""


class DispatchEvents:
    """Hand each due event of the outbox to every subscriber, oldest first; the task that
    runs it (TaskName.DISPATCH_EVENTS) goes on until nothing is due."""

    def __init__(
        self,
        outbox: EventOutbox,
        subscribers: EventSubscribers,
        clock: Clock,
        uow: UnitOfWork,
    ) -> None:
        self._outbox = outbox
        self._subscribers: Sequence[EventSubscriber] = subscribers
        self._clock = clock
        self._uow = uow

    async def __call__(self, run: TaskRun | None = None) -> dict[str, int]:
        dispatched = failed = 0
        while True:
            batch = await self._outbox.pending(limit=BATCH, at=self._clock.now())
            if not batch:
                break
            for pending in batch:
                if await self._dispatch(pending.event, pending.attempts):
                    dispatched += 1
                else:
                    failed += 1
            if len(batch) < BATCH:
                break
        pruned = await self._outbox.prune(self._clock.now() - KEEP_DISPATCHED)
        await self._uow.commit()
        return {"dispatched": dispatched, "failed": failed, "pruned": pruned}

    async def _dispatch(self, event: DomainEvent, attempts: int) -> bool:
        try:
            for subscriber in self._subscribers:
                await subscriber(event)
            await self._outbox.mark_dispatched(event.id, self._clock.now())
            await self._uow.commit()
            return True
        except Exception as exc:  # one event's failure must not hold back the others
            await self._uow.rollback()
            tries = attempts + 1
            error = type(exc).__name__  # its message may hold a driver's details
            log.warning(
                "event %s %s: dispatch failed (attempt %d): %s",
                event.kind.value,
                event.id,
                tries,
                type(exc).__name__,
                exc_info=exc,
            )
            now = self._clock.now()
            if tries >= MAX_ATTEMPTS:
                await self._outbox.give_up(event.id, attempts=tries, at=now, error=error)
            else:
                delay = FIRST_DELAY * 2 ** (tries - 1)
                await self._outbox.postpone(
                    event.id, attempts=tries, not_before=now + delay, error=error
                )
            await self._uow.commit()
            return False
