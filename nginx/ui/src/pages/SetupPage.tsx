import { useState, type FormEvent } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router-dom";
import { api, ApiError, setCsrfToken } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { Loading } from "../components/States";
import { InputField } from "../components/Field";
import {
  AuthCard,
  AuthSubmit,
  EmailField,
  NewAccountFields,
  useFormAction,
  useNeedsSetup,
  useNewAccount,
} from "../components/CredentialFields";

/** /setup?token=… — the one-time link `migrate` logs while the installation has no account. Whoever
 * opens it chooses the first admin's email and password and is logged in at once. */
export function SetupPage() {
  const [params] = useSearchParams();
  const linkToken = params.get("token") ?? "";
  const { me, checking, refresh } = useAuth();
  const navigate = useNavigate();
  // If the check fails, the form's own answer will say what is wrong.
  const [needsSetup, setNeedsSetup] = useNeedsSetup(true);
  const [token, setToken] = useState(linkToken);
  const [email, setEmail] = useState("");
  const account = useNewAccount();
  const { error, setError, pending, run } = useFormAction();

  function submit(event: FormEvent) {
    event.preventDefault();
    const problem = account.problem();
    if (problem) return setError(problem);
    void run(
      async () => {
        const answer = await api<{ csrf_token: string }>({
          path: "/setup",
          method: "POST",
          body: { token: token.trim(), email, name: account.name.trim(), password: account.password },
        });
        setCsrfToken(answer.csrf_token);
        await refresh();
        navigate("/", { replace: true });
      },
      (err) => {
        if (err instanceof ApiError && err.code === "already_set_up") setNeedsSetup(false);
      },
    );
  }

  if (checking || needsSetup === null) return <Loading />;
  if (me) return <Navigate to="/" replace />;
  if (!needsSetup) {
    return (
      <AuthCard title="Already set up" titleId="setup-title">
        <p>This installation has an account already. Log in, or ask its admin for an invitation.</p>
        <Link className="btn btn-primary" to="/login">
          Log in
        </Link>
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Create the first admin" titleId="setup-title" onSubmit={submit}>
      <p>This account will administer the workspace and can invite everyone else.</p>
      {!linkToken && (
        <InputField
          label="Setup token"
          name="token"
          autoComplete="off"
          spellCheck={false}
          required
          value={token}
          onValue={setToken}
        />
      )}
      <EmailField email={email} onEmail={setEmail} />
      <NewAccountFields account={account} />
      <AuthSubmit error={error} pending={pending} label="Create admin and log in" pendingLabel="Creating…" />
    </AuthCard>
  );
}
