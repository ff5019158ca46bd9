import { useCallback, useMemo, useRef, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";
import type { ApiError } from "../../api/client";
import { useApi, type ApiState } from "../../api/hooks";
import type { Project } from "../../api/types";
import { PageHeader } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { formatNumber, formatRelative } from "../../lib/format";
import { AggregatesTable } from "./AggregatesTable";
import type { Comparison, DatasetInfo } from "./compareTypes";
import { ExamplesTable, type CellTarget } from "./ExamplesTable";
import { AddExperimentMenu, ExperimentPicker, MAX_EXPERIMENTS, type SelectedExperiment } from "./ExperimentPicker";
import {
  chooseBaseline,
  chooseKey,
  compareExamples,
  feedbackKeys,
  filterExamples,
  foreignExperimentId,
  isUuid,
  parseChangeFilter,
  parseSelected,
  type ChangeFilter,
} from "./regressions";
import { RunDrawer } from "./RunDrawer";
import "./ComparePage.css";

const PAGE_SIZES = [25, 50];

function pageSize(value: string | null): number {
  const n = Number(value);
  return PAGE_SIZES.includes(n) ? n : PAGE_SIZES[0];
}

/** Keep showing the last answer for the same experiments while the next page loads. */
function useSteadyComparison(state: ApiState<Comparison>, experimentIds: string[]): Comparison | undefined {
  const last = useRef<{ ids: string; data: Comparison } | null>(null);
  const ids = experimentIds.join(",");
  if (state.data) last.current = { ids, data: state.data };
  if (state.data) return state.data;
  if (state.loading && last.current?.ids === ids) return last.current.data;
  return undefined;
}

export default function ComparePage() {
  const { tenant = "", datasetId = "" } = useParams();
  const [params, setParams] = useSearchParams();

  // --- URL state ------------------------------------------------------------------------------
  const selected = useMemo(() => parseSelected(params.getAll("selectedSessions")), [params]);
  const malformed = selected.filter((id) => !isUuid(id));
  const [foreign, setForeign] = useState<string[]>([]);
  const requestIds = selected.filter((id) => isUuid(id) && !foreign.includes(id));
  const baselineId = chooseBaseline(requestIds, params.get("baseline"));
  const limit = pageSize(params.get("limit"));
  const offset = Math.max(0, Number(params.get("offset")) || 0);
  const split = params.get("split") || "";
  const filter = parseChangeFilter(params.get("filter"));

  const update = useCallback(
    (changes: Record<string, string | null>, options: { resetPage?: boolean; replace?: boolean } = {}) => {
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [k, v] of Object.entries(changes)) {
            if (v === null || v === "") next.delete(k);
            else next.set(k, v);
          }
          if (options.resetPage) next.delete("offset");
          return next;
        },
        { replace: options.replace },
      );
    },
    [setParams],
  );

  const setSelection = (ids: string[]) => {
    const base = params.get("baseline");
    update(
      { selectedSessions: ids.join(",") || null, baseline: base && ids.includes(base) ? base : null },
      { resetPage: true },
    );
  };

  // --- data (all independent: fired together) ---------------------------------------------------
  const dataset = useApi<DatasetInfo>({ path: `/datasets/${datasetId}` });
  const experiments = useApi<Project[]>({
    path: "/sessions",
    query: { reference_dataset: datasetId, limit: 100 },
  });
  const splits = useApi<string[]>({ path: `/datasets/${datasetId}/splits` });
  const comparison = useApi<Comparison>(
    requestIds.length > 0
      ? {
          path: `/datasets/${datasetId}/compare`,
          method: "POST",
          body: { experiment_ids: requestIds, limit, offset, splits: split ? [split] : null },
        }
      : null,
  );
  const data = useSteadyComparison(comparison, requestIds);

  // An id the API says is not an experiment of this dataset: set it aside and compare the rest.
  const foreignId = comparison.error?.status === 400 ? foreignExperimentId(comparison.error.detail) : null;
  if (foreignId && !foreign.includes(foreignId)) setForeign([...foreign, foreignId]);

  const names = useMemo(() => {
    const map = new Map<string, string>();
    for (const p of experiments.data ?? []) map.set(p.id, p.name);
    for (const e of data?.experiments ?? []) map.set(e.id, e.name);
    return map;
  }, [experiments.data, data]);
  const chips: SelectedExperiment[] = selected.map((id) => ({
    id,
    name: names.get(id) ?? (isUuid(id) ? `${id.slice(0, 8)}…` : id),
    valid: isUuid(id) && !foreign.includes(id),
  }));
  const colorIndex = useCallback((id: string) => Math.max(0, selected.indexOf(id)), [selected]);

  // --- derived view ---------------------------------------------------------------------------
  const keys = useMemo(() => (data ? feedbackKeys(data.experiments, data.examples) : []), [data]);
  const keyName = chooseKey(keys, params.get("key"), data?.experiments ?? [], baselineId);
  const shownExperiments = data?.experiments ?? [];
  const compared = useMemo(
    () =>
      data && baselineId
        ? compareExamples(
            data.examples,
            data.experiments.map((e) => e.id),
            data.experiments.some((e) => e.id === baselineId) ? baselineId : data.experiments[0]?.id,
            keyName,
          )
        : [],
    [data, baselineId, keyName],
  );
  const visible = useMemo(() => filterExamples(compared, filter), [compared, filter]);
  const numbers = useMemo(() => {
    const map = new Map<string, number>();
    compared.forEach((c, i) => map.set(c.row.id, offset + i + 1));
    return map;
  }, [compared, offset]);
  const regressions = compared.filter((c) => c.regressions > 0).length;
  const improvements = compared.filter((c) => c.improvements > 0).length;

  // --- detail panel ---------------------------------------------------------------------------
  const [target, setTarget] = useState<CellTarget | null>(null);
  const openIndex = target ? visible.findIndex((c) => c.row.id === target.exampleId) : -1;
  const openExample = openIndex >= 0 ? visible[openIndex] : target ? compared.find((c) => c.row.id === target.exampleId) : undefined;
  const step = (delta: -1 | 1) => {
    const next = visible[openIndex + delta];
    if (next && target) setTarget({ ...target, exampleId: next.row.id, runIndex: 0 });
  };

  const datasetName = dataset.data?.name ?? (dataset.error ? "Dataset" : "…");
  const others = (experiments.data ?? []).filter((p) => !selected.includes(p.id));
  const showSplits = (splits.data?.length ?? 0) > 1 || (splits.data?.length === 1 && splits.data[0] !== "base");

  if (dataset.error?.status === 404) {
    return (
      <>
        <PageHeader title="Compare experiments" crumbs={[{ label: "Datasets", to: `/o/${tenant}/datasets` }]} />
        <EmptyState title="Dataset not found">
          It may have been deleted, or it belongs to another workspace. <Link to={`/o/${tenant}/datasets`}>All datasets</Link>
        </EmptyState>
      </>
    );
  }

  return (
    <div className="cmp-page">
      <PageHeader
        title="Compare experiments"
        crumbs={[
          { label: "Datasets", to: `/o/${tenant}/datasets` },
          { label: datasetName, to: `/o/${tenant}/datasets/${datasetId}` },
        ]}
        subtitle={
          <>
            On dataset <Link to={`/o/${tenant}/datasets/${datasetId}`}>{datasetName}</Link>
            {dataset.data?.example_count !== undefined && <> · {formatNumber(dataset.data.example_count)} examples</>}
            {experiments.data && <> · {experiments.data.length} experiments</>}
          </>
        }
      />
      {dataset.error && dataset.error.status !== 404 && <ErrorState error={dataset.error} retry={dataset.reload} />}

      {selected.length > 0 && (
        <ExperimentPicker
          selected={chips}
          baselineId={baselineId}
          experiments={experiments}
          onRemove={(id) => {
            setForeign(foreign.filter((f) => f !== id));
            setSelection(selected.filter((s) => s !== id));
          }}
          onAdd={(id) => setSelection([...selected, id])}
          onBaseline={(id) => update({ baseline: id === requestIds[0] ? null : id })}
        />
      )}

      {(malformed.length > 0 || foreign.length > 0) && (
        <div className="cmp-banner warn" role="alert">
          <span>
            {[...malformed, ...foreign].length === 1 ? "One selected id is" : "Some selected ids are"} not an experiment of
            this dataset and {[...malformed, ...foreign].length === 1 ? "is" : "are"} left out:{" "}
            {[...malformed, ...foreign].map((id) => (
              <code key={id}>{id} </code>
            ))}
          </span>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => {
              setSelection(selected.filter((s) => !malformed.includes(s) && !foreign.includes(s)));
              setForeign([]);
            }}
          >
            Remove from the comparison
          </button>
        </div>
      )}

      {requestIds.length === 0 ? (
        <NoSelection experiments={experiments} onCompare={setSelection} />
      ) : (
        <>
          {requestIds.length === 1 && (
            <OneExperimentHint others={others} experiments={experiments} onAdd={(id) => setSelection([...selected, id])} />
          )}

          <section className="cmp-section" aria-labelledby="cmp-summary-h">
            <h2 id="cmp-summary-h">
              Summary
              {split && <span className="cmp-h-note muted"> · every example of each experiment, not only split “{split}”</span>}
            </h2>
            {data ? (
              <AggregatesTable
                experiments={data.experiments}
                colorIndex={colorIndex}
                baselineId={baselineId}
                onBaseline={(id) => update({ baseline: id === requestIds[0] ? null : id })}
              />
            ) : comparison.error && !foreignId ? (
              <ErrorState error={comparison.error} retry={comparison.reload} />
            ) : (
              <Loading label="Comparing experiments" />
            )}
          </section>

          <section className="cmp-section" aria-labelledby="cmp-examples-h">
            <div className="cmp-toolbar">
              <h2 id="cmp-examples-h">Examples</h2>
              <span className="spacer" />
              {showSplits && (
                <label className="cmp-inline-field">
                  <span>Split</span>
                  <select value={split} onChange={(event) => update({ split: event.target.value || null }, { resetPage: true })}>
                    <option value="">All splits</option>
                    {splits.data?.map((s) => (
                      <option key={s} value={s}>
                        {s}
                      </option>
                    ))}
                  </select>
                </label>
              )}
              {keys.length > 0 && shownExperiments.length > 1 && (
                <label className="cmp-inline-field">
                  <span>Highlight by</span>
                  <select value={keyName ?? ""} onChange={(event) => update({ key: event.target.value }, { replace: true })}>
                    {keys.map((k) => (
                      <option key={k} value={k}>
                        {k}
                      </option>
                    ))}
                  </select>
                </label>
              )}
              {shownExperiments.length > 1 && keyName && (
                <ChangeToggle
                  filter={filter}
                  regressions={regressions}
                  improvements={improvements}
                  onChange={(f) => update({ filter: f === "all" ? null : f }, { replace: true })}
                />
              )}
            </div>
            {!data ? (
              comparison.error && !foreignId ? (
                <ErrorState error={comparison.error} retry={comparison.reload} />
              ) : (
                <Loading label="Loading examples" />
              )
            ) : data.total === 0 ? (
              <EmptyState title={split ? `No examples in split “${split}”` : "This dataset has no examples"}>
                {split ? "Choose another split." : "Add examples to the dataset and run an experiment on them."}
              </EmptyState>
            ) : data.examples.length === 0 ? (
              <EmptyState title="No examples on this page">
                <button type="button" className="btn" onClick={() => update({ offset: null })}>
                  Back to the first page
                </button>
              </EmptyState>
            ) : (
              <>
                {comparison.error && <ErrorState error={comparison.error} retry={comparison.reload} />}
                {filter !== "all" && (
                  <p className="cmp-filter-note muted" role="status">
                    Showing {visible.length} of {data.examples.length} examples on this page with{" "}
                    {filter === "regressions" ? "a regression" : "an improvement"} on <span className="mono">{keyName}</span>{" "}
                    vs the baseline.
                  </p>
                )}
                {visible.length === 0 ? (
                  <EmptyState title={filter === "regressions" ? "No regressions on this page" : "No improvements on this page"}>
                    <button type="button" className="btn" onClick={() => update({ filter: null }, { replace: true })}>
                      Show all examples
                    </button>
                  </EmptyState>
                ) : (
                  <div className={comparison.loading && !comparison.data ? "cmp-stale" : undefined} aria-busy={comparison.loading}>
                    <ExamplesTable
                      rows={visible}
                      experiments={data.experiments}
                      colorIndex={colorIndex}
                      baselineId={baselineId}
                      keyName={data.experiments.length > 1 ? keyName : null}
                      offset={offset}
                      numbers={numbers}
                      onOpen={setTarget}
                    />
                  </div>
                )}
                <Pager
                  offset={offset}
                  limit={limit}
                  shown={data.examples.length}
                  total={data.total}
                  nextOffset={data.next_offset}
                  loading={comparison.loading}
                  onOffset={(o) => update({ offset: o > 0 ? String(o) : null })}
                  onLimit={(l) => update({ limit: l === PAGE_SIZES[0] ? null : String(l) }, { resetPage: true })}
                />
              </>
            )}
          </section>
        </>
      )}

      {target && openExample && data && (
        <RunDrawer
          key={`${target.exampleId}`}
          tenant={tenant}
          target={target}
          example={openExample}
          number={numbers.get(openExample.row.id) ?? 0}
          experiments={data.experiments}
          colorIndex={colorIndex}
          baselineId={baselineId}
          keyName={keyName}
          hasPrev={openIndex > 0}
          hasNext={openIndex >= 0 && openIndex < visible.length - 1}
          onNavigate={setTarget}
          onStep={step}
          onClose={() => setTarget(null)}
        />
      )}
    </div>
  );
}

