"""The compose appliance, built and run for real: offline images, a Docker engine, compose v2.

Everything here goes through `docker compose` in a directory laid out like a fresh checkout, with
the images `./tracehouse images build --offline` makes (no registry is reachable in CI), and talks
to the appliance only through the frontend port, published on 127.0.0.1.

The tests share one appliance (the `appliance` fixture) and run in file order; each one sets up
the data it checks. The managed-stores and upgrade tests make projects of their own.
"""

from __future__ import annotations

import concurrent.futures
import re
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from langsmith import Client

from tests.conftest import scratch_dir
from tests.support.compose_harness import (
    LONG_RUNNING,
    REPO_ROOT,
    STORES,
    Project,
    docker,
    lay_out_checkout,
    new_project,
)
from tests.support.docker_engine import ensure_docker
from tooling.runner.images import STANDINS, build

# A cold first build of every image (on a fresh CI machine) happens inside the first test's
# fixtures, and the upgrade test builds a second release: longer than the suite's default bound.
pytestmark = [pytest.mark.compose, pytest.mark.timeout(900)]

PASSWORD = "compose-admin-password-1"
# The commit whose images the upgrade test starts from: the release before this one. Bump it when
# a release is cut; it must be a commit whose Dockerfiles take the base images as build args.
UPGRADE_FROM = "4cf2e62c3f9eebca0c3f70eef01b791a7a7973f5"
# Its operator CLI module (app.cli until the CLI moved to tooling/; tooling.cli from then on).
UPGRADE_FROM_CLI = "app.cli"


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    path = scratch_dir("tracehouse-compose-")
    yield path


@pytest.fixture(scope="module")
def images(workdir: Path) -> dict[str, str]:
    """The offline images (the layer cache makes this quick after the first build)."""
    ensure_docker()
    result = build(workdir / "images.env", offline=True, log=lambda _m: None)
    return result.images


@pytest.fixture(scope="module")
def appliance(workdir: Path, images: dict[str, str]) -> Iterator[Project]:
    project = new_project(workdir, images)
    try:
        project.up_seconds = project.up()  # type: ignore[attr-defined]  # carried to the test that prints it
        yield project
    finally:
        project.down("-v", "--remove-orphans")


def sdk(project: Project, key: str) -> Client:
    return Client(api_url=project.api_url, api_key=key)


def api_key(project: Project, workspace: str | None = None, *, cli: str = "tooling.cli") -> str:
    """The README's way: `docker compose exec platform python -m tooling.cli api-key create`."""
    argv = ["python", "-m", cli, "api-key", "create"] + (["--workspace", workspace] if workspace else [])
    out = project.exec("platform", *argv).stdout.strip().splitlines()
    assert out, "api-key create printed nothing"
    return out[-1]


def ingest(project: Project, key: str, project_name: str, count: int) -> set[str]:
    """`count` root runs through the SDK's batch endpoint; returns their ids."""
    client = sdk(project, key)
    ids = set()
    for _ in range(count):
        run_id = uuid.uuid4()
        ids.add(str(run_id))
        client.create_run(
            name="compose-run", run_type="chain", inputs={"q": str(run_id)}, project_name=project_name, id=run_id
        )
    client.flush()
    return ids


def wait_for_runs(project: Project, key: str, project_name: str, ids: set[str], timeout: float = 180) -> None:
    client = sdk(project, key)
    deadline = time.monotonic() + timeout
    seen: set[str] = set()
    while time.monotonic() < deadline:
        try:
            seen = {str(r.id) for r in client.list_runs(project_name=project_name)}
        except Exception:  # the project appears with its first stored run
            seen = set()
        if ids <= seen:
            return
        time.sleep(1)
    # What the queue service said is where a stall shows (issue 19's CI run 3 had one after a
    # Redis kill that a rerun did not reproduce): keep its last lines in the failure.
    queue_log = "\n".join(project.logs("queue").splitlines()[-60:])
    missing = len(ids - seen)
    raise AssertionError(f"{missing} of {len(ids)} runs never arrived; the queue's last log lines:\n{queue_log}")


def run_counts(project: Project, key: str, project_name: str) -> tuple[int, int]:
    """(rows, distinct run ids) stored in ClickHouse for the project, read without FINAL: a run
    written twice would show as two rows until a merge folds them."""
    project_id = str(sdk(project, key).read_project(project_name=project_name).id)
    assert re.fullmatch(r"[0-9a-f-]{36}", project_id)  # a uuid, safe to put in the SQL text
    rows = project.clickhouse(f"SELECT count(), uniqExact(id) FROM runs WHERE project_id = '{project_id}'")
    return int(rows[0][0]), int(rows[0][1])


