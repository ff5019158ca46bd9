import "./confirm.css";
import { useState, type ReactNode } from "react";
import type { ApiError } from "../api/client";
import { useMutation } from "../api/hooks";
import { Dialog } from "./Dialog";
import { FormError } from "./States";

/** Ask before a destructive action; shows the action's error in place. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  pending,
  error,
  onConfirm,
  onClose,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  pending?: boolean;
  error?: ApiError | null;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <div className="confirm-text">{children}</div>
      <FormError error={error} />
      <div className="row">
        <span className="spacer" />
        <button type="button" className="btn" onClick={onClose} autoFocus>
          Cancel
        </button>
        <button type="button" className="btn btn-primary btn-danger-fill" disabled={pending} onClick={onConfirm}>
          {pending ? "Working…" : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}

/** A destructive action on one item, asked about first: `ask(item)` opens the dialog (clearing the
 * last attempt's error); confirming runs `action` and closes the dialog once it succeeds. */
export function useConfirmedAction<T>(action: (item: T) => Promise<void>) {
  const [target, setTarget] = useState<T | null>(null);
  const mutation = useMutation(async (item: T) => {
    await action(item);
    return true;
  });
  return {
    target,
    mutation,
    ask: (item: T) => {
      mutation.clearError();
      setTarget(item);
    },
    close: () => setTarget(null),
    confirm: async () => {
      if (target && (await mutation.mutate(target))) setTarget(null);
    },
  };
}

/** The ConfirmDialog of a `useConfirmedAction`, open while it has a target. */
export function ConfirmAction<T>({
  action,
  title,
  confirmLabel,
  children,
}: {
  action: ReturnType<typeof useConfirmedAction<T>>;
  title: string;
  confirmLabel: string;
  children: ReactNode;
}) {
  return (
    <ConfirmDialog
      open={action.target !== null}
      title={title}
      confirmLabel={confirmLabel}
      pending={action.mutation.pending}
      error={action.mutation.error}
      onClose={action.close}
      onConfirm={() => void action.confirm()}
    >
      {children}
    </ConfirmDialog>
  );
}
