import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter, Outlet, Route, Routes } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RequestSpec } from "../../api/client";
import MonitoringPage from "./MonitoringPage";
import type { SeriesPoint, TimeSeries } from "./types";

const P = "11111111-1111-4111-8111-111111111111";
const calls: RequestSpec[] = [];

function point(start: string, runs: number, errors: number): SeriesPoint {
  return {
    start_time: start,
    run_count: runs,
    error_count: errors,
    error_rate: runs ? errors / runs : null,
    latency_p50: runs ? 1.2 : null,
    latency_p99: runs ? 3.4 : null,
    first_token_p50: null,
    prompt_tokens: runs * 100,
    completion_tokens: runs * 20,
    total_tokens: runs * 120,
    total_cost: runs ? runs * 0.001 : null,
    llm_calls: runs,
  };
}

let empty = false;
let extra: Partial<TimeSeries> = {};

vi.mock("../../api/client", async (importOriginal) =>
  (await import("../../test/fakeApi")).fakeApi(importOriginal, async (spec) => {
    calls.push(spec);
    const buckets = empty
      ? [point("2026-10-05T09:00:00Z", 0, 0)]
      : [point("2026-10-05T09:00:00Z", 4, 1), point("2026-10-05T10:00:00Z", 0, 0), point("2026-10-05T11:00:00Z", 6, 0)];
    return {
      start_time: "2026-10-05T09:00:00Z",
      end_time: "2026-10-05T12:00:00Z",
      interval: "1h",
      interval_seconds: 3600,
      is_root: true,
      run_type: null,
      totals: empty ? point("2026-10-05T09:00:00Z", 0, 0) : { ...point("2026-10-05T09:00:00Z", 10, 1), error_rate: 0.1 },
      buckets,
      ...extra,
    } satisfies TimeSeries;
  }),
);

function renderPage(search = "") {
  return render(
    <MemoryRouter initialEntries={[`/o/w/projects/p/${P}/monitoring${search}`]}>
      <Routes>
        <Route path="/o/:tenant/projects/p/:projectId" element={<Outlet context={{ project: undefined, projectId: P }} />}>
          <Route path="monitoring" element={<MonitoringPage />} />
        </Route>
      </Routes>
    </MemoryRouter>,
  );
}

afterEach(() => {
  cleanup();
  calls.length = 0;
  empty = false;
  extra = {};
});

describe("MonitoringPage", () => {
  it("draws every chart from one request and summarises the range", async () => {
    renderPage();
    expect(await screen.findByRole("img", { name: /^Traces: 10 traces, 1 errors/ })).toBeTruthy();
    for (const name of ["Error rate", "Latency", "Tokens", "Cost", "LLM calls"]) {
      expect(screen.getByRole("img", { name: new RegExp(`^${name}:`) })).toBeTruthy();
    }
    expect(calls).toHaveLength(1);
    expect(calls[0].path).toBe(`/sessions/${P}/timeseries`);
    const q = calls[0].query as { start_time: string; end_time: string };
    expect(Date.parse(q.end_time) - Date.parse(q.start_time)).toBe(24 * 3600e3);
    expect(screen.getByText("10% error rate")).toBeTruthy();
  });

  it("asks for the chosen range", async () => {
    renderPage();
    await screen.findByRole("img", { name: /^Traces:/ });
    fireEvent.click(screen.getByRole("button", { name: "7d" }));
    await waitFor(() => expect(calls).toHaveLength(2));
    const q = calls[1].query as { start_time: string; end_time: string };
    expect(Date.parse(q.end_time) - Date.parse(q.start_time)).toBe(7 * 86400e3);
    expect(screen.getByRole("button", { name: "7d" }).getAttribute("aria-pressed")).toBe("true");
  });

  it("validates a custom range before asking", async () => {
    renderPage("?range=custom");
    fireEvent.change(screen.getByLabelText("From"), { target: { value: "2026-10-05T12:00" } });
    fireEvent.change(screen.getByLabelText("To"), { target: { value: "2026-10-05T09:00" } });
    fireEvent.click(screen.getByRole("button", { name: "Apply" }));
    expect(await screen.findByText("The end must be after the start.")).toBeTruthy();
    expect(calls).toHaveLength(0);
    fireEvent.change(screen.getByLabelText("To"), { target: { value: "2026-10-05T18:00" } });
    fireEvent.click(screen.getByRole("button", { name: "Apply" }));
    await waitFor(() => expect(calls).toHaveLength(1));
  });

  it("says when the range is empty", async () => {
    empty = true;
    renderPage();
    expect(await screen.findByText("No traces in this range")).toBeTruthy();
  });

  it("lists the spend per model, and links an unpriced model to its price", async () => {
    extra = {
      unpriced_models: ["house-llm"],
      cost_by_model: [
        { model_name: "gpt-4o", model_provider: "openai", llm_calls: 3, prompt_tokens: 3000, completion_tokens: 600,
          prompt_cost: 0.0075, completion_cost: 0.006, total_cost: 0.0135 },
      ],
    };
    renderPage();
    const spend = await screen.findByRole("region", { name: "Spend by model" });
    const row = spend.querySelector("tbody tr") as HTMLElement;
    expect(row.textContent).toContain("gpt-4o");
    expect(row.textContent).toContain("3,000");
    expect(row.textContent).toContain("$0.01");
    const link = screen.getAllByRole("link", { name: /Add a price/ })[0] as HTMLAnchorElement;
    expect(link.getAttribute("href")).toBe("/o/w/settings/prices?model=house-llm");
  });
});
