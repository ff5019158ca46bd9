"""Find (and on Debian, install) the system programs the native stack needs."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

# binary we look for -> Debian package that provides it
APT_PACKAGES = {"initdb": "postgresql", "redis-server": "redis-server", "nginx": "nginx"}
# Only tests and benchmarks need these: the UI's browser tests drive Debian's chromium; the compose
# tests run a Docker engine and build the offline images' Debian base with debootstrap.
TEST_APT_PACKAGES = {"chromium": "chromium", "dockerd": "docker.io", "debootstrap": "debootstrap"}


class SystemError_(RuntimeError):
    """A program the stack needs is missing and cannot be installed here."""


def postgres_bin_dir() -> Path | None:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]), reverse=True
    )
    if candidates:
        return Path(candidates[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def which(binary: str) -> str | None:
    if binary == "initdb":
        found = postgres_bin_dir()
        return str(found / "initdb") if found else None
    for extra in ("/usr/sbin", "/usr/bin"):
        path = Path(extra) / binary
        if path.exists():
            return str(path)
    return shutil.which(binary)


def missing_packages(*, for_tests: bool = False) -> list[str]:
    wanted = {**APT_PACKAGES, **(TEST_APT_PACKAGES if for_tests else {})}
    return [pkg for binary, pkg in wanted.items() if which(binary) is None]


def ensure_system_packages(*, quiet: bool = False, for_tests: bool = False) -> None:
    """Install the Debian packages for any missing program (root + apt only)."""
    missing = missing_packages(for_tests=for_tests)
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise SystemError_(
            f"missing system packages: {' '.join(missing)}; install them "
            f"(e.g. `sudo apt-get install {' '.join(missing)}`) and retry"
        )
    if not quiet:
        print(f"installing system packages: {' '.join(missing)}", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    out = subprocess.DEVNULL if quiet else None
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, stdout=out)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=True, env=env, stdout=out
    )
    still = missing_packages(for_tests=for_tests)
    if still:
        raise SystemError_(f"installed, but still cannot find: {' '.join(still)}")
