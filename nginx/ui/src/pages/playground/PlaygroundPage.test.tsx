import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { WorkspaceContext } from "../../auth/AuthContext";
import PlaygroundPage from "./PlaygroundPage";

const PROVIDER = {
  id: "11111111-1111-1111-1111-111111111111",
  name: "local-echo",
  kind: "openai",
  base_url: "http://x/v1",
  default_model: "echo-small",
  has_api_key: true,
};

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

/** An SSE body that sends `frames` one by one, then (unless `open`) closes; aborting errors it. */
function sse(frames: string[], signal?: AbortSignal | null, open = false): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      signal?.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
      for (const frame of frames) {
        await new Promise((r) => setTimeout(r, 5));
        controller.enqueue(encoder.encode(frame));
      }
      if (!open) controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } });
}

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

// Runs the playground can open with ?run=<id>, as GET /runs/{id} returns them.
const RUNS: Record<string, Record<string, unknown>> = {
  "llm-1": {
    id: "llm-1",
    name: "ChatOpenAI",
    run_type: "llm",
    trace_id: "trace-1",
    session_id: "proj-9",
    start_time: "2026-01-01T00:00:00Z",
    inputs: { messages: [{ role: "system", content: "Be brief about {x}." }, { role: "user", content: "What is 2+2?" }] },
    extra: { metadata: { ls_model_name: "echo-large", ls_provider: "openai" }, invocation_params: { temperature: 0.3, max_tokens: 64 } },
  },
  "chain-1": {
    id: "chain-1",
    name: "agent",
    run_type: "chain",
    trace_id: "trace-1",
    session_id: "proj-9",
    start_time: "2026-01-01T00:00:00Z",
    inputs: { a: 1, b: 2 },
    extra: {},
  },
};

let streamHandler: (body: Record<string, unknown>, signal?: AbortSignal | null) => Response;
const sent: Record<string, unknown>[] = [];

beforeEach(() => {
  window.localStorage.clear();
  sent.length = 0;
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input), "http://localhost");
      const path = url.pathname.replace("/api/v1", "");
      if (path === "/playground/providers") return json([PROVIDER]);
      if (path.endsWith("/models")) return json(["echo-small", "echo-large"]);
      if (path === "/repos") return json({ repos: [] });
      if (path === "/sessions") return json([{ id: "proj-1", name: "playground" }]);
      if (path.startsWith("/runs/")) {
        const run = RUNS[path.slice("/runs/".length)];
        return run ? json(run) : json({ error: "not_found", detail: "run not found" }, 404);
      }
      if (path === "/playground/stream") {
        const body = JSON.parse(String(init?.body));
        sent.push(body);
        return streamHandler(body, init?.signal);
      }
      return json({ error: "not_found", detail: "no such thing" }, 404);
    }),
  );
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function renderPage(search = "") {
  return render(
    <WorkspaceContext.Provider value={{ id: "t1", name: "Production", role: "admin" }}>
      <MemoryRouter initialEntries={[`/o/t1/playground${search}`]}>
        <Routes>
          <Route path="/o/:tenant/playground" element={<PlaygroundPage />} />
        </Routes>
      </MemoryRouter>
    </WorkspaceContext.Provider>,
  );
}

