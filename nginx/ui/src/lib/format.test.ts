import { describe, expect, it } from "vitest";
import { formatRelative, parseTime, parseTimeMs, secondsBetween } from "./format";

describe("parseTime", () => {
  it("reads an offset-less run time as UTC, not local time", () => {
    // LangSmith (and Tracehouse) answer run times like this; the test's zone is irrelevant.
    expect(parseTime("2026-12-05T22:57:33.178802")?.toISOString()).toBe("2026-12-05T22:57:33.178Z");
    expect(parseTime("2026-12-05T22:57:33")?.toISOString()).toBe("2026-12-05T22:57:33.000Z");
    expect(parseTime("2026-12-05 22:57:33.5")?.toISOString()).toBe("2026-12-05T22:57:33.500Z");
  });

  it("keeps an explicit zone", () => {
    expect(parseTime("2026-12-05T22:57:33.178802Z")?.toISOString()).toBe("2026-12-05T22:57:33.178Z");
    expect(parseTime("2026-12-05T22:57:33+05:00")?.toISOString()).toBe("2026-12-05T17:57:33.000Z");
    expect(parseTime("2026-12-05T22:57:33.100-0800")?.toISOString()).toBe("2026-12-06T06:57:33.100Z");
  });

  it("answers null for nothing or nonsense", () => {
    expect(parseTime(null)).toBeNull();
    expect(parseTime("")).toBeNull();
    expect(parseTime("yesterday")).toBeNull();
    expect(Number.isNaN(parseTimeMs("yesterday"))).toBe(true);
  });

  it("measures between naive and zoned times alike", () => {
    expect(secondsBetween("2026-12-05T22:57:33", "2026-12-05T22:57:35.5Z")).toBe(2.5);
    const now = Date.parse("2026-12-05T23:00:00Z");
    expect(formatRelative("2026-12-05T22:59:50", now)).toBe("just now");
    expect(formatRelative("2026-12-05T22:00:00", now)).toBe("1 h ago");
  });
});
