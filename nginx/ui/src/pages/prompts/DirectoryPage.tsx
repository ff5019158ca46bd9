import { useState } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { useApi } from "../../api/hooks";
import { Markdown } from "../../components/messages/Markdown";
import { PageHeader } from "../../components/Page";
import { Async, EmptyState } from "../../components/States";
import { directoryPath, shortHash, type Directory, type DirectoryEntry } from "./api";
import "./prompts.css";

/** One entry's body: a file's text (markdown rendered, as untrusted), or a link to the linked repo. */
function EntryView({ path, entry, base }: { path: string; entry: DirectoryEntry; base: string }) {
  if (entry.type === "file") {
    return /\.(md|markdown)$/i.test(path) ? <Markdown text={entry.content} /> : <pre className="dir-content">{entry.content}</pre>;
  }
  const to = `${base}/${entry.owner || "-"}/${entry.repo_handle}/files?type=${entry.type}`;
  return (
    <p>
      A link to the {entry.type} <Link to={to}>{entry.repo_handle}</Link>
      {entry.commit_hash ? ` at ${shortHash(entry.commit_hash)}` : " (latest)"}.
    </p>
  );
}

/** An agent's or a skill's files at its latest commit (or ?commit=): the list, and the one picked. */
export default function DirectoryPage() {
  const { tenant = "", owner = "-", repo = "" } = useParams();
  const [params] = useSearchParams();
  const repoType = params.get("type") === "skill" ? "skill" : "agent";
  const commit = params.get("commit") || undefined;
  const state = useApi<Directory>({ path: directoryPath(owner, repo), query: { repo_type: repoType, commit } });
  const [picked, setPicked] = useState<string | null>(null);
  const base = `/o/${tenant}/prompts`;

  return (
    <div className="prompts-page">
      <PageHeader
        title={repo}
        crumbs={[{ label: repoType === "agent" ? "Agents" : "Skills", to: `${base}?type=${repoType}` }]}
        subtitle={
          state.data ? (
            <>
              <span className="badge accent">{repoType}</span> commit <code>{shortHash(state.data.commit_hash)}</code> ·{" "}
              {Object.keys(state.data.files).length} files · pull with{" "}
              <code>
                client.pull_{repoType}("{owner === "-" ? repo : `${owner}/${repo}`}")
              </code>
            </>
          ) : undefined
        }
      />
      <Async state={state} label="Loading files" isEmpty={(d) => Object.keys(d.files).length === 0} empty={<EmptyState title="No files in this commit" />}>
        {(dir) => {
          const paths = Object.keys(dir.files).sort();
          const current = picked && dir.files[picked] ? picked : paths[0];
          return (
            <div className="dir-layout">
              <nav className="card" aria-label="Files">
                <ul className="dir-files">
                  {paths.map((path) => (
                    <li key={path}>
                      <button type="button" className="dir-file" aria-current={path === current} onClick={() => setPicked(path)}>
                        {path}
                        {dir.files[path].type !== "file" && <span className="badge repo-chip">{dir.files[path].type}</span>}
                      </button>
                    </li>
                  ))}
                </ul>
              </nav>
              <section className="card stack" aria-label={`File ${current}`}>
                <h2 className="mono">{current}</h2>
                <EntryView path={current} entry={dir.files[current]} base={base} />
              </section>
            </div>
          );
        }}
      </Async>
    </div>
  );
}
