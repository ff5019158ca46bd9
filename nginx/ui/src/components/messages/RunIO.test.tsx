import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { RunIO } from "../RunIO";
import { toConversation } from "./normalize";

afterEach(cleanup);
// The markdown renderer is lazy-loaded; transforming it on a cold, busy machine can outlast
// findBy's default second, so load it once up front.
beforeAll(async () => {
  await import("./MarkdownRenderer");
});

/** The role labels and text of each rendered message, in order. */
function messages(): { role: string; text: string }[] {
  return screen.queryAllByRole("listitem").filter((li) => li.classList.contains("chat-msg")).map((li) => ({
    role: li.querySelector(".chat-role-name")?.textContent ?? "",
    text: li.querySelector(".chat-body")?.textContent ?? "",
  }));
}

const lc = (cls: string, kwargs: Record<string, unknown>) => ({
  lc: 1,
  type: "constructor",
  id: ["langchain", "schema", "messages", cls],
  kwargs,
});

describe("RunIO chat messages", () => {
  it("renders OpenAI {messages:[...]} with roles and content", () => {
    render(
      <RunIO
        value={{
          messages: [
            { role: "system", content: "Be terse." },
            { role: "user", content: "Hi" },
            { role: "assistant", content: "Hello!" },
          ],
          model: "gpt-4o",
        }}
      />,
    );
    expect(messages()).toEqual([
      { role: "System", text: "Be terse." },
      { role: "User", text: "Hi" },
      { role: "Assistant", text: "Hello!" },
    ]);
    expect(screen.getByText(/Other fields \(model\)/)).toBeTruthy();
  });

  it("renders a bare list of messages", () => {
    render(<RunIO value={[{ role: "user", content: "one" }, { role: "assistant", content: "two" }]} />);
    expect(messages().map((m) => m.role)).toEqual(["User", "Assistant"]);
  });

  it("renders LangChain serialized messages nested as [[...]]", () => {
    render(
      <RunIO
        value={{
          messages: [[lc("SystemMessage", { content: "sys" }), lc("HumanMessage", { content: "What is 2+2?" })]],
        }}
      />,
    );
    expect(messages()).toEqual([
      { role: "System", text: "sys" },
      { role: "User", text: "What is 2+2?" },
    ]);
  });

  it("renders generations outputs", () => {
    render(
      <RunIO
        value={{
          generations: [[{ text: "4", message: lc("AIMessage", { content: "The answer is 4." }) }]],
          llm_output: { token_usage: { total_tokens: 12 } },
        }}
      />,
    );
    expect(messages()).toEqual([{ role: "Assistant", text: "The answer is 4." }]);
  });

  it("renders text-only generations as assistant messages", () => {
    render(<RunIO value={{ generations: [[{ text: "plain completion" }]] }} />);
    expect(messages()).toEqual([{ role: "Assistant", text: "plain completion" }]);
  });

  it("renders {output: AIMessage} with tool calls, and tool results", () => {
    render(
      <RunIO
        value={{
          output: lc("AIMessage", {
            content: "",
            tool_calls: [{ name: "get_weather", args: { city: "Paris" }, id: "call_1" }],
          }),
        }}
      />,
    );
    const [msg] = messages();
    expect(msg.role).toBe("Assistant");
    expect(msg.text).toContain("get_weather");
    expect(msg.text).toContain("Paris");
    cleanup();
    render(
      <RunIO
        value={[
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "c1", type: "function", function: { name: "lookup", arguments: '{"q":"tracehouse"}' } }],
          },
          { role: "tool", tool_call_id: "c1", content: '{"result": "found"}' },
        ]}
      />,
    );
    const [call, result] = messages();
    expect(call.text).toContain("lookup");
    expect(call.text).toContain("tracehouse");
    expect(result.role).toBe("Tool");
    expect(result.text).toContain("found");
  });

  it("renders LangChain dict messages ({type, data}) and ChatMessage roles", () => {
    render(
      <RunIO
        value={{
          chat_history: [
            { type: "human", data: { content: "hey" } },
            lc("ChatMessage", { role: "assistant", content: "yo" }),
          ],
        }}
      />,
    );
    expect(messages()).toEqual([
      { role: "User", text: "hey" },
      { role: "Assistant", text: "yo" },
    ]);
  });

  it("renders content parts: markdown text and image_url images", async () => {
    const { container } = render(
      <RunIO
        value={{
          messages: [
            {
              role: "user",
              content: [
                { type: "text", text: "# Look at this\n\nWhat is **in** it?" },
                { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
              ],
            },
          ],
        }}
      />,
    );
    expect(await screen.findByRole("heading", { name: "Look at this" })).toBeTruthy();
    expect(container.querySelector("strong")?.textContent).toBe("in");
  });

  it("never loads a remote image part by itself, but shows same-origin and data: images", () => {
    const part = (url: string) => ({ type: "image_url", image_url: { url } });
    const own = `${window.location.origin}/api/v1/runs/attachments/x`;
    const png = "data:image/png;base64,iVBORw0KGgo=";
    const { container } = render(
      <RunIO value={{ messages: [{ role: "user", content: [part("https://evil.example/?q=secret"), part(own), part(png)] }] }} />,
    );
    const sources = [...container.querySelectorAll("img")].map((img) => img.getAttribute("src"));
    expect(sources).toEqual([own, png]);
    const placeholder = container.querySelector("a.md-img-blocked");
    expect(placeholder?.textContent).toContain("remote image blocked: evil.example");
    expect(placeholder?.getAttribute("rel")).toBe("noopener noreferrer nofollow");
  });
});

