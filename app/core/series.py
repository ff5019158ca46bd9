"""A project's time series in ClickHouse: the SQL the monitoring charts (app/backend/monitoring)
and the alert rules (worker/alerts) both measure with, so a rule and the chart it is read against
cannot disagree. Every statement is scoped by workspace_id and project.

Buckets are `interval` seconds wide and aligned to the Unix epoch (so a day bucket is a UTC day),
keyed by their start as epoch seconds. Runs are those of the window whose type matches
`run_type` (when given). Counts, errors, latency and first token are over the runs the root
filter keeps (`is_root`: 1 roots, 0 children, NULL all; roots = traces by default); token and cost
sums are over every matching run, since usage is recorded on the LLM runs inside a trace, not on
its root (as in the project stats).
"""

_SERIES = """
WITH (%(is_root)s IS NULL OR is_root = %(is_root)s) AS counted
SELECT
    {bucket},
    countIf(counted) AS runs,
    countIf(counted AND status = 'error') AS errors,
    -- p95 last: the charts read [0] and [1]; alert rules (worker/alerts) read all three.
    quantilesIf(0.5, 0.99, 0.95)(latency_seconds, counted AND latency_seconds IS NOT NULL) AS latency,
    quantileIf(0.5)(
        dateDiff('microsecond', start_time, first_token_time) / 1e6, counted AND first_token_time IS NOT NULL
    ) AS first_token,
    sum(prompt_tokens), sum(completion_tokens), sum(total_tokens),
    sum(total_cost),
    countIf(run_type = 'llm') AS llm_calls
FROM runs FINAL
WHERE workspace_id = %(workspace_id)s AND project_id = %(project_id)s
  AND start_time >= %(start)s AND start_time < %(end)s
  AND (%(run_type)s IS NULL OR run_type = %(run_type)s)
{group}
"""

SERIES_BY_BUCKET = _SERIES.format(
    bucket="intDiv(toUnixTimestamp(start_time), %(interval)s) * %(interval)s AS bucket",
    group="GROUP BY bucket ORDER BY bucket",
)

# The same aggregates over the whole window: percentiles do not add up across buckets.
SERIES_TOTALS = _SERIES.format(bucket="0 AS bucket", group="")
