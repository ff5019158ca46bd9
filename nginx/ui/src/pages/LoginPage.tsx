import { useState, type FormEvent } from "react";
import { Navigate, useSearchParams } from "react-router-dom";
import { useAuth } from "../auth/AuthContext";
import { Loading } from "../components/States";
import { AuthCard, AuthSubmit, CredentialFields, useFormAction, useNeedsSetup } from "../components/CredentialFields";

export function LoginPage() {
  const { me, checking, login } = useAuth();
  const [params] = useSearchParams();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { error, pending, run } = useFormAction();
  // A fresh install has nobody to log in as: say where the first account comes from.
  const [needsSetup] = useNeedsSetup(false);

  if (checking) return <Loading />;
  if (me) {
    const next = params.get("next");
    // Only same-site paths: never bounce a fresh login to another origin.
    const safe = next && next.startsWith("/") && !next.startsWith("//") ? next : `/o/${me.workspace_id}/projects`;
    return <Navigate to={safe} replace />;
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void run(() => login(email, password));
  }

  return (
    <AuthCard title="Log in" titleId="login-title" onSubmit={submit}>
      {needsSetup && (
        <p className="login-hint" role="note">
          This installation has no accounts yet. Open the setup link printed by <code>./tracehouse up</code> or{" "}
          <code>docker compose logs migrate</code>, or create one with <code>./tracehouse user create</code>.
        </p>
      )}
      <CredentialFields email={email} password={password} onEmail={setEmail} onPassword={setPassword} />
      <AuthSubmit error={error} pending={pending} label="Log in" pendingLabel="Logging in…" />
    </AuthCard>
  );
}
