import { describe, expect, it } from "vitest";
import { compactNumber, formatBucketRange, niceTicks, timeTicks } from "./chartMath";

describe("niceTicks", () => {
  it("covers the maximum with round steps", () => {
    expect(niceTicks(31)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(4)).toEqual([0, 1, 2, 3, 4]);
    expect(niceTicks(0.07)).toEqual([0, 0.02, 0.04, 0.06, 0.08]);
    expect(niceTicks(1000)).toEqual([0, 250, 500, 750, 1000]);
  });
  it("keeps counts whole", () => {
    expect(niceTicks(1, 4, true)).toEqual([0, 1]);
    expect(niceTicks(3, 4, true)).toEqual([0, 1, 2, 3]);
    expect(niceTicks(9, 4, true)).toEqual([0, 5, 10]);
  });
  it("has an axis even without data", () => {
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(Number.NaN)).toEqual([0, 1]);
  });
});

describe("time labels", () => {
  const t = new Date(2026, 9, 5, 14, 30).getTime();
  it("puts x ticks at round local times: hours within a day, midnights beyond", () => {
    const day = timeTicks(new Date(2026, 9, 5, 9, 10).getTime(), new Date(2026, 9, 6, 9, 10).getTime(), 6);
    expect(day.map((x) => x.label)).toEqual(["12:00", "18:00", "6 Oct", "06:00"]);
    const month = timeTicks(new Date(2026, 9, 1, 7).getTime(), new Date(2026, 9, 31, 7).getTime(), 6);
    expect(month.map((x) => x.label)).toEqual(["8 Oct", "15 Oct", "22 Oct", "29 Oct"]);
    const week = timeTicks(new Date(2026, 9, 5, 7).getTime(), new Date(2026, 9, 12, 7).getTime(), 6);
    expect(week.map((x) => x.label)).toEqual(["7 Oct", "9 Oct", "11 Oct"]);
  });
  it("names a bucket by its range", () => {
    expect(formatBucketRange(t, 1800)).toBe("5 Oct 14:30–15:00");
    expect(formatBucketRange(new Date(2026, 9, 5).getTime(), 86400)).toBe("5 Oct");
  });
  it("shortens big numbers", () => {
    expect(compactNumber(1234)).toBe("1.2k");
    expect(compactNumber(2_500_000)).toBe("2.5M");
    expect(compactNumber(12)).toBe("12");
  });
});
