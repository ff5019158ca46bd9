"""`./tracehouse sdk-suite`: the official SDK's own integration tests, run against our stack.

The SDK is the judge of compatibility, so its maintainers' integration suite
(`tests/integration_tests` of langchain-ai/langsmith-sdk's Python package) is run unchanged
against the running native stack, with that release of the SDK in a virtualenv of its own. The
tests come from the release's source distribution on PyPI (which ships them), unpacked into a
scratch directory for each run: nothing of it is copied into this repository, and no GitHub access
is needed. The wrapper tests call real model providers and are not run by default.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tarfile
import time
import venv
from pathlib import Path

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tracehouse"
# Needed by the suite's imports and conftests; versions float like the SDK's own dev group.
TEST_DEPS = (
    "pytest>=8",
    "pytest-asyncio>=0.21",
    "pytest-timeout",
    "pytest-rerunfailures",
    "vcrpy>=7",
    "freezegun",
    "fastapi",
    "uvicorn",
    "requests-toolbelt",
    "pydantic>=2",
    "langchain-core>=1.0,<1.5",
    # The prompt tests convert pulled prompts and build provider models with these (they never
    # call the providers).
    "langchain-openai",
    "langchain-anthropic",
    "opentelemetry-sdk",
    "opentelemetry-exporter-otlp-proto-http",
    "httpx<0.29",
    "multipart",
    "dirty-equals",
    "respx",
)
# Our own pytest settings for the run (a pytest.ini wins over the sdist's pyproject, whose addopts
# assume plugins such as xdist): the markers the suite uses, and a per-test timeout that fails the
# one test (signal) instead of ending the whole run (thread).
PYTEST_INI = """[pytest]
asyncio_mode = auto
timeout = 90
timeout_method = signal
markers =
  slow: long-running tests
  require_clickhouse: legacy SDK methods
  require_v2: the SDK's generated v2 client
"""
# Newer sdists read --runslow and --vcr-mode in the integration conftest but define them in a
# conftest they do not ship; this plugin adds them when missing.
OPTIONS_PLUGIN = """def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False)
    parser.addoption("--vcr-mode", default="once")
"""


class SuiteError(Exception):
    pass


def unpack_tests(version: str, into: Path) -> Path:
    """The sdist of langsmith==version, unpacked into `into`; returns its root directory."""
    sdists = CACHE / "sdists"
    sdists.mkdir(parents=True, exist_ok=True)
    archive = sdists / f"langsmith-{version}.tar.gz"
    if not archive.exists():
        download = subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
             "-d", str(sdists), f"langsmith=={version}"],
            check=False, capture_output=True, text=True,
        )  # fmt: skip
        if download.returncode != 0 or not archive.exists():
            raise SuiteError(f"could not download the langsmith {version} sdist: {download.stderr.strip()[-400:]}")
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    root = into / f"langsmith-{version}"
    if not (root / "tests" / "integration_tests").is_dir():
        raise SuiteError(f"the langsmith {version} sdist ships no tests/integration_tests")
    (root / "pytest.ini").write_text(PYTEST_INI)
    root_conftest = root / "conftest.py"
    if "--runslow" not in (root_conftest.read_text() if root_conftest.exists() else ""):
        (root / "tracehouse_suite_options.py").write_text(OPTIONS_PLUGIN)
    return root


def sdk_venv(version: str) -> Path:
    """A virtualenv with langsmith==version and the suite's test deps (cached per version)."""
    home = CACHE / f"sdk-venv-{version}"
    python = home / "bin" / "python"
    marker = home / ".complete"
    wanted = "\n".join((f"langsmith=={version}", *TEST_DEPS))
    if not marker.exists() or marker.read_text() != wanted:
        print(f"sdk-suite: preparing {home} (langsmith=={version})", file=sys.stderr)
        if not python.exists():
            venv.create(home, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *wanted.splitlines()], check=True)
        marker.write_text(wanted)
    return python


def _api_key(env: dict[str, str], workspace: str) -> str:
    from app.core.settings import CliSettings, load_settings
    from tooling.runner.keys import create_key

    settings = load_settings(CliSettings, env)
    key, _ = asyncio.run(
        create_key(settings.postgres.postgres_dsn, workspace, "sdk-suite", org_wide=False, role="admin")
    )
    return key


def run(
    *,
    url: str,
    stack_env: dict[str, str],
    version: str,
    report_dir: Path,
    pytest_args: list[str],
) -> int:
    python = sdk_venv(version)
    scratch = Path(f"/tmp/tracehouse-sdk-suite-{os.getpid()}")
    root = unpack_tests(version, scratch)
    workspace = f"sdk-suite-{version}-{int(time.time())}"
    env = {
        **os.environ,
        "LANGSMITH_ENDPOINT": f"{url}/api/v1",
        "LANGSMITH_API_KEY": _api_key(stack_env, workspace),
        "LANGSMITH_TRACING": "true",
        # Provider model objects in pulled prompts need a key to be built; nothing calls them.
        "OPENAI_API_KEY": os.environ.get("OPENAI_API_KEY", "sk-sdk-suite-unused"),
        "ANTHROPIC_API_KEY": os.environ.get("ANTHROPIC_API_KEY", "sk-ant-sdk-suite-unused"),
        "PYTHONPATH": str(root),
    }
    report_dir.mkdir(parents=True, exist_ok=True)
    junit = report_dir / f"sdk-suite-langsmith-{version}.xml"
    args = pytest_args or ["tests/integration_tests", "--ignore=tests/integration_tests/wrappers"]
    plugin = ["-p", "tracehouse_suite_options"] if (root / "tracehouse_suite_options.py").exists() else []
    print(f"sdk-suite: langsmith {version}'s integration tests against {url}, workspace {workspace}", file=sys.stderr)
    code = subprocess.call(
        [str(python), "-m", "pytest", "-p", "no:cacheprovider", *plugin, "-q", "-rfE", f"--junitxml={junit}", *args],
        cwd=root,
        env=env,
    )
    print(f"sdk-suite: junit report in {junit}; tests unpacked in {root}", file=sys.stderr)
    return code
