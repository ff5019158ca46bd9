"""`./tracehouse images build [--offline]`: build every image compose.yaml runs.

Online, it builds our two images (app, frontend) on the upstream bases .env names. With
`--offline` it first builds, where no image registry is reachable, stand-ins for every base and
store image: a Debian base made with debootstrap and `docker import`, then Python, Node, nginx,
Postgres, Redis and ClickHouse (the chdb-core engine) on top of it from Debian's packages and the
language registries. The stand-ins carry our own names, never the upstream ones. It then writes the
names into .env (made from .env.example when missing), so that a plain `docker compose up -d`
uses them.

Builds go through `docker compose build` on deploy/images/compose.yaml: Compose drives BuildKit
itself (no buildx plugin needed), which gives cached layers, cache mounts for pip and npm, and the
`ca_cert` build secret (the host's CA bundle, for TLS-intercepting networks; never in a layer).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from tooling.runner.envfile import parse_env_file, update_env_file

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD_FILE = REPO_ROOT / "deploy" / "images" / "compose.yaml"

BASE_IMAGE = "tracehouse/debian:bookworm"
# .env key -> the stand-in's name. Versions are what Debian 12 (and the pinned Node/chdb) give.
STANDINS: dict[str, str] = {
    "PYTHON_IMAGE": "tracehouse/python:3.11-debian",
    "NODE_IMAGE": "tracehouse/node:20-debian",
    "NGINX_IMAGE": "tracehouse/nginx:1.22-debian",
    "POSTGRES_IMAGE": "tracehouse/postgres:15-debian",
    "REDIS_IMAGE": "tracehouse/redis:7.0-debian",
    "CLICKHOUSE_IMAGE": "tracehouse/clickhouse:26.9-chdb",
}
# The upstream defaults (as in .env.example and compose.yaml).
UPSTREAM: dict[str, str] = {
    "APP_IMAGE": "tracehouse/app:latest",
    "FRONTEND_IMAGE": "tracehouse/frontend:latest",
    "PYTHON_IMAGE": "python:3.11-slim",
    "NODE_IMAGE": "node:20-bookworm-slim",
    "NGINX_IMAGE": "nginx:1.27-alpine",
    "POSTGRES_IMAGE": "postgres:16",
    "CLICKHOUSE_IMAGE": "clickhouse/clickhouse-server:26.8",
    "REDIS_IMAGE": "redis:7",
}
# Build order: the clickhouse stand-in builds on the python one, our images on all bases.
_FIRST = ["python", "node", "nginx", "postgres", "redis"]
_THEN = ["clickhouse"]
_OURS = ["app", "frontend"]
DEFAULT_MIRROR = "http://deb.debian.org/debian"
_CA_BUNDLES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt")


class ImageBuildError(RuntimeError):
    """The build cannot go on (the message says why and what to do)."""


@dataclass
class BuildResult:
    images: dict[str, str]  # .env key -> image name
    seconds: float
    sizes: dict[str, int] = field(default_factory=dict)  # image name -> bytes


def require_docker() -> None:
    if shutil.which("docker") is None:
        raise ImageBuildError("docker is not installed (Debian: apt-get install docker.io)")
    if _run(["docker", "info", "--format", "{{.ServerVersion}}"], capture=True).returncode != 0:
        raise ImageBuildError("no Docker engine answers (start dockerd, or check DOCKER_HOST)")
    if _run(["docker", "compose", "version"], capture=True).returncode != 0:
        raise ImageBuildError("Docker Compose v2 is missing (the `docker compose` CLI plugin)")


def image_exists(name: str) -> bool:
    return _run(["docker", "image", "inspect", name], capture=True).returncode == 0


def image_size(name: str) -> int:
    out = _run(["docker", "image", "inspect", "--format", "{{.Size}}", name], capture=True)
    return int(out.stdout.strip() or 0) if out.returncode == 0 else 0


def ca_bundle() -> str | None:
    """The CA bundle pip and npm inside the builds should trust: the one pip uses on this host."""
    for candidate in (os.environ.get("PIP_CERT"), os.environ.get("SSL_CERT_FILE"), *_CA_BUNDLES):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def debian_mirror() -> str:
    """The Debian mirror apt on this host uses (a site's own mirror works inside the build too)."""
    for source in [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]:
        try:
            text = source.read_text()
        except OSError:
            continue
        for line in text.splitlines():
            words = line.split()
            if words[:1] == ["URIs:"] and len(words) > 1 and "security" not in words[1]:
                return words[1]
            if words[:1] == ["deb"] and "security" not in line:
                uri = next((w for w in words[1:] if "://" in w), None)
                if uri:
                    return uri
    return DEFAULT_MIRROR


def build_base(log: Callable[[str], None], mirror: str | None = None) -> None:
    """Debian 12 (minbase) made by debootstrap, imported as BASE_IMAGE. Skipped when it exists."""
    if image_exists(BASE_IMAGE):
        log(f"{BASE_IMAGE}: present")
        return
    if shutil.which("debootstrap") is None:
        if os.geteuid() == 0 and shutil.which("apt-get"):
            log("installing debootstrap")
            _check(_run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "debootstrap"]), "apt-get")
        else:
            raise ImageBuildError("debootstrap is not installed (Debian: apt-get install debootstrap)")
    if os.geteuid() != 0:
        raise ImageBuildError("making the Debian base image needs root (debootstrap)")
    mirror = mirror or debian_mirror()
    log(f"{BASE_IMAGE}: debootstrap bookworm from {mirror}")
    with tempfile.TemporaryDirectory(prefix="tracehouse-rootfs-") as tmp:
        root = Path(tmp) / "rootfs"
        _check(_run(["debootstrap", "--variant=minbase", "bookworm", str(root), mirror], capture=True), "debootstrap")
        # What a container never needs: downloaded .debs, docs, translations.
        for pattern in [
            "var/cache/apt/archives/*.deb",
            "var/cache/apt/*.bin",
            "var/lib/apt/lists/*",
            "usr/share/doc/*",
            "usr/share/man/*",
            "usr/share/info/*",
            "usr/share/locale/*",
        ]:
            for path in root.glob(pattern):
                if path.name == "locale.alias":  # glibc reads it
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
        # Keep it small for good: apt in derived images leaves docs and manuals out too.
        (root / "etc/dpkg/dpkg.cfg.d/01-tracehouse-nodoc").write_text(
            "path-exclude /usr/share/doc/*\npath-exclude /usr/share/man/*\npath-exclude /usr/share/locale/*\n"
            "path-include /usr/share/locale/locale.alias\n"
        )
        # ...and keeps neither downloaded packages nor its binary caches (like Docker's own Debian
        # images): without this every apt-get layer carries ~150 MB of .debs.
        clean = "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"
        (root / "etc/apt/apt.conf.d/01-tracehouse").write_text(
            'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\nAcquire::Retries "3";\n'
            'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n'
            f'DPkg::Post-Invoke {{ "{clean}"; }};\nAPT::Update::Post-Invoke {{ "{clean}"; }};\n'
        )
        tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
        imported = _run(
            ["docker", "import", "--change", 'CMD ["bash"]', "-", BASE_IMAGE], stdin=tar.stdout, capture=True
        )
        tar.wait()
        _check(imported, "docker import")


