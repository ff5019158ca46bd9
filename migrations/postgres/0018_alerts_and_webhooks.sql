-- Webhooks and alert rules (issue 19). A webhook is a workspace's destination for events; every
-- event is stored once (its id is what receivers de-duplicate on) and fanned out to one delivery
-- per webhook, each with the log of its attempts. Alert rules watch one project's metric; their
-- state and counters live on the rule row (locked while a rule is evaluated) and each firing is an
-- incident row that its resolution closes.
-- depends: 0015_feedback_configs

CREATE TABLE webhooks (
    id            uuid PRIMARY KEY,
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name          text NOT NULL,
    url           text NOT NULL,
    -- The HMAC key, needed in clear to sign; never answered (only its last characters as a hint).
    secret        text NOT NULL,
    format        text NOT NULL CHECK (format IN ('json', 'slack')),
    enabled       boolean NOT NULL DEFAULT true,
    -- Also send the installation's disk-budget warnings (worker/storage.py) here.
    storage_events boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    modified_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX webhooks_workspace_idx ON webhooks (workspace_id, created_at);

CREATE TABLE webhook_events (
    id            uuid PRIMARY KEY,
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    event_type    text NOT NULL,
    payload       jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE webhook_deliveries (
    id            uuid PRIMARY KEY,
    workspace_id  uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    webhook_id    uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id      uuid NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts      integer NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at   timestamptz,
    -- One delivery of an event per destination, however often the event is offered.
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, created_at DESC);
CREATE INDEX webhook_deliveries_pending_idx ON webhook_deliveries (created_at) WHERE status = 'pending';

CREATE TABLE webhook_attempts (
    delivery_id   uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt       integer NOT NULL,
    status_code   integer,
    error         text,
    attempted_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (delivery_id, attempt)
);

CREATE TABLE alert_rules (
    id                uuid PRIMARY KEY,
    workspace_id      uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    project_id        uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name              text NOT NULL,
    metric            text NOT NULL CHECK (metric IN (
        'error_rate', 'latency_p50', 'latency_p95', 'latency_p99', 'cost_per_hour', 'run_count', 'feedback_avg'
    )),
    feedback_key      text,
    window_minutes    integer NOT NULL CHECK (window_minutes BETWEEN 1 AND 10080),
    comparison        text NOT NULL CHECK (comparison IN ('gt', 'gte', 'lt', 'lte')),
    threshold         double precision NOT NULL,
    breaches_to_fire  integer NOT NULL CHECK (breaches_to_fire BETWEEN 1 AND 100),
    oks_to_resolve    integer NOT NULL CHECK (oks_to_resolve BETWEEN 1 AND 100),
    enabled           boolean NOT NULL DEFAULT true,
    state             text NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'firing')),
    -- Consecutive breaches while ok, consecutive non-breaches while firing.
    streak            integer NOT NULL DEFAULT 0,
    last_value        double precision,
    last_evaluated_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    modified_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK ((metric = 'feedback_avg') = (feedback_key IS NOT NULL))
);
CREATE INDEX alert_rules_project_idx ON alert_rules (workspace_id, project_id, created_at);

CREATE TABLE alert_rule_webhooks (
    rule_id     uuid NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
    webhook_id  uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    PRIMARY KEY (rule_id, webhook_id)
);

CREATE TABLE alert_incidents (
    id                uuid PRIMARY KEY,
    rule_id           uuid NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
    workspace_id      uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    fired_at          timestamptz NOT NULL,
    fired_value       double precision,
    resolved_at       timestamptz,
    resolved_value    double precision
);
CREATE INDEX alert_incidents_rule_idx ON alert_incidents (rule_id, fired_at DESC);
