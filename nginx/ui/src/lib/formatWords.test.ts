import { describe, expect, it } from "vitest";
import { formatTokens, formatWait, humanizeRetry } from "./format";

describe("formatTokens", () => {
  it("shows the dash for no recorded tokens, the count otherwise", () => {
    expect(formatTokens(0)).toBe("–");
    expect(formatTokens(null)).toBe("–");
    expect(formatTokens(undefined)).toBe("–");
    expect(formatTokens(41.6)).toBe("42");
    expect(formatTokens(12_345)).toBe("12.3k");
  });
});

describe("formatWait and humanizeRetry", () => {
  it("says a wait in seconds, minutes or hours, rounded up", () => {
    expect(formatWait(1)).toBe("1 second");
    expect(formatWait(45)).toBe("45 seconds");
    expect(formatWait(89)).toBe("89 seconds");
    expect(formatWait(90)).toBe("2 minutes");
    expect(formatWait(810)).toBe("14 minutes");
    expect(formatWait(3600)).toBe("60 minutes");
    expect(formatWait(5400)).toBe("2 hours");
  });

  it("rewrites the server's seconds in a throttling message, and leaves other text alone", () => {
    expect(humanizeRetry("too many failed logins; try again in 810 seconds")).toBe(
      "too many failed logins; try again in 14 minutes",
    );
    expect(humanizeRetry("try again in 1 second")).toBe("try again in 1 second");
    expect(humanizeRetry("wrong email or password")).toBe("wrong email or password");
  });
});
