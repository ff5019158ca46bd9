import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { Link } from "react-router-dom";
import { api } from "../../api/client";
import { useApi, useMutation } from "../../api/hooks";
import { Dialog } from "../../components/Dialog";
import { JsonView } from "../../components/JsonView";
import { RunIO } from "../../components/RunIO";
import { ErrorState, FormError, Loading } from "../../components/States";
import { Field } from "../../components/Field";
import { formatTime } from "../../lib/format";
import type { Example } from "./api";
import { useDataset } from "./context";
import { checkDraft, draftOf, metadataWithoutSplits, parseJsonObject, parseSplits, rowsFor, splitsOf, toggleSplit, uuid4, type Draft } from "./logic";

interface Props {
  exampleId: string | null; // null: a new example
  asOf: string | null;
  readOnly: boolean;
  knownSplits: string[];
  onClose: () => void;
  onChanged: () => void;
  onCreated: (id: string) => void;
}

/** The example editor: a dialog over the examples table (the route e/:exampleId opens it). */
export function ExampleEditor(props: Props) {
  const { exampleId, asOf, onClose } = props;
  const example = useApi<Example>(exampleId ? { path: `/examples/${exampleId}`, query: { as_of: asOf || undefined } } : null);
  const [justSaved, setJustSaved] = useState(false);
  const title = exampleId ? (props.readOnly ? "Example" : "Edit example") : "New example";
  let body;
  if (!exampleId) body = <EditorBody {...props} example={null} onSaved={() => undefined} justSaved={false} clearSaved={() => undefined} />;
  else if (!example.data)
    body = example.error ? (
      <ErrorState
        error={example.error.status === 404 ? new Error(asOf ? "This example did not exist at that version." : "This example does not exist (or was deleted).") : example.error}
        retry={example.error.status === 404 ? undefined : example.reload}
      />
    ) : (
      <Loading label="Loading example" />
    );
  else
    body = (
      <EditorBody
        key={`${example.data.id}:${example.data.modified_at}`}
        {...props}
        example={example.data}
        onSaved={(saved) => {
          setJustSaved(true);
          example.setData(saved);
        }}
        justSaved={justSaved}
        clearSaved={() => setJustSaved(false)}
      />
    );
  return (
    <div className="ds-editor-host">
      <Dialog open title={title} onClose={onClose} wide>
        {body}
      </Dialog>
    </div>
  );
}

