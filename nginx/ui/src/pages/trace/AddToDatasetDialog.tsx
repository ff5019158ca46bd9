import { useMemo, useState, type FormEvent } from "react";
import { Link, useParams } from "react-router-dom";
import { api } from "../../api/client";
import { invalidate, useApi, useMutation } from "../../api/hooks";
import type { Run } from "../../api/types";
import { DoneDialog, FormDialog } from "../../components/Dialog";
import { Field } from "../../components/Field";
import type { Dataset } from "../datasets/api";
import { parseJsonObject, prettyJson, rowsFor } from "../datasets/logic";

const NEW = "__new__"; // the select's "create a dataset" choice (no dataset id looks like this)

interface Saved {
  dataset: { id: string; name: string };
  exampleId: string;
  split: string;
}

function JsonBox({
  id,
  label,
  hint,
  value,
  error,
  onChange,
}: {
  id: string;
  label: string;
  hint: string;
  value: string;
  error?: string;
  onChange: (value: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>
        <span>{label}</span>
      </label>
      <textarea
        id={id}
        rows={rowsFor(value, 4, 14)}
        value={value}
        spellCheck={false}
        aria-invalid={!!error}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
        onChange={(e) => onChange(e.target.value)}
      />
      <span id={`${id}-hint`} className="muted atd-hint">
        {hint}
      </span>
      {error && (
        <span id={`${id}-error`} className="atd-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/**
 * Save a run as a dataset example: pick a dataset (or name a new one) and a split; the run's
 * inputs and outputs come prefilled and can be edited (checked as JSON objects) before saving.
 * The example records `source_run_id`, so it links back to this run.
 */
export function AddToDatasetDialog({ run, onClose }: { run: Run; onClose: () => void }) {
  const { tenant = "" } = useParams();
  const datasets = useApi<Dataset[]>({ path: "/datasets", query: { limit: 100 } });
  const [picked, setPicked] = useState("");
  const [newName, setNewName] = useState("");
  const [split, setSplit] = useState("base");
  const [inputs, setInputs] = useState(() => prettyJson(run.inputs ?? {}));
  const [outputs, setOutputs] = useState(() => prettyJson(run.outputs ?? null));
  const [tried, setTried] = useState(false);
  const [saved, setSaved] = useState<Saved | null>(null);
  const list = datasets.data;
  const datasetId = picked || (list && list.length > 0 ? list[0].id : list ? NEW : "");
  const splits = useApi<string[]>(datasetId && datasetId !== NEW ? { path: `/datasets/${datasetId}/splits` } : null);
  const splitChoices = useMemo(() => [...new Set(["base", ...(splits.data ?? [])])], [splits.data]);

  const parsedInputs = parseJsonObject(inputs);
  const parsedOutputs = parseJsonObject(outputs, { optional: true });
  const nameError = datasetId === NEW && !newName.trim() ? "Name the new dataset" : undefined;
  const splitError = !split.trim() ? "Name a split (e.g. base)" : undefined;
  const invalid = !parsedInputs.ok || !parsedOutputs.ok || !!nameError || !!splitError || !datasetId;

  const save = useMutation(async (): Promise<Saved> => {
    if (!parsedInputs.ok || !parsedOutputs.ok) throw new Error("fix the JSON first");
    let dataset: { id: string; name: string };
    if (datasetId === NEW) {
      dataset = await api<Dataset>({ path: "/datasets", method: "POST", body: { name: newName.trim() } });
      invalidate("/datasets");
    } else {
      const found = list?.find((d) => d.id === datasetId);
      dataset = { id: datasetId, name: found?.name ?? "the dataset" };
    }
    const body = {
      dataset_id: dataset.id,
      inputs: parsedInputs.value,
      outputs: parsedOutputs.value,
      split: split.trim(),
      source_run_id: run.id,
    };
    const example = await api<{ id: string }>({ path: "/examples", method: "POST", body });
    invalidate("/examples");
    invalidate(`/datasets/${dataset.id}`);
    return { dataset, exampleId: example.id, split: split.trim() };
  });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (invalid) return;
    const done = await save.mutate();
    if (done) setSaved(done);
  };

  if (saved) {
    return (
      <DoneDialog title="Added to the dataset" onClose={onClose}>
        Added this run as an example to <strong>{saved.dataset.name}</strong> (split <span className="mono">{saved.split}</span>).{" "}
        <Link to={`/o/${tenant}/datasets/${saved.dataset.id}/e/${saved.exampleId}`}>Open the example</Link> ·{" "}
        <Link to={`/o/${tenant}/datasets/${saved.dataset.id}`}>Open the dataset</Link>
      </DoneDialog>
    );
  }

  return (
    <FormDialog
      open
      wide
      title="Add to dataset"
      onClose={onClose}
      onSubmit={submit}
      errors={[datasets.error, save.error]}
      submitLabel="Add example"
      pendingLabel="Adding…"
      pending={save.pending}
      disabled={tried && invalid}
    >
      <div className="atd-row">
        <Field label="Dataset">
          <select value={datasetId} onChange={(e) => setPicked(e.target.value)} disabled={!list} autoFocus>
            {!list && <option value="">Loading datasets…</option>}
            {list?.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
            {list && <option value={NEW}>New dataset…</option>}
          </select>
        </Field>
        {datasetId === NEW && (
          <Field label="New dataset name">
            <input value={newName} onChange={(e) => setNewName(e.target.value)} aria-invalid={tried && !!nameError} required />
          </Field>
        )}
        <Field label="Split">
          <input value={split} onChange={(e) => setSplit(e.target.value)} list="atd-splits" aria-invalid={tried && !!splitError} />
        </Field>
        <datalist id="atd-splits">
          {splitChoices.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      </div>
      {tried && (nameError || splitError) && (
        <p className="atd-error" role="alert">
          {nameError ?? splitError}
        </p>
      )}
      <JsonBox
        id="atd-inputs"
        label="Inputs"
        hint="A JSON object: what the example feeds the app under test. Prefilled from the run."
        value={inputs}
        error={parsedInputs.ok ? undefined : parsedInputs.error}
        onChange={setInputs}
      />
      <JsonBox
        id="atd-outputs"
        label="Reference outputs"
        hint="A JSON object, or empty for none: the answer evaluators compare against. Prefilled from the run."
        value={outputs}
        error={parsedOutputs.ok ? undefined : parsedOutputs.error}
        onChange={setOutputs}
      />
    </FormDialog>
  );
}
