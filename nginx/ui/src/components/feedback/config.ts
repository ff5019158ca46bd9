// How a feedback key is scored: from its workspace feedback config (GET /feedback-configs, the
// SDK's FeedbackConfig) or, for a queue's rubric key without one, from the rubric's descriptions.
// Pure, so the form's shapes and checks are unit tested.

export interface FeedbackCategory {
  value: number;
  label?: string | null;
}

export interface FeedbackConfig {
  type: "continuous" | "categorical" | "freeform";
  min?: number | null;
  max?: number | null;
  categories?: FeedbackCategory[] | null;
}

export interface FeedbackConfigEntry {
  feedback_key: string;
  feedback_config: FeedbackConfig;
}

/** What a rubric item says about its key (a subset of the queue's rubric item). */
export interface RubricHints {
  score_descriptions?: Record<string, string> | null;
  value_descriptions?: Record<string, string> | null;
}

/** One button of a categorical key: what it stores (score and/or value) and what it shows. */
export interface Choice {
  label: string;
  score: number | null;
  value: string | null;
  hint?: string;
}

export type Widget =
  | { kind: "categorical"; choices: Choice[] }
  | { kind: "continuous"; min: number | null; max: number | null }
  | { kind: "freeform" };

/** What the reviewer picked or typed for one key; null: nothing yet. */
export type Answer = { score: number | null; value: string | null } | null;

function finite(n: unknown): number | null {
  return typeof n === "number" && Number.isFinite(n) ? n : null;
}

/** The form for a key: its config wins; else the rubric's score or value descriptions; else a free score. */
export function widgetFor(config?: FeedbackConfig | null, rubric?: RubricHints | null): Widget {
  if (config?.type === "categorical" && config.categories && config.categories.length > 0) {
    return {
      kind: "categorical",
      choices: config.categories.map((c) => ({ label: c.label || String(c.value), score: c.value, value: c.label ?? null })),
    };
  }
  if (config?.type === "freeform") return { kind: "freeform" };
  if (config?.type === "continuous") return { kind: "continuous", min: finite(config.min), max: finite(config.max) };
  const scores = Object.entries(rubric?.score_descriptions ?? {}).filter(([s]) => Number.isFinite(Number(s)));
  if (scores.length > 0) {
    return {
      kind: "categorical",
      choices: scores
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([s, hint]) => ({ label: s, score: Number(s), value: null, hint })),
    };
  }
  const values = Object.entries(rubric?.value_descriptions ?? {});
  if (values.length > 0) return { kind: "categorical", choices: values.map(([v, hint]) => ({ label: v, score: null, value: v, hint })) };
  return { kind: "continuous", min: null, max: null };
}

/** The index of the choice the answer matches (-1: none). */
export function choiceIndex(widget: Widget, answer: Answer): number {
  if (widget.kind !== "categorical" || !answer) return -1;
  return widget.choices.findIndex((c) => c.score === answer.score && c.value === answer.value);
}

/** A number key ("1"…"9") picks that choice of a categorical key; anything else: null. */
export function choiceForKey(widget: Widget, key: string): Choice | null {
  if (widget.kind !== "categorical" || !/^[1-9]$/.test(key)) return null;
  return widget.choices[Number(key) - 1] ?? null;
}

/** A typed score, checked against the key's range: the answer, or a message naming the problem. */
export function parseScore(widget: Widget, text: string, key: string): { answer: Answer; error?: string } {
  const trimmed = text.trim();
  if (trimmed === "") return { answer: null };
  const n = Number(trimmed);
  if (!Number.isFinite(n)) return { answer: null, error: `${key}: the score must be a number (e.g. 1, 0, 0.75).` };
  if (widget.kind === "continuous") {
    if (widget.min !== null && n < widget.min) return { answer: null, error: `${key}: the score must be at least ${widget.min}.` };
    if (widget.max !== null && n > widget.max) return { answer: null, error: `${key}: the score must be at most ${widget.max}.` };
  }
  return { answer: { score: n, value: null } };
}

/** The range a continuous key's input shows, e.g. "0–1"; null when unbounded. */
export function rangeText(widget: Widget): string | null {
  if (widget.kind !== "continuous" || (widget.min === null && widget.max === null)) return null;
  return `${widget.min ?? "−∞"}–${widget.max ?? "∞"}`;
}

/**
 * A key's draft as the form holds it (the chosen index for a categorical key, the typed text
 * otherwise) turned into what is stored: score and value, or an error message.
 */
export function answerFor(widget: Widget, draft: string, key: string): { answer: Answer; error?: string } {
  if (widget.kind === "categorical") {
    const choice = draft === "" ? undefined : widget.choices[Number(draft)];
    return { answer: choice ? { score: choice.score, value: choice.value } : null };
  }
  if (widget.kind === "freeform") return { answer: draft.trim() ? { score: null, value: draft.trim() } : null };
  return parseScore(widget, draft, key);
}

/** The draft that shows a stored answer (the inverse of answerFor): a choice's index, or the text. */
export function draftFor(widget: Widget, answer: Answer): string {
  if (!answer) return "";
  if (widget.kind === "categorical") {
    const i = choiceIndex(widget, answer);
    return i < 0 ? "" : String(i);
  }
  if (widget.kind === "freeform") return answer.value ?? "";
  return answer.score === null ? "" : String(answer.score);
}
