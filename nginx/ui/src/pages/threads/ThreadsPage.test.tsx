import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter, Outlet, Route, Routes } from "react-router-dom";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RequestSpec } from "../../api/client";
import ThreadsPage from "./ThreadsPage";
import type { Thread, ThreadDetail, ThreadPage, Turn } from "./types";

const P = "11111111-1111-4111-8111-111111111111";
const calls: RequestSpec[] = [];
let threads: Thread[] = [];

function thread(id: string, turns: number, errors = 0): Thread {
  return {
    thread_id: id,
    turn_count: turns,
    first_start_time: "2026-10-05T09:00:00Z",
    last_start_time: "2026-10-05T10:00:00Z",
    latency_p50: 1.5,
    error_count: errors,
    prompt_tokens: 30,
    completion_tokens: 12,
    total_tokens: 42,
    total_cost: 0.0021,
    first_input_preview: `hello from ${id}`,
    last_output_preview: `bye from ${id}`,
  };
}

function turn(n: number, extra: Partial<Turn> = {}): Turn {
  return {
    id: `run-${n}`,
    trace_id: `run-${n}`,
    name: "chat",
    run_type: "chain",
    status: "success",
    error: null,
    start_time: `2026-10-05T09:0${n}:00Z`,
    end_time: null,
    latency: 1.25,
    first_token_time: null,
    inputs: { messages: [{ role: "user", content: `question ${n}` }] },
    outputs: { answer: `answer ${n}` },
    tags: [],
    prompt_tokens: 10,
    completion_tokens: 4,
    total_tokens: 14,
    total_cost: null,
    ...extra,
  };
}

vi.mock("../../api/client", async (importOriginal) =>
  (await import("../../test/fakeApi")).fakeApi(importOriginal, async (spec, original) => {
    calls.push(spec);
    if (spec.path === `/sessions/${P}/threads`) {
      return { threads, total: threads.length, offset: 0, limit: 25, next_offset: null } satisfies ThreadPage;
    }
    if (spec.path === `/sessions/${P}/threads/conv-1`) {
      return {
        thread: thread("conv-1", 2, 1),
        turns: [turn(1), turn(2, { status: "error", error: "ValueError: boom", outputs: null })],
        offset: 0,
        limit: 20,
        next_offset: null,
      } satisfies ThreadDetail;
    }
    if (spec.path === `/sessions/${P}/threads/conv-h`) {
      const history = [
        { role: "user", content: "first question" },
        { role: "assistant", content: "first answer" },
      ];
      return {
        thread: thread("conv-h", 1),
        turns: [turn(1, { inputs: { history, question: "second question" }, outputs: { answer: "second answer" } })],
        offset: 0,
        limit: 20,
        next_offset: null,
      } satisfies ThreadDetail;
    }
    if (spec.path === `/sessions/${P}/threads/conv-0`) {
      const none = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
      return {
        thread: { ...thread("conv-0", 1), ...none },
        turns: [turn(1, none)],
        offset: 0,
        limit: 20,
        next_offset: null,
      } satisfies ThreadDetail;
    }
    throw new original.ApiError(404, "not_found", "not found");
  }),
);

function Layout() {
  return <Outlet context={{ project: undefined, projectId: P }} />;
}

function renderAt(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        <Route path="/o/:tenant/projects/p/:projectId" element={<Layout />}>
          <Route path="threads" element={<ThreadsPage />} />
          <Route path="threads/:threadId" element={<ThreadsPage />} />
        </Route>
      </Routes>
    </MemoryRouter>,
  );
}

afterEach(() => {
  cleanup();
  calls.length = 0;
});

