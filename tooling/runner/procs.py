"""Start detached processes with a log file and a pid file; stop them by pid."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path


def spawn(
    argv: Sequence[str],
    *,
    log_file: Path,
    pid_file: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    user: str | None = None,
) -> int:
    """Start `argv` in its own session (it outlives the CLI), appending output to `log_file`."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
            user=user,
            group=user,
            extra_groups=[] if user else None,
        )
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.write_text(str(proc.pid))
    return proc.pid


def ensure_traversable(path: Path) -> None:
    """As root, servers that drop privileges (Postgres as `postgres`, nginx workers as `nobody`)
    must be able to reach `path`: add the search bit (o+x, not read) to any parent lacking it."""
    if os.geteuid() != 0:
        return
    for parent in [path, *path.parents]:
        if parent == Path("/"):
            break
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)


def read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie counts as dead: ours is reaped here; another process's (a stack started by a
    # different runner process) shows state Z in /proc until its parent reaps it.
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
        return waited == 0
    except ChildProcessError:
        return not _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2 :].startswith("Z")


def stop(pid_file: Path, *, sig: int = signal.SIGTERM, timeout: float = 20.0) -> bool:
    """Signal the process group of the pid in `pid_file`; escalate to SIGKILL after `timeout`."""
    pid = read_pid(pid_file)
    if not alive(pid):
        pid_file.unlink(missing_ok=True)
        return False
    assert pid is not None
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if alive(pid):
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        while alive(pid):
            time.sleep(0.05)
    pid_file.unlink(missing_ok=True)
    return True


def stop_many(pid_files: list[Path], *, sig: int = signal.SIGTERM, timeout: float = 20.0) -> list[Path]:
    """Stop several processes at once (shutdowns take ~2 s each; in parallel the wait is paid once).
    Returns the pid files whose process was running."""
    from concurrent.futures import ThreadPoolExecutor

    if not pid_files:
        return []
    with ThreadPoolExecutor(len(pid_files)) as pool:
        stopped = list(pool.map(lambda f: stop(f, sig=sig, timeout=timeout), pid_files))
    return [f for f, was in zip(pid_files, stopped, strict=True) if was]


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
