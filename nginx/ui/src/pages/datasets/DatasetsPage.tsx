import { useState, type FormEvent } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { api } from "../../api/client";
import { invalidate, useApi, useMutation } from "../../api/hooks";
import { useWorkspace } from "../../auth/AuthContext";
import { FormDialog } from "../../components/Dialog";
import { PageHeader } from "../../components/Page";
import { Async, EmptyState, FormError } from "../../components/States";
import { formatNumber } from "../../lib/format";
import { useSearchInput } from "../../lib/useSearchInput";
import { NoMatches, Pager, SearchToolbar, useNumberParam } from "../../components/ListPage";
import { DataTable, TimeCell, type Column } from "../../components/Table";
import { Field } from "../../components/Field";
import { DATA_TYPES, type Dataset, type DataType } from "./api";
import { csvHeader, guessColumns } from "./logic";
import "./datasets.css";

const PAGE_SIZE = 50;

const DATASET_COLUMNS: Column[] = [
  { label: "Name" },
  { label: "Description" },
  { label: "Type" },
  { label: "Examples", className: "num" },
  { label: "Experiments", className: "num" },
  { label: "Last experiment" },
  { label: "Modified" },
];

export default function DatasetsPage() {
  const { tenant = "" } = useParams();
  const workspace = useWorkspace();
  const canWrite = workspace.role !== "viewer";
  const [params] = useSearchParams();
  const query = params.get("q") ?? "";
  const [offset, goTo] = useNumberParam("offset");
  const [search, setSearch] = useSearchInput("q", { resetParam: "offset" });
  const [dialog, setDialog] = useState<"new" | "upload" | null>(null);
  const navigate = useNavigate();

  const datasets = useApi<Dataset[]>({
    path: "/datasets",
    query: { name_contains: query || undefined, limit: PAGE_SIZE + 1, offset },
  });
  const rows = datasets.data?.slice(0, PAGE_SIZE) ?? [];
  const hasMore = (datasets.data?.length ?? 0) > PAGE_SIZE;

  return (
    <div className="datasets-page">
      <PageHeader
        title="Datasets"
        subtitle="Examples to evaluate against, and the experiments run on them."
        actions={
          canWrite && (
            <>
              <button type="button" className="btn" onClick={() => setDialog("upload")}>
                Upload CSV
              </button>
              <button type="button" className="btn btn-primary" onClick={() => setDialog("new")}>
                New dataset
              </button>
            </>
          )
        }
      />
      <SearchToolbar
        className="row ds-toolbar"
        search={{ label: "Search datasets by name", placeholder: "Search by name…", className: "ds-search", value: search, onValue: setSearch }}
        state={datasets}
      />
      <Async
        state={datasets}
        label="Loading datasets"
        isEmpty={(d) => d.length === 0}
        empty={
          query || offset ? (
            <NoMatches
              title={query ? `No dataset matches “${query}”` : "No more datasets"}
              onClear={query ? () => setSearch("") : undefined}
            />
          ) : (
            <EmptyState title="No datasets yet">
              Create one here, upload a CSV, or from code with <code>client.create_dataset(…)</code> in the
              LangSmith SDK.
            </EmptyState>
          )
        }
      >
        {() => (
          <>
            <DataTable scoped columns={DATASET_COLUMNS}>
              {rows.map((d) => (
                <tr
                  key={d.id}
                  className="clickable"
                  onClick={(e) => {
                    if ((e.target as HTMLElement).closest("a, button, input")) return;
                    navigate(`/o/${tenant}/datasets/${d.id}`);
                  }}
                >
                  <td className="ds-name-cell">
                    <Link to={`/o/${tenant}/datasets/${d.id}`}>{d.name}</Link>
                  </td>
                  <td className="cell-preview" title={d.description ?? undefined}>
                    {d.description || <span className="muted">–</span>}
                  </td>
                  <td>
                    <span className="badge">{d.data_type}</span>
                  </td>
                  <td className="num">{formatNumber(d.example_count)}</td>
                  <td className="num">
                    {d.session_count ? (
                      <Link to={`/o/${tenant}/datasets/${d.id}/experiments`}>{formatNumber(d.session_count)}</Link>
                    ) : (
                      formatNumber(0)
                    )}
                  </td>
                  <TimeCell value={d.last_session_start_time} />
                  <TimeCell value={d.modified_at} />
                </tr>
              ))}
            </DataTable>
            {(offset > 0 || hasMore) && (
              <Pager
                label="Pages"
                status={
                  <>
                    {offset + 1}–{offset + rows.length}
                  </>
                }
                hasPrevious={offset !== 0}
                hasNext={hasMore}
                onPrevious={() => goTo(Math.max(0, offset - PAGE_SIZE))}
                onNext={() => goTo(offset + PAGE_SIZE)}
              />
            )}
          </>
        )}
      </Async>
      <NewDatasetDialog open={dialog === "new"} onClose={() => setDialog(null)} tenant={tenant} />
      <UploadCsvDialog open={dialog === "upload"} onClose={() => setDialog(null)} tenant={tenant} />
    </div>
  );
}

