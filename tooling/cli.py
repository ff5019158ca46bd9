"""`./tracehouse COMMAND`: the one command surface (the shell wrapper bootstraps the venv first).

up [--data-dir DIR] [--port PORT]      start the whole stack natively and return
down | status | logs SERVICE           stop it, show each service's health, show a log
api-key create [--workspace] [--name]  print a new API key as the last line of stdout
user create --email E [--workspace]    add a UI login; a generated password is the last line
user reset-password --email E          set a new password (and clear its login throttle)
images build [--offline]               build every image compose.yaml runs; --offline also builds
                                       stand-ins for the base and store images (no registry) and
                                       names them in .env
test [PYTEST ARGS]                     install what is missing and run the whole suite
costs recompute --project P [--since T] re-price a project's stored LLM runs after a price change
                                       (bounded batches through the writer, resumable, progress shown)
bench [NAME ...]                       run benchmarks under bench/
sdk-suite [--version V] [ARGS]         run langsmith V's own integration tests (from its PyPI
                                       sdist; default 0.11.1) with that SDK against the running stack
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from app.core.settings import SettingsError
from tooling.runner.stack import DEFAULT_DATA_DIR, REPO_ROOT, SERVICE_NAMES, NativeStack, StackError
from tooling.runner.stores import StoreError
from tooling.runner.system import SystemError_, ensure_system_packages


def _err(message: str) -> None:
    print(f"tracehouse: {message}", file=sys.stderr)


def _stack(args: argparse.Namespace, **kw: Any) -> NativeStack:
    return NativeStack(Path(args.data_dir), log=lambda m: print(m, file=sys.stderr), **kw)


def cmd_up(args: argparse.Namespace) -> int:
    ensure_system_packages()
    stack = _stack(args, frontend_port=args.port, frontend_host=args.host, queue_workers=args.queue_workers)
    stack.up()
    if stack.needs_setup:
        _print_setup(stack.setup_link)
    print(stack.url)  # the last line, for scripts
    return 0


def _print_setup(link: str | None) -> None:
    rule = "=" * 78
    print(rule)
    if link:
        print("No account exists yet. Open this link to create the first admin (it works once):\n")
        print(f"    {link}\n")
        print("Or create an account with `./tracehouse user create --email you@example.com`.")
    else:
        print("No account exists yet: create one with `./tracehouse user create --email you@example.com`.")
    print(rule)


def cmd_down(args: argparse.Namespace) -> int:
    _stack(args).down()
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    stack = _stack(args)
    if not stack.state_file.exists():
        print(f"no stack in {stack.data_dir}; start one with ./tracehouse up")
        return 1
    status = stack.status()
    width = max(map(len, status))
    for name, health in status.items():
        print(f"{name:<{width}}  {health}")
    print(f"{'url':<{width}}  {stack.url}")
    if status.get("redis") == "healthy":
        print(f"{'dead-letters':<{width}}  {_dead_letter_summary(stack)}")
    return 0 if all(v == "healthy" for v in status.values()) else 1


def _dead_letter_summary(stack: NativeStack) -> str:
    """Items set aside, and how many were dropped to keep the list within its caps (each drop
    is also logged by the service that made it)."""
    import redis

    from app.core.deadletters import stats
    from app.core.redis import sync_redis
    from app.core.settings import CliRedisSettings, load_settings

    try:
        held, size, dropped = stats(sync_redis(load_settings(CliRedisSettings, stack.env()).redis))
    except redis.RedisError as exc:
        return f"unknown ({exc})"
    return f"{held} held ({size} bytes), {dropped} dropped to stay within the caps"


def cmd_logs(args: argparse.Namespace) -> int:
    logs = Path(args.data_dir) / "logs"
    names = sorted(p.stem for p in logs.glob(f"{args.service}*.log")) if logs.exists() else []
    if not names:
        _err(f"no log for {args.service!r}; services: {', '.join(SERVICE_NAMES)}, migrate")
        return 1
    files = [str(logs / f"{n}.log") for n in names]
    return subprocess.call(["tail", f"-n{args.lines}", *(["-F"] if args.follow else []), *files])


def _store_env(args: argparse.Namespace) -> dict[str, str]:
    """Where the CLI finds Postgres: the running native stack, else this process's env / .env."""
    stack = _stack(args)
    if stack.state_file.exists() and stack.running():
        return stack.env()
    from tooling.runner.envfile import parse_env_file
    from tooling.runner.stack import default_env_file

    env_file = default_env_file()
    return {**(parse_env_file(env_file) if env_file.exists() else {}), **os.environ}