describe("ThreadsPage", () => {
  it("explains where threads come from when there are none", async () => {
    threads = [];
    renderAt(`/o/w/projects/p/${P}/threads`);
    expect(await screen.findByText("No threads yet")).toBeTruthy();
    expect(screen.getAllByText("session_id").length).toBeGreaterThan(0);
  });

  it("lists threads and opens one turn by turn", async () => {
    threads = [thread("conv-1", 2, 1), thread("conv-2", 3)];
    renderAt(`/o/w/projects/p/${P}/threads`);
    expect(await screen.findByText("hello from conv-1")).toBeTruthy();
    expect(screen.getByText("2 threads", { exact: false })).toBeTruthy();
    fireEvent.click(screen.getByRole("link", { name: "conv-1" }));
    expect(await screen.findByText("Turn 1")).toBeTruthy();
    expect(screen.getByText("Turn 2")).toBeTruthy();
    const links = screen.getAllByRole("link", { name: /Open the trace of turn/ });
    expect(links.map((a) => a.getAttribute("href"))).toEqual([
      `/o/w/projects/p/${P}/r/run-1`,
      `/o/w/projects/p/${P}/r/run-2`,
    ]);
    expect(screen.getByText("ValueError: boom")).toBeTruthy();
    await waitFor(() => expect(calls.some((c) => c.path.endsWith("/threads/conv-1"))).toBe(true));
  });

  it("shows full thread ids with a copy button, and filters by search text and time range", async () => {
    const long = "3f1c2a9e-5b7d-4e21-9c0a-7d2e8f6b1a43";
    threads = [thread(long, 2)];
    renderAt(`/o/w/projects/p/${P}/threads`);
    expect(await screen.findByRole("link", { name: long })).toBeTruthy();
    expect(screen.getByRole("button", { name: `Copy thread id ${long}` })).toBeTruthy();
    fireEvent.change(screen.getByRole("searchbox", { name: "Search threads by id or message text" }), { target: { value: " refund " } });
    await waitFor(() => expect(calls.at(-1)?.query?.search).toBe("refund"));
    fireEvent.click(screen.getByRole("button", { name: "24h" }));
    await waitFor(() => expect(calls.at(-1)?.query?.start_time).toBeTruthy());
    const since = Date.parse(String(calls.at(-1)?.query?.start_time));
    expect(Math.abs(Date.now() - 86400e3 - since)).toBeLessThan(120e3);
    expect(calls.at(-1)?.query?.search).toBe("refund");
    expect(screen.getByRole("button", { name: "24h" }).getAttribute("aria-pressed")).toBe("true");
    fireEvent.click(screen.getByRole("button", { name: "All" }));
    await waitFor(() => expect(calls.at(-1)?.query?.start_time).toBeUndefined());
  });

  it("says what hides threads when a filter finds none, and clears it", async () => {
    threads = [];
    renderAt(`/o/w/projects/p/${P}/threads?q=zzz&range=1h`);
    expect(await screen.findByText("No threads match “zzz” in the last hour")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Clear search" }));
    expect(await screen.findByText("No threads yet")).toBeTruthy();
  });

  it("shows a turn as the latest user message and the answer, the full input one click away", async () => {
    renderAt(`/o/w/projects/p/${P}/threads/conv-h`);
    const turnCard = (await screen.findByRole("article", { name: "Turn 1" })) as HTMLElement;
    const bubbles = [...turnCard.querySelectorAll(".chat-msg")].map((li) => li.textContent);
    expect(bubbles).toEqual(["Userquestionsecond question", "Assistantanswersecond answer"]);
    fireEvent.click(screen.getByRole("button", { name: "Show the 2 earlier messages of this input" }));
    expect(turnCard.querySelectorAll(".chat-msg")).toHaveLength(4);
    fireEvent.click(screen.getByRole("button", { name: "Show turn 1 as raw JSON" }));
    expect(turnCard.querySelectorAll(".chat-msg")).toHaveLength(0);
    expect(screen.getByRole("region", { name: "Turn 1 input" }).textContent).toContain("history");
  });

  it("shows unrecorded usage as unknown, not as 0 tokens", async () => {
    renderAt(`/o/w/projects/p/${P}/threads/conv-0`);
    const turnCard = (await screen.findByRole("article", { name: "Turn 1" })) as HTMLElement;
    expect(turnCard.textContent).not.toContain("tokens");
    expect(screen.getByText("Tokens").parentElement?.textContent).toBe("Tokens–");
  });

  it("says so when a thread does not exist", async () => {
    renderAt(`/o/w/projects/p/${P}/threads/nope`);
    expect(await screen.findByText("Thread not found")).toBeTruthy();
  });
});
