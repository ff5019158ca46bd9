"""SQL for reading runs (ClickHouse). Every statement is scoped by workspace_id."""

from app.core.tables import UNPRICED_LLM_RUN

# The columns GET /runs/{id} reads, in the order runs/schemas.py maps them (a subset of the table's,
# app/core/tables.py).
RUN_READ_COLUMNS = (
    "id",
    "trace_id",
    "parent_run_id",
    "dotted_order",
    "project_id",
    "name",
    "run_type",
    "status",
    "start_time",
    "end_time",
    "first_token_time",
    "tags",
    "inputs",
    "outputs",
    "error",
    "extra",
    "events",
    "serialized",
    "reference_example_id",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "prompt_cost",
    "completion_cost",
    "total_cost",
    "attachments",
    # What the writer priced each kind of token at (issue 19), when the run sent no breakdown.
    "prompt_cost_details",
    "completion_cost_details",
)

SELECT_RUN = """
SELECT {columns} FROM runs FINAL
WHERE workspace_id = %(workspace_id)s AND id = %(id)s
LIMIT 1
""".format(columns=", ".join(RUN_READ_COLUMNS))

SELECT_ATTACHMENTS = """
SELECT name, content_type FROM run_attachments FINAL
WHERE workspace_id = %(workspace_id)s AND run_id = %(run_id)s
ORDER BY name
"""

SELECT_ATTACHMENT_DATA = """
SELECT content_type, data FROM run_attachments FINAL
WHERE workspace_id = %(workspace_id)s AND run_id = %(run_id)s AND name = %(name)s
LIMIT 1
"""

# Aggregates over the runs a /runs/query body selects; `{where}` is listing.build_where's clauses.
RUN_STATS = f"""
SELECT
    count(),
    quantiles(0.5, 0.99)(latency_seconds),
    quantilesIf(0.5, 0.99)(dateDiff('microsecond', start_time, first_token_time) / 1e6, first_token_time IS NOT NULL),
    sum(prompt_tokens), sum(completion_tokens), sum(total_tokens),
    quantiles(0.5)(total_tokens),
    sum(prompt_cost), sum(completion_cost), sum(total_cost),
    countIf(status = 'error'),
    max(start_time),
    groupUniqArrayIf(20)(model_name, {UNPRICED_LLM_RUN})
FROM runs FINAL
WHERE {{where}}
"""

# A trace's runs start after its root (an hour's grace for clock skew between services), which
# bounds the read by the primary key; the trace_id bloom filter does the rest.
_TRACE_USAGE = """
SELECT trace_id, sum(prompt_tokens), sum(completion_tokens), sum(total_tokens),
       sum(prompt_cost), sum(completion_cost), sum(total_cost)
FROM runs FINAL
WHERE workspace_id = %(workspace_id)s {projects}
  AND start_time >= %(since)s - INTERVAL 1 HOUR AND trace_id IN %(traces)s
GROUP BY trace_id
"""
TRACE_USAGE_ANY_PROJECT = _TRACE_USAGE.format(projects="")
TRACE_USAGE_IN_PROJECTS = _TRACE_USAGE.format(projects="AND project_id IN %(projects)s")

SELECT_TRACE_OF_RUN = "SELECT trace_id FROM runs FINAL WHERE workspace_id = %(workspace_id)s AND id = %(id)s LIMIT 1"

# A page of /runs/query: `{columns}` the selected fields' columns, `{where}` listing.build_where's
# clauses plus the cursor's, `{direction}` ASC or DESC (keyset pagination on (start_time, id)).
RUNS_PAGE = (
    "SELECT {columns} FROM runs FINAL WHERE {where} ORDER BY start_time {direction}, id {direction} LIMIT %(limit)s"
)
# Runs of the traces whose root matches `{condition}` (trace_filter), or any of whose runs does
# (tree_filter); the condition is the filter compiler's output, its values parameters.
IN_TRACES_WITH_ROOT = (
    "trace_id IN (SELECT trace_id FROM runs FINAL WHERE workspace_id = %(workspace_id)s"
    " AND parent_run_id IS NULL AND {condition})"
)
IN_TRACES_WITH_RUN = (
    "trace_id IN (SELECT trace_id FROM runs FINAL WHERE workspace_id = %(workspace_id)s AND {condition})"
)

# /runs/query's `sort_by` (a Tracehouse extension) -> the value sorted on. A run without one (still
# pending: no latency; no price: no cost) sorts as -1, below every real value, so keyset paging
# never meets a NULL (NULL compares as neither < nor > in a tuple).
SORT_VALUES = {
    "start_time": "start_time",
    "latency": "ifNull(latency_seconds, -1)",
    "total_tokens": "total_tokens",
    "total_cost": "ifNull(toFloat64(total_cost), -1)",
    "name": "name",
}
# The same for a root run's whole trace (runs/listing.sorts_by_trace_usage), aggregated per trace.
TRACE_SORT_VALUES = {
    "total_tokens": "sum(total_tokens)",
    "total_cost": "ifNull(toFloat64(sum(total_cost)), -1)",
}
# A page of /runs/query in another order than start time: keyset on (`{value}`, id); the value is
# returned too, as the next page's cursor.
RUNS_PAGE_SORTED = (
    "SELECT {columns}, {value} AS sort_value FROM runs FINAL WHERE {where}"
    " ORDER BY sort_value {direction}, id {direction} LIMIT %(limit)s"
)
# A page of root runs by their trace's total (`{value}`, TRACE_SORT_VALUES) over every run of the
# traces whose root matches `{where}`; `{after}` is the cursor's HAVING clause (or nothing). A
# root's id is its trace id (the writer refuses a root whose trace_id is not its own id).
ROOTS_BY_TRACE_USAGE = """
SELECT trace_id, {value} AS sort_value FROM runs FINAL
WHERE workspace_id = %(workspace_id)s {projects} AND trace_id IN (SELECT trace_id FROM runs FINAL WHERE {where})
GROUP BY trace_id {after}
ORDER BY sort_value {direction}, trace_id {direction} LIMIT %(limit)s
"""
# The payloads the previews of a page's runs are made from when they are not stored (rows written
# before 0002_run_previews): only those rows' ids are read, and the page's projects and their time
# span bound the read by the primary key (the id bloom filter does the rest). `{columns}` are
# payload columns (listing.PREVIEW_FIELDS' values).
_PAGE_PAYLOADS = """
SELECT id, {{columns}} FROM runs FINAL
WHERE workspace_id = %(workspace_id)s {projects}
  AND start_time >= %(since)s AND start_time <= %(until)s AND id IN %(ids)s
"""
PAGE_PAYLOADS_ANY_PROJECT = _PAGE_PAYLOADS.format(projects="")
PAGE_PAYLOADS_IN_PROJECTS = _PAGE_PAYLOADS.format(projects="AND project_id IN %(projects)s")
