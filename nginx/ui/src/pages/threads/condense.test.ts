import { describe, expect, it } from "vitest";
import { formatDuration, latestUserMessages, plainText } from "./condense";

const system = { role: "system", content: "be brief" };
const user = (content: string) => ({ role: "user", content });
const assistant = (content: string) => ({ role: "assistant", content });

describe("latestUserMessages", () => {
  it("keeps the user messages after the last reply", () => {
    const inputs = { messages: [system, user("hi"), assistant("hello"), user("and?"), user("well?")] };
    expect(latestUserMessages(inputs)).toEqual({ value: { messages: [user("and?"), user("well?")] }, hidden: 3 });
  });

  it("drops a lone system prompt", () => {
    expect(latestUserMessages({ messages: [system, user("hi")] })).toEqual({
      value: { messages: [user("hi")] },
      hidden: 1,
    });
  });

  it("flattens LangChain's batches", () => {
    const inputs = { messages: [[{ type: "system", content: "x" }, { type: "human", content: "q" }]] };
    expect(latestUserMessages(inputs)?.value.messages).toEqual([{ type: "human", content: "q" }]);
  });

  it("leaves inputs alone when there is nothing to hide or they are not messages", () => {
    expect(latestUserMessages({ messages: [user("hi")] })).toBeNull();
    expect(latestUserMessages({ question: "what?" })).toBeNull();
    expect(latestUserMessages({ messages: [system, user("q"), assistant("a")] })).toBeNull();
    expect(latestUserMessages(null)).toBeNull();
  });
});

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
