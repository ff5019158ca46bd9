import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FilterBar } from "./FilterBar";
import { buildFilter, DEFAULT_STATE, type FilterState } from "./filters";

afterEach(cleanup);

/** A FilterBar that keeps its state, reporting every change to `spy`. */
function Harness({ initial = DEFAULT_STATE, spy, error }: { initial?: FilterState; spy: (s: FilterState) => void; error?: string }) {
  const [state, setState] = useState(initial);
  return (
    <FilterBar
      value={state}
      error={error}
      tagsSeen={["prod", "beta"]}
      onChange={(next) => {
        spy(next);
        setState(next);
      }}
    />
  );
}

const chipLabels = () =>
  screen.queryByRole("list", { name: "Active filters" })
    ? within(screen.getByRole("list", { name: "Active filters" }))
        .getAllByRole("listitem")
        .map((li) => li.querySelector("span")?.textContent)
    : [];

const lastState = (spy: ReturnType<typeof vi.fn>) => spy.mock.calls[spy.mock.calls.length - 1][0] as FilterState;

describe("FilterBar", () => {
  it("applies the raw filter on Enter, not while typing", () => {
    const spy = vi.fn();
    render(<Harness spy={spy} />);
    const input = screen.getByLabelText("Filter query");
    fireEvent.change(input, { target: { value: 'gt(latency, "2s")' } });
    expect(spy).not.toHaveBeenCalled();
    fireEvent.keyDown(input, { key: "Enter" });
    expect(spy).toHaveBeenCalledTimes(1);
    expect(lastState(spy)).toEqual({ quick: { tags: [] }, raw: 'gt(latency, "2s")', rootOnly: true });
  });

  it("Escape throws the draft away", () => {
    const spy = vi.fn();
    render(<Harness spy={spy} initial={{ ...DEFAULT_STATE, raw: "eq(name, 1)" }} />);
    const input = screen.getByLabelText("Filter query") as HTMLInputElement;
    fireEvent.change(input, { target: { value: "junk" } });
    fireEvent.keyDown(input, { key: "Escape" });
    expect(input.value).toBe("eq(name, 1)");
    expect(spy).not.toHaveBeenCalled();
  });

  it("turns typed quick-filter clauses into chips and keeps the rest raw", () => {
    const spy = vi.fn();
    render(<Harness spy={spy} />);
    const input = screen.getByLabelText("Filter query") as HTMLInputElement;
    fireEvent.change(input, { target: { value: 'and(eq(run_type, "llm"), gt(total_tokens, 100))' } });
    fireEvent.keyDown(input, { key: "Enter" });
    expect(lastState(spy)).toEqual({ quick: { tags: [], runType: "llm" }, raw: "gt(total_tokens, 100)", rootOnly: true });
    expect(input.value).toBe("gt(total_tokens, 100)");
    expect(chipLabels()).toEqual(["type: llm"]);
  });

  it("choosing quick filters adds chips that compose into the filter", () => {
    const spy = vi.fn();
    render(<Harness spy={spy} />);
    expect(chipLabels()).toEqual([]);
    fireEvent.change(screen.getByLabelText("Run type"), { target: { value: "tool" } });
    fireEvent.change(screen.getByLabelText("Status"), { target: { value: "error" } });
    fireEvent.change(screen.getByLabelText("Time range"), { target: { value: "24h" } });
    fireEvent.change(screen.getByLabelText("Tag"), { target: { value: "prod" } });
    fireEvent.click(screen.getByRole("button", { name: "Add tag" }));
    fireEvent.change(screen.getByLabelText("Feedback key"), { target: { value: "correctness" } });
    fireEvent.change(screen.getByLabelText("Minimum feedback score"), { target: { value: "0.75" } });
    fireEvent.click(screen.getByRole("button", { name: "Add feedback" }));

    expect(chipLabels()).toEqual(["type: tool", "status: error", "tag: prod", "feedback: correctness ≥ 0.75", "last 24 hours"]);
    const state = lastState(spy);
    expect(state.quick).toEqual({
      tags: ["prod"],
      runType: "tool",
      status: "error",
      range: "24h",
      feedback: { key: "correctness", min: 0.75 },
    });
    const filter = buildFilter(state.quick, state.raw, Date.parse("2025-01-02T00:00:00Z"));
    expect(filter).toBe(
      'and(eq(run_type, "tool"), eq(status, "error"), has(tags, "prod"), ' +
        'and(eq(feedback_key, "correctness"), gte(feedback_score, 0.75)), gte(start_time, "2025-01-01T00:00:00.000Z"))',
    );
  });

  it("removing a chip removes that clause only", () => {
    const spy = vi.fn();
    render(
      <Harness
        spy={spy}
        initial={{ quick: { tags: ["prod", "beta"], runType: "llm" }, raw: "gt(latency, 1)", rootOnly: true }}
      />,
    );
    expect(chipLabels()).toEqual(["type: llm", "tag: prod", "tag: beta"]);
    fireEvent.click(screen.getByRole("button", { name: "Remove filter tag: prod" }));
    expect(lastState(spy)).toEqual({ quick: { tags: ["beta"], runType: "llm" }, raw: "gt(latency, 1)", rootOnly: true });
    expect(chipLabels()).toEqual(["type: llm", "tag: beta"]);
    fireEvent.click(screen.getByRole("button", { name: "Remove filter type: llm" }));
    expect(lastState(spy).quick).toEqual({ tags: ["beta"] });
    expect((screen.getByLabelText("Run type") as HTMLSelectElement).value).toBe("");
  });

  it("Clear all drops quick filters and raw text but keeps the root toggle", () => {
    const spy = vi.fn();
    render(<Harness spy={spy} initial={{ quick: { tags: ["x"], status: "error" }, raw: "gt(latency, 1)", rootOnly: false }} />);
    fireEvent.click(screen.getByRole("button", { name: "Clear all" }));
    expect(lastState(spy)).toEqual({ quick: { tags: [] }, raw: "", rootOnly: false });
    expect((screen.getByLabelText("Filter query") as HTMLInputElement).value).toBe("");
    expect(screen.queryByRole("list", { name: "Active filters" })).toBeNull();
  });

  it("toggles root runs only", () => {
    const spy = vi.fn();
    render(<Harness spy={spy} />);
    const toggle = screen.getByLabelText("Root runs only") as HTMLInputElement;
    expect(toggle.checked).toBe(true);
    fireEvent.click(toggle);
    expect(lastState(spy).rootOnly).toBe(false);
  });

  it("shows the server's message for an invalid filter and marks the input", () => {
    render(<Harness spy={vi.fn()} error="invalid filter: expected ')' (at character 9)" />);
    expect(screen.getByRole("alert").textContent).toBe("invalid filter: expected ')' (at character 9)");
    expect(screen.getByLabelText("Filter query").getAttribute("aria-invalid")).toBe("true");
  });

  it("catches a syntax error before sending, pointing into the typed text", () => {
    const spy = vi.fn();
    render(<Harness spy={spy} />);
    const input = screen.getByLabelText("Filter query");
    fireEvent.change(input, { target: { value: "eq(status," } });
    fireEvent.keyDown(input, { key: "Enter" });
    expect(spy).not.toHaveBeenCalled(); // the table keeps its rows: nothing was applied
    expect(screen.getByRole("alert").textContent).toBe(
      "invalid filter: unexpected end of filter, expected an argument (at character 11)",
    );
    fireEvent.change(input, { target: { value: 'eq(status, "error")' } }); // editing clears it
    expect(screen.queryByRole("alert")).toBeNull();
    fireEvent.keyDown(input, { key: "Enter" });
    expect(spy).toHaveBeenCalledTimes(1);
  });
});
