// Wire shapes of /webhooks and /alert-rules (app/backend/webhooks, app/backend/alerts).

export interface Webhook {
  id: string;
  name: string;
  url: string;
  format: "json" | "slack";
  enabled: boolean;
  storage_events: boolean; // also sent the installation's disk-budget warnings
  secret_hint: string;
  created_at: string;
  modified_at: string;
  secret?: string; // only in the answer to a create that named no secret
}

export interface DeliveryAttempt {
  attempt: number;
  status_code: number | null;
  error: string | null;
  attempted_at: string;
}

export interface Delivery {
  id: string;
  event_id: string;
  event_type: string;
  status: "pending" | "delivered" | "failed";
  attempts: DeliveryAttempt[];
  created_at: string;
  finished_at: string | null;
}

export type Metric =
  | "error_rate"
  | "latency_p50"
  | "latency_p95"
  | "latency_p99"
  | "cost_per_hour"
  | "run_count"
  | "feedback_avg";
export type Comparison = "gt" | "gte" | "lt" | "lte";

export interface AlertRule {
  id: string;
  project_id: string;
  name: string;
  metric: Metric;
  feedback_key: string | null;
  window_minutes: number;
  comparison: Comparison;
  threshold: number;
  breaches_to_fire: number;
  oks_to_resolve: number;
  webhook_ids: string[];
  enabled: boolean;
  state: "ok" | "firing";
  streak: number;
  last_value: number | null;
  last_evaluated_at: string | null;
  created_at: string;
  modified_at: string;
}

export interface Incident {
  id: string;
  fired_at: string;
  fired_value: number | null;
  resolved_at: string | null;
  resolved_value: number | null;
}

export const METRIC_LABEL: Record<Metric, string> = {
  error_rate: "Error rate",
  latency_p50: "Latency p50 (s)",
  latency_p95: "Latency p95 (s)",
  latency_p99: "Latency p99 (s)",
  cost_per_hour: "Cost per hour ($)",
  run_count: "Run count",
  feedback_avg: "Feedback average",
};

export const COMPARISON_SYMBOL: Record<Comparison, string> = { gt: ">", gte: "≥", lt: "<", lte: "≤" };

/** A metric's value as people read it: error rate in percent, the rest as numbers. */
export function formatValue(metric: Metric, value: number | null): string {
  if (value === null) return "no data";
  if (metric === "error_rate") return `${(value * 100).toFixed(1)}%`;
  if (metric === "run_count") return String(Math.round(value));
  return Number(value.toPrecision(4)).toString();
}

/** "Error rate > 50.0% over 15 min". */
export function describeRule(rule: Pick<AlertRule, "metric" | "feedback_key" | "comparison" | "threshold" | "window_minutes">): string {
  const metric = rule.metric === "feedback_avg" ? `Average of ${rule.feedback_key}` : METRIC_LABEL[rule.metric];
  return `${metric} ${COMPARISON_SYMBOL[rule.comparison]} ${formatValue(rule.metric, rule.threshold)} over ${rule.window_minutes} min`;
}
