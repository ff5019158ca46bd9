import { useEffect, useState, type FormEvent } from "react";
import { Navigate, useSearchParams } from "react-router-dom";
import { api, ApiError } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { FormError, Loading } from "../components/States";
import { Brand } from "../components/Brand";
import { CredentialFields } from "../components/CredentialFields";

export function LoginPage() {
  const { me, checking, login } = useAuth();
  const [params] = useSearchParams();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [needsSetup, setNeedsSetup] = useState(false);

  useEffect(() => {
    // A fresh install has nobody to log in as: say where the first account comes from.
    api<{ needs_setup: boolean }>({ path: "/setup" })
      .then((answer) => setNeedsSetup(answer.needs_setup))
      .catch(() => setNeedsSetup(false));
  }, []);

  if (checking) return <Loading />;
  if (me) {
    const next = params.get("next");
    // Only same-site paths: never bounce a fresh login to another origin.
    const safe = next && next.startsWith("/") && !next.startsWith("//") ? next : `/o/${me.workspace_id}/projects`;
    return <Navigate to={safe} replace />;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      await login(email, password);
    } catch (err) {
      setError(err instanceof ApiError ? err.detail || err.message : String(err));
    } finally {
      setPending(false);
    }
  }

  return (
    <main className="login-page">
      <form className="login-card" onSubmit={submit} aria-labelledby="login-title">
        <Brand />
        <h1 id="login-title">Log in</h1>
        {needsSetup && (
          <p className="login-hint" role="note">
            This installation has no accounts yet. Open the setup link printed by <code>./tracehouse up</code> or{" "}
            <code>docker compose logs migrate</code>, or create one with <code>./tracehouse user create</code>.
          </p>
        )}
        <CredentialFields email={email} password={password} onEmail={setEmail} onPassword={setPassword} />
        <FormError error={error} />
        <button type="submit" className="btn btn-primary" disabled={pending}>
          {pending ? "Logging in…" : "Log in"}
        </button>
      </form>
    </main>
  );
}
