import { formatRelative } from "../../lib/format";
import type { ExperimentSummary } from "./compareTypes";
import { experimentColor, formatDelta, formatMetric, readsAsZero } from "./compareFormat";
import { aggregateRows, type AggregateRow, type Delta, type Metric } from "./regressions";

const GROUP_LABEL: Record<AggregateRow["group"], string> = {
  run: "Runs",
  score: "Mean feedback score",
  summary: "Summary scores",
};

export function DeltaTag({ metric, delta, value }: { metric: Metric; delta: Delta | null; value?: number | null }) {
  if (!delta || delta.delta === null) return null;
  const text = formatDelta(metric, delta, value);
  if (delta.tone === "same" || readsAsZero(text))
    return (
      <span className="cmp-delta same">
        ±0<span className="sr-only"> (same as baseline)</span>
      </span>
    );
  const up = delta.delta > 0;
  const toneText = delta.tone === "better" ? "better than baseline" : delta.tone === "worse" ? "worse than baseline" : "";
  return (
    <span className={`cmp-delta ${delta.tone}`}>
      <span aria-hidden="true">{up ? "▲" : "▼"}</span>
      {text}
      {toneText && <span className="sr-only"> ({toneText})</span>}
    </span>
  );
}

/** Metrics × experiments, each value with its difference from the baseline. */
export function AggregatesTable({
  experiments,
  colorIndex,
  baselineId,
  onBaseline,
}: {
  experiments: ExperimentSummary[];
  colorIndex: (id: string) => number;
  baselineId: string | null;
  onBaseline: (id: string) => void;
}) {
  const rows = aggregateRows(experiments, baselineId);
  let lastGroup: AggregateRow["group"] | null = null;
  const compare = experiments.length > 1;
  return (
    <div className="table-wrap cmp-agg-wrap">
      <table className="table cmp-agg">
        <caption className="sr-only">Aggregates per experiment{compare ? ", with differences from the baseline" : ""}</caption>
        <thead>
          <tr>
            <th scope="col" className="cmp-agg-metric">
              Metric
            </th>
            {experiments.map((e) => (
              <th key={e.id} scope="col" className="cmp-agg-exp">
                <div className="cmp-agg-head">
                  <span className="cmp-dot" style={{ background: experimentColor(colorIndex(e.id)) }} aria-hidden="true" />
                  <span className="cmp-agg-name" title={e.name}>
                    {e.name}
                  </span>
                </div>
                <div className="cmp-agg-sub">
                  <span className="muted">{formatRelative(e.start_time)}</span>
                  {compare &&
                    (e.id === baselineId ? (
                      <span className="badge accent">baseline</span>
                    ) : (
                      <button
                        type="button"
                        className="btn btn-quiet btn-small"
                        onClick={() => onBaseline(e.id)}
                        aria-label={`Use ${e.name} as the baseline`}
                      >
                        Set as baseline
                      </button>
                    ))}
                </div>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const header = row.group !== lastGroup && row.group !== "run";
            lastGroup = row.group;
            return [
              header && (
                <tr key={`${row.group}-head`} className="cmp-agg-group">
                  <th scope="colgroup" colSpan={experiments.length + 1}>
                    {GROUP_LABEL[row.group]}
                  </th>
                </tr>
              ),
              <tr key={row.id}>
                <th scope="row" className="cmp-agg-metric">
                  {row.group === "run" ? row.label : <span className="mono">{row.label}</span>}
                </th>
                {experiments.map((e) => {
                  const v = row.values[e.id];
                  return (
                    <td key={e.id} className="num">
                      <span className="cmp-agg-value">{formatMetric(row.metric, v?.value)}</span>
                      {compare && <DeltaTag metric={row.metric} delta={v?.delta ?? null} value={v?.value} />}
                    </td>
                  );
                })}
              </tr>,
            ];
          })}
        </tbody>
      </table>
    </div>
  );
}
