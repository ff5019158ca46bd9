// Display helpers of the comparison view (numbers, deltas, experiment colours).

import { toConversation } from "../../components/messages/normalize";
import { formatCost, formatLatency, formatNumber, formatPercent, formatTokens, preview, truncate } from "../../lib/format";
import type { Delta, Metric } from "./regressions";

const PALETTE = ["#2457d6", "#c2700a", "#7b4fd6", "#128a84", "#c0367a", "#5b7a12", "#8a5a2b", "#3f6f9f", "#b23a48", "#6b7280"];

/** A stable colour per position in the selection, so a column is recognisable across panels. */
export function experimentColor(index: number): string {
  return PALETTE[index % PALETTE.length];
}

export function formatScore(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(2);
}

export function formatMetric(metric: Metric, value: number | null | undefined): string {
  switch (metric) {
    case "error_rate":
      return formatPercent(value);
    case "latency":
    case "latency_p50":
    case "latency_p99":
      return formatLatency(value);
    case "total_cost":
    case "cost":
      return formatCost(value);
    case "total_tokens":
    case "tokens":
      return formatTokens(value); // 0 means none recorded (no model called): the dash
    case "score":
    case "session_score":
      return formatScore(value);
    default:
      return formatNumber(value);
  }
}

function signed(text: string, negative: boolean): string {
  return `${negative ? "−" : "+"}${text}`;
}

/** Whether a metric's value reads as zero when shown ("0 ms", "$0", "0"). */
function showsAsZero(metric: Metric, value: number): boolean {
  return value === 0 || /^\$?0( ms)?$/.test(formatMetric(metric, value));
}

/** A delta as people read it: scores absolute, error rate in points, the rest relative — except
 * to or from zero: "0 ms" against 2 s is no "−100%" improvement but a missing measurement or a
 * different kind of run, so those read as the absolute difference ("−2.00 s"). `value` is the
 * compared experiment's value, when the caller has it. */
export function formatDelta(metric: Metric, delta: Delta, value?: number | null): string {
  if (delta.delta === null) return "";
  const d = delta.delta;
  const toZero = value !== null && value !== undefined && showsAsZero(metric, value);
  const negative = d < 0;
  const abs = Math.abs(d);
  switch (metric) {
    case "score":
    case "session_score":
      return signed(abs.toFixed(2), negative);
    case "error_rate":
      return signed(`${(abs * 100).toFixed(abs < 0.1 ? 1 : 0)} pp`, negative);
    case "run_count":
    case "example_count":
      return signed(formatNumber(abs), negative);
    default:
      if (delta.relative !== null && !toZero && delta.relative > -1) {
        const pct = Math.abs(delta.relative) * 100;
        return signed(`${pct < 10 ? pct.toFixed(1) : Math.round(pct)}%`, negative);
      }
      return signed(formatMetric(metric, abs), negative);
  }
}

/** A one-line preview of inputs/outputs: a chat answer (OpenAI/LangChain shapes, as playground
 * experiments record) shows its last message's text, a lone field its value, several fields read
 * as "key: value · …". */
export function previewIO(value: unknown, max = 240): string {
  const conversation = toConversation(value);
  const last = conversation?.messages[conversation.messages.length - 1];
  if (last) {
    const text = last.content.flatMap((part) => (part.kind === "text" ? [part.text] : [])).join(" ");
    const calls = last.toolCalls.map((call) => `${call.name}(…)`).join(", ");
    if (text || calls) return preview([text, calls].filter(Boolean).join(" "), max);
  }
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined);
    if (entries.length === 0) return "";
    if (entries.length === 1) return preview(entries[0][1], max);
    return truncate(entries.map(([k, v]) => `${k}: ${preview(v, max)}`).join(" · "), max);
  }
  return preview(value, max);
}

/** Whether a formatted delta reads as zero ("+0.00", "−0.0%"): then it is shown as no change. */
export function readsAsZero(text: string): boolean {
  return /^[−+]0(\.0+)?( pp|%| ms| s)?$/.test(text) || /^[−+]\$0(\.0+)?$/.test(text);
}
