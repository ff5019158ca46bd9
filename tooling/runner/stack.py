"""The whole stack as local processes: `./tracehouse up|down|status` and the test harness.

    stores     postgres, redis, clickhouse          (tooling/runner/stores.py)
    migrate    python -m app.migrate                (one-shot, must exit 0)
    services   backend, platform, playground, queue (same commands as compose.yaml)
    frontend   nginx from nginx/templates/          (the only port meant for users)

Every service gets the environment compose would give it: the keys of `.env` (or `.env.example`),
with the store addresses and listen ports replaced by the local ones. Ports other than the
frontend's are picked free at each start and recorded in `<data dir>/state.json`.
"""

from __future__ import annotations

import base64
import concurrent.futures
import contextlib
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.settings import StoreRunnerSettings, load_settings
from tooling.runner import procs, ui
from tooling.runner.envfile import parse_env_file
from tooling.runner.nginx import UI_ROOT, access_log_format, metrics_token, real_ip_config, write_config
from tooling.runner.stores import (
    USER,
    ClickHouseServer,
    PostgresServer,
    RedisServer,
    free_port,
    port_open,
    remove_tree,
)
from tooling.runner.system import which

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO_ROOT / ".tracehouse"

# name -> (argv after the interpreter, port env key or None)
APP_SERVICES: dict[str, tuple[list[str], str | None]] = {
    "backend": (["-m", "app.backend"], "BACKEND_PORT"),
    "platform": (["-m", "app.platform"], "PLATFORM_PORT"),
    "playground": (["-m", "playground"], "PLAYGROUND_PORT"),
    "queue": (["-m", "worker"], None),
}
SERVICE_NAMES = ("postgres", "redis", "clickhouse", *APP_SERVICES, "frontend")
# Passed through from the caller's environment; everything else comes from the env file.
_INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")
_FROM_SHELL = ("INITIAL_ADMIN_EMAIL", "INITIAL_ADMIN_PASSWORD")
# The link `migrate` logs while no account exists (app/migrate/__main__.py), text or JSON lines.
_SETUP_LINK = re.compile(r"https?://[^\s\"']+/setup\?token=[A-Za-z0-9_-]+")


class StackError(RuntimeError):
    pass


@dataclass
class StackState:
    secret: str
    ports: dict[str, int] = field(default_factory=dict)
    frontend_port: int = 1980
    # Natively nginx is the only listener beyond loopback, as `1980:1980` is under compose.
    frontend_host: str = "127.0.0.1"
    queue_workers: int = 1
    # Natively the playground's key for provider secrets is made once per data dir (compose
    # deployments set PROVIDER_SECRETS_KEY in .env).
    provider_secrets_key: str = field(default_factory=lambda: base64.b64encode(os.urandom(32)).decode())

    @classmethod
    def load(cls, path: Path) -> StackState | None:
        try:
            return cls(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.__dict__, indent=2))
        tmp.chmod(0o600)
        tmp.replace(path)


def default_env_file() -> Path:
    env = REPO_ROOT / ".env"
    return env if env.exists() else REPO_ROOT / ".env.example"


