// The answer of one /playground/stream call, built up event by event (pure; the page renders it).

import type { SseEvent } from "./sse";

export interface StreamToolCall {
  index: number;
  id: string;
  name: string;
  arguments: string;
}

export interface StreamUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
}

export interface StreamEnd {
  run_id?: string;
  message?: { role?: string; content?: unknown; tool_calls?: unknown[] } | null;
  finish_reason?: string | null;
  model?: string;
  usage?: StreamUsage;
  latency?: number;
  first_token_latency?: number | null;
}

export interface StreamFailure {
  status?: number; // HTTP status when the call was refused before streaming
  code: string;
  detail: string;
}

export type StreamStatus = "running" | "done" | "stopped" | "error";

export interface StreamState {
  status: StreamStatus;
  runId?: string;
  text: string;
  toolCalls: StreamToolCall[];
  end?: StreamEnd;
  error?: StreamFailure;
  startedAt: number;
  endedAt?: number;
  model: string;
}

export function startState(model: string, now: number): StreamState {
  return { status: "running", text: "", toolCalls: [], startedAt: now, model };
}

function parse(data: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(data);
    return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The state after one event. Unknown events change nothing. */
export function applyEvent(state: StreamState, event: SseEvent, now: number): StreamState {
  const data = parse(event.data);
  switch (event.event) {
    case "run":
      return { ...state, runId: typeof data.run_id === "string" ? data.run_id : state.runId };
    case "delta":
      return typeof data.text === "string" ? { ...state, text: state.text + data.text } : state;
    case "tool_call": {
      const index = typeof data.index === "number" ? data.index : 0;
      const calls = [...state.toolCalls];
      let position = calls.findIndex((c) => c.index === index);
      if (position === -1) {
        calls.push({ index, id: "", name: "", arguments: "" });
        position = calls.length - 1;
      }
      const call = calls[position];
      calls[position] = {
        index,
        id: typeof data.id === "string" && data.id ? data.id : call.id,
        name: typeof data.name === "string" && data.name ? data.name : call.name,
        arguments: call.arguments + (typeof data.arguments === "string" ? data.arguments : ""),
      };
      return { ...state, toolCalls: calls };
    }
    case "end": {
      const end = data as StreamEnd;
      const next: StreamState = { ...state, status: "done", end, endedAt: now };
      if (end.run_id) next.runId = end.run_id;
      if (end.model) next.model = end.model;
      // The final message is authoritative (e.g. a provider that does not stream some text).
      const content = end.message?.content;
      if (typeof content === "string" && content.length >= state.text.length) next.text = content;
      return next;
    }
    case "error":
      return {
        ...state,
        status: "error",
        endedAt: now,
        error: {
          code: typeof data.error === "string" ? data.error : "stream_error",
          detail: typeof data.detail === "string" ? data.detail : event.data,
        },
      };
    default:
      return state;
  }
}

/** What the user can do about an error, beyond the API's own message. */
export function errorHint(failure: StreamFailure): string | null {
  switch (failure.code) {
    case "provider_auth_failed":
      return "The provider refused its API key. An admin can fix the key in Settings → Model providers.";
    case "provider_rate_limited":
      return "The provider is rate limiting this key. Wait a moment and run again.";
    case "model_not_found":
      return "The provider does not know this model. Pick one from the list of models.";
    case "egress_refused":
      return "Tracehouse may not call this provider's address (PLAYGROUND_ALLOWED_HOSTS).";
    case "provider_timeout":
      return "The provider took too long to answer.";
    case "provider_unreachable":
      return "Tracehouse cannot reach the provider's base URL.";
    default:
      return null;
  }
}
