import { useEffect, useRef, type FormEvent, type ReactNode } from "react";
import type { ApiError } from "../api/client";
import { FormError } from "./States";

/** A modal built on <dialog>: focus trapping, Escape to close and the backdrop come with it. */
export function Dialog({
  open,
  title,
  onClose,
  children,
  wide,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal?.();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} className={wide ? "dialog wide" : "dialog"} aria-label={title} onClose={onClose}>
      <header className="dialog-header">
        <h2>{title}</h2>
        <button type="button" className="btn-icon" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {open && <div className="dialog-body">{children}</div>}
    </dialog>
  );
}

/** What a dialog says once its action is done: the outcome (a status), and Close, focused. */
export function DoneDialog({ open = true, title, onClose, children }: { open?: boolean; title: string; onClose: () => void; children: ReactNode }) {
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <p role="status">{children}</p>
      <div className="row">
        <span className="spacer" />
        <button type="button" className="btn btn-primary" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </Dialog>
  );
}

/**
 * The footer of a dialog's form: Cancel, then the submit button, which shows `pendingLabel` while
 * its request runs. `children` go at the start of the row (e.g. a destructive action).
 */
export function DialogActions({
  onCancel,
  submitLabel,
  pendingLabel = submitLabel,
  pending = false,
  disabled = false,
  danger = false,
  children,
}: {
  onCancel: () => void;
  submitLabel: string;
  pendingLabel?: string;
  pending?: boolean;
  /** Disable the submit button for a reason other than a pending request (e.g. an empty required field). */
  disabled?: boolean;
  /** The submit button destroys something: draw it red. */
  danger?: boolean;
  children?: ReactNode;
}) {
  return (
    <div className="row">
      {children}
      <span className="spacer" />
      <button type="button" className="btn" onClick={onCancel}>
        Cancel
      </button>
      <button
        type="submit"
        className={danger ? "btn btn-primary btn-danger-fill" : "btn btn-primary"}
        disabled={pending || disabled}
      >
        {pending ? pendingLabel : submitLabel}
      </button>
    </div>
  );
}

/**
 * A dialog's form: its fields, then an error line for each of `errors` (the form's own checks, the
 * request's), then DialogActions with the remaining props.
 */
export function DialogForm({
  onSubmit,
  errors,
  autoComplete,
  children,
  ...actions
}: {
  onSubmit: (event: FormEvent) => unknown;
  errors: (ApiError | Error | string | null | undefined)[];
  autoComplete?: string;
  children: ReactNode;
} & Omit<Parameters<typeof DialogActions>[0], "children">) {
  return (
    <form className="stack" onSubmit={(event) => void onSubmit(event)} autoComplete={autoComplete}>
      {children}
      {errors.map((error, i) => (
        <FormError key={i} error={error} />
      ))}
      <DialogActions {...actions} />
    </form>
  );
}

/** A Dialog holding one DialogForm, whose Cancel closes it. */
export function FormDialog({
  open,
  title,
  onClose,
  wide,
  ...form
}: { open: boolean; title: string; onClose: () => void; wide?: boolean } & Omit<
  Parameters<typeof DialogForm>[0],
  "onCancel"
>) {
  return (
    <Dialog open={open} title={title} onClose={onClose} wide={wide}>
      <DialogForm onCancel={onClose} {...form} />
    </Dialog>
  );
}
