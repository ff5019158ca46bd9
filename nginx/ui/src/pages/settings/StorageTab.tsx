import { useApi } from "../../api/hooks";
import type { StorageUsage } from "../../api/storage";
import { useWorkspace } from "../../auth/AuthContext";
import { Async, EmptyState } from "../../components/States";
import { DataTable, RelativeTime } from "../../components/Table";
import { formatBytes } from "../../lib/bytes";
import { formatNumber, formatTime } from "../../lib/format";
import "./storage.css";

const STATUS_TEXT = {
  none: "No disk budget is set (STORAGE_BUDGET).",
  ok: "Within budget.",
  warning: "Forecast to reach the budget soon.",
  exceeded: "Over budget.",
} as const;

/** Bytes of this workspace and its projects (estimates, sampled by the queue service), and the
 * installation's total against the disk budget. */
export function StorageTab() {
  const { role } = useWorkspace();
  const usage = useApi<StorageUsage>(role === "admin" ? { path: "/storage/usage" } : null);
  if (role !== "admin") {
    return <EmptyState title="Admins only">Storage usage is shown to workspace admins.</EmptyState>;
  }
  return (
    <Async state={usage} label="Loading storage">
      {({ workspace, installation }) => {
        const budget = installation.budget;
        return (
          <div className="stack storage-tab">
            <section className="card stack" aria-labelledby="storage-ws-heading">
              <h2 id="storage-ws-heading">This workspace</h2>
              {workspace.sampled_at === null ? (
                <p className="muted">Not measured yet: the queue service samples usage on a schedule.</p>
              ) : (
                <>
                  <p>
                    <strong>{formatBytes(workspace.bytes)}</strong> in {formatNumber(workspace.runs)} runs, measured{" "}
                    <RelativeTime value={workspace.sampled_at} />.
                  </p>
                  <Trend points={workspace.trend} />
                  <DataTable
                    columns={[{ label: "Project" }, { label: "Runs", className: "num" }, { label: "Size", className: "num" }]}
                    scoped
                  >
                    {workspace.projects.map((p) => (
                      <tr key={p.id}>
                        <td>{p.name}</td>
                        <td className="num">{formatNumber(p.runs)}</td>
                        <td className="num">{formatBytes(p.bytes)}</td>
                      </tr>
                    ))}
                  </DataTable>
                  <p className="muted small">
                    Sizes are estimates: a project is charged its runs' payload bytes at each column's compression
                    ratio plus a share of the rest; feedback and attachments count in the workspace only.
                  </p>
                </>
              )}
            </section>
            <section className="card stack" aria-labelledby="storage-install-heading">
              <h2 id="storage-install-heading">The whole installation</h2>
              <dl className="ws-facts">
                <div>
                  <dt>Used</dt>
                  <dd>{formatBytes(installation.total_bytes)}</dd>
                </div>
                <div>
                  <dt>Budget</dt>
                  <dd>{budget?.budget_bytes ? formatBytes(budget.budget_bytes) : "none"}</dd>
                </div>
                <div>
                  <dt>Status</dt>
                  <dd>
                    <span className={`badge storage-${budget?.status ?? "none"}`}>{budget?.status ?? "not checked"}</span>{" "}
                    {budget && STATUS_TEXT[budget.status]}
                  </dd>
                </div>
                {budget?.forecast_at && (
                  <div>
                    <dt>Budget reached</dt>
                    <dd>
                      {formatTime(budget.forecast_at)} ({formatBytes(budget.growth_bytes_per_day)} a day)
                    </dd>
                  </div>
                )}
                <div>
                  <dt>By store</dt>
                  <dd>
                    ClickHouse {formatBytes(installation.clickhouse_bytes)}, Postgres{" "}
                    {formatBytes(installation.postgres_bytes)}, Redis {formatBytes(installation.redis_bytes)}
                  </dd>
                </div>
              </dl>
            </section>
          </div>
        );
      }}
    </Async>
  );
}

/** The workspace's bytes over time as a small line; a list for screen readers. */
function Trend({ points }: { points: StorageUsage["workspace"]["trend"] }) {
  if (points.length < 2) return null;
  const width = 320;
  const height = 60;
  const max = Math.max(...points.map((p) => p.bytes), 1);
  const path = points
    .map((p, i) => `${(i / (points.length - 1)) * width},${height - (p.bytes / max) * (height - 4) - 2}`)
    .join(" ");
  const first = points[0];
  const last = points[points.length - 1];
  return (
    <figure className="storage-trend">
      <svg viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label="Size over time">
        <polyline points={path} fill="none" stroke="currentColor" strokeWidth="2" />
      </svg>
      <figcaption className="muted small">
        {formatBytes(first.bytes)} on {formatTime(first.sampled_at)} → {formatBytes(last.bytes)} on{" "}
        {formatTime(last.sampled_at)}
      </figcaption>
    </figure>
  );
}