def cmd_api_key_create(args: argparse.Namespace) -> int:
    from app.core.settings import CliSettings, load_settings
    from tooling.runner.keys import create_key

    settings = load_settings(CliSettings, _store_env(args))
    key, scope = asyncio.run(
        create_key(settings.postgres.postgres_dsn, args.workspace, args.name, org_wide=args.org_wide, role=args.role)
    )
    what = f"organization {scope} (send X-Tenant-Id)" if args.org_wide else f"workspace {scope}"
    print(f"created API key {args.name!r} for {what}; shown once, store it now:", file=sys.stderr)
    print(key)
    return 0


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    """(password, generated): from standard input with --password-stdin, else generated. Never
    from the command line, where `ps` and the shell history would keep it."""
    from tooling.runner.users import generated_password

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    return generated_password(), True


def cmd_user(args: argparse.Namespace) -> int:
    from app.core.redis import sync_redis
    from app.core.settings import CliRedisSettings, CliSettings, load_settings
    from tooling.runner.users import UserCommandError, clear_login_throttle, create_user, reset_password

    env = _store_env(args)
    dsn = load_settings(CliSettings, env).postgres.postgres_dsn
    password, generated = _password(args)
    try:
        if args.user_command == "create":
            scope = asyncio.run(create_user(dsn, args.email, password, workspace_name=args.workspace, role=args.role))
            print(f"created {args.email} as {args.role} of workspace {scope}", file=sys.stderr)
        else:
            asyncio.run(reset_password(dsn, args.email, password))
            cleared = clear_login_throttle(sync_redis(load_settings(CliRedisSettings, env).redis), args.email)
            print(f"set a new password for {args.email}; cleared {cleared} login throttle counter(s)", file=sys.stderr)
    except UserCommandError as exc:
        _err(str(exc))
        return 1
    if generated:
        print("the password is shown once; store it now:", file=sys.stderr)
        print(password)
    return 0


def cmd_dead_letter(args: argparse.Namespace) -> int:
    from app.core.deadletters import list_letters, replay
    from app.core.redis import sync_redis
    from app.core.settings import CliRedisSettings, load_settings

    connection = sync_redis(load_settings(CliRedisSettings, _store_env(args)).redis)
    if args.dl_command == "list":
        letters = list_letters(connection, args.limit)
        for letter in letters:
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(letter.at))
            print(f"{letter.id}  {when}  {letter.stage:<6} {letter.kind:<10} {letter.item_id or '-'}  {letter.reason}")
        print(f"{len(letters)} dead letter(s) shown", file=sys.stderr)
        return 0
    if not args.all and not args.ids:
        _err("name the dead letters to replay, or pass --all")
        return 2
    replayed, refused = replay(connection, None if args.all else set(args.ids))
    for letter_id, reason in refused:
        print(f"not replayed {letter_id}: {reason}", file=sys.stderr)
    print(f"replayed {len(replayed)} dead letter(s)")
    return 0 if not refused else 1


def cmd_costs(args: argparse.Namespace) -> int:
    from app.core.clickhouse import ClickHouse
    from app.core.redis import sync_redis
    from app.core.settings import QueueSettings, load_settings
    from tooling.costs import RecomputeError, find_project, recompute

    settings = load_settings(QueueSettings, _store_env(args))
    since = None
    if args.since:
        try:
            since = dt.datetime.fromisoformat(args.since)
        except ValueError:
            _err(f"--since must be an ISO date or time, not {args.since!r}")
            return 2
        since = since if since.tzinfo else since.replace(tzinfo=dt.UTC)
    if args.batch < 1 or args.batch > 10_000:
        _err("--batch must be between 1 and 10000")
        return 2
    try:
        project_id, workspace_id = find_project(settings.postgres.postgres_dsn, args.project, args.workspace)
        recompute(
            ClickHouse(settings.clickhouse, pool_size=1),
            sync_redis(settings.redis),
            workspace_id=workspace_id,
            project_id=project_id,
            since=since,
            batch=args.batch,
            restart=args.restart,
            say=lambda m: print(m, flush=True),
        )
    except RecomputeError as exc:
        _err(str(exc))
        return 1
    return 0


