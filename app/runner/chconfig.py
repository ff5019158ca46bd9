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
