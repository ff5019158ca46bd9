import { useEffect, useRef } from "react";
import { Link } from "react-router-dom";
import { useApi } from "../../api/hooks";
import type { Feedback } from "../../api/types";
import { RunIO } from "../../components/RunIO";
import { formatCost, formatLatency, formatNumber, formatTime } from "../../lib/format";
import type { ExperimentSummary, RunCell } from "./compareTypes";
import { experimentColor, formatScore } from "./compareFormat";
import type { ExampleComparison, ScoreSummary } from "./regressions";
import type { CellTarget } from "./ExamplesTable";

function feedbackScore(f: Feedback): string {
  if (typeof f.score === "boolean") return f.score ? "1" : "0";
  if (typeof f.score === "number") return formatScore(f.score);
  if (f.value !== undefined && f.value !== null) return typeof f.value === "string" ? f.value : JSON.stringify(f.value);
  return "–";
}

function BaselineCell({ scores, k }: { scores: Record<string, ScoreSummary> | null; k: string }) {
  if (!scores) return null;
  const s = scores[k];
  return <td className="num muted">{s ? formatScore(s.avg) : "–"}</td>;
}

function FeedbackList({ run, baseline }: { run: RunCell; baseline: Record<string, ScoreSummary> | null }) {
  const state = useApi<Feedback[]>({ path: "/feedback", query: { run: run.id, limit: 100 } });
  // The comparison already carries the latest score and comment per key: show those at once,
  // and every individual feedback once the full list arrives.
  if (!state.data) {
    const entries = Object.entries(run.feedback);
    if (state.error && entries.length === 0) return <p className="err-text">Could not load feedback: {state.error.message}</p>;
    if (entries.length === 0) return <p className="muted">{state.loading ? "Loading feedback…" : "No feedback."}</p>;
    return (
      <table className="table cmp-feedback">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col" className="num">
              Score
            </th>
            {baseline && (
              <th scope="col" className="num">
                Baseline
              </th>
            )}
            <th scope="col">Comment</th>
          </tr>
        </thead>
        <tbody>
          {entries.map(([key, f]) => (
            <tr key={key}>
              <td className="mono">{key}</td>
              <td className="num">{formatScore(f.avg)}</td>
              <BaselineCell scores={baseline} k={key} />
              <td>{f.comment ?? <span className="muted">–</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  if (state.data.length === 0) return <p className="muted">No feedback.</p>;
  const sorted = [...state.data].sort((a, b) => a.key.localeCompare(b.key));
  return (
    <table className="table cmp-feedback">
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col" className="num">
            Score
          </th>
          {baseline && (
            <th scope="col" className="num" title="The baseline's score for this key on this example (mean over its runs)">
              Baseline
            </th>
          )}
          <th scope="col">Comment</th>
          <th scope="col">Source</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((f) => (
          <tr key={f.id}>
            <td className="mono">{f.key}</td>
            <td className="num">{feedbackScore(f)}</td>
            <BaselineCell scores={baseline} k={f.key} />
            <td className="cmp-feedback-comment">{f.comment || <span className="muted">–</span>}</td>
            <td className="muted">{f.feedback_source?.type ?? "–"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A side panel over the page: one example in full and one experiment's run on it. */
export function RunDrawer({
  tenant,
  target,
  example,
  number,
  experiments,
  colorIndex,
  baselineId,
  keyName,
  hasPrev,
  hasNext,
  onNavigate,
  onStep,
  onClose,
}: {
  tenant: string;
  target: CellTarget;
  example: ExampleComparison;
  number: number;
  experiments: ExperimentSummary[];
  colorIndex: (id: string) => number;
  baselineId: string | null;
  keyName: string | null;
  hasPrev: boolean;
  hasNext: boolean;
  onNavigate: (target: CellTarget) => void;
  onStep: (step: -1 | 1) => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal?.();
  }, []);

  const { row, cells } = example;
  const experiment = experiments.find((e) => e.id === target.experimentId) ?? experiments[0];
  const runs = row.runs[experiment?.id ?? ""] ?? [];
  const runIndex = Math.min(target.runIndex, Math.max(runs.length - 1, 0));
  const run = runs[runIndex];
  const cell = experiment ? cells[experiment.id] : undefined;
  const baselineRun = baselineId && baselineId !== experiment?.id ? row.runs[baselineId]?.[0] : undefined;
  const baselineName = experiments.find((e) => e.id === baselineId)?.name;
  const title = `Example #${number}`;

  return (
    <dialog
      ref={ref}
      className="cmp-drawer"
      aria-label={`${title}${experiment ? ` — ${experiment.name}` : ""}`}
      onClose={onClose}
      onClick={(event) => {
        // A click on the backdrop (the dialog element itself, outside the panel) closes it.
        if (event.target === ref.current) onClose();
      }}
    >
      <div className="cmp-drawer-panel">
        <header className="cmp-drawer-header">
          <h2>{title}</h2>
          <div className="row">
            <button type="button" className="btn btn-small" disabled={!hasPrev} onClick={() => onStep(-1)} aria-label="Previous example">
              ↑ Prev
            </button>
            <button type="button" className="btn btn-small" disabled={!hasNext} onClick={() => onStep(1)} aria-label="Next example">
              ↓ Next
            </button>
            <button type="button" className="btn-icon" aria-label="Close" onClick={onClose}>
              ×
            </button>
          </div>
        </header>
        <div className="cmp-drawer-body">
          {experiments.length > 1 && (
            <div className="cmp-seg" role="group" aria-label="Experiment">
              {experiments.map((e) => {
                const c = cells[e.id];
                return (
                  <button
                    key={e.id}
                    type="button"
                    aria-pressed={e.id === experiment?.id}
                    className={e.id === experiment?.id ? "active" : ""}
                    onClick={() => onNavigate({ exampleId: row.id, experimentId: e.id, runIndex: 0 })}
                  >
                    <span className="cmp-dot" style={{ background: experimentColor(colorIndex(e.id)) }} aria-hidden="true" />
                    <span className="cmp-seg-name">{e.name}</span>
                    {c?.change === "regression" && (
                      <span className="cmp-change-icon regression" title="regression">
                        <span aria-hidden="true">▼</span>
                        <span className="sr-only">regression</span>
                      </span>
                    )}
                    {c?.change === "improvement" && (
                      <span className="cmp-change-icon improvement" title="improvement">
                        <span aria-hidden="true">▲</span>
                        <span className="sr-only">improvement</span>
                      </span>
                    )}
                  </button>
                );
              })}
            </div>
          )}

          <section aria-labelledby="cmp-d-inputs">
            <h3 id="cmp-d-inputs">Inputs</h3>
            <div className="cmp-io-box">
              <RunIO value={row.inputs} />
            </div>
          </section>
          <section aria-labelledby="cmp-d-ref">
            <h3 id="cmp-d-ref">Reference outputs</h3>
            <div className="cmp-io-box">
              <RunIO value={row.outputs} />
            </div>
          </section>

          <section aria-labelledby="cmp-d-out" className="cmp-drawer-run">
            <div className="row wrap cmp-drawer-run-head">
              <h3 id="cmp-d-out">Output{experiment ? ` — ${experiment.name}` : ""}</h3>
              <span className="spacer" />
              {run && experiment && (
                <Link className="btn btn-small" to={`/o/${tenant}/projects/p/${experiment.id}/r/${run.id}`}>
                  Open trace →
                </Link>
              )}
            </div>
            {cell && (cell.change === "regression" || cell.change === "improvement") && (
              <span className={`cmp-change ${cell.change}`}>
                <span aria-hidden="true">{cell.change === "regression" ? "▼" : "▲"}</span>
                <span>
                  {cell.change} on <span className="mono">{keyName}</span>: {formatScore(cell.score)} vs baseline{" "}
                  {formatScore(cell.baselineScore)}
                  {runs.length > 1 && ` (mean of ${runs.length} runs)`}
                </span>
              </span>
            )}
            {runs.length > 1 && (
              <div className="cmp-seg small" role="group" aria-label="Repetition">
                {runs.map((r, i) => (
                  <button
                    key={r.id}
                    type="button"
                    aria-pressed={i === runIndex}
                    className={i === runIndex ? "active" : ""}
                    onClick={() => onNavigate({ ...target, experimentId: experiment.id, runIndex: i })}
                  >
                    Run {i + 1}
                    {(r.status === "error" || r.error) && <span className="badge err">error</span>}
                  </button>
                ))}
              </div>
            )}
            {!run ? (
              <p className="muted">This experiment has no run on this example.</p>
            ) : (
              <>
                <dl className="cmp-run-stats">
                  <div>
                    <dt>Status</dt>
                    <dd>
                      <span className={run.status === "error" || run.error ? "badge err" : "badge ok"}>{run.status}</span>
                    </dd>
                  </div>
                  <div>
                    <dt>Latency</dt>
                    <dd>{formatLatency(run.latency)}</dd>
                  </div>
                  <div>
                    <dt>Tokens</dt>
                    <dd>{formatNumber(run.total_tokens)}</dd>
                  </div>
                  <div>
                    <dt>Cost</dt>
                    <dd>{formatCost(run.total_cost)}</dd>
                  </div>
                  <div>
                    <dt>Started</dt>
                    <dd>{formatTime(run.start_time)}</dd>
                  </div>
                </dl>
                {run.error && (
                  <pre className="cmp-error-box" role="note" aria-label="Error">
                    {run.error}
                  </pre>
                )}
                <div className="cmp-io-box">
                  <RunIO value={run.outputs} />
                </div>
                <h3>Feedback</h3>
                <FeedbackList
                  key={run.id}
                  run={run}
                  baseline={baselineId && baselineId !== experiment?.id ? (cells[baselineId]?.summary.scores ?? null) : null}
                />
              </>
            )}
          </section>

          {baselineRun && (
            <details className="cmp-baseline-out">
              <summary>Baseline output — {baselineName}</summary>
              <div className="cmp-io-box">
                {baselineRun.error ? <pre className="cmp-error-box">{baselineRun.error}</pre> : <RunIO value={baselineRun.outputs} />}
              </div>
            </details>
          )}
        </div>
      </div>
    </dialog>
  );
}
