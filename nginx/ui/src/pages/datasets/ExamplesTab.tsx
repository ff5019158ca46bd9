import { useCallback, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { useApi } from "../../api/hooks";
import { Async, EmptyState } from "../../components/States";
import { Pager, Refreshing, SearchToolbar } from "../../components/ListPage";
import { DataTable, TimeCell, type Column } from "../../components/Table";
import { formatTime } from "../../lib/format";
import { useSearchInput } from "../../lib/useSearchInput";
import type { DatasetVersion, Example } from "./api";
import { useDataset } from "./context";
import { ExampleEditor } from "./ExampleEditor";
import { formatVersion, ioPreview, metadataWithoutSplits, splitsOf } from "./logic";

const PAGE_SIZE = 50;

const EXAMPLE_COLUMNS: Column[] = [
  { label: "Inputs" },
  { label: "Outputs" },
  { label: "Splits" },
  { label: "Metadata" },
  { label: "Modified" },
];

export function versionLabel(v: DatasetVersion): string {
  const time = formatVersion(v.as_of, formatTime);
  return v.tags.length ? `${v.tags.join(", ")} · ${time}` : time;
}

export function ExamplesTab() {
  const { datasetId, base, dataset, reloadDataset, canWrite } = useDataset();
  const { exampleId } = useParams();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const split = params.get("split") ?? "";
  const asOf = params.get("as_of") ?? "";
  const q = params.get("q") ?? "";
  const offset = Number(params.get("offset") ?? 0) || 0;
  const [search, setSearch] = useSearchInput("q", { resetParam: "offset", delay: 300 });
  const [creating, setCreating] = useState(false);

  const update = useCallback(
    (changes: Record<string, string | null>, replace = false) => {
      const next = new URLSearchParams(params);
      for (const [k, v] of Object.entries(changes)) {
        if (v) next.set(k, v);
        else next.delete(k);
      }
      if (!("offset" in changes)) next.delete("offset");
      setParams(next, { replace });
    },
    [params, setParams],
  );

  // Independent requests, fired together.
  const examples = useApi<Example[]>({
    path: "/examples",
    query: {
      dataset: datasetId,
      splits: split ? [split] : undefined,
      as_of: asOf || undefined,
      filter: q ? `search(${JSON.stringify(q)})` : undefined,
      limit: PAGE_SIZE + 1,
      offset,
    },
  });
  const splits = useApi<string[]>({ path: `/datasets/${datasetId}/splits`, query: { as_of: asOf || undefined } });
  const versions = useApi<DatasetVersion[]>({ path: `/datasets/${datasetId}/versions`, query: { limit: 100 } });

  const rows = examples.data?.slice(0, PAGE_SIZE) ?? [];
  const hasMore = (examples.data?.length ?? 0) > PAGE_SIZE;
  const total = !split && !asOf && !q ? dataset?.example_count : undefined;
  const readOnly = !!asOf || !canWrite;
  const suffix = params.toString() ? `?${params.toString()}` : "";

  const refresh = () => {
    examples.reload();
    splits.reload();
    versions.reload();
    reloadDataset();
  };
  const closeEditor = () => {
    setCreating(false);
    if (exampleId) navigate(`${base}${suffix}`);
  };

  const selectedVersion = versions.data?.find((v) => v.as_of === asOf || v.tags.includes(asOf));
  const filtered = !!(split || q);

  return (
    <section aria-label="Examples" className="ds-examples">
      <SearchToolbar
        className="row wrap ds-toolbar"
        search={{ label: "Search examples", placeholder: "Search inputs, outputs, metadata…", className: "ds-search", value: search, onValue: setSearch }}
      >
        <label className="row ds-inline-field">
          <span>Split</span>
          <select value={split} onChange={(e) => update({ split: e.target.value || null })} aria-label="Filter by split">
            <option value="">All splits</option>
            {(splits.data ?? []).map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
            {split && splits.data && !splits.data.includes(split) && <option value={split}>{split}</option>}
          </select>
        </label>
        <label className="row ds-inline-field">
          <span>Version</span>
          <select value={selectedVersion?.as_of ?? asOf} onChange={(e) => update({ as_of: e.target.value || null })} aria-label="Dataset version">
            <option value="">Latest</option>
            {(versions.data ?? []).map((v) => (
              <option key={v.as_of} value={v.as_of}>
                {versionLabel(v)}
              </option>
            ))}
            {asOf && versions.data && !selectedVersion && <option value={asOf}>{asOf}</option>}
          </select>
        </label>
        <Refreshing state={{ loading: examples.loading || splits.loading, data: examples.data }} />
        <span className="spacer" />
        {canWrite && (
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)} disabled={!!asOf} title={asOf ? "Switch to the latest version to add examples" : undefined}>
            New example
          </button>
        )}
      </SearchToolbar>
      {asOf && (
        <div className="ds-banner" role="status">
          <span>
            Viewing the examples as of <strong>{selectedVersion ? versionLabel(selectedVersion) : asOf}</strong>; they are
            read-only.
          </span>
          <button type="button" className="btn btn-small" onClick={() => update({ as_of: null })}>
            Back to latest
          </button>
        </div>
      )}
      <Async
        state={examples}
        label="Loading examples"
        isEmpty={(d) => d.length === 0}
        empty={
          filtered || offset ? (
            <EmptyState title="No examples match">
              <button type="button" className="btn" onClick={() => { setSearch(""); update({ split: null, q: null }); }}>
                Clear filters
              </button>
            </EmptyState>
          ) : (
            <EmptyState title={asOf ? "The dataset had no examples at this version" : "No examples yet"}>
              {!asOf && (
                <>
                  Add one with <em>New example</em>, from code with <code>client.create_examples(…)</code>, or from a
                  run in a trace.
                </>
              )}
            </EmptyState>
          )
        }
      >
        {() => (
          <>
            <DataTable scoped className="ds-examples-table" columns={EXAMPLE_COLUMNS}>
              {rows.map((ex) => {
                const meta = metadataWithoutSplits(ex.metadata);
                const to = `${base}/e/${ex.id}${suffix}`;
                return (
                  <tr
                    key={ex.id}
                    className={ex.id === exampleId ? "clickable selected" : "clickable"}
                    onClick={(e) => {
                      if ((e.target as HTMLElement).closest("a")) return;
                      navigate(to);
                    }}
                  >
                    <td className="cell-preview ds-io-cell">
                      <Link to={to} aria-label={`Open example ${ex.id}`}>
                        {ioPreview(ex.inputs) || <span className="muted">{"{}"}</span>}
                      </Link>
                    </td>
                    <td className="cell-preview ds-io-cell">{ex.outputs ? ioPreview(ex.outputs) : <span className="muted">–</span>}</td>
                    <td>
                      <span className="ds-chips">
                        {splitsOf(ex.metadata).map((s) => (
                          <span key={s} className="badge">
                            {s}
                          </span>
                        ))}
                      </span>
                    </td>
                    <td className="cell-preview ds-meta-cell">
                      {Object.keys(meta).length ? ioPreview(meta, 100) : <span className="muted">–</span>}
                    </td>
                    <TimeCell value={ex.modified_at} />
                  </tr>
                );
              })}
            </DataTable>
            <Pager
              label="Pages"
              status={
                <>
                  {rows.length ? `${offset + 1}–${offset + rows.length}` : "0"}
                  {total !== undefined ? ` of ${total}` : ""}
                </>
              }
              hasPrevious={offset !== 0}
              hasNext={hasMore}
              onPrevious={() => update({ offset: offset > PAGE_SIZE ? String(offset - PAGE_SIZE) : null })}
              onNext={() => update({ offset: String(offset + PAGE_SIZE) })}
            />
          </>
        )}
      </Async>
      {(exampleId || creating) && (
        <ExampleEditor
          exampleId={creating ? null : (exampleId ?? null)}
          asOf={asOf || null}
          readOnly={readOnly}
          knownSplits={splits.data ?? []}
          onClose={closeEditor}
          onChanged={refresh}
          onCreated={(id) => {
            setCreating(false);
            navigate(`${base}/e/${id}${suffix}`);
          }}
        />
      )}
    </section>
  );
}
