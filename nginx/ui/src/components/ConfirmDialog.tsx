import "./confirm.css";
import type { ReactNode } from "react";
import type { ApiError } from "../api/client";
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
