"""SQL for alert rules and their incidents (Postgres). Every statement is scoped by workspace_id."""

COLUMNS = """r.id, r.workspace_id, r.project_id, r.name, r.metric, r.feedback_key, r.window_minutes, r.comparison,
r.threshold, r.breaches_to_fire, r.oks_to_resolve, r.enabled, r.state, r.streak, r.last_value,
r.last_evaluated_at, r.created_at, r.modified_at,
ARRAY(SELECT rw.webhook_id FROM alert_rule_webhooks rw WHERE rw.rule_id = r.id ORDER BY rw.webhook_id) AS webhook_ids"""

INSERT_RULE = """
INSERT INTO alert_rules (id, workspace_id, project_id, name, metric, feedback_key, window_minutes, comparison,
                         threshold, breaches_to_fire, oks_to_resolve, enabled)
VALUES (%(id)s, %(workspace_id)s, %(project_id)s, %(name)s, %(metric)s, %(feedback_key)s, %(window_minutes)s,
        %(comparison)s, %(threshold)s, %(breaches_to_fire)s, %(oks_to_resolve)s, %(enabled)s)
"""

# A changed condition starts counting afresh (the streak was counted against the old one); the
# state stays, so a firing rule still resolves through its webhooks.
UPDATE_RULE = """
UPDATE alert_rules SET
    name = %(name)s, metric = %(metric)s, feedback_key = %(feedback_key)s, window_minutes = %(window_minutes)s,
    comparison = %(comparison)s, threshold = %(threshold)s, breaches_to_fire = %(breaches_to_fire)s,
    oks_to_resolve = %(oks_to_resolve)s, enabled = %(enabled)s, streak = 0, modified_at = clock_timestamp()
WHERE workspace_id = %(workspace_id)s AND id = %(id)s
"""

DELETE_RULE_WEBHOOKS = """
DELETE FROM alert_rule_webhooks rw USING alert_rules r
WHERE rw.rule_id = r.id AND r.workspace_id = %(workspace_id)s AND r.id = %(id)s
"""

# Only the workspace's own webhooks are linked; the caller compares the count with what it asked.
INSERT_RULE_WEBHOOKS = """
INSERT INTO alert_rule_webhooks (rule_id, webhook_id)
SELECT %(id)s, w.id FROM webhooks w
WHERE w.workspace_id = %(workspace_id)s AND w.id = ANY(%(webhook_ids)s::uuid[])
"""

SELECT_RULE = f"""
SELECT {COLUMNS} FROM alert_rules r WHERE r.workspace_id = %(workspace_id)s AND r.id = %(id)s
"""

SELECT_RULE_FOR_UPDATE = """
SELECT id, metric, feedback_key FROM alert_rules WHERE workspace_id = %(workspace_id)s AND id = %(id)s FOR UPDATE
"""

LIST_RULES = f"""
SELECT {COLUMNS} FROM alert_rules r
WHERE r.workspace_id = %(workspace_id)s AND (%(project_id)s::uuid IS NULL OR r.project_id = %(project_id)s::uuid)
ORDER BY r.created_at, r.id
"""

DELETE_RULE = """
DELETE FROM alert_rules WHERE workspace_id = %(workspace_id)s AND id = %(id)s RETURNING id
"""

LIST_INCIDENTS = """
SELECT id, fired_at, fired_value, resolved_at, resolved_value FROM alert_incidents
WHERE workspace_id = %(workspace_id)s AND rule_id = %(rule_id)s
ORDER BY fired_at DESC, id
LIMIT %(limit)s
"""