function EditorBody({
  example,
  asOf,
  readOnly,
  knownSplits,
  onClose,
  onChanged,
  onCreated,
  onSaved,
  justSaved,
  clearSaved,
}: Props & { example: Example | null; onSaved: (e: Example) => void; justSaved: boolean; clearSaved: () => void }) {
  const { datasetId, dataset, base } = useDataset();
  const [draft, setDraft] = useState<Draft>(() => draftOf(example, dataset));
  const [newId] = useState(uuid4);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [escapeWarned, setEscapeWarned] = useState(false);
  const check = useMemo(() => checkDraft(draft, example), [draft, example]);
  const rootRef = useRef<HTMLDivElement>(null);

  // Escape with unsaved edits: the first one warns (cancelling the dialog's close), a second discards.
  const guard = useRef({ armed: false });
  guard.current.armed = check.dirty && !!example && !readOnly && !escapeWarned;
  useEffect(() => {
    const dialog = rootRef.current?.closest("dialog");
    if (!dialog) return;
    const onCancel = (e: Event) => {
      if (!guard.current.armed) return;
      e.preventDefault();
      setEscapeWarned(true);
    };
    dialog.addEventListener("cancel", onCancel);
    return () => dialog.removeEventListener("cancel", onCancel);
  }, []);

  const save = useMutation(async () => {
    if (example) return api<Example>({ path: `/examples/${example.id}`, method: "PATCH", body: check.body });
    return api<Example>({ path: "/examples", method: "POST", body: { dataset_id: datasetId, id: newId, ...check.body } });
  });
  const remove = useMutation(async () => {
    await api({ path: `/examples/${example!.id}`, method: "DELETE" });
    return true;
  });

  const submit = async () => {
    if (!check.valid || !check.dirty || save.pending) return;
    const result = await save.mutate();
    if (!result) return;
    onChanged();
    if (example) onSaved(result);
    else onCreated(result.id);
  };

  const doDelete = async () => {
    if (await remove.mutate()) {
      onChanged();
      onClose();
    }
  };

  const set = (field: keyof Draft) => (value: string) => {
    clearSaved();
    save.clearError();
    setEscapeWarned(false);
    setDraft((d) => ({ ...d, [field]: value }));
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void submit();
    }
  };

  if (readOnly && example) return <ReadOnlyExample example={example} base={base} asOf={asOf} />;

  const splits = parseSplits(draft.splits);
  const splitChoices = [...new Set([...knownSplits, ...splits, "base"])];
  const inputsPreview = parseJsonObject(draft.inputs);
  const outputsPreview = parseJsonObject(draft.outputs, { optional: true });

  return (
    <div className="ds-editor" onKeyDown={onKeyDown} ref={rootRef}>
      {example && <ExampleFacts example={example} base={base} />}
      <JsonField
        id="inputs"
        label="Inputs"
        value={draft.inputs}
        onChange={set("inputs")}
        error={check.errors.inputs}
        preview={inputsPreview.ok ? inputsPreview.value : undefined}
        schema={dataset?.inputs_schema_definition}
        attachments={example?.attachment_urls}
        rows={rowsFor(draft.inputs, 5, 18)}
        autoFocus
      />
      <JsonField
        id="outputs"
        label="Outputs"
        hint="Optional: the reference answer evaluators compare against."
        value={draft.outputs}
        onChange={set("outputs")}
        error={check.errors.outputs}
        preview={outputsPreview.ok ? outputsPreview.value : undefined}
        schema={dataset?.outputs_schema_definition}
        rows={rowsFor(draft.outputs, 4, 14)}
      />
      <div className="ds-editor-pair">
        <Field label="Metadata">
          <textarea
            rows={rowsFor(draft.metadata, 3, 10)}
            value={draft.metadata}
            spellCheck={false}
            placeholder="{}"
            aria-invalid={!!check.errors.metadata}
            aria-describedby={check.errors.metadata ? "metadata-error" : undefined}
            onChange={(e) => set("metadata")(e.target.value)}
          />
          {check.errors.metadata && (
            <span id="metadata-error" className="ds-field-error" role="alert">
              {check.errors.metadata}
            </span>
          )}
        </Field>
        <div className="field">
          <Field label="Splits (comma separated)">
            <input value={draft.splits} onChange={(e) => set("splits")(e.target.value)} placeholder="base" aria-describedby="splits-hint" />
          </Field>
          <div className="ds-chips" role="group" aria-label="Toggle splits">
            {splitChoices.map((s) => (
              <button
                key={s}
                type="button"
                className={splits.includes(s) ? "ds-chip on" : "ds-chip"}
                aria-pressed={splits.includes(s)}
                onClick={() => set("splits")(toggleSplit(splits, s).join(", "))}
              >
                {s}
              </button>
            ))}
          </div>
          <span id="splits-hint" className="muted ds-hint">
            {splits.length === 0 ? "No split: the example goes into base." : "Stored in metadata.dataset_split."}
          </span>
        </div>
      </div>
      <FormError error={save.error} />
      <FormError error={remove.error} />
      {escapeWarned && (
        <p className="ds-warn" role="alert">
          You have unsaved changes. Press Escape again to discard them.
        </p>
      )}
      <div className="row ds-editor-footer">
        {example &&
          (confirmDelete ? (
            <span className="row" role="group" aria-label="Confirm delete">
              <span>Delete this example?</span>
              <button type="button" className="btn btn-small btn-danger-fill" onClick={() => void doDelete()} disabled={remove.pending}>
                {remove.pending ? "Deleting…" : "Delete"}
              </button>
              <button type="button" className="btn btn-small" onClick={() => setConfirmDelete(false)}>
                Keep
              </button>
            </span>
          ) : (
            <button type="button" className="btn btn-danger" onClick={() => setConfirmDelete(true)}>
              Delete example
            </button>
          ))}
        <span className="spacer" />
        {justSaved && !check.dirty && (
          <span className="ds-saved" role="status">
            Saved
          </span>
        )}
        <span className="muted ds-hint">Ctrl+Enter saves</span>
        <button type="button" className="btn" onClick={onClose}>
          {check.dirty && example ? "Discard" : "Close"}
        </button>
        <button type="button" className="btn btn-primary" onClick={() => void submit()} disabled={!check.valid || !check.dirty || save.pending}>
          {save.pending ? "Saving…" : example ? "Save" : "Create example"}
        </button>
      </div>
    </div>
  );
}

