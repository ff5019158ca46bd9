import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router-dom";
import { api, ApiError, setCsrfToken } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { Loading } from "../components/States";
import {
  AuthCard,
  AuthSubmit,
  CredentialFields,
  NewAccountFields,
  useFormAction,
  useNewAccount,
} from "../components/CredentialFields";

type Joined = { email: string; role: string; existing: boolean };

/** /invite/:token — the page an invitation link opens. A new person chooses a name and password;
 * someone whose address already has an account logs in to it and accepts with that session (the
 * server never sets an existing account's password from here). */
export function InvitePage() {
  const { token = "" } = useParams();
  const { me, checking, refresh, logout } = useAuth();
  const [mode, setMode] = useState<"new" | "login">("new");
  const account = useNewAccount();
  const { password, setPassword } = account;
  const [email, setEmail] = useState("");
  const form = useFormAction();
  const { error, setError, pending } = form;
  const [joined, setJoined] = useState<Joined | null>(null);

  async function accept(body: Record<string, string>, existing: boolean) {
    const answer = await api<{ email: string; role: string }>({ path: `/invites/${token}/accept`, method: "POST", body });
    setJoined({ ...answer, existing });
  }

  function run(action: () => Promise<void>) {
    return form.run(action, (err) => {
      if (err instanceof ApiError && err.code === "login_required") {
        setMode("login");
        setPassword(""); // the new-account password is not this account's
      }
    });
  }

  function switchTo(next: "new" | "login") {
    setMode(next);
    setError(null);
    if (next === "login") setPassword("");
  }

  function submitNew(event: FormEvent) {
    event.preventDefault();
    const problem = account.problem();
    if (problem) return setError(problem);
    void run(() => accept({ password, display_name: account.name.trim() }, false));
  }

  function submitLogin(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      // Logged in here rather than through useAuth().login: its /auth/me check fails for an
      // account that is in no workspace yet, and accepting must not wait on it.
      const session = await api<{ csrf_token: string }>({
        path: "/auth/login",
        method: "POST",
        body: { email, password },
      });
      setCsrfToken(session.csrf_token);
      await accept({}, true);
      await refresh();
    });
  }

  if (checking) return <Loading />;
  if (joined) {
    return (
      <AuthCard title="You're in" brand={false} role="status">
        <p>
          {joined.email} joined the workspace as {joined.role}.
        </p>
        <Link className="btn btn-primary" to={joined.existing ? "/" : "/login"}>
          {joined.existing ? "Open Tracehouse" : "Log in"}
        </Link>
      </AuthCard>
    );
  }

  if (me?.user) {
    return (
      <AuthCard title="Accept your invitation" titleId="invite-title">
        <p>
          You are logged in as {me.user.email}. The invitation joins the account of the address it was sent to.
        </p>
        <AuthSubmit
          error={error}
          pending={pending}
          label="Join with this account"
          pendingLabel="Joining…"
          onClick={() => void run(() => accept({}, true))}
        />
        <button type="button" className="btn" disabled={pending} onClick={() => void logout()}>
          Use another account
        </button>
      </AuthCard>
    );
  }

  if (mode === "login") {
    return (
      <AuthCard title="Accept your invitation" titleId="invite-title" onSubmit={submitLogin}>
        <p>Your address already has an account: log in to it to accept. Its password stays as it is.</p>
        <CredentialFields email={email} password={password} onEmail={setEmail} onPassword={setPassword} />
        <AuthSubmit error={error} pending={pending} label="Log in and join" pendingLabel="Joining…" />
        <button type="button" className="btn" onClick={() => switchTo("new")}>
          I have no account yet
        </button>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Accept your invitation" titleId="invite-title" onSubmit={submitNew}>
      <NewAccountFields account={account} />
      <AuthSubmit error={error} pending={pending} label="Join the workspace" pendingLabel="Joining…" />
      <button type="button" className="btn" onClick={() => switchTo("login")}>
        I already have an account
      </button>
    </AuthCard>
  );
}
