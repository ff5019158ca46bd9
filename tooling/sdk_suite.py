"""`./tracehouse sdk-suite`: the official SDK's own integration tests, run against our stack.

The SDK is the judge of compatibility, so its maintainers' integration suite
(`python/tests/integration_tests` of langchain-ai/langsmith-sdk) is run unchanged against the
running native stack, with that release of the SDK in a virtualenv of its own. Nothing of it is
copied into this repository: the tests are exported from a git checkout into a scratch directory
for each run.

Where the tests come from: --source GITDIR, else $TRACEHOUSE_SDK_REPO, else a blobless clone of
GitHub's repository cached under ~/.cache/tracehouse. Blobs a partial mirror lacks (the recorded
HTTP cassettes of the model-provider wrappers) are skipped; the wrapper tests call real model
providers and are not run.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import venv
from pathlib import Path

SDK_REPO_URL = "https://github.com/langchain-ai/langsmith-sdk"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tracehouse"
TESTS_DIR = "python/tests"
# Needed by the suite's imports and conftest; versions float like the SDK's own dev group.
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
    "opentelemetry-sdk",
    "opentelemetry-exporter-otlp-proto-http",
    "httpx<0.29",
    "multipart",
)


class SuiteError(Exception):
    pass


def _git(git_dir: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", f"--git-dir={git_dir}", *args], check=False, capture_output=True)


def _source_repo(source: str | None) -> Path:
    candidates = [source, os.environ.get("TRACEHOUSE_SDK_REPO")]
    for candidate in filter(None, candidates):
        path = Path(candidate)
        git_dir = path / ".git" if (path / ".git").exists() else path
        if _git(git_dir, "rev-parse", "--git-dir").returncode != 0:
            raise SuiteError(f"{candidate} is not a git repository of langchain-ai/langsmith-sdk")
        return git_dir
    cached = CACHE / "langsmith-sdk.git"
    if not cached.exists():
        print(f"sdk-suite: cloning {SDK_REPO_URL} (blobless) into {cached}", file=sys.stderr)
        subprocess.run(["git", "clone", "--bare", "--filter=blob:none", SDK_REPO_URL, str(cached)], check=True)
    else:
        subprocess.run(["git", f"--git-dir={cached}", "fetch", "--tags", "--quiet", "origin"], check=False)
    return cached


def export_tests(git_dir: Path, ref: str, into: Path) -> int:
    """Write `python/tests` and its root conftest at `ref` into `into` (cassettes left out);
    returns the file count."""
    listing = _git(git_dir, "ls-tree", "-r", "--name-only", ref, TESTS_DIR, "python/conftest.py")
    if listing.returncode != 0:
        raise SuiteError(f"{ref} is not in {git_dir}: {listing.stderr.decode().strip()}")
    count = 0
    for name in listing.stdout.decode().splitlines():
        if "/cassettes/" in name:
            continue
        blob = _git(git_dir, "show", f"{ref}:{name}")
        if blob.returncode != 0:
            continue  # a blob the partial mirror lacks
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob.stdout)
        count += 1
    (into / "python" / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\ntimeout = 120\ntimeout_method = thread\n"
        "markers =\n  slow\n  require_clickhouse\n  require_v2\n"
    )
    return count


def sdk_venv(version: str) -> Path:
    """A virtualenv with langsmith==version and the suite's test deps (cached per version)."""
    home = CACHE / f"sdk-venv-{version}"
    python = home / "bin" / "python"
    marker = home / ".complete"
    if not marker.exists():
        print(f"sdk-suite: creating {home} (langsmith=={version})", file=sys.stderr)
        venv.create(home, with_pip=True, clear=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"langsmith=={version}", *TEST_DEPS], check=True)
        marker.write_text(version)
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
    ref: str,
    sdk_version: str,
    source: str | None,
    report_dir: Path,
    pytest_args: list[str],
) -> int:
    git_dir = _source_repo(source)
    python = sdk_venv(sdk_version)
    scratch = Path(f"/tmp/tracehouse-sdk-suite-{os.getpid()}")
    files = export_tests(git_dir, ref, scratch)
    workspace = f"sdk-suite-{ref}-{int(time.time())}"
    env = {
        **os.environ,
        "LANGSMITH_ENDPOINT": f"{url}/api/v1",
        "LANGSMITH_API_KEY": _api_key(stack_env, workspace),
        "LANGSMITH_TRACING": "true",
        "PYTHONPATH": str(scratch / "python"),
    }
    report_dir.mkdir(parents=True, exist_ok=True)
    junit = report_dir / f"sdk-suite-{ref}-langsmith-{sdk_version}.xml"
    args = pytest_args or [
        "tests/integration_tests",
        "--ignore=tests/integration_tests/wrappers",
    ]
    print(
        f"sdk-suite: {files} files of {ref} against {url} with langsmith=={sdk_version}, workspace {workspace}",
        file=sys.stderr,
    )
    code = subprocess.call(
        [str(python), "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rfE", f"--junitxml={junit}", *args],
        cwd=scratch / "python",
        env=env,
    )
    print(f"sdk-suite: junit report in {junit}", file=sys.stderr)
    return code
