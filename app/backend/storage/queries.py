"""SQL of the storage report (Postgres: the samples the queue service's storage check writes)."""

from __future__ import annotations

SELECT_LATEST_SAMPLE_AT = "SELECT max(sampled_at) AS at FROM storage_samples WHERE workspace_id = %(workspace_id)s"
SELECT_SAMPLE = """
SELECT s.project_id, p.name, s.bytes, s.runs
FROM storage_samples s LEFT JOIN projects p ON p.id = s.project_id AND p.workspace_id = s.workspace_id
WHERE s.workspace_id = %(workspace_id)s AND s.sampled_at = %(at)s
ORDER BY s.bytes DESC, p.name
"""
SELECT_WORKSPACE_TREND = """
SELECT sampled_at, bytes FROM storage_samples
WHERE workspace_id = %(workspace_id)s AND project_id IS NULL AND sampled_at >= %(since)s
ORDER BY sampled_at
"""
SELECT_LATEST_TOTAL = """
SELECT sampled_at, clickhouse_bytes, postgres_bytes, redis_bytes, total_bytes
FROM storage_totals ORDER BY sampled_at DESC LIMIT 1
"""
