import { Fragment, useEffect, useState, type FormEvent } from "react";
import { api, ApiError } from "../../api/client";
import { invalidate, useApi, useMutation } from "../../api/hooks";
import { useWorkspace } from "../../auth/AuthContext";
import { ConfirmAction, useConfirmedAction } from "../../components/ConfirmDialog";
import { FormDialog } from "../../components/Dialog";
import { EmptyState } from "../../components/States";
import { ACTIONS_COLUMN, RelativeTime, type Column } from "../../components/Table";
import { Field } from "../../components/Field";
import { RowButton, SettingsSection, SettingsTable } from "./parts";
import { DEFAULT_BASE_URL, KIND_LABEL, type Provider, type ProviderKind } from "./types";

const PATH = "/playground/providers";
const NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

const PROVIDER_COLUMNS: Column[] = [
  { label: "Name" },
  { label: "Kind" },
  { label: "Base URL" },
  { label: "API key" },
  { label: "Default model" },
  { label: "Updated" },
  ACTIONS_COLUMN,
];

type TestResult = { state: "running" } | { state: "ok"; models: string[] } | { state: "error"; message: string };

export function ProvidersTab() {
  const { role } = useWorkspace();
  const isAdmin = role === "admin";
  const providers = useApi<Provider[]>({ path: PATH });
  const [editing, setEditing] = useState<Provider | "new" | null>(null);
  const [tests, setTests] = useState<Record<string, TestResult>>({});

  const test = async (provider: Provider) => {
    setTests((t) => ({ ...t, [provider.id]: { state: "running" } }));
    try {
      const models = await api<string[]>({ path: `${PATH}/${provider.id}/models` });
      setTests((t) => ({ ...t, [provider.id]: { state: "ok", models } }));
    } catch (err) {
      const message = err instanceof ApiError ? err.message : String(err);
      setTests((t) => ({ ...t, [provider.id]: { state: "error", message } }));
    }
  };

  const remove = useConfirmedAction(async (provider: Provider) => {
    await api({ path: `${PATH}/${provider.id}`, method: "DELETE" });
    providers.setData((providers.data ?? []).filter((p) => p.id !== provider.id));
    invalidate(PATH);
  });
  const deleting = remove.target;

  const saved = (provider: Provider) => {
    const list = providers.data ?? [];
    const exists = list.some((p) => p.id === provider.id);
    providers.setData(exists ? list.map((p) => (p.id === provider.id ? provider : p)) : [...list, provider]);
    invalidate(PATH);
    setTests(({ [provider.id]: _dropped, ...rest }) => rest); // settings changed: the last test no longer applies
  };

  return (
    <SettingsSection
      id="providers-heading"
      title="Model providers"
      description={
        <>
          The LLM endpoints the playground and prompt runs call. Keys are stored encrypted and never shown again
          {isAdmin ? "." : "; only admins can change providers."}
        </>
      }
      actions={
        isAdmin && (
          <button type="button" className="btn btn-primary" onClick={() => setEditing("new")}>
            Add provider
          </button>
        )
      }
    >
      <SettingsTable
        state={providers}
        label="Loading providers"
        className="providers-table"
        columns={PROVIDER_COLUMNS}
        empty={
          <EmptyState title="No model providers">
            {isAdmin
              ? "Add OpenAI, Anthropic or any OpenAI-compatible server (vLLM, Ollama, LiteLLM…) to use the playground."
              : "Ask an admin to add one to use the playground."}
          </EmptyState>
        }
      >
        {(data) =>
          data.map((p) => {
            const result = tests[p.id];
            return (
              <Fragment key={p.id}>
                <tr>
                  <td>
                    <strong>{p.name}</strong>
                  </td>
                  <td>
                    <span className="badge">{KIND_LABEL[p.kind] ?? p.kind}</span>
                  </td>
                  <td className="url-cell">
                    {p.base_url ? (
                      <code>{p.base_url}</code>
                    ) : (
                      <span className="muted">default ({DEFAULT_BASE_URL[p.kind] ?? "none"})</span>
                    )}
                  </td>
                  <td>
                    {p.has_api_key ? (
                      <code title="Only the last characters are kept for display">{p.api_key_hint ?? "set"}</code>
                    ) : (
                      <span className="muted">none</span>
                    )}
                  </td>
                  <td>{p.default_model ? <code>{p.default_model}</code> : <span className="muted">–</span>}</td>
                  <td className="nowrap">
                    <RelativeTime value={p.updated_at} />
                  </td>
                  <td className="num nowrap">
                    <RowButton
                      label={`Test ${p.name}: list its models`}
                      disabled={result?.state === "running"}
                      onClick={() => void test(p)}
                    >
                      {result?.state === "running" ? "Testing…" : "Test"}
                    </RowButton>{" "}
                    {isAdmin && (
                      <>
                        <RowButton label={`Edit ${p.name}`} onClick={() => setEditing(p)}>
                          Edit
                        </RowButton>{" "}
                        <RowButton danger label={`Delete ${p.name}`} onClick={() => remove.ask(p)}>
                          Delete
                        </RowButton>
                      </>
                    )}
                  </td>
                </tr>
                {result && result.state !== "running" && (
                  <tr className="test-row">
                    <td colSpan={7}>
                      <TestOutcome
                        result={result}
                        onClose={() => setTests(({ [p.id]: _dropped, ...rest }) => rest)}
                      />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })
        }
      </SettingsTable>
      <ProviderDialog
        open={editing !== null}
        provider={editing === "new" ? null : editing}
        onClose={() => setEditing(null)}
        onSaved={(p) => {
          saved(p);
          setEditing(null);
        }}
      />
      <ConfirmAction action={remove} title="Delete provider" confirmLabel="Delete provider">
        <p>
          Delete <strong>{deleting?.name}</strong> and its stored key? Playground sessions and prompts that name it stop
          working until a provider with that name exists again.
        </p>
      </ConfirmAction>
    </SettingsSection>
  );
}

function TestOutcome({ result, onClose }: { result: TestResult; onClose: () => void }) {
  if (result.state === "running") return null;
  return (
    <div className={result.state === "ok" ? "test-outcome ok" : "test-outcome err"} role="status">
      <div className="row">
        {result.state === "ok" ? (
          <strong>
            Works: {result.models.length} model{result.models.length === 1 ? "" : "s"} available
          </strong>
        ) : (
          <strong>Failed</strong>
        )}
        <span className="spacer" />
        <button type="button" className="btn-icon" aria-label="Dismiss the test result" onClick={onClose}>
          ×
        </button>
      </div>
      {result.state === "ok" ? (
        result.models.length ? (
          <ul className="model-chips" aria-label="Models">
            {result.models.map((m) => (
              <li key={m}>
                <code>{m}</code>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">The provider answered but listed no models.</p>
        )
      ) : (
        <p className="test-error">{result.message}</p>
      )}
    </div>
  );
}

function ProviderDialog({
  open,
  provider,
  onClose,
  onSaved,
}: {
  open: boolean;
  provider: Provider | null;
  onClose: () => void;
  onSaved: (provider: Provider) => void;
}) {
  const [name, setName] = useState("");
  const [kind, setKind] = useState<ProviderKind>("openai");
  const [baseUrl, setBaseUrl] = useState("");
  const [apiKey, setApiKey] = useState("");
  const [removeKey, setRemoveKey] = useState(false);
  const [defaultModel, setDefaultModel] = useState("");
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    setName(provider?.name ?? "");
    setKind(provider?.kind ?? "openai");
    setBaseUrl(provider?.base_url ?? "");
    setApiKey("");
    setRemoveKey(false);
    setDefaultModel(provider?.default_model ?? "");
    setProblem(null);
  }, [open, provider]);

  const save = useMutation(async () => {
    if (!provider) {
      return api<Provider>({
        path: PATH,
        method: "POST",
        body: {
          name: name.trim(),
          kind,
          base_url: baseUrl.trim() || null,
          api_key: apiKey || null,
          default_model: defaultModel.trim() || null,
        },
      });
    }
    // Only what changed; an empty key field keeps the stored key.
    const body: Record<string, unknown> = {};
    if (name.trim() !== provider.name) body.name = name.trim();
    if ((baseUrl.trim() || null) !== provider.base_url) body.base_url = baseUrl.trim() || null;
    if ((defaultModel.trim() || null) !== provider.default_model) body.default_model = defaultModel.trim() || null;
    if (removeKey) body.api_key = null;
    else if (apiKey) body.api_key = apiKey;
    return api<Provider>({ path: `${PATH}/${provider.id}`, method: "PATCH", body });
  });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!NAME.test(name.trim())) {
      setProblem("The name must be 1-64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit.");
      return;
    }
    if (kind === "openai_compatible" && !baseUrl.trim()) {
      setProblem("An OpenAI-compatible provider needs a base URL, e.g. http://vllm.internal:8000/v1.");
      return;
    }
    setProblem(null);
    const result = await save.mutate();
    if (result) onSaved(result);
  };

  const keyPlaceholder = provider?.has_api_key
    ? `stored (${provider.api_key_hint ?? "hidden"}); leave empty to keep it`
    : kind === "anthropic"
      ? "sk-ant-…"
      : "sk-…";

  return (
    <FormDialog
      open={open}
      title={provider ? `Edit ${provider.name}` : "Add model provider"}
      onClose={onClose}
      onSubmit={submit}
      errors={[problem, save.error]}
      autoComplete="off"
      submitLabel={provider ? "Save" : "Add provider"}
      pendingLabel="Saving…"
      pending={save.pending}
    >
      <div className="form-grid">
        <Field label="Name">
          <input
            required
            autoFocus
            value={name}
            placeholder="openai"
            onChange={(e) => setName(e.target.value.toLowerCase())}
          />
        </Field>
        <Field label="Kind">
          <select
            value={kind}
            disabled={provider !== null}
            title={provider ? "The kind cannot change; add another provider instead" : undefined}
            onChange={(e) => setKind(e.target.value as ProviderKind)}
          >
            <option value="openai">OpenAI</option>
            <option value="anthropic">Anthropic</option>
            <option value="openai_compatible">OpenAI-compatible (vLLM, Ollama, LiteLLM…)</option>
          </select>
        </Field>
      </div>
      <label className="field">
        <span>Base URL{kind === "openai_compatible" ? "" : " (optional)"}</span>
        <input
          type="url"
          required={kind === "openai_compatible"}
          value={baseUrl}
          placeholder={DEFAULT_BASE_URL[kind] ?? "http://vllm.internal:8000/v1"}
          onChange={(e) => setBaseUrl(e.target.value)}
        />
        {kind !== "openai_compatible" && (
          <small className="muted">Empty uses {DEFAULT_BASE_URL[kind]}. Set it for a proxy or gateway.</small>
        )}
      </label>
      <label className="field">
        <span>API key{provider ? "" : " (optional for local servers)"}</span>
        <input
          type="password"
          autoComplete="new-password"
          value={apiKey}
          disabled={removeKey}
          placeholder={keyPlaceholder}
          onChange={(e) => setApiKey(e.target.value)}
        />
        <small className="muted">Write-only: stored encrypted, never shown or sent back to the browser.</small>
        {provider?.has_api_key && !apiKey && !removeKey && (baseUrl.trim() || null) !== provider.base_url && (
          // The server refuses to send a stored key to another host without it being entered again.
          <small className="muted">A base URL on another server needs its key entered again (or the key removed).</small>
        )}
      </label>
      {provider?.has_api_key && (
        <label className="checkbox">
          <input type="checkbox" checked={removeKey} onChange={(e) => setRemoveKey(e.target.checked)} />
          Remove the stored key
        </label>
      )}
      <Field label="Default model (optional)">
        <input
          value={defaultModel}
          placeholder={kind === "anthropic" ? "claude-3-5-haiku-latest" : "gpt-4o-mini"}
          onChange={(e) => setDefaultModel(e.target.value)}
        />
      </Field>
    </FormDialog>
  );
}
