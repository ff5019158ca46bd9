import { previewIO } from "./compareFormat";

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
