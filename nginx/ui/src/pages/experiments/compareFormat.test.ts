import { formatDelta, formatMetric, previewIO, readsAsZero } from "./compareFormat";
import { compareMetric } from "./regressions";

describe("previewIO", () => {
  it("shows a chat answer's text, whatever shape recorded it", () => {
    const openai = { choices: [{ message: { role: "assistant", content: "Paris is the capital." } }], usage: {} };
    expect(previewIO(openai)).toBe("Paris is the capital.");
    const messages = { messages: [{ role: "user", content: "q?" }, { role: "assistant", content: "an  answer" }] };
    expect(previewIO(messages)).toBe("an answer");
    const toolCall = { role: "assistant", content: "", tool_calls: [{ id: "1", function: { name: "get_weather", arguments: "{}" } }] };
    expect(previewIO(toolCall)).toBe("get_weather(…)");
  });

  it("reads plain outputs as fields", () => {
    expect(previewIO({ answer: "Blue." })).toBe("Blue.");
    expect(previewIO({ answer: "Blue.", reasoning: "sky" })).toBe("answer: Blue. · reasoning: sky");
    expect(previewIO(null)).toBe("");
  });
});

describe("formatDelta", () => {
  it("reads a change as relative between two measured values", () => {
    expect(formatDelta("latency", compareMetric("latency", 2, 1), 1)).toBe("−50%");
    expect(formatDelta("latency", compareMetric("latency", 1, 1.5), 1.5)).toBe("+50%");
  });

  it("never shows a change to or from zero as a percentage", () => {
    // "0 ms" against 2.3 s was shown as −99% or −100%: the absolute difference says what happened.
    expect(formatDelta("latency", compareMetric("latency", 2.3, 0), 0)).toBe("−2.30 s");
    expect(formatDelta("latency", compareMetric("latency", 2.3, 0.0002), 0.0002)).toBe("−2.30 s");
    expect(formatDelta("latency", compareMetric("latency", 0, 1.2), 1.2)).toBe("+1.20 s");
    expect(formatDelta("total_cost", compareMetric("total_cost", 0.5, 0), 0)).toBe("−$0.50");
  });
});

describe("readsAsZero and formatMetric", () => {
  it("treats a latency change that rounds to nothing as no change", () => {
    expect(readsAsZero("−0 ms")).toBe(true);
    expect(readsAsZero("+0.00 s")).toBe(true);
    expect(readsAsZero("−1 ms")).toBe(false);
  });

  it("shows no recorded tokens as the dash", () => {
    expect(formatMetric("total_tokens", 0)).toBe("–");
    expect(formatMetric("total_tokens", 1234)).toBe("1,234");
  });
});
