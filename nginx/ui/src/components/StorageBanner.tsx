import { Link, useParams } from "react-router-dom";
import { useApi } from "../api/hooks";
import type { BudgetState } from "../api/storage";
import { useWorkspace } from "../auth/AuthContext";
import { formatBytes } from "../lib/bytes";

/** Admins only: the disk budget is forecast to be reached soon, or is exceeded. */
export function StorageBanner() {
  const { role } = useWorkspace();
  const { tenant = "" } = useParams();
  const state = useApi<BudgetState | null>(role === "admin" ? { path: "/storage/budget" } : null);
  const budget = state.data;
  if (!budget || (budget.status !== "warning" && budget.status !== "exceeded")) return null;
  const message =
    budget.status === "exceeded"
      ? `Disk budget exceeded: ${formatBytes(budget.used_bytes)} used of ${formatBytes(budget.budget_bytes)}.`
      : `Disk budget forecast to be reached in ${Math.max(0, Math.floor(budget.days_left ?? 0))} days ` +
        `(${formatBytes(budget.used_bytes)} of ${formatBytes(budget.budget_bytes)}).`;
  return (
    <div className="storage-banner" role="status">
      <span>{message}</span>{" "}
      <Link to={`/o/${tenant}/settings/storage`}>See storage</Link>
    </div>
  );
}
