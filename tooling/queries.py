"""SQL the CLI's own commands run (`costs recompute`); the native runner's is in runner/queries.py."""

SELECT_PROJECT = """
SELECT p.id, p.workspace_id FROM projects p JOIN workspaces w ON w.id = p.workspace_id
WHERE (p.id::text = %(project)s OR p.name = %(project)s)
  AND (%(workspace)s::text IS NULL OR w.id::text = %(workspace)s OR lower(w.name) = lower(%(workspace)s))
"""

# The runs the price table prices: LLM runs with tokens whose costs are not the caller's (costs
# without a source predate pricing and were sent by the caller).
_PRICEABLE = """
workspace_id = %(workspace_id)s AND project_id = %(project_id)s AND start_time >= %(since)s
  AND run_type = 'llm' AND (prompt_tokens > 0 OR completion_tokens > 0)
  AND cost_source != 'caller' AND NOT (cost_source = '' AND total_cost IS NOT NULL)
"""
COUNT_RUNS = f"SELECT count() FROM runs FINAL WHERE {_PRICEABLE} AND (start_time, id) > (%(after)s, %(after_id)s)"
NEXT_RUNS = f"""
SELECT start_time, id FROM runs FINAL
WHERE {_PRICEABLE} AND (start_time, id) > (%(after)s, %(after_id)s)
ORDER BY start_time, id
LIMIT %(limit)s
"""