def build_env(env: Mapping[str, str], *, offline: bool, source_dir: Path, ca_file: str) -> dict[str, str]:
    """The variables deploy/images/compose.yaml reads: image names from .env, stand-ins offline."""
    names = {key: env.get(key) or default for key, default in UPSTREAM.items()}
    if offline:
        names.update(STANDINS)
    return {**os.environ, **names, "BASE_IMAGE": BASE_IMAGE, "SOURCE_DIR": str(source_dir), "CA_CERT_FILE": ca_file}


def build(
    env_file: Path,
    *,
    offline: bool,
    log: Callable[[str], None] = print,
    source_dir: Path = REPO_ROOT,
    overrides: Mapping[str, str] | None = None,
    write_env: bool = True,
    mirror: str | None = None,
) -> BuildResult:
    """Build the images; with write_env, record their names in env_file. `overrides` renames
    images for this build (the upgrade test tags an older checkout's app as another name)."""
    started = time.monotonic()
    require_docker()
    env = parse_env_file(env_file) if env_file.is_file() else {}
    with tempfile.TemporaryDirectory(prefix="tracehouse-build-") as tmp:
        ca_file = ca_bundle() or _empty_file(Path(tmp))
        variables = build_env(env, offline=offline, source_dir=source_dir.resolve(), ca_file=ca_file)
        variables.update(overrides or {})
        if offline:
            build_base(log, mirror)
            _compose_build(_FIRST, variables, log)
            _compose_build(_THEN, variables, log)
        _compose_build(_OURS, variables, log)
    images = {key: variables[key] for key in UPSTREAM}
    if write_env:
        example = REPO_ROOT / ".env.example"
        if not env_file.exists():
            shutil.copyfile(example, env_file)
            log(f"created {env_file} from .env.example")
        update_env_file(env_file, images)
        log(f"wrote the image names into {env_file}")
    sizes = {name: image_size(name) for name in dict.fromkeys(images.values())}
    return BuildResult(images=images, seconds=time.monotonic() - started, sizes=sizes)


def report(result: BuildResult) -> str:
    lines = [f"built in {result.seconds:.0f}s", f"{'.env key':<18} {'image':<40} {'size':>9}"]
    for key, name in result.images.items():
        size = result.sizes.get(name, 0)
        lines.append(f"{key:<18} {name:<40} {size / 1e6:>7.0f}MB")
    return "\n".join(lines)


def _compose_build(services: list[str], variables: Mapping[str, str], log: Callable[[str], None]) -> None:
    log(f"building {', '.join(services)}")
    argv = ["docker", "compose", "-f", str(BUILD_FILE), "build", "--progress", "plain", *services]
    result = _run(argv, env=dict(variables), stream=True)
    _check(result, f"docker compose build {' '.join(services)}")


def _empty_file(directory: Path) -> str:
    path = directory / "no-ca-bundle.pem"
    path.write_text("")
    return str(path)


def _run(
    argv: list[str],
    *,
    capture: bool = False,
    stream: bool = False,
    env: dict[str, str] | None = None,
    stdin: int | IO[bytes] | None = None,
) -> subprocess.CompletedProcess[str]:
    if stream:  # build logs go to stderr as they come; the summary goes to stdout
        return subprocess.run(argv, env=env, stdout=sys.stderr, stderr=sys.stderr, text=True, check=False)
    return subprocess.run(
        argv,
        env=env,
        stdin=stdin,
        capture_output=capture,
        text=True,
        check=False,
    )


def _check(result: subprocess.CompletedProcess[str], what: str) -> None:
    if result.returncode != 0:
        detail = (result.stderr or result.stdout or "").strip().splitlines()[-5:]
        raise ImageBuildError(f"{what} failed (exit {result.returncode})" + ("".join(f"\n  {d}" for d in detail)))
