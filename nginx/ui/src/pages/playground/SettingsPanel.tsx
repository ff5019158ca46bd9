import { useEffect, useId, useState } from "react";
import { Link } from "react-router-dom";
import type { ApiState } from "../../api/hooks";
import { ErrorState, Loading } from "../../components/States";
import { AutoTextarea } from "./MessagesEditor";
import { EXAMPLE_TOOLS, parseTools, type ModelSettings, type ParamsCheck } from "./params";

export interface ProviderInfo {
  id: string;
  name: string;
  kind: string;
  base_url: string | null;
  default_model: string | null;
  has_api_key: boolean;
}

export function SettingsPanel({
  tenant,
  providers,
  models,
  settings,
  onChange,
  errors,
  isAdmin,
}: {
  tenant: string;
  providers: ApiState<ProviderInfo[]>;
  models: ApiState<string[]>;
  settings: ModelSettings;
  onChange: (patch: Partial<ModelSettings>) => void;
  errors: ParamsCheck["errors"];
  isAdmin: boolean;
}) {
  const id = useId();
  const tools = parseTools(settings.tools);
  const hasTools = settings.tools.trim() !== "";
  const [toolsOpen, setToolsOpen] = useState(hasTools);
  useEffect(() => {
    if (hasTools) setToolsOpen(true); // e.g. a hub prompt with tools was opened
  }, [hasTools]);

  if (providers.data === undefined) {
    return (
      <section className="card pg-section" aria-label="Model settings">
        {providers.error ? <ErrorState error={providers.error} retry={providers.reload} /> : <Loading label="Loading providers" />}
      </section>
    );
  }
  if (providers.data.length === 0) {
    return (
      <section className="card pg-section" aria-labelledby={`${id}-title`}>
        <h2 id={`${id}-title`}>Model settings</h2>
        <div className="state state-empty" role="status">
          <strong>No model provider yet</strong>
          <div className="state-hint">
            The playground calls models through a provider configured for this workspace (OpenAI, Anthropic or any
            OpenAI-compatible server).{" "}
            {isAdmin ? (
              <Link to={`/o/${tenant}/settings/providers`}>Add a provider in Settings</Link>
            ) : (
              <>
                Ask a workspace admin to add one in{" "}
                <Link to={`/o/${tenant}/settings/providers`}>Settings → Model providers</Link>.
              </>
            )}
          </div>
        </div>
      </section>
    );
  }

  const provider = providers.data.find((p) => p.id === settings.providerId);
  const modelList = models.data ?? [];
  return (
    <section className="card pg-section" aria-labelledby={`${id}-title`}>
      <div className="pg-section-head">
        <h2 id={`${id}-title`}>Model settings</h2>
        <Link className="pg-hint" to={`/o/${tenant}/settings/providers`}>
          Manage providers
        </Link>
      </div>
      <div className="pg-settings-grid">
        <label className="field pg-span-half">
          <span>Provider</span>
          <select aria-label="Provider" value={settings.providerId} onChange={(e) => onChange({ providerId: e.target.value })}>
            {providers.data.map((p) => (
              <option key={p.id} value={p.id} title={`${p.kind}${p.base_url ? ` · ${p.base_url}` : ""}`}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field pg-span-half">
          <span>
            Model
            {models.loading && <span className="muted"> · listing…</span>}
          </span>
          <input
            list={`${id}-models`}
            value={settings.model}
            placeholder={provider?.default_model ?? "model name"}
            spellCheck={false}
            aria-describedby={models.error ? `${id}-models-error` : undefined}
            onChange={(e) => onChange({ model: e.target.value })}
          />
          <datalist id={`${id}-models`}>
            {modelList.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
          {models.error && (
            <small id={`${id}-models-error`} className="muted">
              Could not list models ({models.error.message}); type a name.
            </small>
          )}
        </label>
        <NumberField
          label="Temperature"
          value={settings.temperature}
          placeholder="default"
          step="0.1"
          min="0"
          max="2"
          error={errors.temperature}
          onChange={(v) => onChange({ temperature: v })}
        />
        <NumberField
          label="Max tokens"
          value={settings.maxTokens}
          placeholder="default"
          step="1"
          min="1"
          error={errors.maxTokens}
          onChange={(v) => onChange({ maxTokens: v })}
        />
        <NumberField
          label="Top P"
          value={settings.topP}
          placeholder="default"
          step="0.05"
          min="0"
          max="1"
          error={errors.topP}
          onChange={(v) => onChange({ topP: v })}
        />
        <label className="field">
          <span>Response format</span>
          <select
            aria-label="Response format"
            value={settings.responseFormat}
            onChange={(e) => onChange({ responseFormat: e.target.value as ModelSettings["responseFormat"] })}
          >
            <option value="text">Text</option>
            <option value="json_object">JSON object</option>
          </select>
        </label>
        <label className="field pg-span-all">
          <span>Stop sequences (one per line; \n for a newline)</span>
          <AutoTextarea
            value={settings.stop}
            className="mono"
            spellCheck={false}
            aria-invalid={errors.stop ? true : undefined}
            onChange={(e) => onChange({ stop: e.target.value })}
          />
          {errors.stop && <small className="form-error">{errors.stop}</small>}
        </label>
      </div>
      <details
        className="pg-tools"
        open={toolsOpen}
        onToggle={(e) => setToolsOpen((e.currentTarget as HTMLDetailsElement).open)}
      >
        <summary>
          Tools{tools.tools.length > 0 && <span className="badge accent">{tools.tools.length}</span>}
          {tools.error && <span className="badge err">invalid</span>}
        </summary>
        <div className="stack">
          <label className="field">
            <span>Tool definitions (JSON array, OpenAI format)</span>
            <AutoTextarea
              className="mono pg-tools-text"
              value={settings.tools}
              spellCheck={false}
              placeholder='[{"type": "function", "function": {"name": "…", "parameters": {…}}}]'
              aria-invalid={tools.error ? true : undefined}
              aria-describedby={tools.error ? `${id}-tools-error` : undefined}
              onChange={(e) => onChange({ tools: e.target.value })}
            />
          </label>
          {tools.error && (
            <p id={`${id}-tools-error`} className="form-error pg-field-error" role="alert">
              {tools.error}
            </p>
          )}
          <div className="row wrap">
            {!settings.tools.trim() && (
              <button type="button" className="btn btn-small" onClick={() => onChange({ tools: EXAMPLE_TOOLS })}>
                Insert an example tool
              </button>
            )}
            {settings.tools.trim() && !tools.error && (
              <button
                type="button"
                className="btn btn-small"
                onClick={() => onChange({ tools: JSON.stringify(JSON.parse(settings.tools), null, 2) })}
              >
                Format JSON
              </button>
            )}
            <label className="field pg-inline-field">
              <span>Tool choice</span>
              <select
                aria-label="Tool choice"
                value={settings.toolChoice}
                disabled={tools.tools.length === 0}
                aria-invalid={errors.toolChoice ? true : undefined}
                onChange={(e) => onChange({ toolChoice: e.target.value })}
              >
                <option value="">Provider default</option>
                <option value="auto">auto</option>
                <option value="none">none</option>
                <option value="required">required</option>
                {tools.tools.map((t) => (
                  <option key={t.function.name} value={`fn:${t.function.name}`}>
                    {t.function.name}
                  </option>
                ))}
              </select>
            </label>
            {errors.toolChoice && <small className="form-error">{errors.toolChoice}</small>}
          </div>
        </div>
      </details>
    </section>
  );
}

function NumberField({
  label,
  value,
  onChange,
  error,
  ...rest
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  placeholder?: string;
  step?: string;
  min?: string;
  max?: string;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="number"
        inputMode="decimal"
        value={value}
        aria-invalid={error ? true : undefined}
        onChange={(e) => onChange(e.target.value)}
        {...rest}
      />
      {error && <small className="form-error">{error}</small>}
    </label>
  );
}