def cmd_images(args: argparse.Namespace) -> int:
    from tooling.runner.images import ImageBuildError, build, report

    env_file = Path(args.env_file)
    try:
        result = build(env_file, offline=args.offline, log=lambda m: print(f"images: {m}", file=sys.stderr))
    except ImageBuildError as exc:
        _err(str(exc))
        return 1
    print(report(result))
    if args.offline:
        print(f"{env_file} names these images: `docker compose up -d` uses them", file=sys.stderr)
    return 0


def cmd_test(args: argparse.Namespace, extra: list[str]) -> int:
    ensure_system_packages(for_tests=True)
    started = time.monotonic()
    code = subprocess.call([sys.executable, "-m", "pytest", *extra], cwd=REPO_ROOT)
    print(f"tracehouse test: pytest exited {code} after {time.monotonic() - started:.0f}s", file=sys.stderr)
    return code


def cmd_bench(args: argparse.Namespace, extra: list[str]) -> int:
    bench_dir = REPO_ROOT / "bench"
    available = sorted(p.stem for p in bench_dir.glob("*.py") if not p.stem.startswith("_"))
    if not extra:
        print("benchmarks: " + (", ".join(available) if available else "none yet"))
        return 0
    name, rest = extra[0], extra[1:]
    if name not in available:
        _err(f"no benchmark {name!r}; available: {', '.join(available) or 'none'}")
        return 2
    ensure_system_packages(for_tests=True)
    return subprocess.call([sys.executable, str(bench_dir / f"{name}.py"), *rest], cwd=REPO_ROOT)


