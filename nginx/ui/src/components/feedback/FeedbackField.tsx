import type { KeyboardEvent, ReactNode } from "react";
import "./feedback.css";
import { rangeText, type Widget } from "./config";

/**
 * One feedback key's input, shaped by its config: categorical → a button per category (number keys
 * 1–9 and the arrows pick one; only the picked button is a tab stop, so Tab moves to the next key),
 * continuous → a bounded number with a slider when the range is known, freeform → text. Enter
 * submits the enclosing form in every shape. `draft` is the picked index or the typed text.
 */
export function FeedbackField({
  id,
  label,
  hint,
  widget,
  draft,
  onDraft,
  invalid,
  autoFocus,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  widget: Widget;
  draft: string;
  onDraft: (draft: string) => void;
  invalid?: boolean;
  autoFocus?: boolean;
}) {
  if (widget.kind === "categorical") {
    const picked = draft === "" ? -1 : Number(draft);
    const focusChoice = (group: HTMLElement, index: number) => {
      onDraft(String(index));
      (group.querySelectorAll("button")[index] as HTMLButtonElement | undefined)?.focus();
    };
    const onKey = (event: KeyboardEvent<HTMLDivElement>) => {
      const count = widget.choices.length;
      if (/^[1-9]$/.test(event.key) && Number(event.key) <= count) {
        event.preventDefault();
        focusChoice(event.currentTarget, Number(event.key) - 1);
      } else if (event.key === "ArrowRight" || event.key === "ArrowDown") {
        event.preventDefault();
        focusChoice(event.currentTarget, (picked + 1 + count) % count);
      } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
        event.preventDefault();
        focusChoice(event.currentTarget, (Math.max(picked, 0) - 1 + count) % count);
      } else if (event.key === "Enter") {
        // A focused button would take Enter as a click; here it means "submit", as in a text input.
        event.preventDefault();
        event.currentTarget.closest("form")?.requestSubmit();
      }
    };
    return (
      <div className="fbf">
        <span className="fbf-label" id={`${id}-label`}>
          {label}
        </span>
        {hint && <span className="muted fbf-hint">{hint}</span>}
        <div className="fbf-choices" role="radiogroup" aria-labelledby={`${id}-label`} onKeyDown={onKey}>
          {widget.choices.map((choice, i) => (
            <button
              key={`${choice.label}-${i}`}
              type="button"
              role="radio"
              aria-checked={picked === i}
              tabIndex={picked === i || (picked < 0 && i === 0) ? 0 : -1}
              autoFocus={autoFocus && (picked === i || (picked < 0 && i === 0))}
              className={picked === i ? "btn btn-small fbf-choice picked" : "btn btn-small fbf-choice"}
              onClick={() => onDraft(picked === i ? "" : String(i))}
            >
              {i < 9 && (
                <kbd className="fbf-kbd" aria-hidden="true">
                  {i + 1}
                </kbd>
              )}
              {choice.label}
              {choice.hint && choice.hint !== choice.label && <span className="fbf-choice-hint">{choice.hint}</span>}
            </button>
          ))}
        </div>
      </div>
    );
  }
  if (widget.kind === "freeform") {
    return (
      <label className="field fbf" htmlFor={id}>
        <span className="fbf-label">{label}</span>
        {hint && <span className="muted fbf-hint">{hint}</span>}
        <input id={id} value={draft} onChange={(e) => onDraft(e.target.value)} aria-invalid={invalid || undefined} autoFocus={autoFocus} />
      </label>
    );
  }
  const range = rangeText(widget);
  const bounded = widget.min !== null && widget.max !== null;
  return (
    <div className="fbf">
      <label className="fbf-label" htmlFor={id}>
        {label}
        {range && <span className="muted"> ({range})</span>}
      </label>
      {hint && <span className="muted fbf-hint">{hint}</span>}
      <div className="row">
        {bounded && (
          <input
            type="range"
            tabIndex={-1}
            aria-hidden="true"
            className="fbf-slider"
            min={widget.min ?? undefined}
            max={widget.max ?? undefined}
            step="any"
            value={draft === "" || !Number.isFinite(Number(draft)) ? (widget.min ?? 0) : Number(draft)}
            onChange={(e) => onDraft(e.target.value)}
          />
        )}
        <input
          id={id}
          className="fbf-number"
          inputMode="decimal"
          value={draft}
          onChange={(e) => onDraft(e.target.value)}
          placeholder={range ?? "1"}
          aria-invalid={invalid || undefined}
          autoFocus={autoFocus}
        />
      </div>
    </div>
  );
}
