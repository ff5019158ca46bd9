import { useState } from "react";
import { formatCost, formatLatency, formatTokens, preview } from "../../lib/format";
import type { ExperimentSummary, RunCell } from "./compareTypes";
import { experimentColor, formatScore, previewIO } from "./compareFormat";
import type { CellComparison, ExampleComparison } from "./regressions";

export interface CellTarget {
  exampleId: string;
  experimentId: string;
  runIndex: number;
}

function ChangeMark({ cell, keyName }: { cell: CellComparison; keyName: string | null }) {
  if (cell.change !== "regression" && cell.change !== "improvement") return null;
  const regression = cell.change === "regression";
  const title = `${regression ? "Regression" : "Improvement"} on ${keyName}: ${formatScore(cell.score)} vs baseline ${formatScore(cell.baselineScore)}`;
  return (
    <span className={`cmp-change ${cell.change}`} title={title}>
      <span aria-hidden="true">{regression ? "▼" : "▲"}</span>
      <span>{regression ? "regression" : "improvement"}</span>
      <span className="cmp-change-delta">
        {(cell.delta ?? 0) > 0 ? "+" : "−"}
        {Math.abs(cell.delta ?? 0).toFixed(2)}
      </span>
    </span>
  );
}

function ScoreChips({ cell, keyName }: { cell: CellComparison; keyName: string | null }) {
  // The key that drives the highlighting comes first.
  const entries = Object.entries(cell.summary.scores).sort(([a], [b]) =>
    a === keyName ? -1 : b === keyName ? 1 : a.localeCompare(b),
  );
  if (entries.length === 0) return null;
  const many = cell.summary.runs > 1;
  return (
    <span className="cmp-scores">
      {entries.map(([key, s]) => (
        <span
          key={key}
          className={key === keyName ? "cmp-score active" : "cmp-score"}
          title={many ? `${key}: mean of ${s.runs} of ${cell.summary.runs} runs` : key}
        >
          <span className="cmp-score-key">{key}</span>
          <span className="cmp-score-val">
            {many && s.runs > 0 ? <span className="cmp-score-avg">avg </span> : null}
            {formatScore(s.avg)}
          </span>
        </span>
      ))}
    </span>
  );
}

function runError(run: RunCell): boolean {
  return run.status === "error" || !!run.error;
}

function Cell({
  cell,
  runs,
  keyName,
  experimentName,
  exampleNumber,
  onOpen,
}: {
  cell: CellComparison;
  runs: RunCell[];
  keyName: string | null;
  experimentName: string;
  exampleNumber: number;
  onOpen: (runIndex: number) => void;
}) {
  const [expanded, setExpanded] = useState(false);
  const s = cell.summary;
  if (runs.length === 0) {
    return (
      <td className="cmp-cell empty">
        <span className="muted">No run</span>
      </td>
    );
  }
  // Show what the experiment answered: the first run that did not fail, else the first.
  const first = runs.find((run) => !runError(run)) ?? runs[0];
  const failed = s.errors > 0 && s.errors === s.runs;
  const cls = ["cmp-cell", cell.change === "regression" || cell.change === "improvement" ? cell.change : "", failed ? "failed" : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <td className={cls}>
      <button
        type="button"
        className="cmp-cell-open"
        onClick={() => onOpen(0)}
        aria-label={`Open ${experimentName}'s run on example ${exampleNumber}${cell.change === "regression" ? " (regression)" : cell.change === "improvement" ? " (improvement)" : ""}`}
      >
        <ChangeMark cell={cell} keyName={keyName} />
        {runError(first) ? (
          <span className="cmp-cell-error">
            <span className="badge err">error</span> {preview(first.error ?? "failed", 140)}
          </span>
        ) : (
          <span className="cmp-cell-output">{previewIO(first.outputs, 240) || <span className="muted">(no output)</span>}</span>
        )}
        <ScoreChips cell={cell} keyName={keyName} />
        <span className="cmp-cell-meta">
          <span title={s.runs > 1 ? "Mean latency" : "Latency"}>{formatLatency(s.latency)}</span>
          {/* No tokens recorded (a run that called no model): nothing, rather than "0 tok" noise. */}
          {s.tokens !== null && s.tokens > 0 && (
            <span title={s.runs > 1 ? "Mean tokens per run" : "Tokens"}>{formatTokens(s.tokens)} tok</span>
          )}
          {s.cost !== null && <span title={s.runs > 1 ? "Mean cost per run" : "Cost"}>{formatCost(s.cost)}</span>}
          {s.errors > 0 && s.runs > 1 && <span className="err-text">{s.errors} failed</span>}
        </span>
      </button>
      {runs.length > 1 && (
        <div className="cmp-reps">
          <button
            type="button"
            className="btn btn-quiet btn-small"
            aria-expanded={expanded}
            onClick={() => setExpanded((x) => !x)}
          >
            <span aria-hidden="true">{expanded ? "▾" : "▸"}</span> {runs.length} runs
          </button>
          {expanded && (
            <ol className="cmp-reps-list">
              {runs.map((run, i) => {
                const score = keyName ? run.feedback[keyName]?.avg : undefined;
                return (
                  <li key={run.id}>
                    <button type="button" className="cmp-rep" onClick={() => onOpen(i)}>
                      <span className="muted">#{i + 1}</span>
                      {runError(run) ? <span className="badge err">error</span> : <span className="badge ok">ok</span>}
                      {keyName && (
                        <span className="mono">
                          {keyName} {formatScore(score ?? null)}
                        </span>
                      )}
                      <span className="muted">{formatLatency(run.latency)}</span>
                    </button>
                  </li>
                );
              })}
            </ol>
          )}
        </div>
      )}
    </td>
  );
}

