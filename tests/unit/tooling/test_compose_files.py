"""Static checks of the Docker Compose appliance (compose.yaml, Dockerfile, nginx/Dockerfile).

These validate the files themselves, fast and before anything is built; tests/compose/test_compose_stack.py
builds the images and runs the appliance for real.

The schema in tests/support/fixtures/compose-spec.json is the official Compose Specification JSON
schema, vendored unmodified from https://github.com/compose-spec/compose-spec, file
schema/compose-spec.json (commit 00655e2222608fa6eaecdf12ac5195889ca2244a). Its `$schema` is
draft-07, so it is used with Draft7Validator. `format` is not checked (no FormatChecker),
as Compose itself does not rely on it.
"""

import pathlib
import re

import jsonschema
import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[3]
COMPOSE_FILE = ROOT / "compose.yaml"
SCHEMA_FILE = ROOT / "tests" / "support" / "fixtures" / "compose-spec.json"

APP_SERVICES = ["frontend", "backend", "platform", "playground", "queue", "migrate"]
PY_LONG_RUNNING = ["backend", "platform", "playground", "queue"]
STORES = ["postgres", "clickhouse", "redis"]
NAMED_VOLUMES = {"postgres-data", "clickhouse-data", "clickhouse-logs", "redis-data"}
SYSTEM_LOGS_XML = "./deploy/clickhouse/config.d/system-logs.xml"


def load_compose():
    """A fresh parse every call, so a test may mutate the result freely."""
    return yaml.safe_load(COMPOSE_FILE.read_text())


def load_schema():
    return yaml.safe_load(SCHEMA_FILE.read_text())  # JSON is YAML; keeps the import list short


def schema_errors(doc):
    validator = jsonschema.Draft7Validator(load_schema())
    return sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))


def services():
    return load_compose()["services"]


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def env_file_paths(value):
    paths = []
    for item in as_list(value):
        paths.append(item["path"] if isinstance(item, dict) else item)
    return paths


def command_words(command):
    return command.split() if isinstance(command, str) else list(command)


def module_of(words):
    """`python -m a.b ...` -> "a.b"; None when the command is not a `-m` invocation."""
    if "-m" not in words:
        return None
    i = words.index("-m")
    return words[i + 1] if i + 1 < len(words) else None


def module_exists(module):
    parts = module.split(".")
    base = ROOT.joinpath(*parts)
    return (base / "__main__.py").is_file() or base.with_suffix(".py").is_file()


# --------------------------------------------------------------------------------------------
# Schema validation
# --------------------------------------------------------------------------------------------


def test_schema_file_is_a_valid_draft7_schema():
    schema = load_schema()
    assert "draft-07" in schema["$schema"]
    jsonschema.Draft7Validator.check_schema(schema)
    # A sanity check that this is the Compose spec and not some stub.
    assert schema["title"] == "Compose Specification"
    assert "service" in schema["definitions"]


def test_compose_file_validates_against_compose_spec():
    errors = schema_errors(load_compose())
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def _ports_not_a_list(doc):
    doc["services"]["frontend"]["ports"] = "not-a-list"


def _unknown_top_level_key(doc):
    doc["servicez"] = {}


def _unknown_service_key(doc):
    doc["services"]["backend"]["comand"] = "python -m app.backend"


def _bad_depends_on_condition(doc):
    doc["services"]["backend"]["depends_on"]["migrate"]["condition"] = "service_done"


def _unquoted_restart_no(doc):
    # `restart: no` unquoted is YAML boolean false, which Compose rejects.
    doc["services"]["migrate"]["restart"] = False


@pytest.mark.parametrize(
    "breakage",
    [
        _ports_not_a_list,
        _unknown_top_level_key,
        _unknown_service_key,
        _bad_depends_on_condition,
        _unquoted_restart_no,
    ],
)
def test_schema_rejects_broken_compose(breakage):
    """The schema check must be able to fail, or the test above proves nothing."""
    doc = load_compose()
    assert not schema_errors(doc)
    breakage(doc)
    assert schema_errors(doc), f"{breakage.__name__} was accepted by the schema"


