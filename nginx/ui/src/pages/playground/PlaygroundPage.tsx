import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { api, ApiError, send } from "../../api/client";
import { useApi } from "../../api/hooks";
import type { Run } from "../../api/types";
import { useWorkspace } from "../../auth/AuthContext";
import { PageHeader } from "../../components/Page";
import { Loading } from "../../components/States";
import { playgroundFromRun } from "./fromRun";
import { DatasetRunPanel, FIXED, type DatasetRun, type DatasetRunRequest } from "./DatasetRunPanel";
import { MessagesEditor, VariablesEditor } from "./MessagesEditor";
import { OutputPanel } from "./OutputPanel";
import { buildParams, DEFAULT_SETTINGS, settingsFromPrompt, type ModelSettings } from "./params";
import { SettingsPanel, type ProviderInfo } from "./SettingsPanel";
import { readSse } from "./sse";
import { applyEvent, startState, type StreamState } from "./stream";
import {
  manifestToPrompt,
  message,
  messageVariables,
  parsePlaceholder,
  parsePromptRef,
  renderMessages,
  templateMessages,
  type EditorMessage,
  type PromptRef,
} from "./template";
import "./playground.css";

const PLAYGROUND_PROJECT = "playground"; // where /playground/stream records runs by default

interface PulledCommit {
  id: string;
  commit_hash: string;
  manifest: unknown;
  description?: string | null;
}

interface RepoList {
  repos: { id: string; repo_handle: string; last_commit_hash?: string | null }[];
}

interface LoadedPrompt {
  ref: PromptRef;
  commitHash: string;
  /** The messages as loaded, to tell whether they were edited since. */
  snapshot: string;
}

interface Draft {
  messages: EditorMessage[];
  values: Record<string, string>;
  settings: ModelSettings;
}

const DEFAULT_MESSAGES = (): EditorMessage[] => [
  message("system", "You are a helpful assistant."),
  message("user", "{question}"),
];

function draftKey(tenant: string): string {
  return `tracehouse.playground.${tenant}`;
}

function loadDraft(tenant: string): Draft | null {
  try {
    const raw = window.localStorage.getItem(draftKey(tenant));
    if (!raw) return null;
    const draft = JSON.parse(raw) as Draft;
    if (!Array.isArray(draft.messages)) return null;
    return { messages: draft.messages, values: draft.values ?? {}, settings: { ...DEFAULT_SETTINGS, ...draft.settings } };
  } catch {
    return null;
  }
}

function providerKey(tenant: string): string {
  return `tracehouse.playground.${tenant}.provider`;
}

function lastProvider(tenant: string): string {
  try {
    return window.localStorage.getItem(providerKey(tenant)) ?? "";
  } catch {
    return "";
  }
}