function DataTypeField({ value, onChange }: { value: DataType; onChange: (v: DataType) => void }) {
  return (
    <fieldset className="ds-fieldset">
      <legend>Data type</legend>
      <div className="ds-type-options">
        {DATA_TYPES.map((t) => (
          <label key={t.value} className={value === t.value ? "ds-type-option selected" : "ds-type-option"}>
            <input type="radio" name="data_type" value={t.value} checked={value === t.value} onChange={() => onChange(t.value)} />
            <span>
              <strong>{t.label}</strong>
              <span className="muted">{t.hint}</span>
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function NewDatasetDialog({ open, onClose, tenant }: { open: boolean; onClose: () => void; tenant: string }) {
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [dataType, setDataType] = useState<DataType>("kv");
  const create = useMutation((body: { name: string; description: string | null; data_type: DataType }) =>
    api<Dataset>({ path: "/datasets", method: "POST", body }),
  );

  const close = () => {
    create.clearError();
    onClose();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const created = await create.mutate({ name: name.trim(), description: description.trim() || null, data_type: dataType });
    if (created) {
      invalidate("/datasets");
      setName("");
      setDescription("");
      onClose();
      navigate(`/o/${tenant}/datasets/${created.id}`);
    }
  };

  return (
    <FormDialog
      open={open}
      title="New dataset"
      onClose={close}
      onSubmit={submit}
      errors={[create.error]}
      submitLabel="Create dataset"
      pendingLabel="Creating…"
      pending={create.pending}
      disabled={!name.trim()}
    >
      <Field label="Name">
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={400} autoFocus />
      </Field>
      <Field label="Description">
        <textarea className="ds-plain-textarea" rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      <DataTypeField value={dataType} onChange={setDataType} />
    </FormDialog>
  );
}

type ColumnRole = "input" | "output" | "skip";

function UploadCsvDialog({ open, onClose, tenant }: { open: boolean; onClose: () => void; tenant: string }) {
  const navigate = useNavigate();
  const [file, setFile] = useState<File | null>(null);
  const [header, setHeader] = useState<string[]>([]);
  const [roles, setRoles] = useState<Record<string, ColumnRole>>({});
  const [readError, setReadError] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [dataType, setDataType] = useState<DataType>("kv");
  const upload = useMutation((form: FormData) => api<Dataset>({ path: "/datasets/upload", method: "POST", body: form }));

  const reset = () => {
    setFile(null);
    setHeader([]);
    setRoles({});
    setReadError(null);
    setName("");
    setDescription("");
    setDataType("kv");
    upload.clearError();
  };
  const close = () => {
    reset();
    onClose();
  };

  const pick = async (picked: File | null) => {
    setFile(picked);
    setHeader([]);
    setRoles({});
    setReadError(null);
    upload.clearError();
    if (!picked) return;
    if (!name) setName(picked.name.replace(/\.csv$/i, ""));
    try {
      const columns = csvHeader(await picked.slice(0, 256 * 1024).text());
      if (columns.length === 0) {
        setReadError("The file has no header row.");
        return;
      }
      const guess = guessColumns(columns);
      setHeader(columns);
      setRoles(Object.fromEntries(columns.map((c) => [c, guess.outputs.includes(c) ? "output" : "input"])));
    } catch {
      setReadError("Could not read the file.");
    }
  };

  const inputs = header.filter((c) => roles[c] === "input");
  const outputs = header.filter((c) => roles[c] === "output");

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file || inputs.length === 0) return;
    const form = new FormData();
    form.append("file", file, file.name);
    form.append("name", name.trim());
    if (description.trim()) form.append("description", description.trim());
    form.append("data_type", dataType);
    inputs.forEach((k) => form.append("input_keys", k));
    outputs.forEach((k) => form.append("output_keys", k));
    const created = await upload.mutate(form);
    if (created) {
      invalidate("/datasets");
      reset();
      onClose();
      navigate(`/o/${tenant}/datasets/${created.id}`);
    }
  };

  return (
    <FormDialog
      open={open}
      title="Upload a CSV"
      onClose={close}
      wide
      onSubmit={submit}
      errors={[upload.error]}
      submitLabel="Create dataset"
      pendingLabel="Uploading…"
      pending={upload.pending}
      disabled={!file || inputs.length === 0 || !name.trim()}
    >
      <Field label="CSV file (UTF-8, with a header row)">
        <input type="file" accept=".csv,text/csv" onChange={(e) => void pick(e.target.files?.[0] ?? null)} required />
      </Field>
      <FormError error={readError} />
      {header.length > 0 && (
        <fieldset className="ds-fieldset">
          <legend>Columns</legend>
          <p className="muted ds-hint">Each row becomes an example: input columns go into its inputs, output columns into its outputs.</p>
          <div className="table-wrap ds-columns">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Column</th>
                  <th scope="col">Input</th>
                  <th scope="col">Output</th>
                  <th scope="col">Skip</th>
                </tr>
              </thead>
              <tbody>
                {header.map((column, index) => (
                  <tr key={`${index}-${column}`}>
                    <td className="mono">{column || <span className="muted">(blank)</span>}</td>
                    {(["input", "output", "skip"] as const).map((role) => (
                      <td key={role}>
                        <input
                          type="radio"
                          name={`column-${index}`}
                          aria-label={`${column}: ${role}`}
                          checked={roles[column] === role}
                          onChange={() => setRoles((r) => ({ ...r, [column]: role }))}
                        />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted ds-hint">
            Inputs: {inputs.join(", ") || "none"} · Outputs: {outputs.join(", ") || "none"}
          </p>
          {inputs.length === 0 && (
            <p className="form-error" role="alert">
              Choose at least one input column.
            </p>
          )}
        </fieldset>
      )}
      <div className="ds-two-col">
        <Field label="Dataset name">
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={400} />
        </Field>
        <Field label="Description">
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </Field>
      </div>
      <DataTypeField value={dataType} onChange={setDataType} />
    </FormDialog>
  );
}
