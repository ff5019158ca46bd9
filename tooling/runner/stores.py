"""The bundled stores as local processes: Postgres, Redis and ClickHouse (chdb-core).

Each keeps its data under `<data dir>/<store>/`, listens on 127.0.0.1 only, and is password
protected with a secret the runner generates once per data dir.
"""

from __future__ import annotations

import os
import pwd
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from tooling.runner import procs
from tooling.runner import queries as q
from tooling.runner.chconfig import users_xml
from tooling.runner.system import postgres_bin_dir, which

REPO_ROOT = Path(__file__).resolve().parents[2]
DATABASE = "tracehouse"
USER = "tracehouse"


class StoreError(RuntimeError):
    pass


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def _wait(ready: Callable[[], bool], what: str, timeout: float, pid_file: Path, log_file: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if not procs.alive(procs.read_pid(pid_file)):
            raise StoreError(f"{what} exited during start; last log lines:\n{procs.tail(log_file)}")
        time.sleep(0.05)
    raise StoreError(f"{what} not ready after {timeout:.0f}s; last log lines:\n{procs.tail(log_file)}")


@dataclass
class Store:
    root: Path  # <data dir>
    port: int
    password: str

    name = "store"

    @property
    def dir(self) -> Path:
        return self.root / self.name

    @property
    def log_file(self) -> Path:
        return self.root / "logs" / f"{self.name}.log"

    @property
    def pid_file(self) -> Path:
        return self.root / "run" / f"{self.name}.pid"

    def running(self) -> bool:
        return procs.alive(procs.read_pid(self.pid_file))

    def stop(self) -> None:
        procs.stop(self.pid_file)


class PostgresServer(Store):
    """Debian's Postgres; initdb on first start. Runs as the `postgres` user when we are root."""

    name = "postgres"

    @property
    def dsn(self) -> str:
        return f"postgresql://{USER}:{quote(self.password, safe='')}@127.0.0.1:{self.port}/{DATABASE}"

    def _user(self) -> str | None:
        return "postgres" if os.geteuid() == 0 else None

    def _chown(self, path: Path) -> None:
        user = self._user()
        if user:
            entry = pwd.getpwnam(user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def start(self) -> None:
        bindir = postgres_bin_dir()
        if bindir is None:
            raise StoreError("Postgres is not installed (initdb not found)")
        data = self.dir / "data"
        self.dir.mkdir(parents=True, exist_ok=True)
        self._chown(self.dir)
        procs.ensure_traversable(self.root)
        if not (data / "PG_VERSION").exists():
            self._initdb(bindir, data)
        argv = [
            str(bindir / "postgres"),
            "-D",
            str(data),
            "-p",
            str(self.port),
            "-k",
            str(self.dir),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "max_connections=200",
            "-c",
            "shared_buffers=128MB",
            "-c",
            "log_min_messages=warning",
        ]
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self.log_file.touch()
        self._chown(self.log_file)
        procs.spawn(argv, log_file=self.log_file, pid_file=self.pid_file, user=self._user())
        _wait(self._accepting, "postgres", 30, self.pid_file, self.log_file)

    def _initdb(self, bindir: Path, data: Path) -> None:
        pwfile = self.dir / ".pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        self._chown(pwfile)
        try:
            subprocess.run(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    USER,
                    f"--pwfile={pwfile}",
                    "--auth-host=scram-sha-256",
                    "--auth-local=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-instructions",
                ],
                check=True,
                capture_output=True,
                text=True,
                user=self._user(),
                group=self._user(),
                extra_groups=[] if self._user() else None,
            )
        except subprocess.CalledProcessError as exc:
            raise StoreError(f"initdb failed: {exc.stderr.strip()}") from exc
        finally:
            pwfile.unlink(missing_ok=True)
        (self.dir / ".needs-database").touch()

    def _accepting(self) -> bool:
        bindir = postgres_bin_dir()
        assert bindir is not None
        ok = (
            subprocess.run(
                [str(bindir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)], check=False
            ).returncode
            == 0
        )
        if ok and (self.dir / ".needs-database").exists():
            import psycopg
            from psycopg import sql

            with psycopg.connect(self.dsn.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
                exists = conn.execute(q.SELECT_DATABASE_EXISTS, (DATABASE,)).fetchone()
                if not exists:
                    conn.execute(sql.SQL(q.CREATE_DATABASE).format(sql.Identifier(DATABASE)))
            (self.dir / ".needs-database").unlink()
        return ok

    def stop(self) -> None:
        procs.stop(self.pid_file, sig=signal.SIGINT, timeout=30)  # SIGINT = fast shutdown


@dataclass
class RedisServer(Store):
    """Debian's Redis with AOF on and noeviction: a queue must never drop jobs to free memory.
    `maxmemory` (REDIS_MAXMEMORY) bounds it; past it writes fail and ingest answers 503."""

    maxmemory: str = "0"
    name = "redis"

    @property
    def url(self) -> str:
        return f"redis://:{quote(self.password, safe='')}@127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = which("redis-server")
        if binary is None:
            raise StoreError("redis-server is not installed")
        self.dir.mkdir(parents=True, exist_ok=True)
        conf = self.dir / "redis.conf"
        # The password goes in a 0600 file, not argv, so `ps` does not show it.
        conf.write_text(
            f"port {self.port}\nbind 127.0.0.1\ndir {self.dir}\nappendonly yes\nappendfsync everysec\n"
            f'maxmemory {self.maxmemory}\nmaxmemory-policy noeviction\nsave ""\nrequirepass {self.password}\n'
            "daemonize no\n"
        )
        conf.chmod(0o600)
        procs.spawn([binary, str(conf)], log_file=self.log_file, pid_file=self.pid_file)
        _wait(lambda: port_open(self.port), "redis", 15, self.pid_file, self.log_file)


class ClickHouseServer(Store):
    """The modern ClickHouse engine from chdb-core, served over TCP and HTTP (tooling/runner/chserver.py)."""

    name = "clickhouse"

    def __init__(self, root: Path, port: int, password: str, http_port: int) -> None:
        super().__init__(root, port, password)
        self.http_port = http_port

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        users = self.dir / "users.xml"
        users.write_text(users_xml(USER, self.password))
        users.chmod(0o600)
        # Niced like the queue workers: ClickHouse's merges and inserts are throughput work that
        # must not starve the HTTP services on a small host.
        argv = [
            "nice",
            "-n",
            "10",
            sys.executable,
            "-m",
            "tooling.runner.chserver",
            "--dir",
            str(self.dir / "data"),
            "--tcp-port",
            str(self.port),
            "--http-port",
            str(self.http_port),
            "--users-xml",
            str(users),
            "--log-dir",
            str(self.log_file.parent),
        ]
        procs.spawn(
            argv,
            log_file=self.log_file,
            pid_file=self.pid_file,
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        )
        _wait(self._pinged, "clickhouse", 60, self.pid_file, self.log_file)

    def _pinged(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/ping", timeout=1) as r:
                body: bytes = r.read()
                return body.strip() == b"Ok."
        except OSError:
            return False


# Listen ports come from below the kernel's ephemeral range (32768+ on Linux): a port picked
# there by binding port 0 can be taken by some process's *outgoing* connection before our server
# binds it (seen: ClickHouse failing with "Address already in use").
_PORT_RANGE = (20000, 32000)
_handed_out: set[int] = set()


def free_port(exclude: set[int] | frozenset[int] = frozenset()) -> int:
    """A bindable loopback port, never one in `exclude` (ports already promised elsewhere, e.g. the
    frontend port a caller chose in another process) nor one this process handed out before."""
    for _ in range(200):
        port = random.randrange(*_PORT_RANGE)
        if port in _handed_out or port in exclude:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise StoreError("no free port found between 20000 and 32000")


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