# --------------------------------------------------------------------------------------------
# Invariants of the appliance
# --------------------------------------------------------------------------------------------


def test_no_top_level_version_key():
    assert "version" not in load_compose()


def test_expected_services_present():
    assert set(services()) == set(APP_SERVICES) | set(STORES)


def test_only_frontend_publishes_a_port():
    svcs = services()
    published = {name for name, svc in svcs.items() if svc.get("ports")}
    assert published == {"frontend"}
    assert svcs["frontend"]["ports"] == ["${FRONTEND_PORT:-1980}:1980"]


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_read_dot_env(name):
    assert ".env" in env_file_paths(services()[name].get("env_file"))


@pytest.mark.parametrize("name", [n for n in APP_SERVICES + STORES if n != "migrate"])
def test_long_running_services_have_healthcheck(name):
    healthcheck = services()[name].get("healthcheck") or {}
    assert not healthcheck.get("disable")
    assert healthcheck.get("test")


def test_migrate_is_one_shot():
    migrate = services()["migrate"]
    assert migrate["restart"] == "no"
    assert command_words(migrate["command"]) == ["python", "-m", "app.migrate"]


@pytest.mark.parametrize("name", PY_LONG_RUNNING)
def test_python_service_healthcheck_uses_app_healthcheck(name):
    healthcheck = services()[name]["healthcheck"]
    assert healthcheck["test"] == ["CMD", "python", "-m", "app.core.healthcheck", name]
    assert healthcheck["interval"] == "5s"
    assert healthcheck["timeout"] == "5s"
    assert healthcheck["retries"] == 5
    assert healthcheck["start_period"] == "30s"


@pytest.mark.parametrize("name", PY_LONG_RUNNING)
def test_python_services_depend_on_migrate_and_stores(name):
    deps = services()[name]["depends_on"]
    assert deps["migrate"]["condition"] == "service_completed_successfully"
    assert deps["migrate"].get("required", True) is True
    for store in STORES:
        assert deps[store] == {"condition": "service_healthy", "required": False}, store


def test_migrate_depends_on_stores_optionally():
    deps = services()["migrate"]["depends_on"]
    for store in STORES:
        assert deps[store] == {"condition": "service_healthy", "required": False}, store


def test_frontend_waits_for_healthy_upstreams():
    frontend = services()["frontend"]
    deps = frontend["depends_on"]
    for upstream in ["backend", "platform", "playground"]:
        assert deps[upstream]["condition"] == "service_healthy"
    env = frontend["environment"]
    assert env["FRONTEND_LISTEN"] == "1980"
    assert env["BACKEND_UPSTREAM"] == "backend:1984"
    assert env["PLATFORM_UPSTREAM"] == "platform:1986"
    assert env["PLAYGROUND_UPSTREAM"] == "playground:3001"


def test_frontend_sets_every_nginx_template_placeholder():
    # The nginx image's envsubst fills only variables that are set; a ${VAR} left in the
    # rendered config is an unknown nginx variable and nginx refuses to start.
    template = ROOT / "nginx" / "templates" / "tracehouse.conf.template"
    lines = [ln for ln in template.read_text().splitlines() if not ln.lstrip().startswith("#")]
    placeholders = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)\}", "\n".join(lines)))
    assert placeholders, "template has no ${VAR} placeholders: wrong file?"
    # REAL_IP_CONFIG is rendered by the image's entrypoint from TRUSTED_PROXIES (in .env).
    missing = placeholders - set(services()["frontend"]["environment"]) - {"REAL_IP_CONFIG"}
    assert not missing, f"frontend environment does not set {sorted(missing)}"


