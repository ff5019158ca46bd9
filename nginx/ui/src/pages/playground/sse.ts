// Server-Sent Events, parsed as the HTML spec describes (the subset a fetch() reader needs):
// lines end in \n, \r\n or \r; "event:" names the event, "data:" lines are joined with \n, a blank
// line dispatches; ":" starts a comment. Chunks may split anywhere, even inside a line ending.

export interface SseEvent {
  event: string; // "message" when the frame names none
  data: string;
  id?: string;
}

export class SseParser {
  private buffer = "";
  private event = "";
  private data: string[] = [];
  private id: string | undefined;
  private sawData = false;

  /** Feed decoded text; returns the events completed by it. */
  feed(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // A trailing \r may be the first half of \r\n: wait for the next chunk to tell.
      if (match[0] === "\r" && match.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const event = this.line(line);
      if (event) out.push(event);
    }
    return out;
  }

  /** The stream ended: a frame without its closing blank line is dropped, as browsers do. */
  end(): SseEvent[] {
    const out: SseEvent[] = [];
    if (this.buffer.endsWith("\r")) {
      const event = this.line(this.buffer.slice(0, -1));
      if (event) out.push(event);
    }
    this.buffer = "";
    this.reset();
    return out;
  }

  private reset(): void {
    this.event = "";
    this.data = [];
    this.sawData = false;
  }

  private line(line: string): SseEvent | null {
    if (line === "") {
      if (!this.sawData) {
        this.reset();
        return null;
      }
      const event: SseEvent = { event: this.event || "message", data: this.data.join("\n") };
      if (this.id !== undefined) event.id = this.id;
      this.reset();
      return event;
    }
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.event = value;
    else if (field === "data") {
      this.data.push(value);
      this.sawData = true;
    } else if (field === "id" && !value.includes("\0")) this.id = value;
    return null;
  }
}

/** Read a response body to its end, calling `onEvent` for every event as it arrives. */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: SseEvent) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const event of parser.feed(decoder.decode(value, { stream: true }))) onEvent(event);
    }
    for (const event of parser.feed(decoder.decode())) onEvent(event);
    for (const event of parser.end()) onEvent(event);
  } finally {
    reader.releaseLock();
  }
}