function ChangeToggle({
  filter,
  regressions,
  improvements,
  onChange,
}: {
  filter: ChangeFilter;
  regressions: number;
  improvements: number;
  onChange: (filter: ChangeFilter) => void;
}) {
  const options: { value: ChangeFilter; label: string; count?: number }[] = [
    { value: "all", label: "All" },
    { value: "regressions", label: "Only regressions", count: regressions },
    { value: "improvements", label: "Only improvements", count: improvements },
  ];
  return (
    <div className="cmp-seg" role="group" aria-label="Show examples">
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          aria-pressed={filter === o.value}
          className={`${filter === o.value ? "active" : ""} ${o.value}`}
          onClick={() => onChange(o.value)}
        >
          {o.value === "regressions" && <span aria-hidden="true" className="cmp-ic regression">▼</span>}
          {o.value === "improvements" && <span aria-hidden="true" className="cmp-ic improvement">▲</span>}
          {o.label}
          {o.count !== undefined && <span className="cmp-seg-count">{o.count}</span>}
        </button>
      ))}
    </div>
  );
}

function Pager({
  offset,
  limit,
  shown,
  total,
  nextOffset,
  loading,
  onOffset,
  onLimit,
}: {
  offset: number;
  limit: number;
  shown: number;
  total: number;
  nextOffset: number | null;
  loading: boolean;
  onOffset: (offset: number) => void;
  onLimit: (limit: number) => void;
}) {
  return (
    <nav className="pager" aria-label="Examples pages">
      {loading && <span className="spinner" role="status" aria-label="Loading page" />}
      <span className="muted">
        {formatNumber(offset + 1)}–{formatNumber(offset + shown)} of {formatNumber(total)} examples
      </span>
      <label className="cmp-inline-field">
        <span>Per page</span>
        <select value={limit} onChange={(event) => onLimit(Number(event.target.value))}>
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="btn btn-small" disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - limit))}>
        ← Previous
      </button>
      <button type="button" className="btn btn-small" disabled={nextOffset === null} onClick={() => nextOffset !== null && onOffset(nextOffset)}>
        Next →
      </button>
    </nav>
  );
}

