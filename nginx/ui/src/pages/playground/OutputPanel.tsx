import { useState } from "react";
import { Link } from "react-router-dom";
import { JsonView } from "../../components/JsonView";
import { FormError } from "../../components/States";
import { Markdown } from "../../components/messages/Markdown";
import { formatLatency, formatNumber } from "../../lib/format";
import { errorHint, type StreamState, type StreamToolCall } from "./stream";

function parsedArguments(call: StreamToolCall): unknown {
  try {
    return JSON.parse(call.arguments);
  } catch {
    return undefined;
  }
}

function jsonText(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}

export function OutputPanel({
  state,
  traceUrl,
  onAddToMessages,
  validationError,
}: {
  state: StreamState | null;
  /** The traced run's page; null while it is looked up, "" when it is not recorded yet. */
  traceUrl: string | null;
  onAddToMessages: () => void;
  validationError: string | null;
}) {
  const [view, setView] = useState<"rendered" | "plain">("rendered");
  const running = state?.status === "running";
  const finished = state && !running;
  const asJson = finished && state.text ? jsonText(state.text) : undefined;

  return (
    <section className="card pg-section pg-output" aria-labelledby="pg-output-title">
      <div className="pg-section-head">
        <h2 id="pg-output-title">Output</h2>
        {state && <StatusBadge state={state} />}
        <span className="spacer" />
        {finished && state.text && asJson === undefined && (
          <button
            type="button"
            className="btn btn-quiet btn-small"
            aria-pressed={view === "plain"}
            onClick={() => setView(view === "plain" ? "rendered" : "plain")}
          >
            {view === "plain" ? "Show as Markdown" : "Show plain text"}
          </button>
        )}
        {state?.status === "done" && (state.text || state.toolCalls.length > 0) && (
          <button type="button" className="btn btn-small" onClick={onAddToMessages}>
            Add to messages
          </button>
        )}
      </div>

      <FormError error={validationError} />

      {!state && !validationError && (
        <p className="muted pg-empty-line">
          Run the prompt to see the answer here. <kbd>Ctrl</kbd>+<kbd>Enter</kbd> runs from anywhere on the page.
        </p>
      )}

      {state?.error && <FailureBox state={state} />}

      {/* Screen readers hear the answer as it arrives. */}
      <div className="pg-answer" role="region" aria-live="polite" aria-busy={running} aria-label="Model answer">
        {state && (state.text || running) && (
          <>
            {finished && asJson !== undefined ? (
              <JsonView value={asJson} openDepth={4} />
            ) : finished && view === "rendered" ? (
              <Markdown text={state.text} />
            ) : (
              <div className="pg-answer-text">
                {state.text}
                {running && <span className="pg-caret" aria-hidden="true" />}
              </div>
            )}
          </>
        )}
        {state && state.toolCalls.length > 0 && (
          <div className="pg-tool-calls">
            <h3>Tool calls</h3>
            {state.toolCalls.map((call) => {
              const args = finished ? parsedArguments(call) : undefined;
              return (
                <div key={call.index} className="pg-tool-call">
                  <div className="pg-tool-call-head">
                    <span className="run-type tool">tool</span>
                    <strong className="mono">{call.name || "…"}</strong>
                    {call.id && <span className="muted mono">{call.id}</span>}
                  </div>
                  {args !== undefined ? (
                    <JsonView value={args} openDepth={3} />
                  ) : (
                    <pre className="pg-tool-args mono">{call.arguments || " "}</pre>
                  )}
                </div>
              );
            })}
          </div>
        )}
        {state?.status === "done" && !state.text && state.toolCalls.length === 0 && (
          <p className="muted">The model answered with an empty message.</p>
        )}
      </div>

      {state && (state.runId || state.end) && <RunFooter state={state} traceUrl={traceUrl} />}
    </section>
  );
}

function StatusBadge({ state }: { state: StreamState }) {
  switch (state.status) {
    case "running":
      return (
        <span className="badge pending" role="status">
          <span className="spinner pg-spinner" aria-hidden="true" /> Streaming
        </span>
      );
    case "done":
      return <span className="badge ok">Done{state.end?.finish_reason ? ` · ${state.end.finish_reason}` : ""}</span>;
    case "stopped":
      return <span className="badge warn">Stopped</span>;
    case "error":
      return <span className="badge err">Failed</span>;
  }
}

function FailureBox({ state }: { state: StreamState }) {
  const error = state.error;
  if (!error) return null;
  const hint = errorHint(error);
  return (
    <div className="pg-failure" role="alert">
      <strong>
        {error.status ? `${error.status} · ` : ""}
        {error.code || "error"}
      </strong>
      <p>{error.detail}</p>
      {hint && <p className="muted">{hint}</p>}
    </div>
  );
}

function RunFooter({ state, traceUrl }: { state: StreamState; traceUrl: string | null }) {
  const end = state.end;
  const clientSeconds = state.endedAt ? (state.endedAt - state.startedAt) / 1000 : null;
  return (
    <dl className="pg-run-stats">
      <div>
        <dt>Model</dt>
        <dd className="mono">{state.model || "—"}</dd>
      </div>
      {state.endedAt && (
        <div>
          <dt>Latency</dt>
          <dd>{formatLatency(end?.latency ?? clientSeconds)}</dd>
        </div>
      )}
      {end?.first_token_latency != null && (
        <div>
          <dt>First token</dt>
          <dd>{formatLatency(end.first_token_latency)}</dd>
        </div>
      )}
      {end?.usage && (
        <div>
          <dt>Tokens</dt>
          <dd title={`${end.usage.input_tokens} in, ${end.usage.output_tokens} out`}>
            {formatNumber(end.usage.total_tokens)}{" "}
            <span className="muted">
              ({formatNumber(end.usage.input_tokens)} in · {formatNumber(end.usage.output_tokens)} out)
            </span>
          </dd>
        </div>
      )}
      {state.runId && (
        <div>
          <dt>Trace</dt>
          <dd>
            {traceUrl ? (
              <Link to={traceUrl}>Open the traced run</Link>
            ) : traceUrl === "" ? (
              <span className="muted" title={`Run ${state.runId}`}>
                not recorded yet — it will appear in the <code>playground</code> project
              </span>
            ) : (
              <span className="muted">recording…</span>
            )}
          </dd>
        </div>
      )}
    </dl>
  );
}
