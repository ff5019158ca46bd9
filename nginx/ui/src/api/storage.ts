/** Wire shapes of /storage/usage and /storage/budget (app/backend/storage/schemas.py). */

export type BudgetState = {
  status: "none" | "ok" | "warning" | "exceeded";
  checked_at: string;
  used_bytes: number;
  budget_bytes: number | null;
  warn_days: number;
  growth_bytes_per_day: number | null;
  days_left: number | null;
  forecast_at: string | null;
  cleared_partitions: string[];
};

export type StorageUsage = {
  workspace: {
    sampled_at: string | null;
    bytes: number | null;
    runs: number;
    projects: { id: string; name: string; bytes: number; runs: number }[];
    trend: { sampled_at: string; bytes: number }[];
  };
  installation: {
    sampled_at: string | null;
    clickhouse_bytes: number | null;
    postgres_bytes: number | null;
    redis_bytes: number | null;
    total_bytes: number | null;
    budget: BudgetState | null;
  };
};
