import type { ReactElement } from "react";
import { act, cleanup, screen, within } from "@testing-library/react";
import { Route } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RequestSpec } from "../../api/client";
import { invalidate } from "../../api/hooks";
import type { BudgetState, StorageUsage } from "../../api/storage";
import type { Workspace } from "../../auth/AuthContext";
import { renderInWorkspace } from "../../test/render";
import { StorageBanner } from "../../components/StorageBanner";
import { formatBytes } from "../../lib/bytes";
import { StorageTab } from "./StorageTab";

const calls: RequestSpec[] = [];
let budget: BudgetState | null = null;

const usage = (): StorageUsage => ({
  workspace: {
    sampled_at: "2026-12-06T10:00:00Z",
    bytes: 3_500_000,
    runs: 42,
    projects: [
      { id: "p1", name: "chatbot", bytes: 3_000_000, runs: 40 },
      { id: "p2", name: "evals", bytes: 400_000, runs: 2 },
    ],
    trend: [
      { sampled_at: "2026-12-05T10:00:00Z", bytes: 1_000_000 },
      { sampled_at: "2026-12-06T10:00:00Z", bytes: 3_500_000 },
    ],
  },
  installation: {
    sampled_at: "2026-12-06T10:00:00Z",
    clickhouse_bytes: 9_000_000,
    postgres_bytes: 800_000,
    redis_bytes: 200_000,
    total_bytes: 10_000_000,
    budget,
  },
});

vi.mock("../../api/client", async (importOriginal) =>
  (await import("../../test/fakeApi")).fakeApi(importOriginal, async (spec) => {
    calls.push(spec);
    if (spec.path === "/storage/usage") return usage();
    if (spec.path === "/storage/budget") return budget;
    throw new Error(`unexpected ${spec.method} ${spec.path}`);
  }),
);

const state = (status: BudgetState["status"], days_left: number | null = null): BudgetState => ({
  status,
  checked_at: "2026-12-06T10:00:00Z",
  used_bytes: 10_000_000,
  budget_bytes: 12_000_000,
  warn_days: 14,
  growth_bytes_per_day: 500_000,
  days_left,
  forecast_at: days_left === null ? null : "2026-12-10T10:00:00Z",
  cleared_partitions: [],
});

function renderAt(role: Workspace["role"], element: ReactElement) {
  return renderInWorkspace(
    role,
    "/o/w/settings/storage",
    <Route path="/o/:tenant/settings/storage" element={element} />
  );
}

afterEach(() => {
  cleanup();
  invalidate("/storage");
  calls.length = 0;
  budget = null;
});

describe("formatBytes", () => {
  it("uses powers of 1000 like STORAGE_BUDGET", () => {
    expect(formatBytes(12)).toBe("12 B");
    expect(formatBytes(1_500_000_000)).toBe("1.50 GB");
    expect(formatBytes(820_000)).toBe("820 kB");
    expect(formatBytes(null)).toBe("–");
  });
});

describe("StorageTab", () => {
  it("lists the workspace's projects by size, with the installation against its budget", async () => {
    budget = state("warning", 4);
    renderAt("admin", <StorageTab />);
    const table = await screen.findByRole("table");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getAllByRole("cell")[0].textContent)).toEqual(["chatbot", "evals"]);
    expect(within(rows[0]).getByText("3.00 MB")).toBeTruthy();
    expect(screen.getByText("3.50 MB")).toBeTruthy();
    expect(screen.getByRole("img", { name: "Size over time" })).toBeTruthy();
    expect(screen.getByText("10.0 MB")).toBeTruthy();
    expect(screen.getByText("12.0 MB")).toBeTruthy();
    expect(screen.getByText("Forecast to reach the budget soon.")).toBeTruthy();
  });

  it("asks nothing for a non-admin", () => {
    renderAt("editor", <StorageTab />);
    expect(screen.getByText("Admins only")).toBeTruthy();
    expect(calls).toEqual([]);
  });
});

describe("StorageBanner", () => {
  it("warns admins when the budget is forecast to be reached", async () => {
    budget = state("warning", 4.6);
    renderAt("admin", <StorageBanner />);
    expect((await screen.findByRole("status")).textContent).toContain("forecast to be reached in 4 days");
    expect(screen.getByRole("link", { name: "See storage" }).getAttribute("href")).toBe("/o/w/settings/storage");
  });

  it("says when the budget is exceeded", async () => {
    budget = state("exceeded");
    renderAt("admin", <StorageBanner />);
    expect((await screen.findByRole("status")).textContent).toContain("Disk budget exceeded");
  });

  it("stays hidden when within budget, and for non-admins asks nothing", async () => {
    budget = state("ok");
    renderAt("admin", <StorageBanner />);
    await vi.waitFor(() => expect(calls.length).toBe(1));
    await act(async () => {
      await Promise.resolve(); // the answer (resolved at once) reaches the component
    });
    expect(screen.queryByRole("status")).toBeNull();
    cleanup();
    calls.length = 0;
    renderAt("viewer", <StorageBanner />);
    expect(calls).toEqual([]);
    expect(screen.queryByRole("status")).toBeNull();
  });
});
