// A run's error string, split so the UI states the message once. The SDK records
// `repr(exc)` + "\n\n" + the formatted traceback, whose last line repeats the message: shown as
// is, the same error appeared three times (summary, repr, traceback's last line).

export interface SplitError {
  /** The one line to show: "Type: message" when the traceback has it, else the first line. */
  message: string;
  /** The traceback (or the rest of a multi-line error), null when there is none. */
  detail: string | null;
}

const EXCEPTION_LINE = /^[\w.]*(Error|Exception|Interrupt|Exit|Warning)\b/;

export function splitError(error: string): SplitError {
  const lines = error.trim().split("\n");
  const first = lines[0] ?? "";
  const rest = lines.slice(1);
  if (!rest.some((l) => l.trim())) return { message: first, detail: null };
  const tracebackAt = lines.findIndex((l) => l.startsWith("Traceback (most recent call last)"));
  const last = rest.filter((l) => l.trim()).slice(-1)[0];
  const message = last && EXCEPTION_LINE.test(last.trim()) ? last.trim() : first;
  // The traceback alone: the repr line before it only restates the message.
  const detail = tracebackAt > 0 ? lines.slice(tracebackAt).join("\n") : error.trim();
  return { message, detail };
}
