"""Tasks in traces and metrics: a Dramatiq middleware on the process's broker.

Enqueue: a PRODUCER span, whose W3C trace context goes into the message's options
(`trace_context`), so the message carries the trace of the request or job that sent it.
Process: the worker takes the context out of the message and runs the task in a CONSUMER span
of that trace; the actor's coroutine, run on the event loop from this thread, inherits it.
Metrics: runs by task and outcome (done, retry, error, skipped) and their duration.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

import dramatiq
from dramatiq.broker import MessageProxy
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Tracer

from haztrak.entrypoints.telemetry.tracing import record_error

if TYPE_CHECKING:
    from haztrak.entrypoints.telemetry.metrics import Metrics

CONTEXT_OPTION = "trace_context"
TASK_NAME_OPTION = "task_name"


def task_name(message: dramatiq.Message[Any] | MessageProxy) -> str:
    name = message.options.get(TASK_NAME_OPTION)
    return name if isinstance(name, str) else message.actor_name


class TaskTelemetry(dramatiq.Middleware):
    def __init__(self, tracer: Tracer | None, metrics: Metrics | None) -> None:
        self._tracer = tracer
        self._metrics = metrics
        self._local = threading.local()  # a worker thread processes one message at a time

    # -- the sender ------------------------------------------------------------------------

    def before_enqueue(
        self, broker: dramatiq.Broker, message: dramatiq.Message[Any], delay: int | None
    ) -> None:
        if self._tracer is None:
            return
        if not trace.get_current_span().get_span_context().is_valid:
            return  # nothing to carry; a retry keeps the context its message already has
        name = task_name(message)
        span = self._tracer.start_span(
            f"enqueue {name}",
            kind=SpanKind.PRODUCER,
            attributes={
                "messaging.system": "dramatiq",
                "messaging.operation.type": "send",
                "messaging.destination.name": message.queue_name,
                "messaging.message.id": message.message_id,
                "haztrak.task.name": name,
                "haztrak.task.id": _task_id(message),
            },
        )
        carrier: dict[str, str] = {}
        propagate.inject(carrier, context=trace.set_span_in_context(span))
        message.options[CONTEXT_OPTION] = carrier
        span.end()

    # -- the worker ------------------------------------------------------------------------

    def before_process_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        self._local.started = time.perf_counter()
        self._local.span = self._local.token = None
        if self._tracer is None:
            return
        carrier = message.options.get(CONTEXT_OPTION)
        parent = propagate.extract(carrier if isinstance(carrier, dict) else {})
        name = task_name(message)
        span = self._tracer.start_span(
            f"task {name}",
            context=parent,
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "dramatiq",
                "messaging.operation.type": "process",
                "messaging.destination.name": message.queue_name,
                "messaging.message.id": message.message_id,
                "haztrak.task.name": name,
                "haztrak.task.id": _task_id(message),
                "haztrak.task.delivery": int(message.options.get("retries", 0)) + 1,
            },
        )
        self._local.span = span
        self._local.token = otel_context.attach(trace.set_span_in_context(span, parent))

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: MessageProxy,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        if exception is None:
            outcome = "done"
        elif isinstance(exception, dramatiq.Retry):
            outcome = "retry"  # the task asked to run again later (a transient failure)
        else:
            outcome = "error"
        self._finish(message, outcome, exception if outcome == "error" else None)

    def after_skip_message(self, broker: dramatiq.Broker, message: MessageProxy) -> None:
        self._finish(message, "skipped", None)

    def _finish(self, message: MessageProxy, outcome: str, error: BaseException | None) -> None:
        started = getattr(self._local, "started", None)
        if self._metrics is not None and started is not None:
            self._metrics.task_run(task_name(message), outcome, time.perf_counter() - started)
        span = getattr(self._local, "span", None)
        token = getattr(self._local, "token", None)
        self._local.span = self._local.token = self._local.started = None
        if span is not None:
            span.set_attribute("haztrak.task.outcome", outcome)
            if error is not None:
                record_error(span, error)
            span.end()
        if token is not None:
            otel_context.detach(token)


def _task_id(message: dramatiq.Message[Any] | MessageProxy) -> str:
    return str(message.args[0]) if message.args else ""
