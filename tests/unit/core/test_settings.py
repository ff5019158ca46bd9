"""Settings: typed, loaded once from the environment, failing at start with the key named."""

from __future__ import annotations

import subprocess
import sys

import msgspec
import pytest

from app.core import settings as s
from tooling.runner.envfile import parse_env_file
from tooling.runner.stack import REPO_ROOT

MINIMAL = {
    "POSTGRES_DSN": "postgresql://u:p@db:5432/tracehouse",
    "CLICKHOUSE_HOST": "ch",
    "REDIS_URL": "redis://redis:6379/0",
}
PROCESS_SETTINGS = [
    s.BackendSettings,
    s.PlatformSettings,
    s.PlaygroundSettings,
    s.QueueSettings,
    s.StoreRunnerSettings,
    s.MigrateSettings,
    s.CliSettings,
]


def all_keys(cls: type) -> dict[str, object]:
    """Every env key a process settings class reads, with its default (NODEFAULT if required)."""
    keys: dict[str, object] = {}
    for group in msgspec.structs.fields(cls):
        for field in msgspec.structs.fields(group.type):
            keys[group.type.env_prefix + field.encode_name] = field.default
    return keys


def test_defaults_and_types() -> None:
    loaded = s.load_settings(s.BackendSettings, {**MINIMAL, "BACKEND_PORT": "8080", "CLICKHOUSE_SECURE": "true"})
    assert loaded.server.port == 8080
    assert loaded.server.host == "0.0.0.0"
    assert loaded.clickhouse.clickhouse_secure is True
    assert loaded.clickhouse.clickhouse_port == 9000
    assert loaded.auth.api_key_cache_seconds == 10


def test_empty_value_means_default() -> None:
    loaded = s.load_settings(s.BackendSettings, {**MINIMAL, "BACKEND_PORT": "", "LOG_LEVEL": ""})
    assert loaded.server.port == 1984
    assert loaded.log.log_level == "info"


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ({"POSTGRES_DSN": ""}, "POSTGRES_DSN"),
        ({"POSTGRES_DSN": "mysql://x@y/z"}, "POSTGRES_DSN"),
        ({"BACKEND_PORT": "eighty"}, "BACKEND_PORT"),
        ({"BACKEND_PORT": "70000"}, "BACKEND_PORT"),
        ({"USER_CONTENT_ORIGIN": "usercontent.example.net"}, "USER_CONTENT_ORIGIN"),
        ({"USER_CONTENT_ORIGIN": "https://usercontent.example.net/files"}, "USER_CONTENT_ORIGIN"),
        ({"CLICKHOUSE_SECURE": "maybe"}, "CLICKHOUSE_SECURE"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"REDIS_URL": "http://redis"}, "REDIS_URL"),
        ({"CLICKHOUSE_DATABASE": "a;drop"}, "CLICKHOUSE_DATABASE"),
        ({"API_KEY_CACHE_SECONDS": "-1"}, "API_KEY_CACHE_SECONDS"),
        ({"PUBLIC_URL": "javascript:alert(1)"}, "PUBLIC_URL"),
        ({"PUBLIC_URL": "tracehouse.example.com"}, "PUBLIC_URL"),
        ({"PUBLIC_URL": "ftp://tracehouse.example.com"}, "PUBLIC_URL"),
    ],
)
def test_invalid_value_names_the_key(override: dict[str, str], key: str) -> None:
    with pytest.raises(s.SettingsError) as excinfo:
        s.load_settings(s.BackendSettings, {**MINIMAL, **override})
    assert key in str(excinfo.value)


def test_public_url_builds_links() -> None:
    default = s.load_settings(s.PlatformSettings, MINIMAL).public
    assert default.link("/invite/x") == "http://localhost:1980/invite/x"
    set_ = s.load_settings(s.BackendSettings, {**MINIMAL, "PUBLIC_URL": "https://th.example.com/"}).public
    assert set_.link("/api/v1/feedback/tokens/t") == "https://th.example.com/api/v1/feedback/tokens/t"


def test_missing_required_key_is_named() -> None:
    env = dict(MINIMAL)
    del env["REDIS_URL"]
    with pytest.raises(s.SettingsError, match="REDIS_URL"):
        s.load_settings(s.PlatformSettings, env)


@pytest.mark.parametrize(
    ("module", "key", "value", "said"),
    [
        ("app.platform", "PLATFORM_WORKERS", "lots", "PLATFORM_WORKERS"),
        # A malformed egress allowlist must not quietly allow or refuse something else.
        ("playground", "PLAYGROUND_ALLOWED_HOSTS", "gopher://x", "gopher"),
    ],
)
def test_service_refuses_to_start_with_bad_settings(module: str, key: str, value: str, said: str) -> None:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT), **MINIMAL, key: value}
    result = subprocess.run(
        [sys.executable, "-m", module],
        env=env,
        capture_output=True,
        check=False,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 2
    assert key in result.stderr and said in result.stderr
    assert "Traceback" not in result.stderr


# Keys whose .env.example value is the bundled stack's, not the code default (documented there).
BUNDLED_VALUES = {"CLICKHOUSE_USER", "CLICKHOUSE_PASSWORD"}


def test_env_example_documents_every_key_with_its_default() -> None:
    example = parse_env_file(REPO_ROOT / ".env.example")
    for cls in PROCESS_SETTINGS:
        for key, default in all_keys(cls).items():
            assert key in example, f"{key} ({cls.__name__}) is missing from .env.example"
            if default is not msgspec.NODEFAULT and default is not None and key not in BUNDLED_VALUES:
                shown = example[key]
                expected = str(default).lower() if isinstance(default, bool) else str(default)
                assert shown == expected, f".env.example shows {key}={shown}, default is {expected}"


def test_env_example_loads_for_every_process() -> None:
    example = parse_env_file(REPO_ROOT / ".env.example")
    for cls in PROCESS_SETTINGS:
        s.load_settings(cls, example)


def test_env_file_parser() -> None:
    from tempfile import NamedTemporaryFile

    with NamedTemporaryFile("w", suffix=".env", delete=False) as f:
        f.write("# comment\nA=1\nexport B = two \nC='quoted # not a comment'\nD=x # trailing\nE=\n")
    values = parse_env_file(__import__("pathlib").Path(f.name))
    assert values == {"A": "1", "B": "two", "C": "quoted # not a comment", "D": "x", "E": ""}


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ({"ALERT_EVALUATION_SECONDS": "5"}, "ALERT_EVALUATION_SECONDS"),
        ({"ALERT_EVALUATION_SECONDS": "often"}, "ALERT_EVALUATION_SECONDS"),
        ({"WEBHOOK_TIMEOUT_SECONDS": "0"}, "WEBHOOK_TIMEOUT_SECONDS"),
        ({"PLAYGROUND_ALLOWED_HOSTS": "gopher://x"}, "PLAYGROUND_ALLOWED_HOSTS"),
    ],
)
def test_alert_settings_name_the_bad_key(override: dict[str, str], key: str) -> None:
    for process in (s.BackendSettings, s.QueueSettings):
        with pytest.raises(s.SettingsError) as excinfo:
            s.load_settings(process, {**MINIMAL, **override})
        assert key in str(excinfo.value)