# -------------------------------------------------------------------------------------------
# Start, health, what is published
# -------------------------------------------------------------------------------------------


def test_every_service_healthy_and_only_the_frontend_published(appliance: Project) -> None:
    rows = {row["Service"]: row for row in appliance.ps(all_=True)}
    for service in LONG_RUNNING + STORES:
        assert rows[service]["State"] == "running", rows[service]
        assert rows[service]["Health"] == "healthy", rows[service]
    assert rows["migrate"]["State"] == "exited" and rows["migrate"]["ExitCode"] == 0
    published = {
        (row["Service"], p["URL"], p["TargetPort"])
        for row in rows.values()
        for p in row.get("Publishers") or []
        if p.get("PublishedPort")
    }
    assert published == {("frontend", "127.0.0.1", 1980)}
    print(f"docker compose up -d --wait took {appliance.up_seconds:.1f}s")  # type: ignore[attr-defined]  # set by the fixture


def test_containers_run_as_non_root(appliance: Project) -> None:
    for service in LONG_RUNNING + STORES:
        (container,) = appliance.containers(service)
        uid = docker("exec", container, "id", "-u").strip()
        assert uid != "0", f"{service} runs as root"


def test_ui_index_and_assets_served(appliance: Project) -> None:
    index = httpx.get(f"{appliance.url}/", timeout=10)
    assert index.status_code == 200 and "text/html" in index.headers["content-type"]
    assets = re.findall(r'(?:src|href)="(/assets/[^"]+)"', index.text)
    assert assets, index.text[:500]
    for asset in assets:
        response = httpx.get(f"{appliance.url}{asset}", timeout=10)
        assert response.status_code == 200 and response.content, asset
    # A client-side route gets the same index (the SPA fallback), with the UI's CSP.
    deep = httpx.get(f"{appliance.url}/o/anything/projects", timeout=10)
    assert deep.status_code == 200 and "content-security-policy" in deep.headers


# -------------------------------------------------------------------------------------------
# First login, keys, the SDK
# -------------------------------------------------------------------------------------------


def test_first_login_from_the_setup_link_in_the_migrate_log(appliance: Project) -> None:
    with httpx.Client(base_url=appliance.api_url, timeout=30) as browser:
        assert browser.get("/setup").json() == {"needs_setup": True}
        links = re.findall(r"/setup\?token=([A-Za-z0-9_-]+)", appliance.logs("migrate"))
        assert links, appliance.logs("migrate")
        created = browser.post(
            "/setup", json={"token": links[-1], "email": "admin@example.com", "name": "Admin", "password": PASSWORD}
        )
        assert created.status_code in (200, 201), created.text
        assert browser.get("/auth/me").status_code == 200
    with httpx.Client(base_url=appliance.api_url, timeout=30) as other:
        assert other.get("/setup").json() == {"needs_setup": False}
        login = other.post("/auth/login", json={"email": "admin@example.com", "password": PASSWORD})
        assert login.status_code == 200, login.text
        me = other.get("/auth/me").json()
        assert me["user"]["email"] == "admin@example.com" and me["role"] == "admin"


def test_ui_login_in_a_browser(appliance: Project) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.ui.test_ui_browser import CHROMIUM, CHROMIUM_ARGS

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_context(base_url=appliance.url).new_page()
            tab.goto("/")
            tab.wait_for_url(re.compile(r"/login"))
            tab.get_by_label("Email").fill("admin@example.com")
            tab.get_by_label("Password").fill(PASSWORD)
            tab.get_by_role("button", name="Log in").click()
            tab.wait_for_url(re.compile(r"/o/[0-9a-f-]+/projects$"))
            sync_api.expect(tab.get_by_title("admin@example.com")).to_be_visible()
        finally:
            browser.close()