/** Examples × experiments: the example's input and reference, then each experiment's result on it. */
export function ExamplesTable({
  rows,
  experiments,
  colorIndex,
  baselineId,
  keyName,
  offset,
  numbers,
  onOpen,
}: {
  rows: ExampleComparison[];
  experiments: ExperimentSummary[];
  colorIndex: (id: string) => number;
  baselineId: string | null;
  keyName: string | null;
  offset: number;
  numbers: Map<string, number>;
  onOpen: (target: CellTarget) => void;
}) {
  return (
    <div className="table-wrap cmp-examples-wrap">
      <table className="table cmp-examples" style={{ minWidth: 240 + experiments.length * 250 }}>
        <caption className="sr-only">Each example's results per experiment</caption>
        <thead>
          <tr>
            <th scope="col" className="cmp-example-col">
              Example
            </th>
            {experiments.map((e) => (
              <th key={e.id} scope="col" className="cmp-exp-col">
                <span className="cmp-dot" style={{ background: experimentColor(colorIndex(e.id)) }} aria-hidden="true" />
                <span className="cmp-exp-col-name" title={e.name}>
                  {e.name}
                </span>
                {experiments.length > 1 && e.id === baselineId && <span className="badge accent">baseline</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ row, cells }) => {
            const n = numbers.get(row.id) ?? offset + 1;
            return (
              <tr key={row.id}>
                <th scope="row" className="cmp-example">
                  <button
                    type="button"
                    className="cmp-cell-open"
                    onClick={() => onOpen({ exampleId: row.id, experimentId: baselineId ?? experiments[0]?.id, runIndex: 0 })}
                    aria-label={`Open example ${n}`}
                  >
                    <span className="cmp-example-n muted">#{n}</span>
                    <span className="cmp-io-label">Input</span>
                    <span className="cmp-io">{previewIO(row.inputs, 200) || <span className="muted">(empty)</span>}</span>
                    <span className="cmp-io-label">Reference</span>
                    <span className="cmp-io muted">{row.outputs ? previewIO(row.outputs, 160) : "None"}</span>
                  </button>
                </th>
                {experiments.map((e) => (
                  <Cell
                    key={e.id}
                    cell={cells[e.id]}
                    runs={row.runs[e.id] ?? []}
                    keyName={keyName}
                    experimentName={e.name}
                    exampleNumber={n}
                    onOpen={(runIndex) => onOpen({ exampleId: row.id, experimentId: e.id, runIndex })}
                  />
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
