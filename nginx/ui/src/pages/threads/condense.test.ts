import { describe, expect, it } from "vitest";
import { formatDuration, plainText } from "./condense";

describe("plainText", () => {
  it("drops markdown marks", () => {
    expect(plainText("Open *Members*, click **Invite**, run `x`")).toBe("Open Members, click Invite, run x");
    expect(plainText("# Title")).toBe("Title");
    expect(plainText("2 * 3 * 4")).toBe("2 * 3 * 4");
    expect(plainText("snake_case_name")).toBe("snake_case_name");
  });
});

describe("formatDuration", () => {
  it("reads like a person would say it", () => {
    expect(formatDuration(null)).toBe("–");
    expect(formatDuration(42)).toBe("42 s");
    expect(formatDuration(54 * 60)).toBe("54 min");
    expect(formatDuration(2 * 3600 + 300)).toBe("2 h 5 min");
    expect(formatDuration(3 * 86400 + 4 * 3600)).toBe("3 d 4 h");
  });
});
