"""`./tracehouse` end to end: up, api-key create, status, logs, down, and data surviving a restart.

This starts a second, separate native stack through the real CLI (the same entry point as the
shell wrapper) in its own data dir and port.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.runner.stack import REPO_ROOT, scratch_dir
from app.runner.stores import free_port, remove_tree
from tests.conftest import python_module

pytestmark = pytest.mark.stack


def cli(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = python_module("app.cli", "--data-dir", str(data_dir), *args)
    if check:
        assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


@pytest.fixture
def data_dir() -> Iterator[Path]:
    path = scratch_dir("tracehouse-cli-")
    yield path
    cli(path, "down", check=False)
    remove_tree(path)


def test_up_key_down_up_keeps_data(data_dir: Path) -> None:
    port = free_port()
    up = cli(data_dir, "up", "--port", str(port), "--host", "127.0.0.1")
    url = f"http://127.0.0.1:{port}"
    assert up.stdout.strip().splitlines()[-1] == url

    info = httpx.get(f"{url}/api/v1/info")
    assert info.status_code == 200 and "batch_ingest_config" in info.json()
    assert httpx.get(f"{url}/api/v1/sessions").status_code == 401

    created = cli(data_dir, "api-key", "create", "--workspace", "team-a", "--name", "ci")
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("th_")
    headers = {"x-api-key": key}
    assert httpx.get(f"{url}/api/v1/sessions", headers=headers).status_code == 200
    assert httpx.post(f"{url}/api/v1/sessions", headers=headers, json={"name": "kept"}).status_code == 200

    status = cli(data_dir, "status")
    assert "backend" in status.stdout and "unhealthy" not in status.stdout
    assert "queue-1" in status.stdout
    logs = cli(data_dir, "logs", "migrate")
    assert "migrations done" in logs.stdout

    cli(data_dir, "down")
    assert cli(data_dir, "status", check=False).returncode == 1
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/api/v1/info")

    cli(data_dir, "up", "--port", str(port), "--host", "127.0.0.1")
    kept = httpx.get(f"{url}/api/v1/sessions", headers=headers)
    assert kept.status_code == 200
    assert [p["name"] for p in kept.json()] == ["kept"]
    # A second key for the same workspace sees the same data; a key without --workspace lands in
    # the org's first workspace (the CLI's documented default).
    again = cli(data_dir, "api-key", "create", "--workspace", "team-a").stdout.strip().splitlines()[-1]
    assert [p["name"] for p in httpx.get(f"{url}/api/v1/sessions", headers={"x-api-key": again}).json()] == ["kept"]

    # An org-wide key works in any workspace of the org, chosen with X-Tenant-Id.
    cli(data_dir, "api-key", "create", "--workspace", "team-b")
    org_key = cli(data_dir, "api-key", "create", "--org-wide").stdout.strip().splitlines()[-1]
    org_headers = {"x-api-key": org_key}
    assert httpx.get(f"{url}/api/v1/sessions", headers=org_headers).status_code == 403
    workspaces = {
        w["display_name"]: w["id"]
        for w in httpx.get(
            f"{url}/api/v1/workspaces",
            headers={
                **org_headers,
                "X-Tenant-Id": httpx.get(f"{url}/api/v1/workspaces", headers=headers).json()[0]["id"],
            },
        ).json()
    }
    assert set(workspaces) == {"team-a", "team-b"}
    in_a = httpx.get(f"{url}/api/v1/sessions", headers={**org_headers, "X-Tenant-Id": workspaces["team-a"]})
    assert [p["name"] for p in in_a.json()] == ["kept"]
    in_b = httpx.get(f"{url}/api/v1/sessions", headers={**org_headers, "X-Tenant-Id": workspaces["team-b"]})
    assert in_b.json() == []


def test_initial_org_and_workspace_from_env(data_dir: Path) -> None:
    env_file = data_dir / "test.env"
    example = (REPO_ROOT / ".env.example").read_text()
    env_file.write_text(
        example.replace("INITIAL_ORG_NAME=", "INITIAL_ORG_NAME=Acme").replace(
            "INITIAL_WORKSPACE_NAME=", "INITIAL_WORKSPACE_NAME=research"
        )
    )
    from app.runner.stack import NativeStack

    stack = NativeStack(data_dir, frontend_port=free_port(), env_file=env_file, log=lambda _m: None)
    stack.up()
    try:
        import asyncio

        from app.runner.keys import create_key

        key, where = asyncio.run(create_key(stack.env()["POSTGRES_DSN"], None, "t"))
        assert where == "Acme/research"
        workspaces = httpx.get(f"{stack.url}/api/v1/workspaces", headers={"x-api-key": key}).json()
        assert [w["display_name"] for w in workspaces] == ["research"]
    finally:
        stack.down(quiet=True)


def test_unknown_command_and_bench_listing() -> None:
    listing = python_module("app.cli", "bench")
    assert listing.returncode == 0
    assert listing.stdout.startswith("benchmarks:")
    assert python_module("app.cli", "frobnicate").returncode == 2