def test_behind_a_tls_proxy(appliance: Project) -> None:
    """docs/operations.md, "TLS": a proxy in TRUSTED_PROXIES names the client, and its
    X-Forwarded-Proto: https makes the session cookie Secure."""
    subnet = docker(
        "network", "inspect", f"{appliance.name}_default", "--format", "{{range .IPAM.Config}}{{.Subnet}}{{end}}"
    ).strip()
    login = {"email": "admin@example.com", "password": PASSWORD}

    def client_address_logged(marker: str) -> str:
        lines = [line for line in appliance.logs("frontend").splitlines() if marker in line]
        assert lines, marker
        return lines[-1].split()[0]

    # Not trusted yet: a client's X-Forwarded-For is ignored.
    marker = uuid.uuid4().hex
    httpx.get(f"{appliance.url}/?{marker}", headers={"X-Forwarded-For": "203.0.113.7"}, timeout=10)
    assert client_address_logged(marker) != "203.0.113.7"
    plain = httpx.post(f"{appliance.api_url}/auth/login", json=login, timeout=30)
    assert plain.status_code == 200 and "secure" not in plain.headers["set-cookie"].lower()

    appliance.write_env({"TRUSTED_PROXIES": subnet})
    appliance.up()
    marker = uuid.uuid4().hex
    httpx.get(f"{appliance.url}/?{marker}", headers={"X-Forwarded-For": "203.0.113.7"}, timeout=10)
    assert client_address_logged(marker) == "203.0.113.7"
    proxied = httpx.post(
        f"{appliance.api_url}/auth/login",
        json=login,
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.8"},
        timeout=30,
    )
    assert proxied.status_code == 200
    assert all("secure" in c.lower() for c in proxied.headers.get_list("set-cookie"))
    appliance.write_env({"TRUSTED_PROXIES": ""})
    appliance.up()


def test_api_key_from_compose_exec_and_sdk_round_trip(appliance: Project) -> None:
    key = api_key(appliance)
    assert key.startswith("th_")
    client = sdk(appliance, key)
    name = f"compose-{uuid.uuid4().hex[:8]}"
    ids = ingest(appliance, key, name, 5)
    wait_for_runs(appliance, key, name, ids)
    run = client.read_run(next(iter(ids)))
    assert run.name == "compose-run" and run.inputs["q"] == str(run.id)


# -------------------------------------------------------------------------------------------
# Persistence, scaling, a store killed mid-ingest
# -------------------------------------------------------------------------------------------


def test_down_then_up_keeps_runs_keys_and_users(appliance: Project) -> None:
    email = f"persist-{uuid.uuid4().hex[:6]}@example.com"
    appliance.exec(
        "platform", "python", "-m", "tooling.cli", "user", "create", "--email", email, "--password-stdin",
        input=PASSWORD + "\n",
    )  # fmt: skip
    key = api_key(appliance, "persist")
    name = f"persist-{uuid.uuid4().hex[:8]}"
    ids = ingest(appliance, key, name, 10)
    wait_for_runs(appliance, key, name, ids)
    appliance.down()
    assert not appliance.ps(all_=True)
    appliance.up()
    wait_for_runs(appliance, key, name, ids, timeout=30)  # same key, same runs
    login = httpx.post(f"{appliance.api_url}/auth/login", json={"email": email, "password": PASSWORD}, timeout=30)
    assert login.status_code == 200, login.text


def test_scaled_queue_stores_each_run_exactly_once(appliance: Project) -> None:
    appliance.up("--scale", "queue=3")
    assert len([r for r in appliance.ps() if r["Service"] == "queue" and r["Health"] == "healthy"]) == 3
    key = api_key(appliance, "scaled")
    name = f"scaled-{uuid.uuid4().hex[:8]}"
    ids: set[str] = set()
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        for batch in pool.map(lambda _: ingest(appliance, key, name, 50), range(4)):
            ids |= batch
    wait_for_runs(appliance, key, name, ids)
    assert run_counts(appliance, key, name) == (len(ids), len(ids))
    appliance.up("--scale", "queue=1")


# Run inside the queue container: enqueue a job that holds the worker until the file given as
# argv[1] exists (a shell loop run by subprocess.run: the image has no test code), and return once
# the worker has started it.
HELD_JOB = """
import sys, time
from app.core.queue import queue
from app.core.redis_keys import DEFAULT_QUEUE
from worker.context import context
hold = ["sh", "-c", f"while [ ! -e {sys.argv[1]} ]; do sleep 0.1; done"]
job = queue(DEFAULT_QUEUE, context().redis).enqueue("subprocess.run", hold, job_timeout=300, result_ttl=0)
deadline = time.monotonic() + 60
while job.get_status(refresh=True) != "started":
    assert time.monotonic() < deadline, "the queue worker never started the job"
    time.sleep(0.1)
"""
WAITING_FOR_REDIS = "waiting for redis to start the rq worker"


