"""The ClickHouse server settings we ship, shared by the compose image and the native runner."""

from __future__ import annotations

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SYSTEM_LOGS_XML = REPO_ROOT / "deploy" / "clickhouse" / "config.d" / "system-logs.xml"


def system_log_settings_xml() -> str:
    """The inner elements of deploy/clickhouse/config.d/system-logs.xml, to embed in a config."""
    text = SYSTEM_LOGS_XML.read_text()
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    match = re.search(r"<clickhouse>(.*)</clickhouse>", text, flags=re.S)
    if match is None:
        raise RuntimeError(f"{SYSTEM_LOGS_XML} has no <clickhouse> element")
    return match.group(1).strip()


def users_xml(user: str, password: str, *, user_networks: tuple[str, ...] = ("127.0.0.1", "::1")) -> str:
    """A users.xml with the app's account and the `default` one the embedded engine's own session
    logs in as (it must exist); `default` only ever answers on loopback."""
    from xml.sax.saxutils import escape

    networks = "".join(f"<ip>{escape(ip)}</ip>" for ip in user_networks)
    return f"""<?xml version="1.0"?>
<clickhouse>
  <profiles><default><max_memory_usage>8000000000</max_memory_usage></default></profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
      <profile>default</profile><quota>default</quota></default>
    <{user}><password>{escape(password)}</password><networks>{networks}</networks>
      <profile>default</profile><quota>default</quota><access_management>1</access_management></{user}>
  </users>
  <quotas><default/></quotas>
</clickhouse>
"""
