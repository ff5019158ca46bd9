// Display helpers of the threads tab.
//
// A thread's turn usually re-sends the whole conversation as its input; the turn view shows only
// what is new in it (the user messages after the last assistant reply), the rest one click away.
import { toMessage } from "../../components/messages/normalize";

export interface Condensed {
  value: { messages: unknown[] };
  hidden: number; // messages left out
}

function messagesOf(inputs: Record<string, unknown> | null | undefined): unknown[] | null {
  if (!inputs) return null;
  const keys = Object.keys(inputs);
  const list = "messages" in inputs ? inputs.messages : keys.length === 1 ? inputs[keys[0]] : undefined;
  if (!Array.isArray(list) || list.length === 0) return null;
  return list.every(Array.isArray) ? (list as unknown[][]).flat() : list;
}

/** The trailing user messages of a chat input, or null when there is nothing to leave out. */
export function latestUserMessages(inputs: Record<string, unknown> | null | undefined): Condensed | null {
  const messages = messagesOf(inputs);
  if (!messages) return null;
  const roles = messages.map((m) => toMessage(m)?.role ?? null);
  if (roles.some((r) => r === null)) return null; // not a list of chat messages
  let start = roles.length;
  while (start > 0 && roles[start - 1] === "user") start -= 1;
  if (start === roles.length || start === 0) return null; // no trailing user message, or nothing to hide
  return { value: { messages: messages.slice(start) }, hidden: start };
}

/** A markdown preview as plain text: emphasis, code and heading marks dropped. */
export function plainText(text: string): string {
  return text
    .replace(/(\*\*|__)(.+?)\1/g, "$2")
    .replace(/(^|[\s(])[*_]([^*_\s][^*_]*?)[*_](?=[\s).,;:!?]|$)/g, "$1$2")
    .replace(/`([^`]+)`/g, "$1")
    .replace(/^#{1,6}\s+/, "");
}

/** "8 min", "2 h 5 min", "3 d 4 h" (seconds; null: a dash). */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || Number.isNaN(seconds)) return "–";
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** "27 Nov 04:59" in local time. */
export function formatShortTime(value: string): string {
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  if (Number.isNaN(date.getTime())) return "–";
  const day = date.toLocaleDateString("en-GB", { day: "numeric", month: "short" });
  return `${day} ${date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })}`;
}