describe("PlaygroundPage", () => {
  it("streams an answer, filling variables, and links the traced run", async () => {
    streamHandler = () =>
      sse([
        frame("run", { run_id: "run-1" }),
        frame("delta", { text: "echo: " }),
        frame("delta", { text: "hello" }),
        frame("end", {
          run_id: "run-1",
          message: { role: "assistant", content: "echo: hello" },
          finish_reason: "stop",
          usage: { input_tokens: 2, output_tokens: 2, total_tokens: 4 },
          latency: 0.25,
          first_token_latency: 0.05,
        }),
      ]);
    renderPage();
    await screen.findByRole("option", { name: "local-echo" });
    fireEvent.change(screen.getByLabelText("question"), { target: { value: "hello" } });
    fireEvent.keyDown(window, { key: "Enter", ctrlKey: true });

    await screen.findByText("echo: hello");
    expect(sent[0]).toMatchObject({
      provider: PROVIDER.id,
      model: "echo-small",
      messages: [
        { role: "system", content: "You are a helpful assistant." },
        { role: "user", content: "hello" },
      ],
    });
    expect(await screen.findByText("250 ms")).toBeTruthy(); // the end event may follow the text by a tick
    const link = await screen.findByRole("link", { name: "Open the traced run" });
    expect(link.getAttribute("href")).toBe("/o/t1/projects/p/proj-1/r/run-1");
  });

  it("stops a running answer", async () => {
    streamHandler = (_body, signal) => sse([frame("run", { run_id: "r" }), frame("delta", { text: "on and on" })], signal, true);
    renderPage();
    await screen.findByRole("option", { name: "local-echo" });
    fireEvent.change(screen.getByLabelText("question"), { target: { value: "go" } });
    fireEvent.click(screen.getByRole("button", { name: "Run" }));
    await screen.findByText("on and on");
    fireEvent.click(screen.getByRole("button", { name: "Stop" }));
    await screen.findByText("Stopped");
    expect(screen.getByRole("button", { name: "Run" })).toBeTruthy();
  });

  it("shows the API's error and what to do about it", async () => {
    streamHandler = () =>
      json({ error: "provider_auth_failed", detail: "local-echo: the API key was rejected", provider: "local-echo" }, 424);
    renderPage();
    await screen.findByRole("option", { name: "local-echo" });
    fireEvent.change(screen.getByLabelText("question"), { target: { value: "x" } });
    fireEvent.keyDown(window, { key: "Enter", metaKey: true });
    await screen.findByText("local-echo: the API key was rejected");
    expect(screen.getByText(/424 · provider_auth_failed/)).toBeTruthy();
    expect(screen.getByText(/fix the key in Settings/)).toBeTruthy();
  });

  it("refuses to run with an empty variable or invalid tools, without calling the API", async () => {
    renderPage();
    await screen.findByRole("option", { name: "local-echo" });
    fireEvent.keyDown(window, { key: "Enter", ctrlKey: true });
    await screen.findByText("Fill in the variable question.");
    fireEvent.change(screen.getByLabelText("Tool definitions (JSON array, OpenAI format)"), {
      target: { value: '[{"type": "function"}]' },
    });
    fireEvent.change(screen.getByLabelText("question"), { target: { value: "x" } });
    fireEvent.keyDown(window, { key: "Enter", ctrlKey: true });
    await waitFor(() => expect(screen.getAllByText(/tool 1: "function" must be an object/).length).toBeGreaterThan(0));
    expect(sent).toHaveLength(0);
  });

  it("edits messages: add, reorder, remove, and detects variables", async () => {
    renderPage();
    await screen.findByRole("option", { name: "local-echo" });
    fireEvent.click(screen.getByRole("button", { name: "+ Add message" }));
    fireEvent.change(screen.getByLabelText("Content of message 3 (Assistant)"), { target: { value: "About {topic}" } });
    expect(screen.getByLabelText("topic")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Move message 3 up" }));
    expect((screen.getByLabelText("Content of message 2 (Assistant)") as HTMLTextAreaElement).value).toBe("About {topic}");
    fireEvent.click(screen.getByRole("button", { name: "Remove message 2" }));
    expect(screen.queryByLabelText("topic")).toBeNull();
  });

  it("opens a run from ?run=: its messages, model and parameters, and runs them as they are", async () => {
    window.localStorage.setItem("tracehouse.playground.t1", JSON.stringify({ messages: [{ id: "d", role: "user", content: "old draft" }], values: {}, settings: {} }));
    streamHandler = () => sse([frame("run", { run_id: "r" }), frame("delta", { text: "4" })]);
    renderPage("?run=llm-1");
    expect(await screen.findByRole("link", { name: "ChatOpenAI" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "ChatOpenAI" }).getAttribute("href")).toBe("/o/t1/projects/p/proj-9/r/llm-1?trace_id=trace-1");
    expect((screen.getByLabelText("Content of message 1 (System)") as HTMLTextAreaElement).value).toBe("Be brief about {{x}}.");
    expect((screen.getByLabelText("Content of message 2 (User)") as HTMLTextAreaElement).value).toBe("What is 2+2?");
    expect((screen.getByLabelText("Temperature") as HTMLInputElement).value).toBe("0.3");
    expect((screen.getByLabelText("Max tokens") as HTMLInputElement).value).toBe("64");
    await screen.findByRole("option", { name: "local-echo" });
    fireEvent.keyDown(window, { key: "Enter", ctrlKey: true });
    await screen.findByText("4");
    expect(sent[0]).toMatchObject({
      provider: PROVIDER.id,
      model: "echo-large",
      temperature: 0.3,
      max_tokens: 64,
      messages: [
        { role: "system", content: "Be brief about {x}." },
        { role: "user", content: "What is 2+2?" },
      ],
    });
  });

  it("says why a run cannot be opened", async () => {
    renderPage("?run=chain-1");
    expect(await screen.findByText(/no chat messages or prompt/)).toBeTruthy();
    renderPage("?run=missing");
    expect(await screen.findByText(/Cannot open the run missing \(404\)/)).toBeTruthy();
  });
});
