"""Log lines: JSON for shippers with the request id stamped on, text for people."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from app.core.logging import configure_logging, request_id_var
from app.core.settings import LogSettings


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_carry_the_request_id(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LogSettings(log_level="info", log_format="json"), "backend")
    token = request_id_var.set("req-42")
    try:
        logging.getLogger("tracehouse.test").info("hello %s", "world")
    finally:
        request_id_var.reset(token)
    logging.getLogger("tracehouse.test").debug("below the level")
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["msg"] == "hello world"
    assert entry["request_id"] == "req-42"
    assert entry["level"] == "info"
    assert entry["service"] == "backend"


def test_text_lines_name_the_service(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(LogSettings(log_level="debug", log_format="text"), "platform")
    logging.getLogger("tracehouse.test").debug("visible")
    line = capsys.readouterr().err.strip()
    assert " platform [-] tracehouse.test: visible" in line
