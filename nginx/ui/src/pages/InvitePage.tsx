import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router-dom";
import { api, ApiError, setCsrfToken } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { FormError, Loading } from "../components/States";
import { Brand } from "../components/Brand";
import { CredentialFields } from "../components/CredentialFields";

const MIN_PASSWORD = 12; // the server's rule (app/core/tenancy/users.py)

type Joined = { email: string; role: string; existing: boolean };

function message(err: unknown): string {
  return err instanceof ApiError ? err.detail || err.message : String(err);
}

/** /invite/:token — the page an invitation link opens. A new person chooses a name and password;
 * someone whose address already has an account logs in to it and accepts with that session (the
 * server never sets an existing account's password from here). */
export function InvitePage() {
  const { token = "" } = useParams();
  const { me, checking, refresh, logout } = useAuth();
  const [mode, setMode] = useState<"new" | "login">("new");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [joined, setJoined] = useState<Joined | null>(null);

  async function accept(body: Record<string, string>, existing: boolean) {
    const answer = await api<{ email: string; role: string }>({ path: `/invites/${token}/accept`, method: "POST", body });
    setJoined({ ...answer, existing });
  }

  async function run(action: () => Promise<void>) {
    setPending(true);
    setError(null);
    try {
      await action();
    } catch (err) {
      if (err instanceof ApiError && err.code === "login_required") {
        setMode("login");
        setPassword(""); // the new-account password is not this account's
      }
      setError(message(err));
    } finally {
      setPending(false);
    }
  }

  function submitNew(event: FormEvent) {
    event.preventDefault();
    if (password.length < MIN_PASSWORD) return setError(`The password needs at least ${MIN_PASSWORD} characters.`);
    if (password !== repeat) return setError("The two passwords differ.");
    void run(() => accept({ password, display_name: name.trim() }, false));
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
      <main className="login-page">
        <div className="login-card" role="status">
          <h1>You're in</h1>
          <p>
            {joined.email} joined the workspace as {joined.role}.
          </p>
          {joined.existing ? (
            <Link className="btn btn-primary" to="/">
              Open Tracehouse
            </Link>
          ) : (
            <Link className="btn btn-primary" to="/login">
              Log in
            </Link>
          )}
        </div>
      </main>
    );
  }

  if (me?.user) {
    return (
      <main className="login-page">
        <div className="login-card" aria-labelledby="invite-title">
          <Brand />
          <h1 id="invite-title">Accept your invitation</h1>
          <p>
            You are logged in as {me.user.email}. The invitation joins the account of the address it was sent to.
          </p>
          <FormError error={error} />
          <button type="button" className="btn btn-primary" disabled={pending} onClick={() => void run(() => accept({}, true))}>
            {pending ? "Joining…" : "Join with this account"}
          </button>
          <button type="button" className="btn" disabled={pending} onClick={() => void logout()}>
            Use another account
          </button>
        </div>
      </main>
    );
  }

  if (mode === "login") {
    return (
      <main className="login-page">
        <form className="login-card" onSubmit={submitLogin} aria-labelledby="invite-title">
          <Brand />
          <h1 id="invite-title">Accept your invitation</h1>
          <p>Your address already has an account: log in to it to accept. Its password stays as it is.</p>
          <CredentialFields email={email} password={password} onEmail={setEmail} onPassword={setPassword} />
          <FormError error={error} />
          <button type="submit" className="btn btn-primary" disabled={pending}>
            {pending ? "Joining…" : "Log in and join"}
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => {
              setMode("new");
              setError(null);
            }}
          >
            I have no account yet
          </button>
        </form>
      </main>
    );
  }

  return (
    <main className="login-page">
      <form className="login-card" onSubmit={submitNew} aria-labelledby="invite-title">
        <Brand />
        <h1 id="invite-title">Accept your invitation</h1>
        <label className="field">
          <span>Your name</span>
          <input name="name" autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span>Password</span>
          <input
            type="password"
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <label className="field">
          <span>Repeat password</span>
          <input
            type="password"
            autoComplete="new-password"
            required
            value={repeat}
            onChange={(e) => setRepeat(e.target.value)}
          />
        </label>
        <FormError error={error} />
        <button type="submit" className="btn btn-primary" disabled={pending}>
          {pending ? "Joining…" : "Join the workspace"}
        </button>
        <button
          type="button"
          className="btn"
          onClick={() => {
            setMode("login");
            setError(null);
            setPassword("");
          }}
        >
          I already have an account
        </button>
      </form>
    </main>
  );
}
