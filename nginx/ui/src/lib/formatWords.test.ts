import { describe, expect, it } from "vitest";
import { describeCost, formatTokens, formatWait, humanizeRetry } from "./format";

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

describe("describeCost", () => {
  it("says which models have no prices instead of $0", () => {
    expect(describeCost(0, ["gpt-4o-mini"])).toEqual({ value: "No prices", note: "No prices for gpt-4o-mini", priced: false });
    expect(describeCost(null, ["a", "b"]).note).toBe("No prices for a and b");
    expect(describeCost(null, ["a", "b", "c", "d", "e"]).note).toBe("No prices for a, b, c and 2 more models");
    expect(describeCost(null, [""]).note).toBe("No prices for unnamed model");
  });

  it("shows a known cost, noting the models it leaves out", () => {
    expect(describeCost(0.5, [])).toEqual({ value: "$0.50", note: null, priced: true });
    expect(describeCost("0.5", ["gpt-4o-mini"]).note).toBe("excludes gpt-4o-mini (no prices)");
  });

  it("shows the dash when there is neither a cost nor a model without prices", () => {
    expect(describeCost(0, [])).toEqual({ value: "–", note: null, priced: false });
    expect(describeCost(undefined, undefined).value).toBe("–");
  });
});
