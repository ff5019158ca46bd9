"""`./tracehouse` end to end: up, api-key create, status, logs, down, and data surviving a restart.

This starts a second, separate native stack through the real CLI (the same entry point as the
shell wrapper) in its own data dir and port.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import python_module
from tooling.runner.stack import REPO_ROOT, NativeStack, scratch_dir
from tooling.runner.stores import free_port, remove_tree

pytestmark = pytest.mark.stack


def cli(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = python_module("tooling.cli", "--data-dir", str(data_dir), *args)
    if check:
        assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
    return result


def setup_link(up_output: str) -> str:
    [link] = re.findall(r"http://\S+/setup\?token=[A-Za-z0-9_-]+", up_output)
    return link


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
    # No account yet: `up` prints the one-time link that creates the first admin.
    first_link = setup_link(up.stdout)
    assert first_link.startswith(f"{url}/setup?token=") and "user create" in up.stdout
    assert httpx.get(f"{url}/api/v1/setup").json() == {"needs_setup": True}

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

    again_up = cli(data_dir, "up", "--port", str(port), "--host", "127.0.0.1")
    # Still no account: a new link, and only the newest works (the logs are what is trusted).
    second_link = setup_link(again_up.stdout)
    assert second_link != first_link
    setup = {"email": "first@example.com", "name": "", "password": "a-long-first-password"}
    stale = httpx.post(f"{url}/api/v1/setup", json={**setup, "token": first_link.split("token=")[1]})
    assert stale.status_code == 403
    done = httpx.post(f"{url}/api/v1/setup", json={**setup, "token": second_link.split("token=")[1]})
    assert done.status_code == 201 and done.json()["email"] == "first@example.com"
    assert httpx.get(f"{url}/api/v1/setup").json() == {"needs_setup": False}

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
    from tooling.runner.stack import NativeStack

    stack = NativeStack(data_dir, frontend_port=free_port(), env_file=env_file, log=lambda _m: None)
    stack.up()
    try:
        import asyncio

        from tooling.runner.keys import create_key

        key, where = asyncio.run(create_key(stack.env()["POSTGRES_DSN"], None, "t"))
        assert where == "Acme/research"
        workspaces = httpx.get(f"{stack.url}/api/v1/workspaces", headers={"x-api-key": key}).json()
        assert [w["display_name"] for w in workspaces] == ["research"]
    finally:
        stack.down(quiet=True)


def test_unknown_command_and_bench_listing() -> None:
    listing = python_module("tooling.cli", "bench")
    assert listing.returncode == 0
    assert listing.stdout.startswith("benchmarks:")
    assert python_module("tooling.cli", "frobnicate").returncode == 2


def _login(stack_url: str, email: str, password: str) -> int:
    # From an address of its own: logins are throttled per client address, and the lockout below
    # must not spend the budget of 127.0.0.1, which the other tests log in from.
    transport = httpx.HTTPTransport(local_address="127.0.0.30")
    with httpx.Client(base_url=stack_url, transport=transport, timeout=30) as client:
        return client.post("/api/v1/auth/login", json={"email": email, "password": password}).status_code


def test_operator_creates_a_login_and_resets_a_locked_out_password(stack: NativeStack) -> None:
    email = f"operator-{uuid.uuid4().hex[:8]}@example.com"
    base = ("tooling.cli", "--data-dir", str(stack.data_dir), "user")
    created = python_module(*base, "create", "--email", email, "--workspace", "ops", "--role", "editor")
    assert created.returncode == 0, created.stderr
    password = created.stdout.strip().splitlines()[-1]
    assert len(password) >= 20 and "editor of workspace" in created.stderr
    assert _login(stack.url, email, password) == 200
    # An existing account is never overwritten by `create`.
    again = python_module(*base, "create", "--email", email.upper())
    assert again.returncode == 1 and "reset-password" in again.stderr and not again.stdout
    assert _login(stack.url, email, password) == 200

    # Locked out after repeated failures: the operator's reset is the way back in.
    failures = [_login(stack.url, email, "not-the-password!") for _ in range(6)]
    assert failures[-1] == 429, failures
    assert _login(stack.url, email, password) == 429
    new_password = "operator-chosen-password"
    reset = subprocess.run(
        [sys.executable, "-m", *base, "reset-password", "--email", email, "--password-stdin"],
        input=new_password + "\n",
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert reset.returncode == 0, reset.stderr
    assert reset.stdout == ""  # a password from stdin is never echoed
    assert _login(stack.url, email, new_password) == 200
    assert _login(stack.url, email, password) == 401

    weak = subprocess.run(
        [sys.executable, "-m", *base, "reset-password", "--email", email, "--password-stdin"],
        input="short\n",
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert weak.returncode == 1 and "12 characters" in weak.stderr
    missing = python_module(*base, "reset-password", "--email", f"nobody-{uuid.uuid4().hex[:6]}@example.com")
    assert missing.returncode == 1 and "no account" in missing.stderr and not missing.stdout


def test_initial_admin_from_the_shell_wins_over_an_empty_env_file_line(
    stack: NativeStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`INITIAL_ADMIN_EMAIL=… INITIAL_ADMIN_PASSWORD=… ./tracehouse up`, as the README says: the
    env file's empty lines must not hide the shell's values from the services."""
    monkeypatch.delenv("INITIAL_ADMIN_EMAIL", raising=False)
    assert stack.env()["INITIAL_ADMIN_EMAIL"] == ""  # .env.example's empty line
    monkeypatch.setenv("INITIAL_ADMIN_EMAIL", "first@example.com")
    monkeypatch.setenv("INITIAL_ADMIN_PASSWORD", "a-long-first-password")
    env = stack.env()
    assert (env["INITIAL_ADMIN_EMAIL"], env["INITIAL_ADMIN_PASSWORD"]) == ("first@example.com", "a-long-first-password")
