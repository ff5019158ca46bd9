"""SQL of alert evaluation. The run metrics are the monitoring chart's own totals
(app/core/series.py SERIES_TOTALS); only what monitoring has no query for is here.
Rules are read across workspaces (the scheduler evaluates them all), and each rule's ClickHouse
query and Postgres writes are scoped by that rule's workspace."""

LIST_ENABLED_RULES = """
SELECT id, workspace_id, project_id, metric, feedback_key, window_minutes
FROM alert_rules
WHERE enabled
ORDER BY workspace_id, id
"""

# The rule as it is now, locked for the transition: a second evaluator waits here and then sees
# the state the first one left.
LOCK_RULE = """
SELECT id, workspace_id, project_id, name, metric, feedback_key, window_minutes, comparison, threshold,
       breaches_to_fire, oks_to_resolve, state, streak
FROM alert_rules
WHERE id = %(id)s AND workspace_id = %(workspace_id)s AND enabled
FOR UPDATE
"""

UPDATE_RULE_STATE = """
UPDATE alert_rules
SET state = %(state)s, streak = %(streak)s, last_value = %(value)s, last_evaluated_at = %(at)s
WHERE id = %(id)s AND workspace_id = %(workspace_id)s
"""

INSERT_INCIDENT = """
INSERT INTO alert_incidents (id, rule_id, workspace_id, fired_at, fired_value)
VALUES (%(id)s, %(rule_id)s, %(workspace_id)s, %(at)s, %(value)s)
"""

# The open incident of a firing rule, closed by its resolution.
RESOLVE_INCIDENT = """
UPDATE alert_incidents SET resolved_at = %(at)s, resolved_value = %(value)s
WHERE id = (
    SELECT id FROM alert_incidents
    WHERE rule_id = %(rule_id)s AND workspace_id = %(workspace_id)s AND resolved_at IS NULL
    ORDER BY fired_at DESC LIMIT 1
)
RETURNING id, fired_at
"""

SELECT_RULE_WEBHOOKS = """
SELECT rw.webhook_id FROM alert_rule_webhooks rw
JOIN alert_rules r ON r.id = rw.rule_id
WHERE rw.rule_id = %(rule_id)s AND r.workspace_id = %(workspace_id)s
"""

SELECT_PROJECT_NAME = """
SELECT name FROM projects WHERE id = %(project_id)s AND workspace_id = %(workspace_id)s
"""

# A feedback key's average score over the window, by when the feedback was given (ClickHouse).
# Run feedback carries no project of its own: it belongs to the project through its run, so the
# window's feedback runs are looked up among the project's runs (the inner set is only the
# window's feedback, however old the runs are); feedback on the project itself names it directly.
FEEDBACK_AVERAGE = """
SELECT avg(score), count()
FROM feedback FINAL
WHERE workspace_id = %(workspace_id)s AND key = %(key)s AND is_deleted = 0 AND score IS NOT NULL
  AND created_at >= %(start)s AND created_at < %(end)s
  AND (
    project_id = %(project_id)s
    OR run_id IN (
        SELECT id FROM runs
        WHERE workspace_id = %(workspace_id)s AND project_id = %(project_id)s
          AND id IN (
              SELECT run_id FROM feedback
              WHERE workspace_id = %(workspace_id)s AND key = %(key)s
                AND created_at >= %(start)s AND created_at < %(end)s AND run_id IS NOT NULL
          )
    )
  )
"""
