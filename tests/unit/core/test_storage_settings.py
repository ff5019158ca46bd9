"""The disk-budget keys: sizes parse in both unit systems, a wrong value fails at start naming it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.core import settings as s
from tooling.runner.stack import REPO_ROOT

MINIMAL = {
    "POSTGRES_DSN": "postgresql://u:p@db:5432/tracehouse",
    "CLICKHOUSE_HOST": "ch",
    "REDIS_URL": "redis://redis:6379/0",
}


@pytest.mark.parametrize(
    ("text", "size"),
    [("200GB", 200 * 10**9), ("1.5TiB", int(1.5 * 2**40)), ("500 mib", 500 * 2**20), ("12", 12), ("3kb", 3000)],
)
def test_budget_sizes(text: str, size: int) -> None:
    settings = s.load_settings(s.QueueSettings, {**MINIMAL, "STORAGE_BUDGET": text})
    assert settings.storage.budget_bytes == size


def test_no_budget_by_default() -> None:
    storage = s.load_settings(s.BackendSettings, MINIMAL).storage
    assert storage.budget_bytes is None and storage.warn_days == 14 and storage.enforce == "off"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("STORAGE_BUDGET", "lots"),
        ("STORAGE_BUDGET", "200 GB of disk"),
        ("STORAGE_BUDGET", "-5GB"),
        ("STORAGE_BUDGET", "0"),
        ("STORAGE_WARN_DAYS", "soon"),
        ("STORAGE_WARN_DAYS", "0"),
        ("STORAGE_ENFORCE", "drop_everything"),
        ("STORAGE_SAMPLE_SECONDS", "1"),
    ],
)
def test_a_wrong_value_names_the_key(key: str, value: str) -> None:
    for cls in (s.QueueSettings, s.BackendSettings):
        with pytest.raises(s.SettingsError) as excinfo:
            s.load_settings(cls, {**MINIMAL, key: value})
        assert key in str(excinfo.value)


def test_the_queue_service_refuses_to_start_with_a_bad_budget() -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT), **MINIMAL, "STORAGE_BUDGET": "huge"}
    result = subprocess.run(
        [sys.executable, "-m", "worker"],
        env=env,
        capture_output=True,
        check=False,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 2
    assert "STORAGE_BUDGET" in result.stderr and "Traceback" not in result.stderr