describe("RunIO other values", () => {
  it("renders strings as markdown, without raw HTML", async () => {
    const { container } = render(<RunIO value={"## Summary\n\n<script>alert(1)</script><b>bold</b> text"} />);
    expect(await screen.findByRole("heading", { level: 2, name: "Summary" })).toBeTruthy();
    expect(container.querySelector("script")).toBeNull();
    expect(container.querySelector("b")).toBeNull();
  });

  it("unwraps single-key objects", async () => {
    render(<RunIO value={{ input: "# Question\nWhy?" }} />);
    expect(await screen.findByRole("heading", { name: "Question" })).toBeTruthy();
    expect(screen.getByText("input")).toBeTruthy();
  });

  it("falls back to JSON for everything else, with a raw JSON toggle", () => {
    const { container } = render(<RunIO value={{ first: "x", second: "y", k: 3 }} label="Input" />);
    expect(messages()).toEqual([]);
    expect(container.querySelector(".json-view")).not.toBeNull();
    expect(container.querySelector(".json-number")?.textContent).toBe("3");
    expect(toConversation({ question: "q", k: 3 })).toBeNull();
  });

  it("shows a chain run's question and answer as chat, the rest aside and raw JSON one click away", () => {
    const inputs = {
      question: "What is RAG?",
      history: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello!" },
      ],
      k: 3,
    };
    const { container } = render(<RunIO value={inputs} label="Input" />);
    expect(messages()).toEqual([
      { role: "User", text: "Hi" },
      { role: "Assistant", text: "Hello!" },
      { role: "User", text: "What is RAG?" },
    ]);
    expect(screen.getByText(/Other fields \(k\)/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Show input as raw JSON" }));
    expect(messages()).toEqual([]);
    expect(container.querySelector(".json-view")?.textContent).toContain("history");
    cleanup();
    render(<RunIO value={{ answer: "Retrieval-augmented generation." }} label="Output" />);
    expect(messages()).toEqual([{ role: "Assistant", text: "Retrieval-augmented generation." }]);
  });

  it("keeps single strings as text, not chat, when the side is unknown", async () => {
    render(<RunIO value={{ question: "Why?" }} />);
    expect(messages()).toEqual([]);
    expect(await screen.findByText("Why?")).toBeTruthy();
  });

  it("reads a tool's string argument as data, while its chat messages stay chat", async () => {
    render(<RunIO value={{ input: "rm -rf /tmp/cache" }} label="Input" plain />);
    expect(messages()).toEqual([]);
    expect(await screen.findByText("rm -rf /tmp/cache")).toBeTruthy();
    cleanup();
    render(<RunIO value={{ messages: [{ role: "user", content: "hi" }] }} label="Input" plain />);
    expect(messages()).toEqual([{ role: "User", text: "hi" }]);
  });

  it("switches a conversation to raw JSON and back", () => {
    const { container } = render(<RunIO value={{ messages: [{ role: "user", content: "hi" }] }} label="Input" />);
    const toggle = screen.getByRole("button", { name: "Show input as raw JSON" });
    fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-pressed")).toBe("true");
    expect(messages()).toEqual([]);
    expect(container.querySelector(".json-view")).not.toBeNull();
    fireEvent.click(toggle);
    expect(messages()).toHaveLength(1);
  });

  it("shows None for missing values and attachments as images or links", () => {
    render(
      <RunIO
        value={null}
        attachments={{
          "attachment.photo": { presigned_url: "/api/v1/public/attachments/t1", mime_type: "image/png" },
          "attachment.report": { presigned_url: "/api/v1/public/attachments/t2", mime_type: "application/pdf" },
        }}
      />,
    );
    expect(screen.getByText("None")).toBeTruthy();
    const section = screen.getByRole("region", { name: "Attachments" });
    expect(within(section).getByRole("img", { name: "photo" }).getAttribute("src")).toBe("/api/v1/public/attachments/t1");
    expect(within(section).getByRole("link", { name: /report/ }).getAttribute("href")).toBe("/api/v1/public/attachments/t2");
  });
});
