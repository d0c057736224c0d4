"""Log lines: one JSON object each, without terminal colour codes."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from haztrak.entrypoints.logs import configure_logging
from haztrak.entrypoints.settings import LogFormat, LogSettings


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_drop_uvicorns_coloured_copy(
    capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    configure_logging(LogSettings(level="INFO", format=LogFormat.JSON))
    # What uvicorn logs at start-up: the message, and a copy with ANSI colours for terminals.
    logging.getLogger("uvicorn.error").info(
        "Started server process [%d]",
        4242,
        extra={"color_message": "Started server process [\x1b[36m%d\x1b[0m]", "user": "alice"},
    )
    (line,) = capsys.readouterr().err.splitlines()
    assert "\x1b" not in line
    assert "\\u001b" not in line
    record = json.loads(line)
    assert "color_message" not in record
    assert record["message"] == "Started server process [4242]"
    assert record["user"] == "alice"  # other extras stay