class NativeStack:
    def __init__(
        self,
        data_dir: Path = DEFAULT_DATA_DIR,
        *,
        frontend_port: int | None = None,
        frontend_host: str | None = None,
        env_file: Path | None = None,
        extra_env: dict[str, str] | None = None,
        queue_workers: int | None = None,
        log: Callable[[str], object] = print,
    ) -> None:
        self.data_dir = data_dir.resolve()
        self.env_file = env_file or default_env_file()
        self.extra_env = extra_env or {}
        self.log = log
        self.state_file = self.data_dir / "state.json"
        previous = StackState.load(self.state_file)
        self.state = previous or StackState(secret=secrets.token_urlsafe(24))
        if frontend_port is not None:
            self.state.frontend_port = frontend_port
        if queue_workers is not None:
            self.state.queue_workers = queue_workers
        if frontend_host is not None:
            self.state.frontend_host = frontend_host
        # REDIS_MAXMEMORY, validated by `up`; kept here so a store restarted later (the fault
        # tests restart Redis) gets the same limit.
        self.redis_maxmemory = "0"
        # After `up`: whether the installation has no account yet, and the one-time link that
        # creates the first admin (what this start's `migrate` logged).
        self.needs_setup = False
        self.setup_link: str | None = None

    # --- addresses -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.state.frontend_port}"

    def _stores(self) -> tuple[PostgresServer, RedisServer, ClickHouseServer]:
        p, secret = self.state.ports, self.state.secret
        return (
            PostgresServer(self.data_dir, p.get("postgres", 0), secret),
            RedisServer(self.data_dir, p.get("redis", 0), secret, self.redis_maxmemory),
            ClickHouseServer(self.data_dir, p.get("clickhouse", 0), secret, p.get("clickhouse_http", 0)),
        )

    def env(self) -> dict[str, str]:
        """The environment every app service gets (what compose's env_file would provide)."""
        pg, redis, _ = self._stores()
        p = self.state.ports
        env = {k: os.environ[k] for k in _INHERITED if k in os.environ}
        env.update(parse_env_file(self.env_file))
        # `INITIAL_ADMIN_EMAIL=… INITIAL_ADMIN_PASSWORD=… ./tracehouse up`, as the README says:
        # set in the shell, they win over the env file's (often empty) lines.
        env.update({k: os.environ[k] for k in _FROM_SHELL if os.environ.get(k)})
        if not env.get("PROVIDER_SECRETS_KEY"):
            env["PROVIDER_SECRETS_KEY"] = self.state.provider_secrets_key
        if not env.get("PUBLIC_URL"):
            env["PUBLIC_URL"] = self.url  # links in invitations and feedback tokens point here
        env.update(
            {
                "POSTGRES_DSN": pg.dsn,
                "REDIS_URL": redis.url,
                "CLICKHOUSE_HOST": "127.0.0.1",
                "CLICKHOUSE_PORT": str(p.get("clickhouse", 0)),
                "CLICKHOUSE_USER": USER,
                "CLICKHOUSE_PASSWORD": self.state.secret,
                "CLICKHOUSE_SECURE": "false",
                "BACKEND_HOST": "127.0.0.1",
                "BACKEND_PORT": str(p.get("backend", 0)),
                "PLATFORM_HOST": "127.0.0.1",
                "PLATFORM_PORT": str(p.get("platform", 0)),
                "PLAYGROUND_HOST": "127.0.0.1",
                "PLAYGROUND_PORT": str(p.get("playground", 0)),
                "PYTHONPATH": str(REPO_ROOT),
                "PYTHONUNBUFFERED": "1",
                # Each queue unit gets its own metrics port (start_unit); any other process
                # started with this environment (a one-off `python -m worker`) serves none.
                "QUEUE_METRICS_HOST": "127.0.0.1",
                "QUEUE_METRICS_PORT": "0",
            }
        )
        env.update(self.extra_env)
        return env

    def metrics_port(self, unit: str) -> int:
        """The loopback port a queue unit (`queue-1`, ...) serves `/metrics` on; chosen once."""
        key = f"{unit}-metrics"
        if key not in self.state.ports:
            self.state.ports[key] = free_port(exclude={self.state.frontend_port, *self.state.ports.values()})
            self.state.save(self.state_file)
        return self.state.ports[key]

    def _pid_file(self, name: str) -> Path:
        return self.data_dir / "run" / f"{name}.pid"

    def _log_file(self, name: str) -> Path:
        return self.data_dir / "logs" / f"{name}.log"

    def _service_units(self) -> list[str]:
        units = [n for n in APP_SERVICES if n != "queue"]
        return units + [f"queue-{i}" for i in range(1, self.state.queue_workers + 1)]

    # --- lifecycle -------------------------------------------------------------------------------

    def up(self) -> None:
        for binary in ("initdb", "redis-server", "nginx"):
            if which(binary) is None:
                raise StackError(f"{binary} not found; run `./tracehouse up`, which installs it")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.down(quiet=True)  # a half-running stack from a crash is restarted cleanly
        if port_open(self.state.frontend_port):
            raise StackError(f"port {self.state.frontend_port} is in use; choose another with --port")
        taken = {self.state.frontend_port}
        self.state.ports = {
            name: free_port(exclude=taken)
            for name in ("postgres", "redis", "clickhouse", "clickhouse_http", "backend", "platform", "playground")
        }
        self.state.save(self.state_file)
        started = time.monotonic()
        try:
            ui.ensure_built()
        except ui.UIBuildError as exc:
            raise StackError(str(exc)) from None
        self.redis_maxmemory = load_settings(StoreRunnerSettings, self.env()).redis_server.redis_maxmemory
        pg, redis, ch = self._stores()
        try:
            with concurrent.futures.ThreadPoolExecutor(3) as pool:
                for future in [pool.submit(s.start) for s in (pg, redis, ch)]:
                    future.result()
            self.log(f"stores up: postgres, redis, clickhouse ({time.monotonic() - started:.1f}s)")
            self._migrate()
            self._start_services()
            self._start_nginx()
            self._wait_healthy()
            self.needs_setup = self._needs_setup()
        except BaseException:
            self.log("start failed; stopping what was started")
            self.down(quiet=True)
            raise
        self.log(f"Tracehouse is up at {self.url} ({time.monotonic() - started:.1f}s)")

    def _run_python(self, name: str, argv: list[str]) -> None:
        log_file = self._log_file(name)
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(log_file, "ab") as log:
            result = subprocess.run(
                [sys.executable, *argv],
                env=self.env(),
                cwd=REPO_ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
                timeout=300,
            )
        if result.returncode != 0:
            raise StackError(f"{name} failed (exit {result.returncode}):\n{procs.tail(log_file)}")

    def _migrate(self) -> None:
        log_file = self._log_file("migrate")
        seen = log_file.stat().st_size if log_file.exists() else 0
        self._run_python("migrate", ["-m", "app.migrate"])
        # This run's lines only: an earlier start's link was replaced by this one's.
        with open(log_file, "rb") as log:
            log.seek(seen)
            links = _SETUP_LINK.findall(log.read().decode(errors="replace"))
        self.setup_link = links[-1] if links else None

    def _needs_setup(self) -> bool:
        """Asked through nginx, as the login page asks: true while no account exists."""
        try:
            with urllib.request.urlopen(f"{self.url}/api/v1/setup", timeout=10) as response:
                return bool(json.load(response).get("needs_setup"))
        except (OSError, ValueError) as exc:
            self.log(f"could not ask whether setup is needed: {exc}")
            return False

    def _start_services(self) -> None:
        for unit in self._service_units():
            self.start_unit(unit)

    def start_unit(self, unit: str) -> None:
        """Start one app service unit (`backend`, `queue-2`, ...) with the stack's environment."""
        service = unit.split("-", maxsplit=1)[0]
        argv, _ = APP_SERVICES[service]
        env = self.env()
        if service != "playground":
            env["PROVIDER_SECRETS_KEY"] = ""  # as in compose: only the playground can decrypt provider keys
        if service == "queue" and "QUEUE_METRICS_PORT" not in self.extra_env:
            env["QUEUE_METRICS_PORT"] = str(self.metrics_port(unit))
        procs.spawn(
            [sys.executable, *argv],
            env=env,
            cwd=REPO_ROOT,
            log_file=self._log_file(unit),
            pid_file=self._pid_file(unit),
        )

    def kill_unit(self, unit: str, sig: int) -> None:
        """Signal one unit's process group and wait for it to exit (fault tests use SIGKILL)."""
        procs.stop(self._pid_file(unit), sig=sig)

    def nginx_values(self) -> dict[str, str]:
        p = self.state.ports
        return {
            "FRONTEND_LISTEN": f"{self.state.frontend_host}:{self.state.frontend_port}",
            "BACKEND_UPSTREAM": f"127.0.0.1:{p['backend']}",
            "PLATFORM_UPSTREAM": f"127.0.0.1:{p['platform']}",
            "PLAYGROUND_UPSTREAM": f"127.0.0.1:{p['playground']}",
            # nginx's /metrics/queue reaches the first queue unit (scrape the others directly).
            "QUEUE_METRICS_UPSTREAM": f"127.0.0.1:{self.metrics_port('queue-1')}",
            "METRICS_TOKEN": metrics_token(self.env().get("METRICS_TOKEN", "")),
            "UI_ROOT": str(UI_ROOT),
            "ACCESS_LOG": str(self._log_file("nginx-access")),
            "ACCESS_LOG_FORMAT": access_log_format(self.env().get("LOG_FORMAT", "")),
            # Attachments served from their own origin are images the UI's CSP must allow.
            "USER_CONTENT_ORIGIN": self.env().get("USER_CONTENT_ORIGIN", ""),
            "REAL_IP_CONFIG": real_ip_config(self.env().get("TRUSTED_PROXIES", "")),
        }

    def _start_nginx(self) -> None:
        conf = write_config(self.data_dir, self.nginx_values())
        nginx = which("nginx")
        assert nginx is not None
        check = subprocess.run([nginx, "-t", "-q", "-c", str(conf)], capture_output=True, text=True, check=False)
        if check.returncode != 0:
            raise StackError(f"nginx config invalid: {check.stderr.strip()}")
        procs.spawn(
            [nginx, "-c", str(conf), "-g", "daemon off;"],
            log_file=self._log_file("frontend"),
            pid_file=self._pid_file("frontend"),
        )

    def _healthy(self, unit: str) -> str | None:
        """None when healthy, else why not. Same checks as the compose healthchecks."""
        pid_file = self._pid_file(unit)
        if not procs.alive(procs.read_pid(pid_file)):
            return "not running"
        if unit == "frontend":
            return _http_ok(f"{self.url}/nginx-health")
        service = unit.split("-", maxsplit=1)[0]
        port_key = APP_SERVICES[service][1]
        if port_key:
            return _http_ok(f"http://127.0.0.1:{self.env()[port_key]}/health")
        result = subprocess.run(
            [sys.executable, "-m", "app.core.healthcheck", service],
            env=self.env(),
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
        return None if result.returncode == 0 else (result.stderr.strip() or "unhealthy")

    def _wait_healthy(self, timeout: float = 90) -> None:
        pending = [*self._service_units(), "frontend"]
        deadline = time.monotonic() + timeout
        problems: dict[str, str] = {}
        while pending and time.monotonic() < deadline:
            for unit in list(pending):
                problem = self._healthy(unit)
                if problem is None:
                    pending.remove(unit)
                elif problem == "not running":
                    raise StackError(f"{unit} exited during start:\n{procs.tail(self._log_file(unit))}")
                else:
                    problems[unit] = problem
            if pending:
                time.sleep(0.2)
        if pending:
            details = "\n".join(f"  {u}: {problems.get(u, '?')}" for u in pending)
            raise StackError(f"not healthy after {timeout:.0f}s:\n{details}")

    def down(self, *, quiet: bool = False) -> None:
        """Stop nginx and the app services together, then the stores together."""
        units = ["frontend", *self._known_units()]
        for pid_file in procs.stop_many([self._pid_file(u) for u in units]):
            if not quiet:
                self.log(f"stopped {pid_file.stem}")
        stores = [s for s in self._stores() if s.running()]
        with concurrent.futures.ThreadPoolExecutor(max(1, len(stores))) as pool:
            list(pool.map(lambda s: s.stop(), stores))
        for store in stores:
            if not quiet:
                self.log(f"stopped {store.name}")

    def _known_units(self) -> list[str]:
        run = self.data_dir / "run"
        found = {p.stem for p in run.glob("*.pid")} if run.exists() else set()
        stores = {"postgres", "redis", "clickhouse", "frontend"}
        return sorted(found - stores, key=lambda u: (u.startswith("queue"), u))

    def status(self) -> dict[str, str]:
        """Health of every service, as one word or a reason."""
        result: dict[str, str] = {}
        for store in self._stores():
            result[store.name] = "healthy" if store.running() and port_open(store.port) else "down"
        for unit in [*self._service_units(), "frontend"]:
            problem = self._healthy(unit)
            result[unit] = (
                "healthy" if problem is None else ("down" if problem == "not running" else f"unhealthy: {problem}")
            )
        return result

    def running(self) -> bool:
        return any(s.running() for s in self._stores())


def _http_ok(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return None if response.status == 200 else f"{url} answered {response.status}"
    except urllib.error.HTTPError as exc:
        return f"{url} answered {exc.code}"
    except OSError as exc:
        return f"{url}: {exc}"


def scratch_dir(prefix: str) -> Path:
    """A temp dir a stack can live in. Not pytest's tmp_path: its parents are 0700, and Postgres
    runs as another user when we are root."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o711)
    return path


@contextlib.contextmanager
def temporary_stack(prefix: str, *, log: Callable[[str], object] = lambda _m: None, **kw: Any) -> Iterator[NativeStack]:
    """A throwaway stack (tests, benchmarks) in a scratch dir on free ports, removed afterwards;
    it never touches ./.tracehouse or the default port."""
    data_dir = scratch_dir(prefix)
    stack = NativeStack(data_dir, frontend_port=free_port(), env_file=REPO_ROOT / ".env.example", log=log, **kw)
    try:
        stack.up()
        yield stack
    finally:
        stack.down(quiet=True)
        if not os.environ.get("TRACEHOUSE_KEEP_TEST_DATA"):  # keep logs to debug a failure
            remove_tree(data_dir)