function OneExperimentHint({
  others,
  experiments,
  onAdd,
}: {
  others: Project[];
  experiments: ApiState<Project[]>;
  onAdd: (id: string) => void;
}) {
  if (experiments.data && others.length === 0) {
    return (
      <div className="cmp-banner" role="note">
        This is the only experiment on this dataset. Run <code>evaluate()</code> again (another model, prompt or
        settings) to have something to compare it with.
      </div>
    );
  }
  return (
    <div className="cmp-banner accent" role="note">
      <span>
        <strong>Compare with another experiment.</strong> Pick one to see its scores side by side and where it regresses.
      </span>
      <span className="cmp-suggest">
        {others.slice(0, 3).map((p) => (
          <button key={p.id} type="button" className="btn btn-small" onClick={() => onAdd(p.id)} title={`Added ${formatRelative(p.start_time)}`}>
            + {p.name}
          </button>
        ))}
        {others.length > 3 && (
          <AddExperimentMenu experiments={experiments} exclude={[]} full={false} onAdd={onAdd} label={`${others.length - 3} more…`} />
        )}
      </span>
    </div>
  );
}

function NoSelection({
  experiments,
  onCompare,
}: {
  experiments: ApiState<Project[]>;
  onCompare: (ids: string[]) => void;
}) {
  const [picked, setPicked] = useState<string[]>([]);
  if (!experiments.data) {
    if (experiments.error) return <ErrorState error={experiments.error as ApiError} retry={experiments.reload} />;
    return <Loading label="Loading experiments" />;
  }
  if (experiments.data.length === 0) {
    return (
      <EmptyState title="No experiments on this dataset yet">
        Run <code>evaluate(target, data=&quot;…&quot;, evaluators=[…])</code> with the LangSmith SDK against this dataset; each run
        is an experiment you can compare here.
      </EmptyState>
    );
  }
  const toggle = (id: string) =>
    setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : p.length >= MAX_EXPERIMENTS ? p : [...p, id]));
  return (
    <section className="card cmp-pick" aria-labelledby="cmp-pick-h">
      <h2 id="cmp-pick-h">No experiments selected</h2>
      <p className="muted">Choose the experiments of this dataset to compare. The first one you pick is the baseline.</p>
      <ul className="cmp-pick-list">
        {experiments.data.map((p) => (
          <li key={p.id}>
            <label className="checkbox">
              <input type="checkbox" checked={picked.includes(p.id)} onChange={() => toggle(p.id)} />
              <span>{p.name}</span>
              <span className="muted">{formatRelative(p.start_time)}</span>
              {picked[0] === p.id && <span className="badge accent">baseline</span>}
            </label>
          </li>
        ))}
      </ul>
      <div className="row">
        <button type="button" className="btn btn-primary" disabled={picked.length === 0} onClick={() => onCompare(picked)}>
          {picked.length === 0
            ? "Compare experiments"
            : `Compare ${picked.length} experiment${picked.length === 1 ? "" : "s"}`}
        </button>
      </div>
    </section>
  );
}
