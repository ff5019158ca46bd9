"""SQL of the monitoring charts besides the time series itself (app/core/series.py, shared with
the alert rules). Every statement is scoped by workspace_id and project."""

from app.core.series import SERIES_BY_BUCKET, SERIES_TOTALS
from app.core.tables import UNPRICED_LLM_RUN

__all__ = ["COST_BY_MODEL", "SERIES_BY_BUCKET", "SERIES_TOTALS", "UNPRICED_MODELS"]

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