def cmd_sdk_suite(args: argparse.Namespace, extra: list[str]) -> int:
    from tooling.sdk_suite import SuiteError, run

    options = argparse.ArgumentParser(prog="tracehouse sdk-suite")
    options.add_argument("--version", default="0.11.1", help="the langsmith release (default 0.11.1)")
    known, pytest_args = options.parse_known_args(extra)
    stack = _stack(args)
    if not (stack.state_file.exists() and stack.running()):
        _err(f"no running stack in {stack.data_dir}; start one with ./tracehouse up")
        return 1
    try:
        return run(
            url=stack.url,
            stack_env=stack.env(),
            version=known.version,
            report_dir=stack.data_dir / "reports",
            pytest_args=pytest_args,
        )
    except SuiteError as exc:
        _err(str(exc))
        return 1


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tracehouse", description="Tracehouse appliance control")
    p.add_argument(
        "--data-dir",
        default=os.environ.get("TRACEHOUSE_DATA_DIR", str(DEFAULT_DATA_DIR)),
        help="where the native stack keeps its data (default ./.tracehouse)",
    )
    sub = p.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="start the whole stack natively")
    up.add_argument("--port", type=int, default=None, help="frontend port (default 1980)")
    up.add_argument(
        "--host", default="0.0.0.0", help="address nginx listens on (default: all, like compose's published port)"
    )
    up.add_argument("--queue-workers", type=int, default=None, help="queue worker processes (default 1)")
    up.add_argument("--data-dir", default=argparse.SUPPRESS)
    for name in ("down", "status"):
        sub.add_parser(name).add_argument("--data-dir", default=argparse.SUPPRESS)
    logs = sub.add_parser("logs", help="show a service's log")
    logs.add_argument("service")
    logs.add_argument("-n", "--lines", type=int, default=100)
    logs.add_argument("-f", "--follow", action="store_true")
    logs.add_argument("--data-dir", default=argparse.SUPPRESS)
    key = sub.add_parser("api-key", help="manage API keys")
    key_sub = key.add_subparsers(dest="key_command", required=True)
    create = key_sub.add_parser("create", help="create a key; prints it as the last line")
    create.add_argument("--workspace", default=None, help="workspace name (created if new)")
    create.add_argument("--name", default="cli", help="a label for the key")
    create.add_argument(
        "--role",
        choices=("admin", "editor", "viewer"),
        default="admin",
        help="admin manages keys; editor reads and writes data; viewer reads (default admin)",
    )
    create.add_argument(
        "--org-wide", action="store_true", help="not bound to one workspace: X-Tenant-Id picks it per request"
    )
    create.add_argument("--data-dir", default=argparse.SUPPRESS)
    user = sub.add_parser("user", help="manage UI logins (operators)")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    for name, text in (("create", "add a login to a workspace"), ("reset-password", "set a new password")):
        cmd = user_sub.add_parser(name, help=text)
        cmd.add_argument("--email", required=True)
        cmd.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
        cmd.add_argument("--data-dir", default=argparse.SUPPRESS)
        if name == "create":
            cmd.add_argument("--workspace", default=None, help="workspace name (created if new)")
            cmd.add_argument("--role", choices=("admin", "editor", "viewer"), default="admin")
    dl = sub.add_parser("dead-letter", help="items set aside by ingestion, with their reason")
    dl_sub = dl.add_subparsers(dest="dl_command", required=True)
    dl_list = dl_sub.add_parser("list", help="newest first")
    dl_list.add_argument("--limit", type=int, default=50)
    dl_list.add_argument("--data-dir", default=argparse.SUPPRESS)
    dl_replay = dl_sub.add_parser("replay", help="send items through ingestion again")
    dl_replay.add_argument("ids", nargs="*")
    dl_replay.add_argument("--all", action="store_true")
    dl_replay.add_argument("--data-dir", default=argparse.SUPPRESS)
    costs = sub.add_parser("costs", help="costs priced from the model price map")
    costs_sub = costs.add_subparsers(dest="costs_command", required=True)
    recompute = costs_sub.add_parser(
        "recompute",
        help="re-price a project's stored LLM runs with today's price table (resumable: run it again to continue)",
    )
    recompute.add_argument("--project", required=True, help="project (session) name or id")
    recompute.add_argument("--workspace", default=None, help="workspace name or id, when project names repeat")
    recompute.add_argument("--since", default=None, help="only runs started at or after this ISO time (UTC if naive)")
    recompute.add_argument("--batch", type=int, default=500, help="runs per batch sent to the writer (default 500)")
    recompute.add_argument("--restart", action="store_true", help="ignore the saved checkpoint and start over")
    recompute.add_argument("--data-dir", default=argparse.SUPPRESS)
    images = sub.add_parser("images", help="build the compose appliance's images")
    images_sub = images.add_subparsers(dest="images_command", required=True)
    images_build = images_sub.add_parser("build", help="build them (cached layers: a rebuild is quick)")
    images_build.add_argument(
        "--offline", action="store_true", help="no registry: build stand-in base and store images too"
    )
    images_build.add_argument("--env-file", default=str(REPO_ROOT / ".env"), help="the .env to write (default ./.env)")
    sub.add_parser("test", help="run the whole test suite", add_help=False)
    sub.add_parser("bench", help="run a benchmark", add_help=False)
    sub.add_parser("sdk-suite", help="run the official SDK's integration tests", add_help=False)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # `test` and `bench` pass everything after them through untouched.
    for passthrough, handler in (("test", cmd_test), ("bench", cmd_bench), ("sdk-suite", cmd_sdk_suite)):
        if passthrough in argv:
            i = argv.index(passthrough)
            args = parser().parse_args(argv[: i + 1])
            return handler(args, argv[i + 1 :])
    args = parser().parse_args(argv)
    try:
        if args.command == "api-key":
            return cmd_api_key_create(args)
        if args.command == "dead-letter":
            return cmd_dead_letter(args)
        if args.command == "user":
            return cmd_user(args)
        if args.command == "images":
            return cmd_images(args)
        if args.command == "costs":
            return cmd_costs(args)
        return {"up": cmd_up, "down": cmd_down, "status": cmd_status, "logs": cmd_logs}[args.command](args)
    except (StackError, StoreError, SystemError_, SettingsError) as exc:
        _err(str(exc))
        return 1


if __name__ == "__main__":
    sys.exit(main())
