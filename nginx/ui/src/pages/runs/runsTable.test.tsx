import { cleanup, render, screen } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DEFAULT_COLUMNS,
  ariaSort,
  loadColumns,
  nextSort,
  saveColumns,
  selectFor,
  sortFromParams,
  sortToParams,
} from "./columns";
import { DEFAULT_STATE, hidingToggles, innerRunsReason, shouldShowInnerRuns, type FilterState } from "./filters";
import { isTypingTarget, moveRow } from "./keys";
import { RunsSummary, summaryCost } from "./RunsSummary";

afterEach(cleanup);
beforeEach(() => localStorage.clear());

describe("columns", () => {
  it("shows the previews by default and asks the server for previews, never payloads", () => {
    expect(DEFAULT_COLUMNS).toContain("input");
    expect(DEFAULT_COLUMNS).toContain("output");
    expect(DEFAULT_COLUMNS).not.toContain("start_abs");
    const select = selectFor(DEFAULT_COLUMNS);
    expect(select).toEqual(expect.arrayContaining(["inputs_preview", "outputs_preview", "error_preview"]));
    for (const heavy of ["inputs", "outputs", "error", "extra"]) expect(select).not.toContain(heavy);
  });

  it("remembers hidden columns, so a column added later shows by default", () => {
    saveColumns(DEFAULT_COLUMNS.filter((c) => c !== "tags"));
    expect(loadColumns()).not.toContain("tags");
    expect(loadColumns()).toContain("input");
    // What an older choice would look like: only the hidden ones are stored.
    localStorage.setItem("tracehouse.runs.hiddenColumns", JSON.stringify(["cost"]));
    expect(loadColumns()).toContain("start_abs");
    expect(loadColumns()).not.toContain("cost");
  });
});

describe("sorting", () => {
  it("reads and writes the order in the URL, leaving the default out", () => {
    expect(sortFromParams(new URLSearchParams(""))).toEqual({ by: "start_time", order: "desc" });
    expect(sortFromParams(new URLSearchParams("sort=latency"))).toEqual({ by: "latency", order: "desc" });
    expect(sortFromParams(new URLSearchParams("sort=name"))).toEqual({ by: "name", order: "asc" });
    expect(sortFromParams(new URLSearchParams("sort=total_cost&order=asc"))).toEqual({ by: "total_cost", order: "asc" });
    expect(sortFromParams(new URLSearchParams("sort=evil"))).toEqual({ by: "start_time", order: "desc" });
    const base = new URLSearchParams("filter=x&after=abc");
    expect(sortToParams({ by: "start_time", order: "desc" }, base).toString()).toBe("filter=x&after=abc");
    expect(sortToParams({ by: "latency", order: "asc" }, base).get("sort")).toBe("latency");
    expect(sortToParams({ by: "latency", order: "asc" }, base).get("order")).toBe("asc");
    expect(sortToParams({ by: "latency", order: "desc" }, base).has("order")).toBe(false);
  });

  it("flips the order on the same header and starts another at its first order", () => {
    const start = { by: "start_time", order: "desc" } as const;
    expect(nextSort(start, "start_time")).toEqual({ by: "start_time", order: "asc" });
    expect(nextSort(start, "latency")).toEqual({ by: "latency", order: "desc" });
    expect(nextSort(start, "name")).toEqual({ by: "name", order: "asc" });
    expect(ariaSort(start, "start_time")).toBe("descending");
    expect(ariaSort({ by: "latency", order: "asc" }, "latency")).toBe("ascending");
    expect(ariaSort(start, "latency")).toBeUndefined();
  });
});

describe("filters that look below the root", () => {
  const withType = (runType: string): FilterState => ({ ...DEFAULT_STATE, quick: { tags: [], runType } });
  const withRaw = (raw: string): FilterState => ({ ...DEFAULT_STATE, raw });

  it("recognises run type filters, quick or typed", () => {
    expect(innerRunsReason(withType("llm"))).toContain("llm");
    expect(innerRunsReason(withType("chain"))).toBeUndefined();
    expect(innerRunsReason(withRaw('in(run_type, ["llm", "tool"])'))).toContain("run_type");
    expect(innerRunsReason(withRaw('eq(name, "run_type")'))).toBeUndefined();
    expect(innerRunsReason(withRaw("eq(run_type,"))).toBeUndefined(); // not parseable: the server judges
  });

  it("turns root-only off once, when such a filter appears", () => {
    expect(shouldShowInnerRuns(DEFAULT_STATE, withType("llm"))).toBe(true);
    // Already filtering on run type and root-only turned back on by hand: it stays on.
    expect(shouldShowInnerRuns(withType("llm"), withType("tool"))).toBe(false);
    expect(shouldShowInnerRuns(DEFAULT_STATE, withRaw('eq(name, "x")'))).toBe(false);
    expect(shouldShowInnerRuns(DEFAULT_STATE, { ...withType("llm"), rootOnly: false })).toBe(false);
  });

  it("names the toggles that hide runs", () => {
    expect(hidingToggles(DEFAULT_STATE)).toEqual(["Root runs only"]);
    expect(hidingToggles({ ...DEFAULT_STATE, rootOnly: false })).toEqual([]);
  });
});

describe("keys", () => {
  it("moves within the rows and starts at an end", () => {
    expect(moveRow(0, -1, 1)).toBeNull();
    expect(moveRow(5, -1, 1)).toBe(0);
    expect(moveRow(5, -1, -1)).toBe(4);
    expect(moveRow(5, 2, 1)).toBe(3);
    expect(moveRow(5, 4, 1)).toBe(4);
    expect(moveRow(5, 0, -1)).toBe(0);
  });

  it("leaves keys typed into fields alone", () => {
    for (const tag of ["input", "textarea", "select"]) expect(isTypingTarget(document.createElement(tag))).toBe(true);
    expect(isTypingTarget(document.createElement("tr"))).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});

describe("summary", () => {
  it("shows the figures and never a fake $0", () => {
    render(
      <RunsSummary
        stats={{ run_count: 40, error_rate: 0.25, latency_p50: 1.5, latency_p99: 0.25 }}
        usage={{ run_count: 90, total_tokens: 12345, total_cost: null }}
      />,
    );
    const text = screen.getAllByRole("definition").map((d) => d.textContent);
    expect(text).toEqual(["25%", "1.50 s", "250 ms", "12.3k", "–"]);
    expect(summaryCost(0)).toBe("–");
    expect(summaryCost("0.000000000")).toBe("–");
    expect(summaryCost("0.5")).toBe("$0.50");
  });

  it("names models without prices and links to adding one", () => {
    render(
      <MemoryRouter initialEntries={["/o/acme/projects/p1"]}>
        <Routes>
          <Route
            path="/o/:tenant/projects/:projectId"
            element={
              <RunsSummary
                stats={{ run_count: 3, error_rate: 0 }}
                usage={{ run_count: 3, total_tokens: 300, total_cost: "0.5", unpriced_models: ["house-model"] }}
              />
            }
          />
        </Routes>
      </MemoryRouter>,
    );
    // Priced runs still show their sum; the note says what it leaves out.
    expect(screen.getAllByRole("definition").map((d) => d.textContent)[4]).toBe("$0.50");
    expect(screen.getByText(/excludes house-model \(no prices\)/)).toBeTruthy();
    const link = screen.getByRole("link", { name: /^Add a price/ });
    expect(link.getAttribute("href")).toBe("/o/acme/settings/prices?model=house-model");
  });
});
