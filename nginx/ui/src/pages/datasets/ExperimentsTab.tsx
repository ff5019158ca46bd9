import { useMemo, useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { useApi } from "../../api/hooks";
import type { Project } from "../../api/types";
import { Async, EmptyState } from "../../components/States";
import { Refreshing } from "../../components/ListPage";
import { DataTable, TimeCell, type Column } from "../../components/Table";
import { formatCost, formatLatency, formatNumber, formatPercent, formatTokens, parseTime } from "../../lib/format";
import { useDataset } from "./context";
import { feedbackKeys } from "./logic";

const EXPERIMENT_COLUMNS: Column[] = [
  { label: "Experiment" },
  { label: "Started" },
  { label: "Runs", className: "num" },
  { label: "Error rate", className: "num" },
  { label: "Latency p50", className: "num" },
  { label: "Tokens", className: "num" },
  { label: "Cost", className: "num" },
];

function formatScore(avg: number | null | undefined): string {
  if (avg === null || avg === undefined || Number.isNaN(avg)) return "–";
  return Math.abs(avg) < 10 ? avg.toFixed(2) : formatNumber(avg);
}

export function ExperimentsTab() {
  const { tenant, datasetId, base, dataset } = useDataset();
  const navigate = useNavigate();
  const experiments = useApi<Project[]>({
    path: "/sessions",
    query: { reference_dataset: datasetId, include_stats: true, limit: 100 },
  });
  const [selected, setSelected] = useState<string[]>([]);

  const rows = useMemo(
    () =>
      [...(experiments.data ?? [])].sort(
        (a, b) => (parseTime(b.start_time)?.getTime() ?? 0) - (parseTime(a.start_time)?.getTime() ?? 0),
      ),
    [experiments.data],
  );
  const keys = useMemo(() => feedbackKeys(rows), [rows]);
  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
  const live = selected.filter((id) => rows.some((r) => r.id === id));
  const allSelected = rows.length > 0 && live.length === rows.length;
  const compare = () => navigate(`${base}/compare?selectedSessions=${live.join(",")}`);

  return (
    <section aria-label="Experiments">
      {rows.length > 0 && (
      <div className="row ds-toolbar">
        <span className="muted">
          {live.length === 0 ? "Select two or more experiments to compare them." : `${live.length} selected`}
        </span>
        <Refreshing state={experiments} />
        <span className="spacer" />
        <button type="button" className="btn btn-primary" disabled={live.length < 2} onClick={compare}>
          Compare{live.length >= 2 ? ` ${live.length}` : ""}
        </button>
      </div>
      )}
      <Async
        state={experiments}
        label="Loading experiments"
        isEmpty={(d) => d.length === 0}
        empty={
          <EmptyState title="No experiments on this dataset yet">
            Run one from code with the LangSmith SDK: <code>evaluate(target, data={JSON.stringify(dataset?.name ?? "")}, evaluators=[…])</code>
          </EmptyState>
        }
      >
        {() => (
          <DataTable
            scoped
            className="ds-experiments-table"
            columns={[
              {
                className: "ds-check-col",
                label: (
                  <input
                    type="checkbox"
                    aria-label="Select all experiments"
                    checked={allSelected}
                    onChange={() => setSelected(allSelected ? [] : rows.map((r) => r.id))}
                  />
                ),
              },
              ...EXPERIMENT_COLUMNS,
              ...keys.map((k) => ({ label: k, className: "num", title: `Average ${k} score` })),
            ]}
          >
            {rows.map((e) => {
              const checked = live.includes(e.id);
              return (
                <tr key={e.id} className={checked ? "selected" : undefined}>
                  <td className="ds-check-col">
                    <input type="checkbox" aria-label={`Select ${e.name}`} checked={checked} onChange={() => toggle(e.id)} />
                  </td>
                  <td className="ds-name-cell">
                    <Link to={`/o/${tenant}/projects/p/${e.id}`}>{e.name}</Link>
                    {e.description && <div className="muted ds-sub">{e.description}</div>}
                  </td>
                  <TimeCell value={e.start_time} />
                  <td className="num">{formatNumber(e.run_count)}</td>
                  <td className="num">
                    {e.error_rate ? <span className="badge err">{formatPercent(e.error_rate)}</span> : formatPercent(e.error_rate)}
                  </td>
                  <td className="num">{formatLatency(e.latency_p50)}</td>
                  <td className="num">{formatTokens(e.total_tokens)}</td>
                  <td className="num">{formatCost(e.total_cost)}</td>
                  {keys.map((k) => {
                    const stat = e.feedback_stats?.[k];
                    return (
                      <td key={k} className="num" title={stat ? `${k}: average ${stat.avg ?? "–"} over ${stat.n}` : undefined}>
                        {stat ? (
                          <>
                            {formatScore(stat.avg)} <span className="muted ds-n">n={formatNumber(stat.n)}</span>
                          </>
                        ) : (
                          "–"
                        )}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </DataTable>
        )}
      </Async>
      {rows.length > 0 && (
      <p className="muted ds-hint">
        Scores are averages of each feedback key over the experiment's runs and its summary scores.{" "}
        {rows.length >= 100 && "Showing the newest 100 experiments."}
      </p>
      )}
    </section>
  );
}
