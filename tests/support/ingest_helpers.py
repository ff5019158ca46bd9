"""Helpers for ingestion tests: build SDK-shaped multipart bodies, read what landed in ClickHouse."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec

from app.core.clickhouse import ClickHouse
from app.core.settings import QueueSettings, load_settings
from tooling.runner.stack import NativeStack

T = TypeVar("T")
BOUNDARY = "tracehouseboundary0123456789abcd"


def clickhouse(stack: NativeStack) -> ClickHouse:
    return ClickHouse(load_settings(QueueSettings, stack.env()).clickhouse, pool_size=1)


def wait_for(probe: Callable[[], T], *, timeout: float = 30.0, what: str = "condition") -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; last value {value!r}")
        time.sleep(0.2)


def multipart(parts: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    chunks = []
    for name, content_type, data in parts:
        chunks.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n'
            f"Content-Type: {content_type}\r\nContent-Length: {len(data)}\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    return b"".join(chunks) + f"--{BOUNDARY}--\r\n".encode(), f"multipart/form-data; boundary={BOUNDARY}"


def json_part(name: str, value: Any) -> tuple[str, str, bytes]:
    return (name, "application/json", msgspec.json.encode(value))


def iso(when: dt.datetime) -> str:
    return when.isoformat()


def root_run(name: str = "root", project: str = "ingest-test", **fields: Any) -> dict[str, Any]:
    """A run as the SDK's RunTree posts it (UUIDv4 ids are fine; the SDK uses v7)."""
    run_id = str(uuid.uuid4())
    start = dt.datetime.now(dt.UTC)
    dotted = start.strftime("%Y%m%dT%H%M%S%fZ") + run_id
    return {
        "id": run_id,
        "trace_id": run_id,
        "dotted_order": dotted,
        "name": name,
        "run_type": "chain",
        "start_time": iso(start),
        "session_name": project,
        "inputs": {"q": name},
        **fields,
    }


def child_run(parent: dict[str, Any], name: str = "child", **fields: Any) -> dict[str, Any]:
    run_id = str(uuid.uuid4())
    start = dt.datetime.now(dt.UTC)
    dotted = parent["dotted_order"] + "." + start.strftime("%Y%m%dT%H%M%S%fZ") + run_id
    return {
        "id": run_id,
        "trace_id": parent["trace_id"],
        "parent_run_id": parent["id"],
        "dotted_order": dotted,
        "name": name,
        "run_type": "tool",
        "start_time": iso(start),
        "session_name": parent["session_name"],
        "inputs": {"x": 1},
        **fields,
    }


def run_rows(ch: ClickHouse, workspace_id: str, columns: str = "id, name, status") -> list[tuple[Any, ...]]:
    return ch.query(
        f"SELECT {columns} FROM runs FINAL WHERE workspace_id = %(w)s ORDER BY dotted_order",
        {"w": workspace_id},
    )
