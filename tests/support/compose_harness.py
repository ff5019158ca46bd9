"""Drive the compose appliance for real: a Docker engine, the offline images, compose projects.

Each project is a directory laid out like a fresh checkout (compose.yaml, .env.example, deploy/)
with its own .env, run under its own project name so its containers, network and volumes never
meet another's. Tests talk to it only through the frontend port, published on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tooling.runner.envfile import parse_env_file, update_env_file
from tooling.runner.stores import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
# What a user's checkout holds that compose.yaml reads at run time (the images hold the rest).
CHECKOUT_FILES = ["compose.yaml", ".env.example", "deploy/clickhouse"]
LONG_RUNNING = ["frontend", "backend", "platform", "playground", "queue"]
STORES = ["postgres", "clickhouse", "redis"]


class ComposeError(AssertionError):
    pass


def docker(*args: str, check: bool = True, timeout: float = 300, input: str | None = None) -> str:
    result = subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, input=input, check=False
    )
    if check and result.returncode != 0:
        raise ComposeError(f"docker {' '.join(args)} exited {result.returncode}:\n{result.stderr[-3000:]}")
    return result.stdout


def lay_out_checkout(directory: Path, source: Path = REPO_ROOT) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name in CHECKOUT_FILES:
        src, dst = source / name, directory / name
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)


@dataclass
class Project:
    """One compose project: `docker compose -p NAME` run in its directory."""

    directory: Path
    name: str = field(default_factory=lambda: f"thtest-{uuid.uuid4().hex[:8]}")
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v1"

    def write_env(self, values: Mapping[str, str]) -> None:
        """`cp .env.example .env` (once), then set `values` in it: what an operator edits."""
        env = self.directory / ".env"
        if not env.exists():
            shutil.copyfile(self.directory / ".env.example", env)
        update_env_file(env, dict(values))
        self.port = int(parse_env_file(env)["FRONTEND_PORT"].rsplit(":", 1)[-1])

    def compose(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["docker", "compose", "-p", self.name, *args],
            cwd=self.directory,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")},
        )
        if check and result.returncode != 0:
            raise ComposeError(
                f"docker compose {' '.join(args)} exited {result.returncode}:\n{result.stderr[-4000:]}\n"
                + self.diagnostics()
            )
        return result

    def up(self, *extra: str) -> float:
        """`docker compose up -d --wait`; returns the seconds it took."""
        started = time.monotonic()
        self.compose("up", "-d", "--wait", *extra, timeout=900)
        return time.monotonic() - started

    def wait_healthy(self, timeout: float = 240) -> None:
        """Every running service healthy again. After a store outage the services whose checks
        failed meanwhile are `unhealthy`, which `up --wait` treats as final; this waits them out."""
        deadline = time.monotonic() + timeout
        while True:
            rows = [r for r in self.ps() if r.get("Health")]
            if rows and all(r["State"] == "running" and r["Health"] == "healthy" for r in rows):
                return
            if time.monotonic() > deadline:
                raise ComposeError(f"not healthy after {timeout:.0f}s\n{self.diagnostics()}")
            time.sleep(1)

    def down(self, *extra: str) -> None:
        self.compose("down", *extra, timeout=300)

    def ps(self, all_: bool = False) -> list[dict]:
        out = self.compose("ps", "--format", "json", *(["--all"] if all_ else [])).stdout
        rows: list[dict] = []
        for raw in out.splitlines():
            line = raw.strip()
            if line.startswith("["):
                rows.extend(json.loads(line))
            elif line:
                rows.append(json.loads(line))
        return rows

    def containers(self, service: str) -> list[str]:
        return self.compose("ps", "-q", "--all", service).stdout.split()

    def logs(self, service: str) -> str:
        result = self.compose("logs", "--no-color", "--no-log-prefix", service, check=False)
        return result.stdout + result.stderr

    def exec(self, service: str, *command: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["docker", "compose", "-p", self.name, "exec", "-T", service, *command],
            cwd=self.directory,
            capture_output=True,
            text=True,
            input=input,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            raise ComposeError(f"exec {service} {command} exited {result.returncode}:\n{result.stderr[-3000:]}")
        return result

    def clickhouse(self, sql: str) -> list[list]:
        """Rows of a query, run by the app's own ClickHouse client inside the backend container
        (works against any ClickHouse the appliance is pointed at, bundled or managed)."""
        script = (
            "import json, sys\n"
            "from app.core.settings import CliClickHouseSettings, load_settings\n"
            "from app.core.clickhouse import ClickHouse\n"
            "import os\n"
            "ch = ClickHouse(load_settings(CliClickHouseSettings, dict(os.environ)).clickhouse, pool_size=1)\n"
            "print(json.dumps(ch.query(sys.stdin.read()), default=str))\n"
        )
        out = self.exec("backend", "python", "-c", script, input=sql).stdout
        return json.loads(out.strip().splitlines()[-1])

    def diagnostics(self) -> str:
        """What a failing test prints: every container's state and the tail of its log."""
        try:
            result = subprocess.run(
                ["docker", "compose", "-p", self.name, "ps", "--all"],
                cwd=self.directory,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            logs = subprocess.run(
                ["docker", "compose", "-p", self.name, "logs", "--no-color", "--tail", "30"],
                cwd=self.directory,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            return f"--- ps ---\n{result.stdout}\n--- logs ---\n{logs.stdout[-6000:]}"
        except (OSError, subprocess.SubprocessError) as exc:
            return f"(no diagnostics: {exc})"


def host_settings() -> dict[str, str]:
    """What this host needs in .env: the frontend on a free loopback port only, and ClickHouse's
    open-file limit within what dockerd itself may grant."""
    import resource

    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    nofile = 262144 if hard == resource.RLIM_INFINITY else min(262144, hard)
    return {"FRONTEND_PORT": f"127.0.0.1:{free_port()}", "CLICKHOUSE_NOFILE": str(nofile)}


def new_project(
    root: Path, images: Mapping[str, str], extra: Mapping[str, str] | None = None, source: Path = REPO_ROOT
) -> Project:
    """A fresh checkout under `root` (of `source`) whose .env names the offline images."""
    project = Project(directory=root / uuid.uuid4().hex[:8])
    lay_out_checkout(project.directory, source)
    project.write_env({**images, **host_settings(), **(extra or {})})
    return project


def wait_http_ok(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.5)
    raise ComposeError(f"{url} never answered 200 ({last})")
