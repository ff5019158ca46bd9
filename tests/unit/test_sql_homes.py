"""The SQL rule, read from the code: every SQL statement is a named constant in a `queries.py`
(the resource's, or the core's, worker's, migrator's or runner's own), so whoever looks for the
SQL behind an endpoint finds it where docs/architecture.md says. The filter compiler generates
conditions, never whole statements, so it is not an exception to this."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "worker", "playground", "tooling")
# The start of a statement, as our SQL writes it (upper-case keywords).
STATEMENT = re.compile(
    r"^\s*(SELECT\s|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|CREATE\s+(TABLE|DATABASE|USER)\s"
    r"|ALTER\s+TABLE\s|DROP\s+(TABLE|DATABASE)\s|WITH\s+\w+\s+AS\s*\()"
)


def statements_outside_queries_modules() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name == "queries.py" or "__pycache__" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and STATEMENT.match(node.value):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_sql_lives_in_queries_modules() -> None:
    assert statements_outside_queries_modules() == []


def test_the_pattern_recognises_our_statements() -> None:
    for text in (
        "SELECT id FROM runs",
        "\nINSERT INTO feedback (id) VALUES",
        "UPDATE users SET x = 1",
        "DELETE FROM runs",
    ):
        assert STATEMENT.match(text), text
    for text in ("Select a dataset", "(id IN (SELECT run_id FROM feedback))", "update the docs"):
        assert not STATEMENT.match(text), text
