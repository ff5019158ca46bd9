"""Session harness: one real native stack (Postgres, Redis, ClickHouse 26.9 via chdb-core, the
app services and nginx) on free ports in a temp dir, started by the same runner as
`./tracehouse up`. Tests never touch a developer's running stack: nothing here reads ./.tracehouse
or the default ports.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tooling.runner.stack import REPO_ROOT, NativeStack, scratch_dir
from tooling.runner.stores import free_port, remove_tree
from tooling.runner.system import ensure_system_packages

# Short so the test that revokes a key behind the cache's back finishes quickly.
TEST_KEY_CACHE_SECONDS = 2
PLAYGROUND_READ_TIMEOUT = 3


def python_module(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m ARGS` from the repo root, as compose and the runner do; never raises."""
    return subprocess.run(
        [sys.executable, "-m", *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@dataclass
class Tenant:
    key: str
    workspace: str
    org_workspace: str
    client: httpx.Client

    @property
    def workspace_id(self) -> str:
        return self.client.get("/workspaces").json()[0]["id"]


@pytest.fixture(scope="session")
def stack() -> Iterator[NativeStack]:
    ensure_system_packages(quiet=True, for_tests=True)
    data_dir = scratch_dir("tracehouse-test-")
    native = NativeStack(
        data_dir,
        frontend_port=free_port(),
        env_file=REPO_ROOT / ".env.example",
        extra_env={
            "API_KEY_CACHE_SECONDS": str(TEST_KEY_CACHE_SECONDS),
            "LOG_LEVEL": "info",
            # The playground's test upstream (tests/support/model_server.py) listens on loopback; a short
            # read timeout lets the timeout test finish quickly.
            "PLAYGROUND_ALLOWED_HOSTS": "127.0.0.1",
            "PLAYGROUND_READ_TIMEOUT": str(PLAYGROUND_READ_TIMEOUT),
        },
        log=lambda _m: None,
    )
    try:
        native.up()
        yield native
    finally:
        native.down(quiet=True)
        if not os.environ.get("TRACEHOUSE_KEEP_TEST_DATA"):
            remove_tree(data_dir)


@pytest.fixture(scope="session")
def stack_env(stack: NativeStack) -> dict[str, str]:
    return stack.env()


@pytest.fixture(scope="session")
def api_url(stack: NativeStack) -> str:
    return f"{stack.url}/api/v1"


def make_tenant(stack: NativeStack, workspace: str | None = None) -> Tenant:
    from tooling.runner.keys import create_key

    workspace = workspace or f"ws-{uuid.uuid4().hex[:10]}"
    key, org_workspace = asyncio.run(create_key(stack.env()["POSTGRES_DSN"], workspace, "test"))
    client = httpx.Client(base_url=f"{stack.url}/api/v1", headers={"x-api-key": key}, timeout=30)
    return Tenant(key=key, workspace=workspace, org_workspace=org_workspace, client=client)


@pytest.fixture
def tenant(stack: NativeStack) -> Iterator[Tenant]:
    t = make_tenant(stack)
    yield t
    t.client.close()


@pytest.fixture
def other_tenant(stack: NativeStack) -> Iterator[Tenant]:
    t = make_tenant(stack)
    yield t
    t.client.close()


@pytest.fixture
def anonymous(api_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api_url, timeout=30) as client:
        yield client
