import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router-dom";
import { api, ApiError } from "../api/client";
import { FormError } from "../components/States";
import { Brand } from "../components/Brand";

const MIN_PASSWORD = 12; // the server's rule (app/core/tenancy/users.py)

/** /invite/:token — the page an invitation link opens: choose a name and password, then log in. */
export function InvitePage() {
  const { token = "" } = useParams();
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [joined, setJoined] = useState<{ email: string; role: string } | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (password.length < MIN_PASSWORD) return setError(`The password needs at least ${MIN_PASSWORD} characters.`);
    if (password !== repeat) return setError("The two passwords differ.");
    setPending(true);
    setError(null);
    try {
      const body = { password, display_name: name.trim() };
      setJoined(await api<{ email: string; role: string }>({ path: `/invites/${token}/accept`, method: "POST", body }));
    } catch (err) {
      setError(err instanceof ApiError ? err.detail || err.message : String(err));
    } finally {
      setPending(false);
    }
  }

  return (
    <main className="login-page">
      {joined ? (
        <div className="login-card" role="status">
          <h1>You're in</h1>
          <p>
            {joined.email} joined the workspace as {joined.role}. If you already had an account, your password is
            unchanged.
          </p>
          <Link className="btn btn-primary" to="/login">
            Log in
          </Link>
        </div>
      ) : (
        <form className="login-card" onSubmit={submit} aria-labelledby="invite-title">
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
        </form>
      )}
    </main>
  );
}
