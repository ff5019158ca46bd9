import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { MemoryRouter, Route, Routes, useLocation } from "react-router-dom";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { RequestSpec } from "../../api/client";
import type { Comparison, ExperimentSummary, RunCell } from "./compareTypes";

const DS = "11111111-1111-4111-8111-111111111111";
const A = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const B = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
const C = "cccccccc-cccc-4ccc-8ccc-cccccccccccc";

function run(id: string, score: number, extra: Partial<RunCell> = {}): RunCell {
  return {
    id,
    trace_id: id,
    status: "success",
    error: null,
    outputs: { answer: `answer ${id}` },
    latency: 1,
    total_tokens: 50,
    total_cost: null,
    start_time: "2025-01-01T00:00:00",
    feedback: { correctness: { n: 1, avg: score, comment: `comment ${id}` } },
    ...extra,
  };
}

function summary(id: string, name: string, avg: number, p50: number): ExperimentSummary {
  return {
    id,
    name,
    start_time: "2025-01-01T00:00:00",
    metadata: {},
    run_count: 2,
    example_count: 2,
    error_rate: 0,
    latency_p50: p50,
    latency_p99: p50 * 2,
    prompt_tokens: 0,
    completion_tokens: 0,
    total_tokens: 100,
    total_cost: null,
    feedback: { correctness: { n: 2, avg, stdev: 0 } },
    session_feedback: {},
  };
}

const comparison: Comparison = {
  dataset_id: DS,
  total: 2,
  next_offset: null,
  experiments: [summary(A, "base-exp", 1, 1), summary(B, "cand-exp", 0.5, 2)],
  examples: [
    {
      id: "e1",
      inputs: { question: "first question" },
      outputs: { answer: "first ref" },
      metadata: {},
      runs: { [A]: [run("ra1", 1)], [B]: [run("rb1", 0)] },
    },
    {
      id: "e2",
      inputs: { question: "second question" },
      outputs: { answer: "second ref" },
      metadata: {},
      runs: { [A]: [run("ra2", 1)], [B]: [run("rb2", 1), run("rb2b", 1), run("rb2c", 1)] },
    },
  ],
};

const calls: RequestSpec[] = [];
vi.mock("../../api/client", async (importOriginal) =>
  (await import("../../test/fakeApi")).fakeApi(importOriginal, async (spec) => {
    calls.push(spec);
    if (spec.path === `/datasets/${DS}`) return { id: DS, name: "qa-set", example_count: 2 };
    if (spec.path === `/datasets/${DS}/splits`) return ["base"];
    if (spec.path === "/sessions")
      return [
        { id: A, name: "base-exp", start_time: "2025-01-01T00:00:00" },
        { id: B, name: "cand-exp", start_time: "2025-01-01T00:00:00" },
        { id: C, name: "third-exp", start_time: "2025-01-01T00:00:00" },
      ];
    if (spec.path === `/datasets/${DS}/compare`) {
      const ids = (spec.body as { experiment_ids: string[] }).experiment_ids;
      return {
        ...comparison,
        experiments: comparison.experiments.filter((e) => ids.includes(e.id)),
      };
    }
    if (spec.path === "/feedback") {
      const id = String((spec.query as { run: string }).run);
      return [{ id: `f-${id}`, run_id: id, key: "correctness", score: 0, comment: `comment ${id}`, feedback_source: { type: "model" } }];
    }
    throw new Error(`unexpected ${spec.path}`);
  }),
);

let location = "";
function LocationProbe() {
  location = useLocation().search;
  return null;
}

async function renderAt(search: string) {
  const { default: ComparePage } = await import("./ComparePage");
  render(
    <MemoryRouter initialEntries={[`/o/t1/datasets/${DS}/compare${search}`]}>
      <Routes>
        <Route
          path="/o/:tenant/datasets/:datasetId/compare"
          element={
            <>
              <ComparePage />
              <LocationProbe />
            </>
          }
        />
      </Routes>
    </MemoryRouter>,
  );
}

beforeAll(() => {
  // jsdom has no <dialog> modal API.
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.setAttribute("open", "");
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    this.removeAttribute("open");
  };
});

afterEach(() => {
  cleanup();
  calls.length = 0;
});

describe("ComparePage", () => {
  it("fires its requests in parallel and marks regressions against the baseline", async () => {
    await renderAt(`?selectedSessions=${A},${B}`);
    await screen.findByRole("table", { name: /each example's results/i });
    const paths = calls.map((c) => c.path).sort();
    expect(paths).toEqual(["/datasets/" + DS, `/datasets/${DS}/compare`, `/datasets/${DS}/splits`, "/sessions"].sort());
    // e1: cand scored 0 where the baseline scored 1.
    expect(screen.getByRole("button", { name: /open cand-exp's run on example 1 \(regression\)/i })).toBeTruthy();
    expect(screen.getAllByText("regression").length).toBeGreaterThan(0);
    // e2: three repetitions, averaged.
    expect(screen.getByRole("button", { name: /3 runs/ })).toBeTruthy();
    // The aggregates show the candidate's score drop and slower latency as worse.
    const summaryTable = screen.getByRole("table", { name: /aggregates per experiment/i });
    expect(within(summaryTable).getAllByText(/worse than baseline/).length).toBe(3);
  });

  it("filters to regressions only and keeps it in the URL", async () => {
    await renderAt(`?selectedSessions=${A},${B}`);
    await screen.findByRole("table", { name: /each example's results/i });
    fireEvent.click(screen.getByRole("button", { name: /only regressions/i }));
    await waitFor(() => expect(location).toContain("filter=regressions"));
    expect(screen.queryByText("second question")).toBeNull();
    expect(screen.getByText("first question")).toBeTruthy();
  });

  it("switching the baseline flips regressions into improvements", async () => {
    await renderAt(`?selectedSessions=${A},${B}&baseline=${B}`);
    await screen.findByRole("table", { name: /each example's results/i });
    expect(screen.getByRole("button", { name: /open base-exp's run on example 1 \(improvement\)/i })).toBeTruthy();
  });

  it("opens the detail panel with the run's trace link", async () => {
    await renderAt(`?selectedSessions=${A},${B}`);
    await screen.findByRole("table", { name: /each example's results/i });
    await act(async () => {
      fireEvent.click(screen.getByRole("button", { name: /open cand-exp's run on example 1/i }));
    });
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByRole("link", { name: /open trace/i }).getAttribute("href")).toBe(`/o/t1/projects/p/${B}/r/rb1`);
    expect(within(dialog).getByText("comment rb1")).toBeTruthy();
  });

  it("with one experiment offers the dataset's others to add", async () => {
    await renderAt(`?selectedSessions=${A}`);
    const add = await screen.findByRole("button", { name: "+ cand-exp" });
    fireEvent.click(add);
    await waitFor(() => expect(location).toContain(`selectedSessions=${A}%2C${B}`));
  });

  it("asks to pick experiments when none are selected", async () => {
    await renderAt("");
    expect(await screen.findByText("No experiments selected")).toBeTruthy();
    expect(calls.some((c) => c.path.endsWith("/compare"))).toBe(false);
  });

  it("sets aside ids that are not experiment ids", async () => {
    await renderAt(`?selectedSessions=${A},not-an-id`);
    expect(await screen.findByText(/not an experiment of this dataset/i)).toBeTruthy();
    const compare = calls.find((c) => c.path.endsWith("/compare"));
    expect((compare?.body as { experiment_ids: string[] }).experiment_ids).toEqual([A]);
  });
});