function snapshotOf(messages: EditorMessage[]): string {
  return JSON.stringify(messages.map((m) => [m.role, m.content, m.tool_call_id ?? null]));
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

export default function PlaygroundPage() {
  const { tenant = "" } = useParams();
  const workspace = useWorkspace();
  const [searchParams, setSearchParams] = useSearchParams();
  const promptParam = searchParams.get("prompt") ?? "";
  const promptRef = useMemo(() => parsePromptRef(promptParam), [promptParam]);
  // ?run=<id>: an LLM run opened from the trace view (a hub prompt in the URL takes precedence).
  const runParam = promptParam ? "" : (searchParams.get("run") ?? "");

  // Independent requests, fired together.
  const providers = useApi<ProviderInfo[]>({ path: "/playground/providers" });
  const repos = useApi<RepoList>({ path: "/repos", query: { limit: 100, is_archived: false } });
  const commit = useApi<PulledCommit>(
    promptRef
      ? {
          path: `/commits/${encodeURIComponent(promptRef.owner)}/${encodeURIComponent(promptRef.repo)}/${encodeURIComponent(promptRef.commit)}`,
          query: { include_model: true },
        }
      : null,
  );

  const sourceRun = useApi<Run>(runParam ? { path: `/runs/${encodeURIComponent(runParam)}` } : null);

  const [initial] = useState(() => (promptParam || runParam ? null : loadDraft(tenant)));
  const [messages, setMessages] = useState<EditorMessage[]>(() => initial?.messages ?? DEFAULT_MESSAGES());
  const [values, setValues] = useState<Record<string, string>>(() => initial?.values ?? {});
  const [settings, setSettings] = useState<ModelSettings>(() => initial?.settings ?? DEFAULT_SETTINGS);
  const [loaded, setLoaded] = useState<LoadedPrompt | null>(null);
  const [promptError, setPromptError] = useState<Error | null>(null);
  const [openedRun, setOpenedRun] = useState<{ run: Run; model?: string; provider?: string; dropped: number } | null>(null);
  const [runError, setRunError] = useState<Error | null>(null);

  const models = useApi<string[]>(
    settings.providerId ? { path: `/playground/providers/${settings.providerId}/models` } : null,
  );

  // Keep the draft across visits (not while a hub prompt or a run is open: the URL says what it is).
  useEffect(() => {
    if (promptParam || runParam) return;
    const timer = window.setTimeout(() => {
      try {
        window.localStorage.setItem(draftKey(tenant), JSON.stringify({ messages, values, settings }));
      } catch {
        // Storage full or disabled: the draft is simply not kept.
      }
    }, 400);
    return () => window.clearTimeout(timer);
  }, [tenant, promptParam, runParam, messages, values, settings]);

  // Pick a provider (and its default model) once they are known.
  useEffect(() => {
    const list = providers.data;
    if (!list?.length) return;
    setSettings((s) => {
      if (list.some((p) => p.id === s.providerId)) return s;
      // The provider used last in this workspace, else the first one.
      const pick = list.find((p) => p.id === lastProvider(tenant)) ?? list[0];
      return { ...s, providerId: pick.id, model: s.model || pick.default_model || "" };
    });
  }, [providers.data, tenant]);

  useEffect(() => {
    if (!settings.providerId) return;
    try {
      window.localStorage.setItem(providerKey(tenant), settings.providerId);
    } catch {
      // Not remembered; the first provider is picked next time.
    }
  }, [tenant, settings.providerId]);

  // Open the hub prompt named in the URL: its messages and its model's parameters.
  const appliedRef = useRef<string>("");
  useEffect(() => {
    if (!promptRef || !commit.data) return;
    const key = `${promptParam}@${commit.data.commit_hash}`;
    if (appliedRef.current === key) return;
    appliedRef.current = key;
    try {
      const prompt = manifestToPrompt(commit.data.manifest);
      setMessages(prompt.messages);
      setSettings((s) => ({
        ...DEFAULT_SETTINGS,
        providerId: s.providerId,
        model: s.model,
        ...settingsFromPrompt(prompt.settings),
      }));
      setLoaded({ ref: promptRef, commitHash: commit.data.commit_hash, snapshot: snapshotOf(prompt.messages) });
      setPromptError(null);
    } catch (err) {
      setLoaded(null);
      setPromptError(toError(err));
    }
  }, [promptRef, promptParam, commit.data]);

  // Open the run named in the URL: its messages, model and parameters, once per run.
  const appliedRunRef = useRef<string>("");
  useEffect(() => {
    const source = sourceRun.data;
    if (!runParam || !source || source.id !== runParam || appliedRunRef.current === source.id) return;
    appliedRunRef.current = source.id;
    try {
      const opened = playgroundFromRun(source);
      setMessages(opened.messages);
      setValues({});
      setSettings((s) => ({ ...DEFAULT_SETTINGS, providerId: s.providerId, model: s.model, ...opened.settings }));
      setOpenedRun({ run: source, model: opened.model, provider: opened.provider, dropped: opened.dropped });
      setRunError(null);
    } catch (err) {
      setOpenedRun(null);
      setRunError(toError(err));
    }
  }, [runParam, sourceRun.data]);

  const variables = useMemo(() => messageVariables(messages), [messages]);
  const check = useMemo(() => buildParams(settings), [settings]);
  const pristine = loaded !== null && snapshotOf(messages) === loaded.snapshot;
  const hasProvider = (providers.data?.length ?? 0) > 0;
  const settingsError = Object.entries(check.errors)
    .map(([field, error]) => `${field === "maxTokens" ? "max tokens" : field === "toolChoice" ? "tool choice" : field === "topP" ? "top P" : field}: ${error}`)
    .join("; ");

  const changeSettings = useCallback(
    (patch: Partial<ModelSettings>) => {
      setSettings((s) => {
        const next = { ...s, ...patch };
        if (patch.providerId && patch.providerId !== s.providerId) {
          const before = providers.data?.find((p) => p.id === s.providerId);
          const after = providers.data?.find((p) => p.id === patch.providerId);
          // Follow the provider's default model unless the user typed another one.
          if (!s.model || s.model === before?.default_model) next.model = after?.default_model ?? "";
        }
        return next;
      });
    },
    [providers.data],
  );

  // ---- Running ----------------------------------------------------------------------------------
  const [output, setOutput] = useState<StreamState | null>(null);
  const [validationError, setValidationError] = useState<string | null>(null);
  const [traceUrl, setTraceUrl] = useState<string | null>(null);
  const controllerRef = useRef<AbortController | null>(null);
  const projectIdRef = useRef<string | null>(null);
  const running = output?.status === "running";

  useEffect(() => () => controllerRef.current?.abort(), []);

  /** The run is ingested in the background: find its project (created by the first run) to link it. */
  const resolveTrace = useCallback(
    async (runId: string) => {
      for (let attempt = 0; attempt < 8; attempt++) {
        if (!projectIdRef.current) {
          try {
            const found = await api<{ id: string }[]>({ path: "/sessions", query: { name: PLAYGROUND_PROJECT, limit: 1 } });
            if (found.length) projectIdRef.current = found[0].id;
          } catch {
            // Try again shortly.
          }
        }
        if (projectIdRef.current) {
          setTraceUrl(`/o/${tenant}/projects/p/${projectIdRef.current}/r/${runId}`);
          return;
        }
        await new Promise((resolve) => window.setTimeout(resolve, 750));
      }
      setTraceUrl(""); // not recorded yet: the panel says so
    },
    [tenant],
  );

  const variableValues = useCallback((): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const v of variables) {
      out[v.name] = v.kind === "messages" ? parsePlaceholder(v.name, values[v.name] ?? "") : (values[v.name] ?? "");
    }
    return out;
  }, [variables, values]);

  const run = useCallback(async () => {
    if (running) return;
    setValidationError(null);
    if (!hasProvider) {
      setValidationError("Add a model provider first (Settings → Model providers).");
      return;
    }
    if (settingsError) {
      setValidationError(`Fix the model settings — ${settingsError}`);
      return;
    }
    const missing = variables.filter((v) => v.kind === "text" && !(values[v.name] ?? "").length).map((v) => v.name);
    if (missing.length) {
      setValidationError(`Fill in ${missing.length === 1 ? "the variable" : "the variables"} ${missing.join(", ")}.`);
      return;
    }
    const body: Record<string, unknown> = { provider: settings.providerId, ...check.params };
    try {
      if (loaded && pristine) {
        // Unedited hub prompt: let the server render it, so the run records which prompt it was.
        body.prompt = `${loaded.ref.owner}/${loaded.ref.repo}:${loaded.commitHash}`;
        body.variables = variableValues();
      } else {
        const rendered = renderMessages(messages, values);
        if (rendered.length === 0) throw new Error("Add at least one message.");
        body.messages = rendered;
      }
    } catch (err) {
      setValidationError(toError(err).message);
      return;
    }

    const controller = new AbortController();
    controllerRef.current = controller;
    setTraceUrl(null);
    let state = startState(settings.model, Date.now());
    setOutput(state);
    try {
      const response = await send({ path: "/playground/stream", method: "POST", body }, controller.signal);
      if (!response.body) throw new ApiError(0, "no_body", "the server sent no stream");
      await readSse(response.body, (event) => {
        state = applyEvent(state, event, Date.now());
        setOutput(state);
      });
      if (state.status === "running") {
        // The stream ended without an end event (e.g. the connection dropped).
        state = { ...state, status: "error", endedAt: Date.now(), error: { code: "stream_ended", detail: "the stream ended before the answer was complete" } };
        setOutput(state);
      }
    } catch (err) {
      if (controller.signal.aborted) {
        state = { ...state, status: "stopped", endedAt: Date.now() };
      } else if (err instanceof ApiError) {
        state = { ...state, status: "error", endedAt: Date.now(), error: { status: err.status || undefined, code: err.code, detail: err.detail || err.message } };
      } else {
        state = { ...state, status: "error", endedAt: Date.now(), error: { code: "stream_error", detail: toError(err).message } };
      }
      setOutput(state);
    } finally {
      if (controllerRef.current === controller) controllerRef.current = null;
    }
    if (state.runId) void resolveTrace(state.runId);
  }, [running, hasProvider, settingsError, variables, values, settings, check.params, loaded, pristine, variableValues, messages, resolveTrace]);

  const stop = useCallback(() => controllerRef.current?.abort(), []);

  // Ctrl/Cmd+Enter runs from anywhere on the page; Escape stops a running answer.
  const runRef = useRef(run);
  runRef.current = run;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        void runRef.current();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const addToMessages = () => {
    if (!output) return;
    const calls = output.toolCalls.map((c) => ({
      id: c.id || `call_${c.index}`,
      type: "function" as const,
      function: { name: c.name, arguments: c.arguments },
    }));
    const added: EditorMessage[] = [
      message("assistant", output.text.replace(/\{/g, "{{").replace(/\}/g, "}}"), calls.length ? { tool_calls: calls } : {}),
      ...calls.map((c) => message("tool", "", { tool_call_id: c.id })),
    ];
    if (!calls.length) added.push(message("user", ""));
    setMessages([...messages, ...added]);
  };

  // ---- Dataset runs -------------------------------------------------------------------------------
  const startDatasetRun = useCallback(
    async (request: DatasetRunRequest): Promise<DatasetRun> => {
      const params: Record<string, unknown> = { ...check.params };
      delete params.tool_choice; // dataset runs take no tool_choice
      const body: Record<string, unknown> = { dataset_id: request.datasetId, provider: settings.providerId, ...params };
      if (request.experimentName) body.experiment_name = request.experimentName;
      const identity = Object.entries(request.mapping).every(([name, key]) => name === key);
      const fixed: Record<string, string> = {};
      const rename: Record<string, string> = {};
      for (const [name, key] of Object.entries(request.mapping)) {
        if (key === FIXED) fixed[name] = values[name] ?? "";
        else rename[name] = key;
      }
      // An unedited hub prompt whose variables are the inputs' keys runs as itself (recorded as such).
      if (loaded && pristine && identity) body.prompt = `${loaded.ref.owner}/${loaded.ref.repo}:${loaded.commitHash}`;
      else body.messages = templateMessages(messages, rename, fixed);
      return api<DatasetRun>({ path: "/playground/dataset-runs", method: "POST", body });
    },
    [check.params, settings.providerId, loaded, pristine, messages, values],
  );

  // ---- Opening prompts ----------------------------------------------------------------------------
  const [openText, setOpenText] = useState("");
  const openPrompt = (event: FormEvent) => {
    event.preventDefault();
    const ref = parsePromptRef(openText);
    if (!ref) return;
    setSearchParams({ prompt: openText.trim() });
    setOpenText("");
  };
  const closeRun = () => {
    setSearchParams({});
    setOpenedRun(null);
    setRunError(null);
    appliedRunRef.current = "";
  };
  const closePrompt = () => {
    setSearchParams({});
    setLoaded(null);
    setPromptError(null);
    appliedRef.current = "";
  };

  const subtitle = promptRef ? (
    <span className="pg-loaded">
      {commit.loading && !commit.data ? (
        <>Opening prompt {promptParam}…</>
      ) : loaded ? (
        <>
          Prompt{" "}
          <Link to={`/o/${tenant}/prompts/${encodeURIComponent(loaded.ref.owner)}/${encodeURIComponent(loaded.ref.repo)}`}>
            {loaded.ref.repo}
          </Link>{" "}
          <span className="mono badge">{loaded.commitHash.slice(0, 8)}</span>
          {loaded.ref.commit !== loaded.commitHash && !loaded.commitHash.startsWith(loaded.ref.commit) && (
            <span className="muted"> ({loaded.ref.commit})</span>
          )}
          {pristine ? null : <span className="badge warn">edited</span>}
        </>
      ) : (
        <>Prompt {promptParam}</>
      )}
      <button type="button" className="btn btn-quiet btn-small" onClick={closePrompt}>
        Close prompt
      </button>
    </span>
  ) : runParam ? (
    <span className="pg-loaded">
      {openedRun ? (
        <>
          Run{" "}
          <Link to={`/o/${tenant}/projects/p/${openedRun.run.session_id}/r/${openedRun.run.id}?trace_id=${openedRun.run.trace_id}`}>
            {openedRun.run.name}
          </Link>
          {openedRun.model && <span className="mono badge">{openedRun.model}</span>}
          {openedRun.provider && <span className="muted">{openedRun.provider}</span>}
          {openedRun.dropped > 0 && (
            <span className="badge warn" title="The editor holds text only">
              {openedRun.dropped} non-text {openedRun.dropped === 1 ? "part" : "parts"} left out
            </span>
          )}
        </>
      ) : (
        <>Opening run {runParam}…</>
      )}
      <button type="button" className="btn btn-quiet btn-small" onClick={closeRun}>
        Close run
      </button>
    </span>
  ) : (
    "Try prompts against your models; every call is traced."
  );

  return (
    <div className="pg-page">
      <PageHeader
        title="Playground"
        subtitle={subtitle}
        actions={
          <form className="row pg-open" onSubmit={openPrompt} role="search" aria-label="Open a hub prompt">
            <input
              aria-label="Hub prompt to open (name or name:commit)"
              list="pg-repos"
              placeholder="Open a hub prompt…"
              value={openText}
              onChange={(e) => setOpenText(e.target.value)}
            />
            <datalist id="pg-repos">
              {repos.data?.repos.map((r) => (
                <option key={r.id} value={r.repo_handle} />
              ))}
            </datalist>
            <button type="submit" className="btn" disabled={!parsePromptRef(openText)}>
              Open
            </button>
          </form>
        }
      />

      <div className="pg-layout">
        <div className="pg-column">
          {promptRef && (commit.error || promptError) && (
            <div className="pg-failure" role="alert">
              <strong>
                Cannot open the prompt {promptParam}
                {commit.error?.status ? ` (${commit.error.status})` : ""}
              </strong>
              <p>{commit.error?.message ?? promptError?.message}</p>
              <div className="row pg-failure-actions">
                {commit.error && (
                  <button type="button" className="btn btn-small" onClick={commit.reload}>
                    Retry
                  </button>
                )}
                <Link className="btn btn-small" to={`/o/${tenant}/prompts`}>
                  Browse prompts
                </Link>
                <button type="button" className="btn btn-small btn-quiet" onClick={closePrompt}>
                  Keep editing without it
                </button>
              </div>
            </div>
          )}
          {runParam && (sourceRun.error || runError) && (
            <div className="pg-failure" role="alert">
              <strong>
                Cannot open the run {runParam}
                {sourceRun.error?.status ? ` (${sourceRun.error.status})` : ""}
              </strong>
              <p>{sourceRun.error?.message ?? runError?.message}</p>
              <div className="row pg-failure-actions">
                {sourceRun.error && (
                  <button type="button" className="btn btn-small" onClick={sourceRun.reload}>
                    Retry
                  </button>
                )}
                <button type="button" className="btn btn-small btn-quiet" onClick={closeRun}>
                  Keep editing without it
                </button>
              </div>
            </div>
          )}
          {(promptRef && commit.loading && !commit.data) || (runParam && !sourceRun.data && !sourceRun.error) ? (
            <div className="card">
              <Loading label={runParam ? "Opening the run" : "Opening the prompt"} />
            </div>
          ) : (
            <>
              <MessagesEditor messages={messages} onChange={setMessages} />
              <VariablesEditor variables={variables} values={values} onChange={setValues} />
            </>
          )}
        </div>

        <div className="pg-column">
          <div className="card pg-runbar">
            {running ? (
              <button type="button" className="btn btn-danger" onClick={stop}>
                <span aria-hidden="true">■</span> Stop
              </button>
            ) : (
              <button
                type="button"
                className="btn btn-primary"
                onClick={() => void run()}
                disabled={!hasProvider}
                aria-keyshortcuts="Control+Enter Meta+Enter"
              >
                <span aria-hidden="true">▷</span> Run
              </button>
            )}
            <span className="muted pg-hint">
              <kbd>Ctrl</kbd>+<kbd>Enter</kbd>
            </span>
            <span className="spacer" />
            {settings.model && (
              <span className="muted pg-hint mono" title="Model">
                {settings.model}
              </span>
            )}
          </div>
          <SettingsPanel
            tenant={tenant}
            providers={providers}
            models={models}
            settings={settings}
            onChange={changeSettings}
            errors={check.errors}
            isAdmin={workspace.role === "admin"}
          />
          <OutputPanel
            state={output}
            traceUrl={traceUrl}
            onAddToMessages={addToMessages}
            validationError={validationError}
          />
          <DatasetRunPanel
            tenant={tenant}
            variables={variables}
            values={values}
            start={startDatasetRun}
            blocked={!hasProvider ? "Add a model provider first." : settingsError ? `Fix the model settings — ${settingsError}` : null}
          />
        </div>
      </div>
    </div>
  );
}
