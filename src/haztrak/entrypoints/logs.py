"""Logging for every process: readable lines on a console, or one JSON object per line."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from types import TracebackType

from haztrak.entrypoints.settings import LogFormat, LogSettings

# `color_message` is uvicorn's copy of a message with ANSI colour codes: never a field.
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({})).keys()) | {
    "message",
    "asctime",
    "color_message",
}

# Errors of the database drivers and SQLAlchemy quote what was sent: SQLAlchemy appends the
# statement's parameters, asyncpg names a value it could not encode, PostgreSQL's DETAIL
# repeats a duplicate key. Those values are emails, token hashes, API IDs: a log shows only
# the kind of error, its SQLSTATE and the statement (placeholders, never values).
_DRIVER_MODULES = ("sqlalchemy.", "asyncpg.", "sqlite3", "aiosqlite.", "psycopg")

REQUEST_ID: ContextVar[str | None] = ContextVar("haztrak_request_id", default=None)
"""The id of the HTTP request this code serves (set by the request log middleware)."""

TraceIds = Callable[[], tuple[str, str] | None]
_trace_ids: TraceIds | None = None


def use_trace_ids(lookup: TraceIds | None) -> None:
    """Telemetry, when tracing is on, tells each log line its trace and span ids."""
    global _trace_ids  # noqa: PLW0603 - one per process, like the logging configuration
    _trace_ids = lookup


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


def _is_driver_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith(_DRIVER_MODULES)


def _withheld(exc: BaseException) -> str:
    """What a driver error may say in a log: its SQLSTATE, constraint and statement."""
    facts = []
    orig = getattr(exc, "orig", None)
    if orig is not None:
        facts.append(f"from {type(orig).__module__}.{type(orig).__qualname__}")
    for source in (exc, orig):
        code = getattr(source, "sqlstate", None) or getattr(source, "pgcode", None)
        if isinstance(code, str):
            facts.append(f"SQLSTATE {code}")
            break
    for source in (exc, orig, getattr(orig, "__cause__", None)):
        constraint = getattr(source, "constraint_name", None)
        if isinstance(constraint, str):
            facts.append(f"constraint {constraint}")
            break
    statement = getattr(exc, "statement", None)
    if isinstance(statement, str):
        facts.append(f"SQL: {' '.join(statement.split())[:500]}")
    facts.append("message withheld: it may quote stored values")
    return "; ".join(facts)


def format_exception_safely(exc_info: ExcInfo) -> str:
    """A traceback in which no database driver error quotes parameters or stored values."""
    _, exc, tb = exc_info
    if exc is None:
        return ""
    chain = traceback.TracebackException(type(exc), exc, tb, compact=True)
    seen: set[int] = set()
    pending: list[tuple[traceback.TracebackException, BaseException]] = [(chain, exc)]
    while pending:
        te, error = pending.pop()
        if id(error) in seen:
            continue
        seen.add(id(error))
        if _is_driver_error(error):
            te._str = _withheld(error)  # type: ignore[attr-defined]  # the message line
        if te.__cause__ is not None and error.__cause__ is not None:
            pending.append((te.__cause__, error.__cause__))
        if te.__context__ is not None and error.__context__ is not None:
            pending.append((te.__context__, error.__context__))
    return "".join(chain.format()).rstrip("\n")


class ConsoleFormatter(logging.Formatter):
    def formatException(self, ei: ExcInfo) -> str:
        return format_exception_safely(ei)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id is not None:
            data["request_id"] = request_id
        ids = _trace_ids() if _trace_ids is not None else None
        if ids is not None:
            data["trace_id"], data["span_id"] = ids
        data |= {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS}
        if record.exc_info:
            data["exception"] = format_exception_safely(record.exc_info)
        return json.dumps(data, default=str)


class UvicornNames(logging.Filter):
    """uvicorn writes its start and stop lines ("Started server process", "Waiting for
    application startup") on a logger named `uvicorn.error`; at INFO they are no error, so they
    go out as `uvicorn`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.error" and record.levelno < logging.WARNING:
            record.name = "uvicorn"
        return True


def configure_logging(settings: LogSettings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(UvicornNames())
    if settings.format is LogFormat.JSON:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(ConsoleFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    # No line we print says where a call came from, or its thread or process: skip finding
    # them out for every record (the logging HOWTO's optimisations; the request line went
    # from ~45 to ~26 us of CPU on the benchmark machine).
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.level)
    # Request logs of the HTTP server would print URLs; our own middleware logs requests.
    # APScheduler says at INFO every time a job runs ("Running job ...", "Job ... executed
    # successfully") and when jobs are added; the scheduler logs what each run started.
    for noisy in (
        "uvicorn.access",
        "urllib3",
        "asyncio",
        "alembic",
        "httpx",
        "aiosqlite",
        "apscheduler",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("uvicorn.error").handlers.clear()
    logging.getLogger("uvicorn.error").propagate = True
