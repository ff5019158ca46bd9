import { useEffect, useState, type FormEvent } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router-dom";
import { api, ApiError, setCsrfToken } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { FormError, Loading } from "../components/States";
import { Brand } from "../components/Brand";

const MIN_PASSWORD = 12; // the server's rule (app/core/tenancy/users.py)

function message(err: unknown): string {
  return err instanceof ApiError ? err.detail || err.message : String(err);
}

/** /setup?token=… — the one-time link `migrate` logs while the installation has no account. Whoever
 * opens it chooses the first admin's email and password and is logged in at once. */
export function SetupPage() {
  const [params] = useSearchParams();
  const linkToken = params.get("token") ?? "";
  const { me, checking, refresh } = useAuth();
  const navigate = useNavigate();
  const [needsSetup, setNeedsSetup] = useState<boolean | null>(null);
  const [token, setToken] = useState(linkToken);
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  useEffect(() => {
    api<{ needs_setup: boolean }>({ path: "/setup" })
      .then((answer) => setNeedsSetup(answer.needs_setup))
      .catch(() => setNeedsSetup(true)); // the form's own answer will say what is wrong
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (password.length < MIN_PASSWORD) return setError(`The password needs at least ${MIN_PASSWORD} characters.`);
    if (password !== repeat) return setError("The two passwords differ.");
    setPending(true);
    setError(null);
    try {
      const answer = await api<{ csrf_token: string }>({
        path: "/setup",
        method: "POST",
        body: { token: token.trim(), email, name: name.trim(), password },
      });
      setCsrfToken(answer.csrf_token);
      await refresh();
      navigate("/", { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.code === "already_set_up") setNeedsSetup(false);
      setError(message(err));
    } finally {
      setPending(false);
    }
  }

  if (checking || needsSetup === null) return <Loading />;
  if (me) return <Navigate to="/" replace />;
  if (!needsSetup) {
    return (
      <main className="login-page">
        <div className="login-card" aria-labelledby="setup-title">
          <Brand />
          <h1 id="setup-title">Already set up</h1>
          <p>This installation has an account already. Log in, or ask its admin for an invitation.</p>
          <Link className="btn btn-primary" to="/login">
            Log in
          </Link>
        </div>
      </main>
    );
  }

  return (
    <main className="login-page">
      <form className="login-card" onSubmit={submit} aria-labelledby="setup-title">
        <Brand />
        <h1 id="setup-title">Create the first admin</h1>
        <p>This account will administer the workspace and can invite everyone else.</p>
        {!linkToken && (
          <label className="field">
            <span>Setup token</span>
            <input
              name="token"
              autoComplete="off"
              spellCheck={false}
              required
              value={token}
              onChange={(e) => setToken(e.target.value)}
            />
          </label>
        )}
        <label className="field">
          <span>Email</span>
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </label>
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
          {pending ? "Creating…" : "Create admin and log in"}
        </button>
      </form>
    </main>
  );
}
