import { useEffect, useId, useMemo, useState } from "react";
import { Link } from "react-router-dom";
import { api, ApiError } from "../../api/client";
import { useApi } from "../../api/hooks";
import { ErrorState, FormError, Loading } from "../../components/States";
import { formatNumber, truncate } from "../../lib/format";
import type { VariableInfo } from "./template";

export interface DatasetInfo {
  id: string;
  name: string;
  example_count?: number;
  data_type?: string;
}

export interface DatasetRun {
  id: string;
  experiment_id: string;
  experiment_name: string;
  dataset_id: string;
  status: "running" | "done" | "failed" | "cancelled" | string;
  total: number;
  completed: number;
  errors: number;
  error: string | null;
}

interface ExampleInfo {
  id: string;
  inputs?: Record<string, unknown> | null;
}

/** A mapping value meaning "the value typed in Variables, for every example". */
export const FIXED = "\u0000fixed";

export interface DatasetRunRequest {
  datasetId: string;
  mapping: Record<string, string>; // variable -> input key, or FIXED
  experimentName: string;
}

const POLL_MS = 1000;

export function DatasetRunPanel({
  tenant,
  variables,
  values,
  start,
  blocked,
}: {
  tenant: string;
  variables: VariableInfo[];
  /** What the Variables editor holds: a variable not in the inputs may use it for every example. */
  values: Record<string, string>;
  /** Starts the run with the page's messages and settings; throws ApiError/Error. */
  start: (request: DatasetRunRequest) => Promise<DatasetRun>;
  /** Why a run cannot start now (invalid settings, no provider), if so. */
  blocked: string | null;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const datasets = useApi<DatasetInfo[]>(open ? { path: "/datasets", query: { limit: 100 } } : null);
  const [datasetId, setDatasetId] = useState("");
  const [mapping, setMapping] = useState<Record<string, string>>({});
  const [experimentName, setExperimentName] = useState("");
  const [run, setRun] = useState<DatasetRun | null>(null);
  const [starting, setStarting] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  const example = useApi<ExampleInfo[]>(
    datasetId ? { path: "/examples", query: { dataset: datasetId, limit: 1 } } : null,
  );
  const inputKeys = useMemo(() => Object.keys(example.data?.[0]?.inputs ?? {}), [example.data]);
  const textVariables = variables.filter((v) => v.kind === "text");
  const placeholder = variables.find((v) => v.kind === "messages");

  // Default each variable to the input key of the same name, else the only key there is.
  useEffect(() => {
    if (!example.data) return;
    setMapping((prev) => {
      const next: Record<string, string> = {};
      for (const v of textVariables) {
        const previous = prev[v.name];
        if (previous && inputKeys.includes(previous)) next[v.name] = previous;
        else if (inputKeys.includes(v.name)) next[v.name] = v.name;
        else if (inputKeys.length === 1 && textVariables.length === 1) next[v.name] = inputKeys[0];
        else if (previous === FIXED || values[v.name]) next[v.name] = FIXED;
        else next[v.name] = "";
      }
      return next;
    });
    // textVariables is derived from `variables` each render; its names are what matter.
  }, [example.data, inputKeys, variables.map((v) => `${v.name}:${values[v.name] ? 1 : 0}`).join("\n")]);

  // Follow a running run until it ends.
  const runId = run?.id;
  const running = run?.status === "running";
  useEffect(() => {
    if (!runId || !running) return;
    let stopped = false;
    const timer = window.setInterval(() => {
      api<DatasetRun>({ path: `/playground/dataset-runs/${runId}` })
        .then((next) => {
          if (!stopped) setRun(next);
        })
        .catch((err: unknown) => {
          if (!stopped && err instanceof ApiError && err.status === 404) setError(err);
        });
    }, POLL_MS);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, [runId, running]);

  const unmapped = textVariables
    .filter((v) => !mapping[v.name] || (mapping[v.name] === FIXED && !values[v.name]))
    .map((v) => v.name);
  const dataset = datasets.data?.find((d) => d.id === datasetId);
  const reason =
    blocked ??
    (!datasetId
      ? "Choose a dataset."
      : placeholder
        ? `The messages placeholder ${placeholder.name} cannot be filled from examples; remove it to run over a dataset.`
        : example.data && example.data.length === 0
          ? "This dataset has no examples."
          : unmapped.length
            ? `Choose an input key (or type a fixed value in Variables) for ${unmapped.join(", ")}.`
            : null);

  const onStart = async () => {
    setError(null);
    setStarting(true);
    try {
      setRun(await start({ datasetId, mapping, experimentName: experimentName.trim() }));
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setStarting(false);
    }
  };

  const onCancel = async () => {
    if (!run) return;
    setCancelling(true);
    try {
      setRun(await api<DatasetRun>({ path: `/playground/dataset-runs/${run.id}/cancel`, method: "POST" }));
    } catch (err) {
      setError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      setCancelling(false);
    }
  };

  return (
    <section className="card pg-section" aria-labelledby={`${id}-title`}>
      <details open={open} onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
        <summary>
          <h2 id={`${id}-title`} className="pg-inline-heading">
            Run over a dataset
          </h2>
          <span className="muted pg-hint"> — one call per example, as a new experiment</span>
        </summary>
        {open && (
          <div className="stack pg-dataset">
            {datasets.data === undefined ? (
              datasets.error ? (
                <ErrorState error={datasets.error} retry={datasets.reload} />
              ) : (
                <Loading label="Loading datasets" />
              )
            ) : datasets.data.length === 0 ? (
              <p className="muted">
                No datasets in this workspace yet. <Link to={`/o/${tenant}/datasets`}>Create one</Link>.
              </p>
            ) : (
              <>
                <div className="pg-settings-grid">
                  <label className="field">
                    <span>Dataset</span>
                    <select aria-label="Dataset" value={datasetId} onChange={(e) => setDatasetId(e.target.value)} disabled={running}>
                      <option value="">Choose a dataset…</option>
                      {datasets.data.map((d) => (
                        <option key={d.id} value={d.id}>
                          {d.name}
                          {d.example_count !== undefined ? ` (${formatNumber(d.example_count)} examples)` : ""}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label className="field">
                    <span>Experiment name (optional)</span>
                    <input
                      value={experimentName}
                      placeholder="generated from dataset and model"
                      disabled={running}
                      onChange={(e) => setExperimentName(e.target.value)}
                    />
                  </label>
                </div>
                {datasetId && example.loading && !example.data && <Loading label="Reading the dataset's inputs" />}
                {example.error && <ErrorState error={example.error} retry={example.reload} />}
                {datasetId && example.data && textVariables.length > 0 && inputKeys.length > 0 && (
                  <fieldset className="pg-mapping">
                    <legend>Variables from example inputs</legend>
                    {textVariables.map((v) => (
                      <label key={v.name} className="pg-mapping-row">
                        <span className="mono">{`{${v.name}}`}</span>
                        <span aria-hidden="true">←</span>
                        <select
                          aria-label={`Input key for ${v.name}`}
                          value={mapping[v.name] ?? ""}
                          disabled={running}
                          onChange={(e) => setMapping({ ...mapping, [v.name]: e.target.value })}
                        >
                          <option value="">Choose an input key…</option>
                          {inputKeys.map((key) => (
                            <option key={key} value={key}>
                              inputs.{key}
                            </option>
                          ))}
                          <option value={FIXED}>
                            {values[v.name] ? `Fixed: “${truncate(values[v.name], 40)}”` : "Fixed value (type it in Variables)"}
                          </option>
                        </select>
                      </label>
                    ))}
                  </fieldset>
                )}
                {datasetId && example.data && textVariables.length === 0 && (
                  <p className="muted pg-empty-line">
                    The messages have no variables, so every example gets the same prompt. Add{" "}
                    {inputKeys.length ? (
                      <>
                        e.g. <code>{`{${inputKeys[0]}}`}</code>
                      </>
                    ) : (
                      "a variable"
                    )}{" "}
                    to a message to use the examples' inputs.
                  </p>
                )}
                <div className="row wrap">
                  {running ? (
                    <button type="button" className="btn btn-danger" onClick={onCancel} disabled={cancelling}>
                      {cancelling ? "Cancelling…" : "Cancel run"}
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="btn btn-primary"
                      onClick={onStart}
                      disabled={starting || reason !== null}
                    >
                      {starting
                        ? "Starting…"
                        : `Run over ${dataset?.example_count !== undefined ? `${formatNumber(dataset.example_count)} examples` : "the dataset"}`}
                    </button>
                  )}
                  {!running && reason && <span className="muted">{reason}</span>}
                </div>
                <FormError error={error} />
                {run && <Progress run={run} tenant={tenant} />}
              </>
            )}
          </div>
        )}
      </details>
    </section>
  );
}

function Progress({ run, tenant }: { run: DatasetRun; tenant: string }) {
  const done = run.completed; // examples finished, failed ones included
  const compare = `/o/${tenant}/datasets/${run.dataset_id}/compare?selectedSessions=${run.experiment_id}`;
  const label =
    run.status === "running"
      ? "Running"
      : run.status === "done"
        ? "Done"
        : run.status === "cancelled"
          ? "Cancelled"
          : run.status === "failed"
            ? "Failed"
            : run.status;
  const badge = run.status === "done" ? "ok" : run.status === "running" ? "pending" : run.status === "failed" ? "err" : "warn";
  return (
    <div className="pg-progress" aria-live="polite">
      <div className="row wrap">
        <span className={`badge ${badge}`}>{label}</span>
        <span className="mono pg-experiment" title={run.experiment_name}>
          {run.experiment_name}
        </span>
      </div>
      <progress
        max={run.total || 1}
        value={done}
        aria-label={`Examples done: ${done} of ${run.total}`}
        className="pg-progress-bar"
      />
      <div className="row wrap pg-progress-line">
        <span>
          {formatNumber(done)} / {formatNumber(run.total)} examples
        </span>
        {run.errors > 0 && (
          <span className="badge err">
            {run.errors === done && run.status !== "running" ? "all" : formatNumber(run.errors)} failed
          </span>
        )}
        <span className="spacer" />
        {run.status !== "running" ? (
          <Link className="btn btn-small btn-primary" to={compare}>
            Compare results
          </Link>
        ) : (
          <Link to={compare}>Open the experiment</Link>
        )}
      </div>
      {run.error && <p className="form-error">{run.error}</p>}
      {run.status !== "running" && run.errors > 0 && (
        <p className="muted pg-empty-line">Each failed example is an errored run in the experiment; open it to see why.</p>
      )}
    </div>
  );
}
