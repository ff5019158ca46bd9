"""SQL of trace deletion."""

from __future__ import annotations

PROJECT_EXISTS = "SELECT 1 FROM projects WHERE workspace_id = %(workspace_id)s AND id = %(id)s"