def test_python_services_share_one_image():
    svcs = services()
    names = ["backend", "platform", "playground", "queue", "migrate"]
    images = {svcs[n]["image"] for n in names}
    assert images == {"${APP_IMAGE:-tracehouse/app:latest}"}
    for n in names:
        assert svcs[n]["build"] == {
            "context": ".",
            "dockerfile": "Dockerfile",
            "args": {"PYTHON_IMAGE": "${PYTHON_IMAGE:-python:3.11-slim}"},
        }, n


@pytest.mark.parametrize("name", STORES)
def test_stores_are_in_bundled_profile(name):
    svc = services()[name]
    assert svc["profiles"] == ["bundled"]
    assert svc["restart"] == "unless-stopped"


def test_only_stores_are_in_a_profile():
    # An app service in a profile would silently not start in a default `docker compose up`.
    svcs = services()
    assert {n for n, s in svcs.items() if s.get("profiles")} == set(STORES)


def _volume_source_target_mode(entry):
    if isinstance(entry, dict):
        mode = "ro" if entry.get("read_only") else "rw"
        return entry.get("type"), entry.get("source"), entry.get("target"), mode
    parts = entry.split(":")
    if len(parts) == 1:
        return "volume", None, parts[0], "rw"  # anonymous volume
    source, target = parts[0], parts[1]
    mode = parts[2] if len(parts) > 2 else "rw"
    kind = "bind" if source.startswith((".", "/", "~")) else "volume"
    return kind, source, target, mode


def test_volumes_are_named_and_declared():
    doc = load_compose()
    declared = set(doc.get("volumes") or {})
    assert declared == NAMED_VOLUMES
    used = set()
    for name, svc in doc["services"].items():
        for entry in svc.get("volumes") or []:
            kind, source, _target, mode = _volume_source_target_mode(entry)
            if kind == "bind":
                # The only bind mount allowed is the read-only ClickHouse config file.
                assert source == SYSTEM_LOGS_XML, f"{name}: unexpected bind mount {entry!r}"
                assert "ro" in mode.split(","), f"{name}: bind mount must be read-only"
                continue
            assert kind == "volume", f"{name}: unexpected mount type in {entry!r}"
            assert source, f"{name}: anonymous volume {entry!r}"
            assert source in declared, f"{name}: volume {source!r} not declared at top level"
            used.add(source)
    assert used == declared


def image_default(value):
    """`${NAME:-default}` -> (NAME, default); every image in compose.yaml is one of these."""
    match = re.fullmatch(r"\$\{([A-Z_]+):-([^}]+)\}", value)
    assert match, f"{value!r} does not come from .env with a default"
    return match.group(1), match.group(2)


def env_example():
    from tooling.runner.envfile import parse_env_file

    return parse_env_file(ROOT / ".env.example")


def test_every_image_comes_from_env_with_the_upstream_default():
    example = env_example()
    refs = [svc["image"] for svc in services().values()]
    refs += [v for svc in services().values() for v in ((svc.get("build") or {}).get("args") or {}).values()]
    names = set()
    for ref in refs:
        name, default = image_default(ref)
        assert example.get(name) == default, f"{name}: .env.example says {example.get(name)!r}, compose {default!r}"
        names.add(name)
    assert names == {
        "APP_IMAGE", "FRONTEND_IMAGE", "PYTHON_IMAGE", "NODE_IMAGE", "NGINX_IMAGE",
        "POSTGRES_IMAGE", "CLICKHOUSE_IMAGE", "REDIS_IMAGE",
    }  # fmt: skip


