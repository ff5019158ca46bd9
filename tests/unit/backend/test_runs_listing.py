"""The run reads name only columns the runs table really has: /runs/query's select fields and the
single-run read."""

from __future__ import annotations

from app.backend.runs.listing import ALWAYS, COLUMNS, DEFAULT_SELECT, JSON_FIELDS
from app.backend.runs.queries import RUN_READ_COLUMNS
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