@pytest.mark.parametrize("store", ["clickhouse", "redis"])
def test_store_killed_mid_ingest_loses_nothing_accepted(appliance: Project, store: str) -> None:
    key = api_key(appliance, f"kill-{store}")
    name = f"kill-{store}-{uuid.uuid4().hex[:8]}"
    accepted: set[str] = set()
    stop = threading.Event()

    def send() -> None:
        # Raw batches, so "accepted" is exactly the ids of a 202; refused ones are not counted.
        with httpx.Client(base_url=appliance.api_url, headers={"x-api-key": key}, timeout=10) as client:
            while not stop.is_set():
                batch = [
                    {"id": str(uuid.uuid4()), "name": "k", "run_type": "chain", "inputs": {}, "session_name": name,
                     "start_time": "2026-01-01T00:00:00Z", "trace_id": None, "dotted_order": None}
                    for _ in range(20)
                ]  # fmt: skip
                for run in batch:
                    run["trace_id"] = run["id"]
                    run["dotted_order"] = "20260101T000000000000Z" + run["id"]
                try:
                    response = client.post("/runs/batch", json={"post": batch})
                except httpx.HTTPError:
                    continue
                if response.status_code == 202:
                    accepted.update(r["id"] for r in batch)
                time.sleep(0.02)

    def queue_restarts() -> list[str]:
        return [docker("inspect", "-f", "{{.RestartCount}}", c).strip() for c in appliance.containers("queue")]

    restarts_before = queue_restarts()
    sender = threading.Thread(target=send)
    sender.start()
    try:
        deadline = time.monotonic() + 60
        while len(accepted) < 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        release = f"/tmp/release-{uuid.uuid4().hex}"
        if store == "redis":
            # A job still running when Redis dies: finishing it fails, which ends rq's loop, so the
            # worker must rebuild itself while Redis is away (and not restart under a taken name).
            appliance.exec("queue", "python", "-c", HELD_JOB, release)
            waits_before = appliance.logs("queue").count(WAITING_FOR_REDIS)
        (container,) = appliance.containers(store)
        docker("kill", container)
        time.sleep(3)  # ingest goes on (or is refused) while the store is down
        if store == "redis":
            appliance.exec("queue", "touch", release)  # the job ends, with Redis down
            deadline = time.monotonic() + 120
            while appliance.logs("queue").count(WAITING_FOR_REDIS) == waits_before:
                if queue_restarts() != restarts_before or time.monotonic() > deadline:
                    break  # the assertion below says what happened
                time.sleep(0.5)
        appliance.compose("start", store)
        appliance.wait_healthy()
        time.sleep(2)
    finally:
        stop.set()
        sender.join()
    assert len(accepted) >= 200
    # The queue process waits the store out: a restart would stall ingest (and, under the same
    # container's worker name, used to loop for minutes).
    assert queue_restarts() == restarts_before, appliance.logs("queue")[-6000:]
    if store == "redis":  # the outage did reach the worker's rebuild, so this proved something
        assert appliance.logs("queue").count(WAITING_FOR_REDIS) > waits_before, appliance.logs("queue")[-6000:]
    wait_for_runs(appliance, key, name, accepted, timeout=240)
    rows, distinct = run_counts(appliance, key, name)
    # Every accepted run once. A batch whose 202 was lost with the connection may be stored too,
    # so there can be more distinct runs than counted, but never a second copy of one.
    assert rows == distinct >= len(accepted)


# -------------------------------------------------------------------------------------------
# Managed stores: another project plays them; the appliance uses them after editing .env only
# -------------------------------------------------------------------------------------------

MANAGED_COMPOSE = """\
# Plays an operator's managed Postgres, ClickHouse and Redis: another project, published on the
# Docker host's bridge address, which the appliance's containers reach as an outside host.
services:
  postgres:
    image: {postgres}
    environment: {{POSTGRES_USER: managed, POSTGRES_PASSWORD: managed-pg-pw, POSTGRES_DB: tracing}}
    ports: ["{host}:{pg_port}:5432"]
  clickhouse:
    image: {clickhouse}
    environment: {{CLICKHOUSE_USER: managed, CLICKHOUSE_PASSWORD: managed-ch-pw}}
    ports: ["{host}:{ch_port}:9000"]
  redis:
    image: {redis}
    command: redis-server --requirepass managed-redis-pw --appendonly yes
    ports: ["{host}:{redis_port}:6379"]
"""


