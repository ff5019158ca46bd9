"""Run the modern ClickHouse engine shipped in `chdb-core` as a real TCP+HTTP server.

Debian only packages ClickHouse 18.16 (2018). chdb-core >= 26.7 embeds clickhouse-local, which since
ClickHouse#101143 accepts `SYSTEM START LISTEN TCP|HTTP`. clickhouse-local reads `./config.xml`
from the working directory, and its listeners live exactly as long as the query that started them,
so this process writes a config, chdirs into the data directory and runs a never-ending keep-alive
query. It must be its own process: chdb's public API and the private `_chdb.query` entry point
cannot share one ("EventNotifier is initialized twice").

Usage: python -m tooling.runner.chserver --dir DIR --tcp-port N --http-port N [--users-xml FILE] [--log-dir DIR]
       python -m tooling.runner.chserver --container

`--container` is the stand-in ClickHouse image (deploy/images/clickhouse.Dockerfile): the upstream
image's ports and paths, listening on every interface, with the account from CLICKHOUSE_USER and
CLICKHOUSE_PASSWORD.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from xml.sax.saxutils import escape

from tooling.runner import queries as q
from tooling.runner.chconfig import system_log_settings_xml, users_xml


def render_config(  # noqa: PLR0917 (one argument per config element)
    data_dir: Path,
    tcp_port: int,
    http_port: int,
    users_file: Path | None,
    log_dir: Path,
    listen_host: str = "127.0.0.1",
) -> str:
    users = f"<users_config>{escape(str(users_file))}</users_config>" if users_file else ""
    # The embedded engine logs at trace level whatever <level> says, so the server log goes to a
    # size-rotated file (at most ~3 x 50 MB) and errors also to their own small file.
    return f"""<?xml version="1.0"?>
<clickhouse>
  <logger>
    <level>warning</level><console>false</console>
    <log>{escape(str(log_dir))}/clickhouse-server.log</log>
    <errorlog>{escape(str(log_dir))}/clickhouse-server.err.log</errorlog>
    <size>50M</size><count>2</count>
  </logger>
  <listen_host>{escape(listen_host)}</listen_host>
  <tcp_port>{tcp_port}</tcp_port>
  <http_port>{http_port}</http_port>
  <path>{escape(str(data_dir))}/</path>
  <tmp_path>{escape(str(data_dir))}/tmp/</tmp_path>
  <user_files_path>{escape(str(data_dir))}/user_files/</user_files_path>
  <timezone>UTC</timezone>
  {users}
  {system_log_settings_xml()}
</clickhouse>
"""


# The upstream image's layout, which compose.yaml's volumes and healthcheck assume.
CONTAINER_DATA = Path("/var/lib/clickhouse")
CONTAINER_LOGS = Path("/var/log/clickhouse-server")


def container_args() -> list[str]:
    """Arguments for the stand-in image; writes its users.xml from the environment."""
    user = os.environ.get("CLICKHOUSE_USER") or "default"
    password = os.environ.get("CLICKHOUSE_PASSWORD", "")
    if user == "default":
        # The engine's own session needs `default` password-less on loopback; a second account
        # with that name cannot exist, so the stand-in insists on a named one.
        sys.exit("clickhouse: set CLICKHOUSE_USER (and CLICKHOUSE_PASSWORD) to the account the app uses")
    if not user.replace("_", "").isalnum():
        sys.exit(f"clickhouse: CLICKHOUSE_USER={user!r} is not a plain name")
    users = CONTAINER_DATA / "users.xml"
    users.write_text(users_xml(user, password, user_networks=("::/0", "0.0.0.0/0")))
    users.chmod(0o600)
    return [
        "--dir", str(CONTAINER_DATA / "data"), "--tcp-port", "9000", "--http-port", "8123",
        "--users-xml", str(users), "--log-dir", str(CONTAINER_LOGS), "--listen-host", "0.0.0.0",
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--container"]:
        argv = container_args()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, type=Path)
    parser.add_argument("--tcp-port", required=True, type=int)
    parser.add_argument("--http-port", required=True, type=int)
    parser.add_argument("--listen-host", default="127.0.0.1")
    parser.add_argument("--users-xml", type=Path)
    parser.add_argument("--log-dir", type=Path, help="where the rotated server log goes (default: --dir)")
    args = parser.parse_args(argv)

    data_dir = args.dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "config.xml").write_text(
        render_config(
            data_dir,
            args.tcp_port,
            args.http_port,
            args.users_xml,
            (args.log_dir or data_dir).resolve(),
            args.listen_host,
        )
    )
    os.chdir(data_dir)
    # No Python SIGTERM handler: the main thread sits inside the engine's query call, where a
    # Python-level handler would never run. The default action ends the process at once, and
    # MergeTree writes are atomic per part, so nothing committed is lost.

    from chdb import _chdb  # late: loading the engine takes ~0.2 s

    try:
        _chdb.query(q.KEEPALIVE, "CSV")  # type: ignore[attr-defined]  # private entry point, absent from its stub
    except Exception as exc:  # the keep-alive only ends on error
        print(f"clickhouse (chdb) stopped: {exc}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
