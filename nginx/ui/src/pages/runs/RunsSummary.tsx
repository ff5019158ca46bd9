import { AddPriceLinks } from "../../components/AddPriceLink";
import { describeCost, formatCost, formatLatency, formatNumber, formatPercent } from "../../lib/format";

/** POST /runs/stats' answer (the fields the summary reads). */
export interface RunStats {
  run_count: number;
  error_rate?: number | null;
  latency_p50?: number | null;
  latency_p99?: number | null;
  total_tokens?: number | null;
  total_cost?: number | string | null;
  /** Tracehouse's: models of LLM runs with tokens but no cost (no price reached them). */
  unpriced_models?: string[];
}

/** A cost sum, or "–" when no run carried a cost: an unpriced model is not free. */
export function summaryCost(cost: number | string | null | undefined): string {
  const n = typeof cost === "string" ? Number(cost) : cost;
  return n ? formatCost(n) : "–";
}

/**
 * The filtered set at a glance: error rate, latency percentiles, tokens and cost. `usage` holds
 * the token and cost sums (over root runs: their whole traces', as the rows show them); while it
 * loads, its figures are blank rather than wrong.
 */
export function RunsSummary({ stats, usage }: { stats: RunStats; usage?: RunStats }) {
  const cost = usage ? describeCost(usage.total_cost, usage.unpriced_models) : null;
  const items: [string, string][] = [
    ["Error rate", formatPercent(stats.error_rate)],
    ["Latency p50", formatLatency(stats.latency_p50)],
    ["p99", formatLatency(stats.latency_p99)],
    ["Tokens", usage ? (usage.total_tokens ? formatNumber(usage.total_tokens) : "–") : " "],
    ["Cost", cost ? cost.value : " "],
  ];
  return (
    <div role="group" aria-label="Summary of the matching runs">
      <dl className="runs-summary">
      {items.map(([label, value]) => (
        <div key={label} className={label === "Error rate" && (stats.error_rate ?? 0) > 0 ? "has-errors" : undefined}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
      </dl>
      {cost?.note && (
        <p className="small muted runs-summary-note">
          {cost.note}. <AddPriceLinks models={usage?.unpriced_models ?? []} />
        </p>
      )}
    </div>
  );
}
