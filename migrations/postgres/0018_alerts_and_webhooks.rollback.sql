-- Undo 0018_alerts_and_webhooks.
DROP TABLE IF EXISTS alert_incidents;
DROP TABLE IF EXISTS alert_rule_webhooks;
DROP TABLE IF EXISTS alert_rules;
DROP TABLE IF EXISTS webhook_attempts;
DROP TABLE IF EXISTS webhook_deliveries;
DROP TABLE IF EXISTS webhook_events;
DROP TABLE IF EXISTS webhooks;