def bridge_gateway() -> str:
    """The Docker host's address on the default bridge (docker0): an address outside every
    compose project that their containers reach, as they would a database server."""
    import ipaddress

    gateway = docker("network", "inspect", "bridge", "--format", "{{range .IPAM.Config}}{{.Gateway}}{{end}}").strip()
    if gateway:
        return gateway
    subnet = docker("network", "inspect", "bridge", "--format", "{{range .IPAM.Config}}{{.Subnet}}{{end}}").strip()
    return str(next(ipaddress.ip_network(subnet).hosts()))  # dockerd gives docker0 the first one


def test_managed_stores_after_editing_only_env(workdir: Path, images: dict[str, str]) -> None:
    from tooling.runner.stores import free_port

    host = bridge_gateway()
    ports = {"pg_port": free_port(), "ch_port": free_port(), "redis_port": free_port()}
    managed = Project(directory=workdir / f"managed-{uuid.uuid4().hex[:6]}")
    managed.directory.mkdir()
    (managed.directory / "compose.yaml").write_text(
        MANAGED_COMPOSE.format(
            host=host,
            postgres=images["POSTGRES_IMAGE"],
            clickhouse=images["CLICKHOUSE_IMAGE"],
            redis=images["REDIS_IMAGE"],
            **ports,
        )
    )
    appliance = new_project(
        workdir,
        images,
        {
            "COMPOSE_PROFILES": "",
            "POSTGRES_DSN": f"postgresql://managed:managed-pg-pw@{host}:{ports['pg_port']}/tracing",
            "CLICKHOUSE_HOST": host,
            "CLICKHOUSE_PORT": str(ports["ch_port"]),
            "CLICKHOUSE_USER": "managed",
            "CLICKHOUSE_PASSWORD": "managed-ch-pw",
            "CLICKHOUSE_DATABASE": "tracing",
            "REDIS_URL": f"redis://:managed-redis-pw@{host}:{ports['redis_port']}/0",
        },
    )
    try:
        managed.compose("up", "-d", "--wait", timeout=600)
        appliance.up()
        services = {row["Service"] for row in appliance.ps(all_=True)}
        assert not services & set(STORES), services  # no bundled store started
        key = api_key(appliance)
        name = f"managed-{uuid.uuid4().hex[:8]}"
        ids = ingest(appliance, key, name, 5)
        wait_for_runs(appliance, key, name, ids)
        # The runs are in the managed ClickHouse's database, seen from that project's own side.
        (ch,) = managed.containers("clickhouse")
        quoted = ",".join(f"'{i}'" for i in ids)
        out = docker(
            "exec", ch, "wget", "-qO-", "--user=managed", "--password=managed-ch-pw",
            f"http://127.0.0.1:8123/?query=SELECT+count()+FROM+tracing.runs+WHERE+id+IN+({quoted})",
        )  # fmt: skip
        assert out.strip() == str(len(ids))
    finally:
        appliance.down("-v", "--remove-orphans")
        managed.compose("down", "-v", check=False)


# -------------------------------------------------------------------------------------------
# Backup and restore (the commands docs/operations.md gives), upgrade from the previous release
# -------------------------------------------------------------------------------------------


def volume_name(project: Project, volume: str) -> str:
    return f"{project.name}_{volume}"


