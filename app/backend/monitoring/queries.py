"""SQL for a project's time series (ClickHouse). Every statement is scoped by workspace_id and project.

Buckets are `interval` seconds wide and aligned to the Unix epoch (so a day bucket is a UTC day),
keyed by their start as epoch seconds. Runs are those of the window whose type matches
`run_type` (when given). Counts, errors, latency and first token are over the runs the root
filter keeps (`is_root`: 1 roots, 0 children, NULL all; roots = traces by default); token and cost
sums are over every matching run, since usage is recorded on the LLM runs inside a trace, not on
its root (as in the project stats).
"""

from app.core.tables import UNPRICED_LLM_RUN

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

# The models of the window's LLM runs that recorded tokens but no cost, most tokens first: their
# cost is unknown (no price reached the run), not zero, and the cost chart says so instead of $0.
UNPRICED_MODELS = f"""
SELECT model_name, sum(total_tokens) AS tokens
FROM runs FINAL
WHERE workspace_id = %(workspace_id)s AND project_id = %(project_id)s
  AND start_time >= %(start)s AND start_time < %(end)s
  AND {UNPRICED_LLM_RUN}
GROUP BY model_name
ORDER BY tokens DESC, model_name
LIMIT 20
"""

# Spend per model over the window (issue 19): the priced LLM runs' costs and tokens by model, most
# spent first. Unpriced runs are left out here and named by UNPRICED_MODELS instead.
COST_BY_MODEL = """
SELECT model_name, any(model_provider), count(), sum(prompt_tokens), sum(completion_tokens),
       sum(prompt_cost), sum(completion_cost), sum(total_cost) AS cost
FROM runs FINAL
WHERE workspace_id = %(workspace_id)s AND project_id = %(project_id)s
  AND start_time >= %(start)s AND start_time < %(end)s
  AND run_type = 'llm' AND total_cost IS NOT NULL
GROUP BY model_name
ORDER BY cost DESC, model_name
LIMIT 50
"""
