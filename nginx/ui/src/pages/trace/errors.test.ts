import { describe, expect, it } from "vitest";
import { splitError } from "./errors";

const TRACEBACK = [
  "Traceback (most recent call last):",
  '  File "agent.py", line 12, in answer',
  "    raise RateLimitError('upstream returned 429')",
  "RateLimitError: upstream returned 429",
].join("\n");

describe("splitError", () => {
  it("states the SDK's repr + traceback once, with the traceback alone as the detail", () => {
    const split = splitError(`RateLimitError('upstream returned 429')\n\n${TRACEBACK}`);
    expect(split.message).toBe("RateLimitError: upstream returned 429");
    expect(split.detail).toBe(TRACEBACK);
  });

  it("keeps a one-line error as it is, with no detail", () => {
    expect(splitError("RateLimitError: upstream returned 429 (retry after 1 s)")).toEqual({
      message: "RateLimitError: upstream returned 429 (retry after 1 s)",
      detail: null,
    });
  });

  it("takes the last exception line of a bare traceback", () => {
    expect(splitError(TRACEBACK)).toEqual({ message: "RateLimitError: upstream returned 429", detail: TRACEBACK });
  });

  it("falls back to the first line when the last is not an exception", () => {
    const split = splitError("tool failed\nstep 1 ok\nstep 2 timed out");
    expect(split.message).toBe("tool failed");
    expect(split.detail).toBe("tool failed\nstep 1 ok\nstep 2 timed out");
  });
});
