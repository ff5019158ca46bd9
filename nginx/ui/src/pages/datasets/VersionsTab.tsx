import { useMemo, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { api } from "../../api/client";
import { invalidate, useApi, useMutation } from "../../api/hooks";
import { FormDialog } from "../../components/Dialog";
import { Async, EmptyState, ErrorState, Loading } from "../../components/States";
import { Field } from "../../components/Field";
import { formatRelative, formatTime } from "../../lib/format";
import type { DatasetVersion, Example, VersionDiff } from "./api";
import { useDataset } from "./context";
import { buildDiffRows, diffable, diffStats, formatVersion, ioPreview, type DiffRow } from "./logic";

const DIFF_PAGE = 50; // example ids per content request (they ride in the query string)

export function VersionsTab() {
  const { datasetId, base, canWrite } = useDataset();
  const [params, setParams] = useSearchParams();
  const versions = useApi<DatasetVersion[]>({ path: `/datasets/${datasetId}/versions`, query: { limit: 100 } });
  const [tagging, setTagging] = useState<DatasetVersion | null>(null);

  const list = versions.data ?? [];
  // The diff's ends live in the URL (shareable); by default the two newest versions.
  const to = params.get("to") ?? list[0]?.as_of ?? "";
  const from = params.get("from") ?? list[1]?.as_of ?? "";
  const choose = (which: "from" | "to", value: string) => {
    const next = new URLSearchParams(params);
    next.set(which, value);
    if (which === "from" && !next.get("to") && list[0]) next.set("to", list[0].as_of);
    if (which === "to" && !next.get("from") && list[1]) next.set("from", list[1].as_of);
    setParams(next, { replace: true });
  };

  return (
    <section aria-label="Versions" className="ds-versions">
      <p className="muted ds-hint ds-versions-hint">
        Every write to the examples makes a version. Tag a version to give it a name the SDK can read it by (
        <code>as_of="prod"</code>); pick a <em>From</em> and a <em>To</em> version to see what changed.
      </p>
      <Async
        state={versions}
        label="Loading versions"
        isEmpty={(d) => d.length === 0}
        empty={<EmptyState title="No versions yet">The first example written makes the first version.</EmptyState>}
      >
        {() => (
          <div className="ds-versions-layout">
            <div className="table-wrap ds-versions-table">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col" className="ds-radio-col" title="Compare from">
                      From
                    </th>
                    <th scope="col" className="ds-radio-col" title="Compare to">
                      To
                    </th>
                    <th scope="col">Version</th>
                    <th scope="col">Tags</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((v, index) => (
                    <tr key={v.as_of} className={v.as_of === from || v.as_of === to ? "selected" : undefined}>
                      <td className="ds-radio-col">
                        <input
                          type="radio"
                          name="diff-from"
                          aria-label={`Compare from ${formatVersion(v.as_of, formatTime)}`}
                          checked={v.as_of === from}
                          onChange={() => choose("from", v.as_of)}
                        />
                      </td>
                      <td className="ds-radio-col">
                        <input
                          type="radio"
                          name="diff-to"
                          aria-label={`Compare to ${formatVersion(v.as_of, formatTime)}`}
                          checked={v.as_of === to}
                          onChange={() => choose("to", v.as_of)}
                        />
                      </td>
                      <td className="nowrap">
                        <span title={v.as_of}>{formatVersion(v.as_of, formatTime)}</span>
                        <span className="muted ds-sub"> {formatRelative(v.as_of)}</span>
                        {index === 0 && <span className="badge accent ds-latest">latest</span>}
                      </td>
                      <td>
                        <span className="ds-chips">
                          {v.tags.map((t) => (
                            <span key={t} className="badge ok">
                              {t}
                            </span>
                          ))}
                        </span>
                      </td>
                      <td className="nowrap ds-row-actions">
                        <Link className="btn btn-small btn-quiet" to={`${base}?as_of=${encodeURIComponent(v.as_of)}`}>
                          Examples
                        </Link>
                        {canWrite && (
                          <button type="button" className="btn btn-small" onClick={() => setTagging(v)} aria-label={`Tag version ${formatVersion(v.as_of, formatTime)}`}>
                            Tag
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {list.length >= 100 && <p className="muted ds-hint">Showing the newest 100 versions.</p>}
            </div>
            <div className="ds-diff-pane">
              {list.length < 2 ? (
                <EmptyState title="Only one version">Diffs need two versions.</EmptyState>
              ) : !from || !to ? (
                <EmptyState title="Pick two versions" />
              ) : from === to ? (
                <EmptyState title="Same version on both sides">Pick a different “From” or “To” version.</EmptyState>
              ) : (
                <VersionDiffView key={`${from}|${to}`} from={from} to={to} versions={list} />
              )}
            </div>
          </div>
        )}
      </Async>
      {tagging && (
        <TagDialog
          version={tagging}
          onClose={() => setTagging(null)}
          onTagged={() => {
            setTagging(null);
            invalidate(`/datasets/${datasetId}/version`);
            versions.reload();
          }}
        />
      )}
    </section>
  );
}

function label(asOf: string, versions: DatasetVersion[]): string {
  const v = versions.find((x) => x.as_of === asOf);
  const time = formatVersion(asOf, formatTime);
  return v && v.tags.length ? `${v.tags.join(", ")} (${time})` : time;
}

function VersionDiffView({ from, to, versions }: { from: string; to: string; versions: DatasetVersion[] }) {
  const { datasetId, base } = useDataset();
  const [pages, setPages] = useState(1);
  const diff = useApi<VersionDiff>({
    path: `/datasets/${datasetId}/versions/diff`,
    query: { from_version: from, to_version: to },
  });

  // Which ids to fetch at each end: what existed there (first pages only; ids ride in the URL).
  const entries = useMemo(() => {
    const d = diff.data;
    if (!d) return [];
    return [
      ...d.examples_modified.map((id) => ({ id, kind: "modified" as const })),
      ...d.examples_added.map((id) => ({ id, kind: "added" as const })),
      ...d.examples_removed.map((id) => ({ id, kind: "removed" as const })),
    ];
  }, [diff.data]);
  const shown = entries.slice(0, pages * DIFF_PAGE);
  const beforeIds = shown.filter((e) => e.kind !== "added").map((e) => e.id);
  const afterIds = shown.filter((e) => e.kind !== "removed").map((e) => e.id);

  // Both ends' contents in parallel.
  const before = useApi<Example[]>(
    beforeIds.length ? { path: "/examples", query: { dataset: datasetId, as_of: from, id: beforeIds, limit: beforeIds.length } } : null,
  );
  const after = useApi<Example[]>(
    afterIds.length ? { path: "/examples", query: { dataset: datasetId, as_of: to, id: afterIds, limit: afterIds.length } } : null,
  );

  if (!diff.data) return diff.error ? <ErrorState error={diff.error} retry={diff.reload} /> : <Loading label="Comparing versions" />;
  const d = diff.data;
  const byIdBefore = new Map((before.data ?? []).map((e) => [e.id, e]));
  const byIdAfter = new Map((after.data ?? []).map((e) => [e.id, e]));
  const contentsError = before.error ?? after.error;
  const contentsLoading = (beforeIds.length > 0 && !before.data) || (afterIds.length > 0 && !after.data);

  return (
    <div className="stack">
      <div className="ds-diff-summary">
        <h2>
          {label(from, versions)} → {label(to, versions)}
        </h2>
        <div className="row">
          <span className="badge ok">+{d.examples_added.length} added</span>
          <span className="badge err">−{d.examples_removed.length} removed</span>
          <span className="badge warn">~{d.examples_modified.length} modified</span>
        </div>
      </div>
      {entries.length === 0 && <EmptyState title="No differences">The examples are the same at both versions.</EmptyState>}
      {contentsError && <ErrorState error={contentsError} retry={() => (before.error ? before.reload() : after.reload())} />}
      {contentsLoading && !contentsError && <Loading label="Loading example contents" />}
      {!contentsLoading &&
        shown.map((entry) => (
          <ExampleDiff
            key={entry.id}
            id={entry.id}
            open={entry.kind === "modified" || entries.length <= 10}
            kind={entry.kind}
            before={entry.kind === "added" ? null : byIdBefore.get(entry.id) ?? null}
            after={entry.kind === "removed" ? null : byIdAfter.get(entry.id) ?? null}
            link={`${base}/e/${entry.id}?as_of=${encodeURIComponent(entry.kind === "removed" ? from : to)}`}
          />
        ))}
      {entries.length > shown.length && (
        <button type="button" className="btn" onClick={() => setPages((p) => p + 1)}>
          Show {Math.min(DIFF_PAGE, entries.length - shown.length)} more of {entries.length - shown.length}
        </button>
      )}
    </div>
  );
}

function ExampleDiff({
  id,
  kind,
  before,
  after,
  link,
  open,
}: {
  open: boolean;
  id: string;
  kind: "added" | "removed" | "modified";
  before: Example | null;
  after: Example | null;
  link: string;
}) {
  const rows = useMemo(() => buildDiffRows(diffable(before), diffable(after)), [before, after]);
  const stats = diffStats(rows);
  const subject = after ?? before;
  return (
    <details className={`ds-diff ds-diff-${kind}`} open={open}>
      <summary>
        <span className={`badge ${kind === "added" ? "ok" : kind === "removed" ? "err" : "warn"}`}>{kind}</span>
        <span className="mono ds-diff-id">{id.slice(0, 8)}</span>
        <span className="muted ds-diff-preview">{subject ? ioPreview(subject.inputs, 90) : ""}</span>
        <span className="spacer" />
        <span className="ds-diff-stat">
          <span className="ds-plus">+{stats.added}</span> <span className="ds-minus">−{stats.removed}</span>
        </span>
        <Link to={link} className="ds-diff-open" onClick={(e) => e.stopPropagation()}>
          Open
        </Link>
      </summary>
      {!before && !after ? (
        <p className="muted">The example's contents could not be loaded.</p>
      ) : (
        <DiffTable rows={rows} />
      )}
    </details>
  );
}

export function DiffTable({ rows }: { rows: DiffRow[] }) {
  return (
    <div className="ds-diff-lines" role="table" aria-label="Changes">
      {rows.map((r, i) =>
        r.kind === "skip" ? (
          <div key={i} className="ds-line skip" role="row">
            <span role="cell" className="ds-ln" />
            <span role="cell" className="ds-ln" />
            <span role="cell" className="ds-sign" />
            <span role="cell" className="ds-text">
              ⋯ {r.count} unchanged line{r.count === 1 ? "" : "s"}
            </span>
          </div>
        ) : (
          <div key={i} className={`ds-line ${r.kind}`} role="row">
            <span role="cell" className="ds-ln">
              {r.oldLine ?? ""}
            </span>
            <span role="cell" className="ds-ln">
              {r.newLine ?? ""}
            </span>
            <span role="cell" className="ds-sign" aria-label={r.kind === "add" ? "added" : r.kind === "del" ? "removed" : undefined}>
              {r.kind === "add" ? "+" : r.kind === "del" ? "−" : " "}
            </span>
            <span role="cell" className="ds-text">
              {r.text}
            </span>
          </div>
        ),
      )}
    </div>
  );
}

function TagDialog({ version, onClose, onTagged }: { version: DatasetVersion; onClose: () => void; onTagged: () => void }) {
  const { datasetId } = useDataset();
  const [tag, setTag] = useState("");
  const save = useMutation((body: { as_of: string; tag: string }) =>
    api<DatasetVersion>({ path: `/datasets/${datasetId}/tags`, method: "PUT", body }),
  );
  const trimmed = tag.trim();
  const clientError = trimmed === "latest" ? "“latest” always means the newest version; pick another name." : null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!trimmed || clientError) return;
    if (await save.mutate({ as_of: version.as_of, tag: trimmed })) onTagged();
  };
  return (
    <FormDialog
      open
      title="Tag version"
      onClose={onClose}
      onSubmit={submit}
      errors={[clientError, save.error]}
      submitLabel="Tag version"
      pendingLabel="Tagging…"
      pending={save.pending}
      disabled={!trimmed || !!clientError}
    >
      <p className="muted">
        Version {formatVersion(version.as_of, formatTime)}
        {version.tags.length > 0 && <> · tagged {version.tags.join(", ")}</>}. A tag that already exists moves here.
      </p>
      <Field label="Tag">
        <input value={tag} onChange={(e) => setTag(e.target.value)} maxLength={100} required autoFocus placeholder="e.g. prod, v2" />
      </Field>
    </FormDialog>
  );
}
