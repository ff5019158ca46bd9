import { describe, expect, it } from "vitest";
import { readSse, SseParser, type SseEvent } from "./sse";

function parseAll(chunks: string[]): SseEvent[] {
  const parser = new SseParser();
  const out: SseEvent[] = [];
  for (const chunk of chunks) out.push(...parser.feed(chunk));
  out.push(...parser.end());
  return out;
}

const STREAM =
  'event: run\ndata: {"run_id":"r1"}\n\n' +
  'event: delta\ndata: {"text":"echo: "}\n\n' +
  'event: delta\ndata: {"text":"hi"}\n\n' +
  'event: tool_call\ndata: {"index":0,"id":"c1","name":"get_weather","arguments":"{\\"city"}\n\n' +
  'event: end\ndata: {"finish_reason":"stop"}\n\n';

describe("SseParser", () => {
  it("parses named events in one chunk", () => {
    const events = parseAll([STREAM]);
    expect(events.map((e) => e.event)).toEqual(["run", "delta", "delta", "tool_call", "end"]);
    expect(JSON.parse(events[0].data)).toEqual({ run_id: "r1" });
    expect(JSON.parse(events[3].data).name).toBe("get_weather");
  });

  it("gives the same events however the stream is split", () => {
    const whole = parseAll([STREAM]);
    for (let size = 1; size <= 7; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < STREAM.length; i += size) chunks.push(STREAM.slice(i, i + size));
      expect(parseAll(chunks)).toEqual(whole);
    }
    // Split at every single position too.
    for (let at = 1; at < STREAM.length; at++) {
      expect(parseAll([STREAM.slice(0, at), STREAM.slice(at)])).toEqual(whole);
    }
  });

  it("joins multi-line data with newlines and defaults the event name to message", () => {
    const events = parseAll(["data: first\ndata: second\ndata:\ndata:third\n\n"]);
    expect(events).toEqual([{ event: "message", data: "first\nsecond\n\nthird" }]);
  });

  it("accepts CRLF and CR line endings, also split between chunks", () => {
    expect(parseAll(["event: delta\r\ndata: a\r", "\n\r", "\n"])).toEqual([{ event: "delta", data: "a" }]);
    expect(parseAll(["event: delta\rdata: b\r\r"])).toEqual([{ event: "delta", data: "b" }]);
  });

  it("ignores comments, unknown fields and frames without data", () => {
    const events = parseAll([": keep-alive\n\nevent: ping\n\nretry: 10\nfoo: bar\nevent: end\ndata: {}\n\n"]);
    expect(events).toEqual([{ event: "end", data: "{}" }]);
  });

  it("keeps the last id and drops an unterminated frame at the end", () => {
    const events = parseAll(["id: 7\nevent: delta\ndata: x\n\nevent: delta\ndata: cut"]);
    expect(events).toEqual([{ event: "delta", data: "x", id: "7" }]);
  });

  it("does not reuse the event name of the previous frame", () => {
    const events = parseAll(["event: error\ndata: 1\n\ndata: 2\n\n"]);
    expect(events.map((e) => e.event)).toEqual(["error", "message"]);
  });
});

describe("readSse", () => {
  it("decodes bytes split inside multi-byte characters", async () => {
    const bytes = new TextEncoder().encode('event: delta\ndata: {"text":"héllo ✓"}\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 3) controller.enqueue(bytes.slice(i, i + 3));
        controller.close();
      },
    });
    const seen: SseEvent[] = [];
    await readSse(body, (event) => seen.push(event));
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0].data).text).toBe("héllo ✓");
  });
});
