"""The writer stores each run's one-line previews (app/core/previews.py) with its row: equal to
the preview of the payloads it stored, after a patch that brings outputs and an error later, and
for an input of megabytes."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from app.core.previews import error_preview, preview
from tests.conftest import Tenant
from tests.support.ingest_helpers import clickhouse, json_part, multipart, root_run, run_rows, wait_for
from tooling.runner.stack import NativeStack

pytestmark = pytest.mark.stack
COLUMNS = "id, name, inputs, outputs, error, inputs_preview, outputs_preview, error_preview"
HUGE = {"document": "lorem ipsum " * 400_000, "question": None}  # ~5 MB, no text key to stop at
ERROR = "RuntimeError('late failure')\n\nTraceback (most recent call last):\n  File \"a.py\", line 3"


def _send(tenant: Tenant, parts: list[tuple[str, str, bytes]]) -> None:
    body, content_type = multipart(parts)
    response = tenant.client.post("/runs/multipart", content=body, headers={"content-type": content_type})
    assert response.status_code == 202, response.text


def _rows(stack: NativeStack, tenant: Tenant) -> dict[str, dict[str, Any]]:
    rows = run_rows(clickhouse(stack), tenant.workspace_id, COLUMNS)
    return {row[1]: dict(zip(COLUMNS.split(", "), row, strict=True)) for row in rows}


def _expected(row: dict[str, Any]) -> tuple[str, str, str]:
    """What ingest should have stored: the previews of the payloads the row holds."""
    inputs = msgspec.json.decode(row["inputs"]) if row["inputs"] else None
    outputs = msgspec.json.decode(row["outputs"]) if row["outputs"] else None
    return preview(inputs, user=True), preview(outputs, user=False), error_preview(row["error"]) or ""


def test_ingest_stores_previews_of_the_payloads(stack: NativeStack, tenant: Tenant) -> None:
    chat = root_run(
        "chat",
        "previews",
        inputs={"messages": [{"role": "system", "content": "terse"}, {"role": "user", "content": "sky\ncolour?"}]},
        outputs={"choices": [{"message": {"role": "assistant", "content": "Blue."}}]},
    )
    huge = root_run("huge", "previews", inputs=HUGE, outputs={"n": 3, "ok": True})
    late = root_run("late", "previews", inputs={"a": 1, "b": [1, 2]})
    bare = root_run("bare", "previews", inputs={})
    _send(tenant, [json_part(f"post.{r['id']}", r) for r in (chat, late, bare)])
    _send(tenant, [json_part(f"post.{huge['id']}", huge)])
    wait_for(lambda: len(_rows(stack, tenant)) == 4, what="the posted runs")
    rows = _rows(stack, tenant)
    for name, row in rows.items():
        stored = (row["inputs_preview"], row["outputs_preview"], row["error_preview"])
        assert stored == _expected(row), name
    assert rows["chat"]["inputs_preview"] == "sky colour?" and rows["chat"]["outputs_preview"] == "Blue."
    assert rows["huge"]["inputs_preview"].startswith("document: lorem ipsum lorem")
    assert len(rows["huge"]["inputs_preview"]) == 240
    assert (rows["late"]["outputs_preview"], rows["late"]["error_preview"]) == ("", "")
    assert (rows["bare"]["inputs_preview"], rows["bare"]["outputs_preview"]) == ("", "")

    # A later patch (another batch: the writer merges it into the stored state) brings outputs
    # and an error; the inputs' preview stays that of the post.
    patch = {
        "id": late["id"],
        "trace_id": late["id"],
        "dotted_order": late["dotted_order"],
        "end_time": late["start_time"],
    }
    patch |= {"outputs": {"answer": "forty-two"}, "error": ERROR}
    _send(tenant, [json_part(f"patch.{late['id']}", patch)])
    wait_for(lambda: _rows(stack, tenant)["late"]["error"], what="the patch")
    row = _rows(stack, tenant)["late"]
    stored = (row["inputs_preview"], row["outputs_preview"], row["error_preview"])
    assert stored == _expected(row) == ("a: 1 · b: [1,2]", "forty-two", "RuntimeError('late failure')")
