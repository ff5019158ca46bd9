import { useEffect, useState, type FormEvent, type ReactNode } from "react";
import { api, ApiError } from "../api/client";
import { humanizeRetry } from "../lib/format";
import { Brand } from "./Brand";
import { InputField } from "./Field";
import { FormError } from "./States";

// The scaffold of the pages outside any workspace (login, invite, setup): one card, its fields,
// its error line and submit button, and the checks and request state they share.

export const MIN_PASSWORD = 12; // the server's rule (app/core/tenancy/users.py)

export function errorMessage(err: unknown): string {
  return err instanceof ApiError ? err.detail || err.message : String(err);
}

/** What is wrong with a chosen password and its repetition, if anything. */
export function newPasswordProblem(password: string, repeat: string): string | null {
  if (password.length < MIN_PASSWORD) return `The password needs at least ${MIN_PASSWORD} characters.`;
  if (password !== repeat) return "The two passwords differ.";
  return null;
}

/** A form's error line and pending flag; `run` clears the error, runs `action` and reports its failure. */
export function useFormAction() {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  async function run(action: () => Promise<void>, onError?: (err: unknown) => void) {
    setPending(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      onError?.(err);
      setError(errorMessage(err));
    } finally {
      setPending(false);
    }
  }
  return { error, setError, pending, run };
}

/** Whether the installation still has no account (GET /setup); null until it answers, `onFailure` if it fails. */
export function useNeedsSetup(onFailure: boolean): [boolean | null, (value: boolean) => void] {
  const [needsSetup, setNeedsSetup] = useState<boolean | null>(null);
  useEffect(() => {
    api<{ needs_setup: boolean }>({ path: "/setup" })
      .then((answer) => setNeedsSetup(answer.needs_setup))
      .catch(() => setNeedsSetup(onFailure));
  }, [onFailure]);
  return [needsSetup, setNeedsSetup];
}

/** The centred card of the login, invite and setup pages: a form when `onSubmit` is given. */
export function AuthCard({
  title,
  titleId,
  onSubmit,
  brand = true,
  role,
  children,
}: {
  title: ReactNode;
  titleId?: string;
  onSubmit?: (event: FormEvent) => void;
  brand?: boolean;
  role?: string;
  children: ReactNode;
}) {
  const body = (
    <>
      {brand && <Brand />}
      <h1 id={titleId}>{title}</h1>
      {children}
    </>
  );
  return (
    <main className="login-page">
      {onSubmit ? (
        <form className="login-card" onSubmit={onSubmit} aria-labelledby={titleId}>
          {body}
        </form>
      ) : (
        <div className="login-card" role={role} aria-labelledby={titleId}>
          {body}
        </div>
      )}
    </main>
  );
}

/** The form's error line, then its primary button (a submit button unless `onClick` is given). */
export function AuthSubmit({
  error,
  pending,
  label,
  pendingLabel,
  onClick,
}: {
  error: string | null;
  pending: boolean;
  label: string;
  pendingLabel: string;
  onClick?: () => void;
}) {
  // Throttles (login, setup, invite) say their wait in seconds; "14 minutes" reads better than "810 seconds".
  return (
    <>
      <FormError error={error && humanizeRetry(error)} />
      <button type={onClick ? "button" : "submit"} className="btn btn-primary" disabled={pending} onClick={onClick}>
        {pending ? pendingLabel : label}
      </button>
    </>
  );
}

export function EmailField({ email, onEmail }: { email: string; onEmail: (value: string) => void }) {
  return (
    <InputField label="Email" type="email" name="email" autoComplete="username" required value={email} onValue={onEmail} />
  );
}

/** Email and current password, as the login page and the invite page's "log in and join" ask. */
export function CredentialFields({
  email,
  password,
  onEmail,
  onPassword,
}: {
  email: string;
  password: string;
  onEmail: (value: string) => void;
  onPassword: (value: string) => void;
}) {
  return (
    <>
      <EmailField email={email} onEmail={onEmail} />
      <InputField
        label="Password"
        type="password"
        name="password"
        autoComplete="current-password"
        required
        value={password}
        onValue={onPassword}
      />
    </>
  );
}

/** The name, new password and repetition a new account is made with (setup, invite). */
export function useNewAccount() {
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  return { name, setName, password, setPassword, repeat, setRepeat, problem: () => newPasswordProblem(password, repeat) };
}

/** Name, a new password and its repetition, as the setup page and the invite page's new account ask. */
export function NewAccountFields({ account }: { account: ReturnType<typeof useNewAccount> }) {
  return (
    <>
      <InputField label="Your name" name="name" autoComplete="name" value={account.name} onValue={account.setName} />
      <NewPasswordField label="Password" value={account.password} onValue={account.setPassword} />
      <NewPasswordField label="Repeat password" value={account.repeat} onValue={account.setRepeat} />
    </>
  );
}

function NewPasswordField({ label, value, onValue }: { label: string; value: string; onValue: (value: string) => void }) {
  return <InputField label={label} type="password" autoComplete="new-password" required value={value} onValue={onValue} />;
}
