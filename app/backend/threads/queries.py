"""SQL for threads (ClickHouse). Every statement is scoped by workspace_id and project.

A thread's turns are its root runs; tokens and cost are summed over every run of those turns'
traces (usage is recorded on the LLM runs inside a trace, not on its root).
"""

# Root runs of the project that belong to some thread (the subquery every statement starts from).
_TURNS = """
SELECT id, trace_id, thread_id, start_time, status, latency_seconds
FROM runs FINAL
WHERE workspace_id = %(workspace_id)s AND project_id = %(project_id)s
  AND parent_run_id IS NULL AND thread_id IS NOT NULL
"""

# One page of threads (or the one `thread_id` names), most recent activity first; `total` counts
# every thread of the project (a window over the grouped rows, computed before LIMIT). `since` and
# `until` (either may be NULL) bound the turns' start times.
LIST_THREADS = f"""
SELECT
    assumeNotNull(thread_id) AS thread,
    count() AS turns,
    min(start_time) AS first_start,
    max(start_time) AS last_start,
    quantiles(0.5)(latency_seconds) AS latency,
    countIf(status = 'error') AS errors,
    count() OVER () AS total
FROM ({_TURNS})
WHERE (%(thread_id)s IS NULL OR thread_id = %(thread_id)s)
  AND (%(since)s IS NULL OR start_time >= %(since)s)
  AND (%(until)s IS NULL OR start_time <= %(until)s)
GROUP BY thread
ORDER BY last_start DESC, thread
LIMIT %(limit)s OFFSET %(offset)s
"""

# LIST_THREADS narrowed by a search text (case-insensitive): a thread matches when its id, or the
# stored JSON of one of its turns' inputs or outputs, contains `search`. A separate statement so the
# plain list never reads the (large) inputs and outputs columns. The scan is bounded by the
# project, the root runs that have a thread, the time window and the query profile's execution
# time limit; there is no text index, so an unwindowed search of a huge project is the slow case.
SEARCH_THREADS = """
SELECT
    assumeNotNull(thread_id) AS thread,
    count() AS turns,
    min(start_time) AS first_start,
    max(start_time) AS last_start,
    quantiles(0.5)(latency_seconds) AS latency,
    countIf(status = 'error') AS errors,
    count() OVER () AS total
FROM runs FINAL
WHERE workspace_id = %(workspace_id)s AND project_id = %(project_id)s
  AND parent_run_id IS NULL AND thread_id IS NOT NULL
  AND (%(since)s IS NULL OR start_time >= %(since)s)
  AND (%(until)s IS NULL OR start_time <= %(until)s)
GROUP BY thread
HAVING positionCaseInsensitiveUTF8(thread, %(search)s) > 0
    OR countIf(positionCaseInsensitiveUTF8(inputs, %(search)s) > 0
               OR positionCaseInsensitiveUTF8(outputs, %(search)s) > 0) > 0
ORDER BY last_start DESC, thread
LIMIT %(limit)s OFFSET %(offset)s
"""

# For a page of threads: the first turn's inputs and the last turn's outputs (previews), and the
# token and cost sums over the turns' traces.
THREAD_DETAILS = f"""
SELECT
    t.thread AS thread,
    any(t.first_inputs),
    any(t.last_outputs),
    sum(u.prompt), sum(u.completion), sum(u.total), sum(u.cost)
FROM (
    SELECT
        assumeNotNull(thread_id) AS thread,
        argMin(inputs, (start_time, id)) AS first_inputs,
        argMax(outputs, (start_time, id)) AS last_outputs,
        groupArray(trace_id) AS traces
    FROM runs FINAL
    WHERE workspace_id = %(workspace_id)s AND project_id = %(project_id)s
      AND parent_run_id IS NULL AND thread_id IN %(threads)s
    GROUP BY thread
) AS t
ARRAY JOIN t.traces AS trace
LEFT JOIN (
    SELECT trace_id, sum(prompt_tokens) AS prompt, sum(completion_tokens) AS completion,
           sum(total_tokens) AS total, sum(total_cost) AS cost
    FROM runs FINAL
    WHERE workspace_id = %(workspace_id)s AND project_id = %(project_id)s
      AND trace_id IN (SELECT trace_id FROM ({_TURNS}) WHERE thread_id IN %(threads)s)
    GROUP BY trace_id
) AS u ON u.trace_id = trace
GROUP BY thread
"""

# A page of one thread's turns in order, with their traces' token and cost sums.
THREAD_TURNS = f"""
SELECT
    r.id, r.trace_id, r.name, r.run_type, r.status, r.error, r.start_time, r.end_time, r.latency_seconds,
    r.first_token_time, r.inputs, r.outputs, r.tags,
    u.prompt, u.completion, u.total, u.cost
FROM (
    SELECT id, trace_id, name, run_type, status, error, start_time, end_time, latency_seconds,
           first_token_time, inputs, outputs, tags
    FROM runs FINAL
    WHERE workspace_id = %(workspace_id)s AND project_id = %(project_id)s
      AND parent_run_id IS NULL AND thread_id = %(thread_id)s
    ORDER BY start_time, id
    LIMIT %(limit)s OFFSET %(offset)s
) AS r
LEFT JOIN (
    SELECT trace_id, sum(prompt_tokens) AS prompt, sum(completion_tokens) AS completion,
           sum(total_tokens) AS total, sum(total_cost) AS cost
    FROM runs FINAL
    WHERE workspace_id = %(workspace_id)s AND project_id = %(project_id)s
      AND trace_id IN (SELECT trace_id FROM ({_TURNS}) WHERE thread_id = %(thread_id)s)
    GROUP BY trace_id
) AS u ON u.trace_id = r.trace_id
ORDER BY r.start_time, r.id
"""

# Turns of the project's threads that started inside [since, until] (either bound may be NULL).
_TURNS_IN_WINDOW = f"""
SELECT * FROM ({_TURNS})
WHERE (%(since)s IS NULL OR start_time >= %(since)s) AND (%(until)s IS NULL OR start_time <= %(until)s)
"""

# Aggregates over the project's threads in a window: threads, turns, turn latency quantiles, errored
# turns.
THREAD_AGGREGATES = f"""
SELECT uniqExact(thread_id), count(), quantiles(0.5, 0.99)(latency_seconds), countIf(status = 'error')
FROM ({_TURNS_IN_WINDOW})
"""

# Token and cost sums over every run of those turns' traces.
THREAD_AGGREGATE_USAGE = f"""
SELECT sum(prompt_tokens), sum(completion_tokens), sum(total_tokens),
       sum(prompt_cost), sum(completion_cost), sum(total_cost)
FROM runs FINAL
WHERE workspace_id = %(workspace_id)s AND project_id = %(project_id)s
  AND trace_id IN (SELECT trace_id FROM ({_TURNS_IN_WINDOW}))
"""