DOCKERFILES = [
    ROOT / "Dockerfile",
    ROOT / "nginx" / "Dockerfile",
    *sorted((ROOT / "deploy" / "images").glob("*.Dockerfile")),
]


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_dockerfiles_pull_nothing_by_themselves(dockerfile):
    """No `# syntax=` line (BuildKit would pull a frontend image) and every base is a build arg."""
    text = dockerfile.read_text()
    assert not re.search(r"^#\s*syntax\s*=", text, re.MULTILINE | re.IGNORECASE)
    for base in re.findall(r"^FROM\s+(\S+)", text, re.MULTILINE):
        stages = re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", text, re.MULTILINE | re.IGNORECASE)
        assert re.fullmatch(r"\$\{[A-Z_]+\}", base) or base in stages, f"{dockerfile.name}: FROM {base}"


def test_clickhouse_config():
    clickhouse = services()["clickhouse"]
    assert re.fullmatch(r"clickhouse/clickhouse-server:26\.8(\.[0-9.]+)?", image_default(clickhouse["image"])[1])
    nofile = "${CLICKHOUSE_NOFILE:-262144}"
    assert clickhouse["ulimits"]["nofile"] == {"soft": nofile, "hard": nofile}
    assert env_example()["CLICKHOUSE_NOFILE"] == "262144"
    assert clickhouse["environment"]["CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT"] == "0"
    assert f"{SYSTEM_LOGS_XML}:/etc/clickhouse-server/config.d/system-logs.xml:ro" in clickhouse["volumes"]


def test_postgres_image():
    assert re.fullmatch(r"postgres:16([.-].*)?", image_default(services()["postgres"]["image"])[1])


def test_redis_never_evicts_and_persists():
    command = " ".join(command_words(services()["redis"]["command"]))
    assert "--appendonly yes" in command
    assert "noeviction" in command


def test_queue_is_scalable():
    queue = services()["queue"]
    assert "container_name" not in queue
    assert "ports" not in queue
    assert "hostname" not in queue


def test_env_example_enables_bundled_profile():
    env_example = ROOT / ".env.example"
    assert env_example.is_file(), ".env.example is missing"
    match = re.search(
        r"^\s*COMPOSE_PROFILES\s*=\s*[\"']?([\w,.-]*)[\"']?\s*$",
        env_example.read_text(),
        re.MULTILINE,
    )
    assert match, ".env.example does not set COMPOSE_PROFILES"
    assert "bundled" in match.group(1).split(",")


def test_build_dockerfiles_exist():
    for name, svc in services().items():
        build = svc.get("build")
        if build is None:
            continue
        context = ROOT / (build if isinstance(build, str) else build.get("context", "."))
        dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
        assert (context / dockerfile).is_file(), f"{name}: {dockerfile} missing"


def test_system_logs_config_drops_trace_log():
    xml = ROOT / SYSTEM_LOGS_XML
    assert xml.is_file()
    assert '<trace_log remove="1"/>' in xml.read_text()


# --------------------------------------------------------------------------------------------
# Files the images and commands refer to
# --------------------------------------------------------------------------------------------


def _copy_sources(dockerfile_text):
    """Source paths of every COPY that reads from the build context (not --from=stage)."""
    sources = []
    for line in dockerfile_text.splitlines():
        words = line.split()
        if not words or words[0].upper() not in ("COPY", "ADD"):
            continue
        args = words[1:]
        if any(a.startswith("--from=") for a in args):
            continue
        args = [a for a in args if not a.startswith("--")]
        sources.extend(args[:-1])  # the last argument is the destination
    return sources


def _dockerfile_builds():
    seen = {}
    for svc in services().values():
        build = svc.get("build")
        if isinstance(build, dict):
            key = (build.get("context", "."), build.get("dockerfile", "Dockerfile"))
            seen[key] = True
    return sorted(seen)


@pytest.mark.parametrize("context,dockerfile", _dockerfile_builds())
def test_dockerfile_copy_sources_exist(context, dockerfile):
    ctx = ROOT / context
    sources = _copy_sources((ctx / dockerfile).read_text())
    assert sources, f"{dockerfile} copies nothing"
    missing = [s for s in sources if not re.search(r"[*?\[]", s) and not (ctx / s).exists()]
    assert not missing, f"{dockerfile} copies paths missing from the build context: {missing}"


