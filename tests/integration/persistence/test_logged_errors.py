"""A database error that reaches a log shows no statement parameter and no stored value."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from haztrak.adapters.persistence import database
from haztrak.entrypoints.logs import configure_logging
from haztrak.entrypoints.settings import LogFormat, LogSettings

EMAIL = "private.person@example.com"
TOKEN_HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


async def _errors(url: str) -> list[Exception]:
    """A duplicate key and a value the column type refuses, each sent as a parameter."""
    engine = database.create_engine(url)
    errors: list[Exception] = []
    try:
        async with engine.connect() as conn:
            await conn.execute(text("CREATE TEMPORARY TABLE people (email TEXT UNIQUE)"))
            await conn.execute(text("INSERT INTO people VALUES (:email)"), {"email": EMAIL})
            try:
                await conn.execute(text("INSERT INTO people VALUES (:email)"), {"email": EMAIL})
            except Exception as exc:
                errors.append(exc)
            await conn.rollback()
            try:
                await conn.execute(
                    text("SELECT CAST(:hash AS INTEGER) + 1 FROM (SELECT 1) AS one WHERE 1 = :one"),
                    {"hash": TOKEN_HASH, "one": TOKEN_HASH},
                )
            except Exception as exc:
                errors.append(exc)
    finally:
        await engine.dispose()
    return errors


@pytest.mark.parametrize("log_format", [LogFormat.JSON, LogFormat.CONSOLE])
async def test_database_errors_log_no_parameters(
    database_url: str,
    log_format: LogFormat,
    capsys: pytest.CaptureFixture[str],
    restore_logging: None,
) -> None:
    errors = await _errors(database_url)
    assert errors, "the statements were meant to fail"
    configure_logging(LogSettings(level="INFO", format=log_format))
    for error in errors:
        try:
            raise RuntimeError("a request failed") from error
        except RuntimeError:
            logging.getLogger("haztrak.http").exception("unhandled error on POST /api/x")

    logged = capsys.readouterr().err
    assert "unhandled error on POST /api/x" in logged
    assert "message withheld" in logged
    assert "INSERT INTO people" in logged  # the statement helps; its values do not
    assert EMAIL not in logged
    assert TOKEN_HASH not in logged
    assert "[parameters" not in logged
    if log_format is LogFormat.JSON:
        for line in logged.splitlines():
            json.loads(line)
