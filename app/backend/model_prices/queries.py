"""SQL for the model price map (Postgres). Every statement is scoped by workspace_id."""

COLUMNS = """id, workspace_id, default_id, disabled, name, provider, match_pattern, match_path, start_time,
prompt_cost, completion_cost, prompt_cost_details, completion_cost_details, created_at, modified_at"""

LIST_PRICES = f"SELECT {COLUMNS} FROM model_prices WHERE workspace_id = %(workspace_id)s ORDER BY created_at, id"

COUNT_PRICES = "SELECT count(*) AS n FROM model_prices WHERE workspace_id = %(workspace_id)s"

SELECT_PRICE = f"SELECT {COLUMNS} FROM model_prices WHERE workspace_id = %(workspace_id)s AND id = %(id)s"

SELECT_OVERRIDE = f"""
SELECT {COLUMNS} FROM model_prices WHERE workspace_id = %(workspace_id)s AND default_id = %(default_id)s
"""

INSERT_PRICE = f"""
INSERT INTO model_prices (id, workspace_id, default_id, disabled, name, provider, match_pattern, match_path,
    start_time, prompt_cost, completion_cost, prompt_cost_details, completion_cost_details)
VALUES (%(id)s, %(workspace_id)s, %(default_id)s, %(disabled)s, %(name)s, %(provider)s, %(match_pattern)s,
    %(match_path)s, %(start_time)s, %(prompt_cost)s, %(completion_cost)s, %(prompt_cost_details)s,
    %(completion_cost_details)s)
ON CONFLICT (workspace_id, default_id) WHERE default_id IS NOT NULL DO NOTHING
RETURNING {COLUMNS}
"""

UPDATE_PRICE = f"""
UPDATE model_prices SET name = %(name)s, provider = %(provider)s, match_pattern = %(match_pattern)s,
    match_path = %(match_path)s, start_time = %(start_time)s, prompt_cost = %(prompt_cost)s,
    completion_cost = %(completion_cost)s, prompt_cost_details = %(prompt_cost_details)s,
    completion_cost_details = %(completion_cost_details)s, disabled = %(disabled)s,
    modified_at = clock_timestamp()
WHERE workspace_id = %(workspace_id)s AND id = %(id)s
RETURNING {COLUMNS}
"""

DELETE_PRICE = "DELETE FROM model_prices WHERE workspace_id = %(workspace_id)s AND id = %(id)s RETURNING id"

# LangSmith answers 409 for an entry identical in what decides matching to one the workspace has.
SELECT_DUPLICATE = """
SELECT id FROM model_prices
WHERE workspace_id = %(workspace_id)s AND default_id IS NULL AND name = %(name)s
  AND match_pattern = %(match_pattern)s AND match_path = %(match_path)s
  AND provider IS NOT DISTINCT FROM %(provider)s AND start_time IS NOT DISTINCT FROM %(start_time)s
LIMIT 1
"""
