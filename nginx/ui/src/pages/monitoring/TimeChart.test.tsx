import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { TimeChart } from "./TimeChart";

const times = [0, 1, 2, 3].map((i) => new Date(2026, 9, 5, 9 + i).getTime());

describe("TimeChart", () => {
  it("labels the chart, shows a tooltip per bucket from the keyboard and lists the data", () => {
    render(
      <TimeChart
        title="Traces"
        kind="bar"
        times={times}
        intervalSeconds={3600}
        series={[
          { key: "ok", label: "Succeeded", color: "blue", values: [2, 0, 2, 0] },
          { key: "err", label: "Errors", color: "red", values: [1, 0, 0, 0] },
        ]}
        format={(v) => String(v ?? "–")}
        summary="5 traces"
      />,
    );
    const chart = screen.getByRole("img", { name: /Traces: 5 traces/ });
    expect(chart.querySelectorAll("rect[style]")).toHaveLength(3); // 2 + 1 stacked, 2; empty buckets draw nothing
    fireEvent.focus(chart);
    fireEvent.keyDown(chart, { key: "Home" });
    expect(screen.getByText("5 Oct 09:00–10:00", { selector: ".chart-tooltip-time" })).toBeTruthy();
    fireEvent.keyDown(chart, { key: "ArrowRight" });
    expect(screen.getByText("5 Oct 10:00–11:00", { selector: ".chart-tooltip-time" })).toBeTruthy();
    const table = screen.getByRole("table", { name: "Traces per bucket" });
    expect(table.querySelectorAll("tbody tr")).toHaveLength(4);
  });

  it("breaks lines where a bucket is empty", () => {
    const { container } = render(
      <TimeChart
        title="Latency"
        kind="line"
        times={times}
        intervalSeconds={3600}
        series={[{ key: "p50", label: "p50", color: "blue", values: [1, 2, null, 3] }]}
        format={(v) => String(v)}
        summary="s"
      />,
    );
    const d = container.querySelector("path.chart-line")?.getAttribute("d") ?? "";
    expect(d.match(/M/g)).toHaveLength(2);
    expect(container.querySelectorAll("circle")).toHaveLength(1); // the lone last point
  });
});
