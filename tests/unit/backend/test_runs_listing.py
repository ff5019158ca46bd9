"""The run reads name only columns the runs table really has: /runs/query's select fields and the
single-run read; a page with previews reads no payload column; the previews themselves."""

from __future__ import annotations

import re

from app.backend.runs.listing import (
    ALWAYS,
    COLUMNS,
    DEFAULT_SELECT,
    JSON_FIELDS,
    PREVIEW_FIELDS,
    RunsQuery,
    build_query,
)
from app.backend.runs.queries import PAGE_PAYLOADS_ANY_PROJECT, PAGE_PAYLOADS_IN_PROJECTS, RUN_READ_COLUMNS
from app.core.previews import error_preview, preview
from app.core.tables import RUN_COLUMNS, UNWRITTEN_COLUMNS


def test_every_mapped_column_is_a_runs_table_column() -> None:
    table = {*RUN_COLUMNS, *UNWRITTEN_COLUMNS}
    stray = {field: column for field, column in COLUMNS.items() if column is not None and column not in table}
    assert stray == {}


def test_the_single_run_read_names_table_columns() -> None:
    assert set(RUN_READ_COLUMNS) - {*RUN_COLUMNS, *UNWRITTEN_COLUMNS} == set()


def test_default_and_always_selected_fields_are_mapped() -> None:
    assert set(ALWAYS) <= set(COLUMNS)
    assert set(DEFAULT_SELECT) <= set(COLUMNS)
    assert JSON_FIELDS <= {field for field, column in COLUMNS.items() if column is not None}


def test_a_page_with_previews_reads_no_payload_column() -> None:
    """The runs table selects previews: its page query (which may sort past many runs) must not
    read inputs, outputs or error; the previews' own query reads them for the page's ids only."""
    select = ["name", "status", "latency", *PREVIEW_FIELDS]
    for sort_by in ("start_time", "latency", "total_cost"):
        sql, _, columns, _ = build_query(RunsQuery(select=select, sort_by=sort_by), "w")
        assert not {"inputs", "outputs", "error"} & set(columns), (sort_by, columns)
        # The stored previews' columns (inputs_preview, ...) are read; the payloads never are.
        assert not re.search(r"\b(inputs|outputs|error)\b", sql), sql
    for payloads in (PAGE_PAYLOADS_ANY_PROJECT, PAGE_PAYLOADS_IN_PROJECTS):
        assert "id IN %(ids)s" in payloads and "workspace_id = %(workspace_id)s" in payloads


def test_previews() -> None:
    chat = {"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi  there\n"}]}
    assert preview(chat, user=True) == "hi there"
    lc = [[{"lc": 1, "type": "constructor", "id": ["x", "HumanMessage"], "kwargs": {"content": "from langchain"}}]]
    assert preview({"messages": lc}, user=True) == "from langchain"
    assert preview({"question": "why?", "history": [{"role": "user", "content": "old"}]}, user=True) == "why?"
    assert preview({"a": 1, "b": "two"}, user=True) == "a: 1 · b: two"
    assert preview([1, 2], user=False) == "[1,2]"
    assert preview({}, user=False) == "" and preview(None, user=False) == ""
    assert len(preview({"text": "x" * 1000}, user=False)) == 240
    assert error_preview("\n  KeyError('k')\nTraceback ...") == "KeyError('k')"
    assert error_preview("") is None and error_preview(None) is None
