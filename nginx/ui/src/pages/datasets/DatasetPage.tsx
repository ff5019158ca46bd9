import { useMemo, useState, type FormEvent, type MouseEvent } from "react";
import { Link, Route, Routes, useLocation, useNavigate, useParams } from "react-router-dom";
import { api, ApiError } from "../../api/client";
import { invalidate, useApi, useMutation } from "../../api/hooks";
import { useWorkspace } from "../../auth/AuthContext";
import { FormDialog } from "../../components/Dialog";
import { PageHeader } from "../../components/Page";
import { ErrorState } from "../../components/States";
import { Field } from "../../components/Field";
import { formatNumber, formatRelative, formatTime } from "../../lib/format";
import { NotFoundPage } from "../NotFoundPage";
import { DATA_TYPES, type Dataset } from "./api";
import { DatasetContext, download, type DatasetContextValue } from "./context";
import { ExamplesTab } from "./ExamplesTab";
import { ExperimentsTab } from "./ExperimentsTab";
import { VersionsTab } from "./VersionsTab";
import "./datasets.css";

export default function DatasetPage() {
  const { tenant = "", datasetId = "" } = useParams();
  const workspace = useWorkspace();
  const location = useLocation();
  const base = `/o/${tenant}/datasets/${datasetId}`;
  const dataset = useApi<Dataset>({ path: `/datasets/${datasetId}` });
  const [dialog, setDialog] = useState<"edit" | "delete" | null>(null);
  const canWrite = workspace.role !== "viewer";

  const context = useMemo<DatasetContextValue>(
    () => ({ tenant, datasetId, base, dataset: dataset.data, reloadDataset: dataset.reload, canWrite }),
    [tenant, datasetId, base, dataset.data, dataset.reload, canWrite],
  );

  // The tabs fetch in parallel with the dataset; only a failed dataset read replaces the page.
  if (!dataset.data) {
    if (dataset.error && !dataset.loading) {
      return (
        <>
          <PageHeader title="Dataset" crumbs={[{ label: "Datasets", to: `/o/${tenant}/datasets` }]} />
          {dataset.error.status === 404 ? (
            <div className="state state-empty" role="status">
              <strong>Dataset not found</strong>
              <div className="state-hint">
                It may have been deleted, or it belongs to another workspace.{" "}
                <Link to={`/o/${tenant}/datasets`}>All datasets</Link>
              </div>
            </div>
          ) : (
            <ErrorState error={dataset.error} retry={dataset.reload} />
          )}
        </>
      );
    }
  }

  const d = dataset.data;
  const rest = location.pathname.slice(base.length);
  const tab = rest.startsWith("/experiments") ? "experiments" : rest.startsWith("/versions") ? "versions" : "examples";
  const typeLabel = d ? (DATA_TYPES.find((t) => t.value === d.data_type)?.label ?? d.data_type) : "";

  return (
    <DatasetContext.Provider value={context}>
      <div className="dataset-page">
        <PageHeader
          title={d ? d.name : <span className="muted">Loading dataset…</span>}
          crumbs={[{ label: "Datasets", to: `/o/${tenant}/datasets` }]}
          subtitle={d?.description || undefined}
          actions={
            d && <HeaderActions dataset={d} canWrite={canWrite} onEdit={() => setDialog("edit")} onDelete={() => setDialog("delete")} />
          }
        />
        {d ? (
        <dl className="ds-facts">
          <div>
            <dt>Type</dt>
            <dd>
              <span className="badge" title={d.data_type}>
                {typeLabel}
              </span>
            </dd>
          </div>
          <div>
            <dt>Examples</dt>
            <dd>{formatNumber(d.example_count)}</dd>
          </div>
          <div>
            <dt>Experiments</dt>
            <dd>{formatNumber(d.session_count)}</dd>
          </div>
          <div>
            <dt>Modified</dt>
            <dd title={formatTime(d.modified_at)}>{formatRelative(d.modified_at)}</dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd title={formatTime(d.created_at)}>{formatRelative(d.created_at)}</dd>
          </div>
          <div>
            <dt>ID</dt>
            <dd className="mono ds-id">{d.id}</dd>
          </div>
          {dataset.error && (
            <div className="ds-stale" role="alert">
              Could not refresh: {dataset.error.message}
            </div>
          )}
        </dl>
        ) : (
          <div className="ds-facts ds-facts-placeholder" aria-hidden="true" />
        )}
        <nav className="tabs" aria-label="Dataset sections">
          <Link to={base} className={tab === "examples" ? "tab active" : "tab"} aria-current={tab === "examples" ? "page" : undefined}>
            Examples
          </Link>
          <Link
            to={`${base}/experiments`}
            className={tab === "experiments" ? "tab active" : "tab"}
            aria-current={tab === "experiments" ? "page" : undefined}
          >
            Experiments {d && <span className="ds-tab-count">{formatNumber(d.session_count)}</span>}
          </Link>
          <Link to={`${base}/versions`} className={tab === "versions" ? "tab active" : "tab"} aria-current={tab === "versions" ? "page" : undefined}>
            Versions
          </Link>
        </nav>
        <Routes>
          <Route index element={<ExamplesTab />} />
          <Route path="e/:exampleId" element={<ExamplesTab />} />
          <Route path="experiments" element={<ExperimentsTab />} />
          <Route path="versions" element={<VersionsTab />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
        {d && (
          <>
            <EditDatasetDialog open={dialog === "edit"} dataset={d} onClose={() => setDialog(null)} onSaved={(saved) => dataset.setData(saved)} />
            <DeleteDatasetDialog open={dialog === "delete"} dataset={d} tenant={tenant} onClose={() => setDialog(null)} />
          </>
        )}
      </div>
    </DatasetContext.Provider>
  );
}

function HeaderActions({
  dataset,
  canWrite,
  onEdit,
  onDelete,
}: {
  dataset: Dataset;
  canWrite: boolean;
  onEdit: () => void;
  onDelete: () => void;
}) {
  const [exportError, setExportError] = useState<string | null>(null);
  const [exporting, setExporting] = useState<string | null>(null);
  const safeName = dataset.name.replace(/[^\w.-]+/g, "_");
  const exportTo = (kind: "jsonl" | "openai_ft") => async (e: MouseEvent<HTMLAnchorElement>) => {
    e.preventDefault();
    setExportError(null);
    setExporting(kind);
    try {
      await download(`/datasets/${dataset.id}/${kind}`, kind === "jsonl" ? `${safeName}.jsonl` : `${safeName}.openai.jsonl`);
    } catch (err) {
      setExportError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setExporting(null);
    }
  };
  return (
    <div className="stack ds-header-actions">
      <div className="row">
        <a className="btn" href={`/api/v1/datasets/${dataset.id}/jsonl`} download onClick={exportTo("jsonl")} aria-busy={exporting === "jsonl"}>
          {exporting === "jsonl" ? "Exporting…" : "Export JSONL"}
        </a>
        <a
          className="btn"
          href={`/api/v1/datasets/${dataset.id}/openai_ft`}
          download
          onClick={exportTo("openai_ft")}
          aria-busy={exporting === "openai_ft"}
          title="Chat messages in the OpenAI fine-tuning format (for chat and LLM datasets)"
        >
          {exporting === "openai_ft" ? "Exporting…" : "Export for OpenAI fine-tuning"}
        </a>
        {canWrite && (
          <>
            <button type="button" className="btn" onClick={onEdit}>
              Edit
            </button>
            <button type="button" className="btn btn-danger" onClick={onDelete}>
              Delete
            </button>
          </>
        )}
      </div>
      {exportError && (
        <p className="form-error" role="alert">
          Export failed: {exportError}
        </p>
      )}
    </div>
  );
}

function EditDatasetDialog({
  open,
  dataset,
  onClose,
  onSaved,
}: {
  open: boolean;
  dataset: Dataset;
  onClose: () => void;
  onSaved: (d: Dataset) => void;
}) {
  const [name, setName] = useState(dataset.name);
  const [description, setDescription] = useState(dataset.description ?? "");
  const [openedFor, setOpenedFor] = useState<boolean>(false);
  if (open !== openedFor) {
    // Start from the dataset as it is now each time the dialog opens.
    setOpenedFor(open);
    if (open) {
      setName(dataset.name);
      setDescription(dataset.description ?? "");
    }
  }
  const save = useMutation((body: { name?: string; description?: string | null }) =>
    api<Dataset>({ path: `/datasets/${dataset.id}`, method: "PATCH", body }),
  );
  const close = () => {
    save.clearError();
    onClose();
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body: { name?: string; description?: string | null } = {};
    if (name.trim() !== dataset.name) body.name = name.trim();
    if ((description.trim() || null) !== (dataset.description || null)) body.description = description.trim() || null;
    if (Object.keys(body).length === 0) {
      onClose();
      return;
    }
    const saved = await save.mutate(body);
    if (saved) {
      invalidate("/datasets");
      onSaved(saved);
      onClose();
    }
  };
  return (
    <FormDialog
      open={open}
      title="Edit dataset"
      onClose={close}
      onSubmit={submit}
      errors={[save.error]}
      submitLabel="Save"
      pendingLabel="Saving…"
      pending={save.pending}
      disabled={!name.trim()}
    >
      <Field label="Name">
        <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={400} />
      </Field>
      <Field label="Description">
        <textarea className="ds-plain-textarea" rows={4} value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
    </FormDialog>
  );
}

function DeleteDatasetDialog({
  open,
  dataset,
  tenant,
  onClose,
}: {
  open: boolean;
  dataset: Dataset;
  tenant: string;
  onClose: () => void;
}) {
  const navigate = useNavigate();
  const [typed, setTyped] = useState("");
  const remove = useMutation(async () => {
    await api({ path: `/datasets/${dataset.id}`, method: "DELETE" });
    return true;
  });
  const close = () => {
    setTyped("");
    remove.clearError();
    onClose();
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!(await remove.mutate())) return;
    invalidate("/datasets");
    navigate(`/o/${tenant}/datasets`, { replace: true });
  };
  return (
    <FormDialog
      open={open}
      title="Delete dataset"
      onClose={close}
      onSubmit={submit}
      errors={[remove.error]}
      submitLabel="Delete dataset"
      pendingLabel="Deleting…"
      pending={remove.pending}
      disabled={typed !== dataset.name}
      danger
    >
      <p>
        This deletes <strong>{dataset.name}</strong> and its {formatNumber(dataset.example_count)} examples with their
        whole version history.
        {dataset.session_count > 0 &&
          ` Its ${formatNumber(dataset.session_count)} experiment${dataset.session_count === 1 ? "" : "s"} stay, as projects with their runs.`}
      </p>
      <Field label="Type the dataset name to confirm">
        <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
      </Field>
    </FormDialog>
  );
}
