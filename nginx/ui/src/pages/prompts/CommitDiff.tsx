import { useMemo, useState } from "react";
import { useApi } from "../../api/hooks";
import { ErrorState, Loading } from "../../components/States";
import { formatRelative } from "../../lib/format";
import { commitsPath, shortHash, type PromptCommit, type PromptTag, type PulledCommit } from "./api";
import { buildDiffRows, diffStats, foldUnchanged, type DiffRow } from "./diff";
import { canonicalJson, manifestText } from "./manifest";

function commitLabel(commit: PromptCommit, tags: PromptTag[], latest: boolean): string {
  const names = tags.filter((t) => t.commit_id === commit.id).map((t) => t.tag_name);
  if (latest) names.unshift("latest");
  const extra = names.length ? ` [${names.join(", ")}]` : "";
  const description = commit.description ? ` · ${commit.description.slice(0, 40)}` : "";
  return `${shortHash(commit.commit_hash)} · ${formatRelative(commit.created_at)}${extra}${description}`;
}

function Line({ row }: { row: DiffRow }) {
  if (!row.parts) return <>{row.text || " "}</>;
  return (
    <>
      {row.parts.map((p, i) => (p.changed ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
    </>
  );
}

/** Pick two commits and show what changed between them, as readable text or as JSON. */
export function CommitDiff({
  owner,
  repo,
  commits,
  tags,
  base,
  target,
  onChange,
}: {
  owner: string;
  repo: string;
  commits: PromptCommit[];
  tags: PromptTag[];
  base: string | null;
  target: string;
  onChange: (base: string | null, target: string) => void;
}) {
  const [mode, setMode] = useState<"text" | "json">("text");
  const [folded, setFolded] = useState(true);
  // Both sides load in parallel.
  const baseState = useApi<PulledCommit>(
    base ? { path: `${commitsPath(owner, repo)}/${base}`, query: { include_model: true, count_download: false } } : null,
  );
  const targetState = useApi<PulledCommit>({ path: `${commitsPath(owner, repo)}/${target}`, query: { include_model: true, count_download: false } });

  const rows = useMemo(() => {
    if (!targetState.data || (base && !baseState.data)) return null;
    const render = mode === "text" ? manifestText : (m: unknown) => canonicalJson(m) + "\n";
    const oldText = baseState.data && base ? render(baseState.data.manifest) : "";
    return buildDiffRows(oldText, render(targetState.data.manifest));
  }, [baseState.data, targetState.data, base, mode]);

  const latestHash = commits[0]?.commit_hash;
  const options = commits.map((c) => (
    <option key={c.id} value={c.commit_hash}>
      {commitLabel(c, tags, c.commit_hash === latestHash)}
    </option>
  ));
  const stats = rows ? diffStats(rows) : null;
  const error = baseState.error ?? targetState.error;
  const shown = rows ? (folded ? foldUnchanged(rows, 3) : rows) : [];

  return (
    <div className="stack commit-diff">
      <div className="row wrap diff-controls">
        <label className="field">
          <span>Base</span>
          <select aria-label="Base commit" value={base ?? ""} onChange={(e) => onChange(e.target.value || null, target)}>
            <option value="">(empty: the prompt before any commit)</option>
            {options}
          </select>
        </label>
        <button
          type="button"
          className="btn btn-small swap"
          aria-label="Swap base and target"
          title="Swap base and target"
          disabled={!base}
          onClick={() => base && onChange(target, base)}
        >
          ⇄
        </button>
        <label className="field">
          <span>Target</span>
          <select aria-label="Target commit" value={target} onChange={(e) => onChange(base, e.target.value)}>
            {options}
          </select>
        </label>
      </div>
      <div className="row wrap diff-options">
        <div className="segmented" role="group" aria-label="Diff format">
          <button type="button" aria-pressed={mode === "text"} onClick={() => setMode("text")}>
            Readable
          </button>
          <button type="button" aria-pressed={mode === "json"} onClick={() => setMode("json")}>
            JSON
          </button>
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={!folded} onChange={(e) => setFolded(!e.target.checked)} />
          All lines
        </label>
        <span className="spacer" />
        {stats && stats.added + stats.removed > 0 && (
          <span className="diff-summary" aria-live="polite">
            <span className="diff-add-count">+{stats.added}</span> <span className="diff-del-count">−{stats.removed}</span>{" "}
            <span className="muted">
              lines, {base ? shortHash(base) : "empty"} → {shortHash(target)}
            </span>
          </span>
        )}
      </div>
      {error ? (
        <ErrorState
          error={error}
          retry={() => {
            baseState.reload();
            targetState.reload();
          }}
        />
      ) : !rows ? (
        <Loading label="Loading both commits" />
      ) : stats && stats.added + stats.removed === 0 ? (
        <div className="state" role="status">
          <strong>No differences</strong>
          <div className="state-hint">
            {base === target ? "Base and target are the same commit." : "These two commits have the same content."}
          </div>
        </div>
      ) : (
        <>
          <div className="table-wrap">
            <table className="diff-table" aria-label={`Changes from ${base ? shortHash(base) : "empty"} to ${shortHash(target)}`}>
              <tbody>
                {shown.map((row, i) =>
                  row.type === "skip" ? (
                    <tr key={i} className="diff-skip">
                      <td colSpan={4}>
                        <button type="button" className="btn-link" onClick={() => setFolded(false)}>
                          ⋯ {row.skipped} unchanged line{row.skipped === 1 ? "" : "s"}
                        </button>
                      </td>
                    </tr>
                  ) : (
                    <tr key={i} className={`diff-${row.type}`}>
                      <td className="ln">{row.oldNo ?? ""}</td>
                      <td className="ln">{row.newNo ?? ""}</td>
                      <td className="sign" aria-label={row.type === "add" ? "added" : row.type === "del" ? "removed" : undefined}>
                        {row.type === "add" ? "+" : row.type === "del" ? "−" : ""}
                      </td>
                      <td className="code">
                        <Line row={row} />
                      </td>
                    </tr>
                  ),
                )}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