function JsonField({
  id,
  label,
  hint,
  value,
  onChange,
  error,
  preview,
  schema,
  attachments,
  rows,
  autoFocus,
}: {
  id: string;
  label: string;
  hint?: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  preview: Record<string, unknown> | null | undefined;
  schema?: Record<string, unknown> | null;
  attachments?: Example["attachment_urls"];
  rows: number;
  autoFocus?: boolean;
}) {
  return (
    <div className="ds-editor-pair">
      <div className="field">
        <label htmlFor={`ex-${id}`}>
          <span className="ds-label">{label} (JSON)</span>
        </label>
        <textarea
          id={`ex-${id}`}
          rows={rows}
          value={value}
          spellCheck={false}
          autoFocus={autoFocus}
          aria-invalid={!!error}
          aria-describedby={error ? `ex-${id}-error` : hint ? `ex-${id}-hint` : undefined}
          onChange={(e) => onChange(e.target.value)}
        />
        {error ? (
          <span id={`ex-${id}-error`} className="ds-field-error" role="alert">
            {error}
          </span>
        ) : (
          hint && (
            <span id={`ex-${id}-hint`} className="muted ds-hint">
              {hint}
            </span>
          )
        )}
        {schema && (
          <details className="ds-schema">
            <summary>{label} must match the dataset's schema</summary>
            <JsonView value={schema} />
          </details>
        )}
      </div>
      <div className="ds-editor-preview" aria-label={`${label} preview`} role="region">
        <div className="ds-preview-title">Preview</div>
        {preview === undefined ? <p className="muted">Fix the JSON to see a preview.</p> : <RunIO value={preview} attachments={attachments} />}
      </div>
    </div>
  );
}

function ExampleFacts({ example, base }: { example: Example; base: string }) {
  return (
    <dl className="ds-facts ds-facts-small">
      <div>
        <dt>ID</dt>
        <dd className="mono">{example.id}</dd>
      </div>
      <div>
        <dt>Created</dt>
        <dd>{formatTime(example.created_at)}</dd>
      </div>
      <div>
        <dt>Modified</dt>
        <dd>{formatTime(example.modified_at)}</dd>
      </div>
      {example.source_run_id && (
        <div>
          <dt>Source run</dt>
          <dd className="mono">{example.source_run_id}</dd>
        </div>
      )}
      <div>
        <dt>History</dt>
        <dd>
          <Link to={`${base}/versions`}>Versions</Link>
        </dd>
      </div>
    </dl>
  );
}

function ReadOnlyExample({ example, base, asOf }: { example: Example; base: string; asOf: string | null }) {
  const meta = metadataWithoutSplits(example.metadata);
  return (
    <div className="ds-editor">
      {asOf && (
        <p className="muted ds-hint">
          This is the example as it was at the selected version. Switch the examples to the latest version to edit it.
        </p>
      )}
      <ExampleFacts example={example} base={base} />
      <div className="ds-editor-pair">
        <section aria-label="Inputs">
          <h3>Inputs</h3>
          <RunIO value={example.inputs} attachments={example.attachment_urls} />
        </section>
        <section aria-label="Outputs">
          <h3>Outputs</h3>
          <RunIO value={example.outputs} />
        </section>
      </div>
      <div className="ds-editor-pair">
        <section aria-label="Metadata">
          <h3>Metadata</h3>
          {Object.keys(meta).length ? <JsonView value={meta} /> : <p className="muted">None</p>}
        </section>
        <section aria-label="Splits">
          <h3>Splits</h3>
          <span className="ds-chips">
            {splitsOf(example.metadata).map((s) => (
              <span key={s} className="badge">
                {s}
              </span>
            ))}
          </span>
        </section>
      </div>
    </div>
  );
}