def test_dockerfile_lays_out_source_tree():
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim\s*$", text, re.MULTILINE)
    assert re.search(r"^FROM \$\{PYTHON_IMAGE\} AS runtime\s*$", text, re.MULTILINE)
    assert re.search(r"^WORKDIR /srv/tracehouse\s*$", text, re.MULTILINE)
    assert re.search(r"^USER tracehouse\s*$", text, re.MULTILINE)
    assert "PYTHONUNBUFFERED=1" in text
    sources = _copy_sources(text)
    for tree in ["app", "worker", "playground", "migrations", "deploy"]:
        assert tree in sources, f"Dockerfile does not copy {tree}/"


def test_frontend_image_builds_the_ui_from_its_lock_file():
    """nginx/Dockerfile: a Node stage runs `npm ci` + the Vite build; nginx copies only dist/."""
    text = (ROOT / "nginx" / "Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.MULTILINE | re.IGNORECASE)
    assert stages[0] == ("${NODE_IMAGE}", "ui"), stages
    assert stages[-1][0] == "${NGINX_IMAGE}", stages
    assert re.search(r"^ARG NODE_IMAGE=node:20[\w.-]*\s*$", text, re.MULTILINE)
    assert re.search(r"^ARG NGINX_IMAGE=nginx:[\w.-]+\s*$", text, re.MULTILINE)
    assert re.search(r"^\s*npm ci\b", text, re.MULTILINE)
    assert re.search(r"^RUN npm run build\b", text, re.MULTILINE)
    assert "COPY --from=ui /ui/dist/ /usr/share/nginx/html/" in text
    sources = _copy_sources(text)
    assert "nginx/ui/package-lock.json" in sources  # the lock file pins every package
    assert "nginx/ui/src" in sources
    assert "nginx/ui/dist" in (ROOT / ".dockerignore").read_text()  # a local build never leaks in


def _module_commands():
    found = []
    for name, svc in services().items():
        if "command" in svc:
            found.append((name, command_words(svc["command"])))
        test = (svc.get("healthcheck") or {}).get("test")
        if isinstance(test, list) and test[:1] == ["CMD"]:
            found.append((f"{name}.healthcheck", test[1:]))
    cmd = re.search(r"^CMD\s+(\[.*\])\s*$", (ROOT / "Dockerfile").read_text(), re.MULTILINE)
    if cmd:
        found.append(("Dockerfile CMD", yaml.safe_load(cmd.group(1))))
    return [(where, module_of(words)) for where, words in found if module_of(words)]


def test_module_commands_are_found():
    modules = {m for _, m in _module_commands()}
    assert {
        "app.backend",
        "app.platform",
        "playground",
        "worker",
        "app.migrate",
        "app.core.healthcheck",
    } <= modules


@pytest.mark.parametrize("where,module", _module_commands())
def test_command_module_exists(where, module):
    assert module_exists(module), (
        f"{where}: `python -m {module}` has neither "
        f"{module.replace('.', '/')}/__main__.py nor {module.replace('.', '/')}.py"
    )


def test_clickhouse_stand_in_copies_every_module_its_server_imports():
    """The stand-in image copies only the chdb server's own modules, so one more import of ours
    must be copied too, or the container crash-loops on an ImportError."""
    import ast

    dockerfile = (ROOT / "deploy" / "images" / "clickhouse.Dockerfile").read_text()
    copied = {p for line in dockerfile.splitlines() if line.startswith("COPY ") for p in line.split()[1:-1]}
    pending, seen = ["tooling/runner/chserver.py"], set()
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        for node in ast.walk(ast.parse((ROOT / path).read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("app", "tooling"):
                names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
                for name in names:
                    candidate = name.replace(".", "/") + ".py"
                    if (ROOT / candidate).is_file():
                        pending.append(candidate)
    assert seen <= copied, sorted(seen - copied)
