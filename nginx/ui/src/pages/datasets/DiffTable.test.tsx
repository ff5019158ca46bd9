import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { buildDiffRows } from "./logic";
import { DiffTable } from "./VersionsTab";

describe("DiffTable", () => {
  it("marks added and removed lines and collapses unchanged runs", () => {
    const before: Record<string, number> = {};
    for (let i = 0; i < 20; i++) before[`k${String(i).padStart(2, "0")}`] = i;
    const { container } = render(<DiffTable rows={buildDiffRows(before, { ...before, k10: 99 })} />);
    expect(container.querySelectorAll(".ds-line.add")).toHaveLength(1);
    expect(container.querySelectorAll(".ds-line.del")).toHaveLength(1);
    expect(container.querySelector(".ds-line.add")?.textContent).toContain('"k10": 99');
    expect(screen.getAllByText(/unchanged lines/)).toHaveLength(2);
    expect(screen.getByRole("table", { name: "Changes" })).toBeTruthy();
  });
});