def test_backup_and_restore_volumes(workdir: Path, appliance: Project, images: dict[str, str]) -> None:
    key = api_key(appliance, "backup")
    name = f"backup-{uuid.uuid4().hex[:8]}"
    ids = ingest(appliance, key, name, 10)
    wait_for_runs(appliance, key, name, ids)
    backup = workdir / f"backup-{uuid.uuid4().hex[:6]}"
    backup.mkdir()
    # docs/operations.md, "Backup": a Postgres dump while running...
    dump = subprocess.run(
        ["docker", "compose", "-p", appliance.name, "exec", "-T", "postgres", "pg_dump", "-U", "tracehouse", "-Fc",
         "tracehouse"],
        cwd=appliance.directory, capture_output=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    assert dump.startswith(b"PGDMP") and len(dump) > 10_000
    # ...and the cold backup: stop, archive each volume with a throwaway container, start.
    appliance.compose("stop")
    for volume in ("postgres-data", "clickhouse-data", "redis-data"):
        docker(
            "run", "--rm", "--user", "0", "-v", f"{volume_name(appliance, volume)}:/volume:ro",
            "-v", f"{backup}:/backup", images["APP_IMAGE"],
            "tar", "-C", "/volume", "-czf", f"/backup/{volume}.tgz", ".",
        )  # fmt: skip
    appliance.up()
    # Restore into a brand-new installation (another project), then start it: same data.
    restored = new_project(workdir, images)
    try:
        restored.compose("create")
        for volume in ("postgres-data", "clickhouse-data", "redis-data"):
            docker(
                "run", "--rm", "--user", "0", "-v", f"{volume_name(restored, volume)}:/volume",
                "-v", f"{backup}:/backup:ro", images["APP_IMAGE"],
                "sh", "-c", f"cd /volume && tar -xzpf /backup/{volume}.tgz",
            )  # fmt: skip
        restored.up()
        wait_for_runs(restored, key, name, ids, timeout=60)
    finally:
        restored.down("-v", "--remove-orphans")


def build_previous_release(workdir: Path, images: dict[str, str]) -> tuple[Path, dict[str, str]]:
    """The previous release's checkout and its app/frontend images, built offline from git."""
    source = workdir / "previous-release"
    if not source.exists():
        source.mkdir()
        archive = subprocess.run(
            ["git", "archive", UPGRADE_FROM], cwd=REPO_ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    tag = subprocess.run(
        ["git", "rev-parse", "--short", UPGRADE_FROM], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    names = {"APP_IMAGE": f"tracehouse/app:{tag}", "FRONTEND_IMAGE": f"tracehouse/frontend:{tag}"}
    build(
        workdir / "previous.env",
        offline=True,
        log=lambda _m: None,
        source_dir=source,
        overrides=names,
        write_env=False,
    )
    return source, {**images, **names}


MIGRATED = re.compile(r"migrations done: postgres (.+?), clickhouse (.+?)(?:, bootstrap .*)?$", re.M)


def migrate_runs(project: Project) -> list[tuple[set[str], set[str]]]:
    """Each migrate run's (postgres, clickhouse) migration ids applied, from its log lines."""
    runs = []
    for pg, ch in MIGRATED.findall(project.logs("migrate")):
        ids = [set() if part == "up to date" else set(part.split(", ")) for part in (pg, ch)]
        runs.append((ids[0], ids[1]))
    return runs


def migration_ids(root: Path) -> tuple[set[str], set[str]]:
    def ids(kind: str) -> set[str]:
        return {p.stem for p in (root / "migrations" / kind).glob("*.sql") if not p.stem.endswith(".rollback")}

    return ids("postgres"), ids("clickhouse")


def test_upgrade_from_the_previous_release(workdir: Path, images: dict[str, str]) -> None:
    source, old_images = build_previous_release(workdir, images)
    project = new_project(workdir, old_images, source=source)  # the operator's old checkout...
    try:
        project.up()
        key = api_key(project, cli=UPGRADE_FROM_CLI)
        name = f"upgrade-{uuid.uuid4().hex[:8]}"
        ids = ingest(project, key, name, 10)
        wait_for_runs(project, key, name, ids)
        assert len(migrate_runs(project)) == 1
        # ...then the new release: its checkout files and images, the same .env and volumes.
        lay_out_checkout(project.directory)
        project.write_env(images)
        project.up()
        # (The new image recreates the migrate container, so its log is the new run's alone.)
        old_pg, old_ch = migration_ids(source)
        new_pg, new_ch = migration_ids(REPO_ROOT)
        assert migrate_runs(project) == [(new_pg - old_pg, new_ch - old_ch)]  # exactly the new ones
        wait_for_runs(project, key, name, ids, timeout=60)  # data intact, the old key still valid
        # Another start applies nothing.
        project.compose("up", "-d", "--force-recreate", "--no-deps", "migrate")
        project.compose("wait", "migrate")
        assert migrate_runs(project) == [(set(), set())]
    finally:
        project.down("-v", "--remove-orphans")


def test_standin_images_carry_our_names_only(images: dict[str, str]) -> None:
    for key, name in STANDINS.items():
        assert images[key] == name and name.startswith("tracehouse/")
    listed = docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}").split()
    upstream = {"postgres", "redis", "clickhouse/clickhouse-server", "python", "node", "nginx"}
    assert not {name.split(":")[0] for name in listed} & upstream, listed
