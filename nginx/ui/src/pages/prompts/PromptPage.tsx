import { useEffect, useMemo, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { api } from "../../api/client";
import { invalidate, useApi, useMutation } from "../../api/hooks";
import { useWorkspace } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { CopyButton } from "../../components/CopyButton";
import { Dialog, DialogActions } from "../../components/Dialog";
import { JsonView } from "../../components/JsonView";
import { PageHeader } from "../../components/Page";
import { EmptyState, ErrorState, FormError, Loading } from "../../components/States";
import { formatRelative, formatTime } from "../../lib/format";
import {
  commitsPath,
  likesPath,
  pullRef,
  repoPath,
  shortHash,
  tagsPath,
  type CommitList,
  type PromptCommit,
  type PromptRepo,
  type PromptTag,
  type PulledCommit,
} from "./api";
import { CommitDiff } from "./CommitDiff";
import { buildChatManifest, classPath, parseManifest, type DraftMessage } from "./manifest";
import { ManifestView } from "./ManifestView";
import { draftProblem, MessagesEditor } from "./MessagesEditor";
import { TagsPanel } from "./TagsPanel";
import "./prompts.css";

type View = "prompt" | "diff" | "json";

export default function PromptPage() {
  const { tenant = "", owner = "-", repo = "" } = useParams();
  const { role } = useWorkspace();
  const canWrite = role !== "viewer";
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const commitParam = params.get("commit");
  const view = (params.get("view") as View | null) ?? "prompt";

  // Repo, history, tags and the shown commit's manifest load in parallel: without ?commit the
  // manifest is asked for as `latest`, so it does not wait for the history.
  const repoState = useApi<{ repo: PromptRepo }>({ path: repoPath(owner, repo) });
  const commitsState = useApi<CommitList>({ path: commitsPath(owner, repo), query: { limit: 1000 } });
  const tagsState = useApi<PromptTag[]>({ path: tagsPath(owner, repo) });
  const hasCommits = repoState.data ? repoState.data.repo.num_commits > 0 : true;
  const manifestState = useApi<PulledCommit>(
    hasCommits
      ? { path: `${commitsPath(owner, repo)}/${commitParam ?? "latest"}`, query: { include_model: true, count_download: false } }
      : null,
  );

  const commits = commitsState.data?.commits ?? [];
  const tags = tagsState.data ?? [];
  const latest = commits[0] ?? null;
  const selected = useMemo(() => {
    const ref = commitParam ?? manifestState.data?.commit_hash ?? latest?.commit_hash;
    if (!ref) return null;
    return (
      commits.find((c) => c.commit_hash === ref || c.commit_hash.startsWith(ref)) ??
      commits.find((c) => c.id === manifestState.data?.id) ??
      null
    );
  }, [commitParam, commits, latest, manifestState.data]);

  const setQuery = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next);
  };
  const selectCommit = (hash: string) => setQuery({ commit: hash, base: null, target: null });

  const refreshAll = () => {
    invalidate(`/repos/${owner}/${repo}`);
    invalidate(commitsPath(owner, repo));
    invalidate("/repos");
    repoState.reload();
    commitsState.reload();
    tagsState.reload();
  };

  const [editing, setEditing] = useState(false);
  const [editingRepo, setEditingRepo] = useState(false);

  if (repoState.error && !repoState.data) {
    if (repoState.error.status === 404) {
      return (
        <div>
          <PageHeader title={repo} crumbs={[{ label: "Prompts", to: `/o/${tenant}/prompts` }]} />
          <EmptyState title="No such prompt">
            There is no prompt named <code>{repo}</code> in this workspace. <Link to={`/o/${tenant}/prompts`}>All prompts</Link>
          </EmptyState>
        </div>
      );
    }
    return <ErrorState error={repoState.error} retry={repoState.reload} />;
  }

  const info = repoState.data?.repo;
  const hash = selected?.commit_hash ?? manifestState.data?.commit_hash ?? null;
  const playground = hash ? `/o/${tenant}/playground?prompt=${encodeURIComponent(`${owner}/${repo}:${hash}`)}` : null;
  const pullSnippet = `client.pull_prompt("${pullRef(owner, repo, hash)}")`;
  // Diff defaults: the selected commit against its parent.
  const diffTarget = params.get("target") ?? hash ?? latest?.commit_hash ?? "";
  const baseParam = params.get("base");
  const diffBase =
    baseParam === "none"
      ? null
      : (baseParam ?? commits.find((c) => c.commit_hash === diffTarget)?.parent_commit_hash ?? null);

  return (
    <div className="prompt-page">
      <PageHeader
        crumbs={[{ label: "Prompts", to: `/o/${tenant}/prompts` }]}
        title={repo}
        subtitle={info?.description || undefined}
        actions={
          <>
            {info && (
              <LikeButton owner={owner} repo={repo} info={info} canWrite={canWrite} onLiked={repoState.setData} />
            )}
            {canWrite && (
              <button type="button" className="btn" onClick={() => setEditingRepo(true)} disabled={!info}>
                Settings
              </button>
            )}
            {canWrite && hasCommits && (
              <button type="button" className="btn" onClick={() => setEditing(true)} disabled={!manifestState.data}>
                Edit prompt
              </button>
            )}
            {playground ? (
              <Link className="btn btn-primary" to={playground}>
                Open in playground
              </Link>
            ) : (
              <button type="button" className="btn btn-primary" disabled>
                Open in playground
              </button>
            )}
          </>
        }
      />
      {info && info.tags.length > 0 && (
        <div className="row wrap repo-tags" aria-label="Prompt tags">
          {info.tags.map((t) => (
            <Link key={t} className="badge" to={`/o/${tenant}/prompts?tag=${encodeURIComponent(t)}`}>
              {t}
            </Link>
          ))}
        </div>
      )}

      {!hasCommits && commits.length === 0 ? (
        <EmptyState title="No commits yet">
          <p>
            Push a first version from code:{" "}
            <code>client.push_prompt("{repo}", object=prompt)</code>
          </p>
          {canWrite && (
            <button type="button" className="btn btn-primary" onClick={() => setEditing(true)}>
              Write the first version
            </button>
          )}
        </EmptyState>
      ) : (
        <div className="prompt-layout">
          <div className="prompt-side stack">
            <CommitHistory
              state={commitsState}
              tags={tags}
              selectedId={selected?.id ?? null}
              onSelect={selectCommit}
            />
            {tagsState.error && !tagsState.data ? (
              <ErrorState error={tagsState.error} retry={tagsState.reload} />
            ) : (
              <TagsPanel
                owner={owner}
                repo={repo}
                tags={tags}
                loaded={tagsState.data !== undefined}
                selected={selected}
                canWrite={canWrite}
                onSelect={selectCommit}
                onChanged={() => {
                  tagsState.reload();
                  invalidate(`/commits/${owner}/${repo}`);
                }}
              />
            )}
          </div>
          <div className="prompt-main stack">
            <div className="row wrap commit-bar">
              <div className="segmented" role="group" aria-label="Commit view">
                {(["prompt", "diff", "json"] as View[]).map((v) => (
                  <button
                    key={v}
                    type="button"
                    aria-pressed={view === v}
                    onClick={() => setQuery({ view: v === "prompt" ? null : v, base: null, target: null })}
                  >
                    {v === "prompt" ? "Prompt" : v === "diff" ? "Compare" : "Raw JSON"}
                  </button>
                ))}
              </div>
              <span className="spacer" />
              {hash && <CopyButton text={pullSnippet} label="Copy pull snippet" className="btn btn-small" />}
            </div>
            {view === "diff" ? (
              commits.length && diffTarget ? (
                <CommitDiff
                  owner={owner}
                  repo={repo}
                  commits={commits}
                  tags={tags}
                  base={diffBase}
                  target={diffTarget}
                  onChange={(b, t) => setQuery({ base: b ?? "none", target: t })}
                />
              ) : commitsState.error ? (
                <ErrorState error={commitsState.error} retry={commitsState.reload} />
              ) : (
                <Loading label="Loading history" />
              )
            ) : manifestState.error && !manifestState.data ? (
              manifestState.error.status === 404 ? (
                <EmptyState title="No such commit">
                  <code>{commitParam}</code> is not a commit or tag of this prompt.{" "}
                  <button type="button" className="btn-link" onClick={() => setQuery({ commit: null })}>
                    Show the latest
                  </button>
                </EmptyState>
              ) : (
                <ErrorState error={manifestState.error} retry={manifestState.reload} />
              )
            ) : !manifestState.data ? (
              <Loading label="Loading commit" />
            ) : (
              <>
                <CommitHeader
                  commit={selected}
                  pulled={manifestState.data}
                  tags={tags}
                  isLatest={latest?.id === manifestState.data.id}
                  onSelect={selectCommit}
                  pullSnippet={pullSnippet}
                />
                {view === "json" ? (
                  <div className="card">
                    <JsonView value={manifestState.data.manifest} openDepth={4} />
                  </div>
                ) : (
                  <ManifestView manifest={manifestState.data.manifest} />
                )}
              </>
            )}
          </div>
        </div>
      )}

      <EditPromptDialog
        open={editing}
        onClose={() => setEditing(false)}
        owner={owner}
        repo={repo}
        base={hasCommits ? (manifestState.data ?? null) : null}
        latestHash={latest?.commit_hash ?? null}
        onCommitted={(newHash) => {
          setEditing(false);
          refreshAll();
          setQuery({ commit: newHash, view: null, base: null, target: null });
        }}
      />
      {info && (
        <RepoSettingsDialog
          open={editingRepo}
          onClose={() => setEditingRepo(false)}
          owner={owner}
          info={info}
          onSaved={(updated) => {
            repoState.setData({ repo: updated });
            invalidate("/repos");
            setEditingRepo(false);
          }}
          onDeleted={() => {
            invalidate("/repos");
            navigate(`/o/${tenant}/prompts`);
          }}
        />
      )}
    </div>
  );
}

function LikeButton({
  owner,
  repo,
  info,
  canWrite,
  onLiked,
}: {
  owner: string;
  repo: string;
  info: PromptRepo;
  canWrite: boolean;
  onLiked: (data: { repo: PromptRepo }) => void;
}) {
  const like = useMutation(async (value: boolean) => {
    const answer = await api<{ likes: number }>({ path: likesPath(owner, repo), method: "POST", body: { like: value } });
    onLiked({ repo: { ...info, liked_by_auth_user: value, num_likes: answer.likes } });
    invalidate("/repos");
    return answer;
  });
  const liked = info.liked_by_auth_user;
  return (
    <button
      type="button"
      className={liked ? "btn like liked" : "btn like"}
      aria-pressed={liked}
      aria-label={`${liked ? "Unlike" : "Like"} (${info.num_likes} like${info.num_likes === 1 ? "" : "s"})`}
      title={like.error ? like.error.message : liked ? "Unlike" : "Like"}
      disabled={!canWrite || like.pending}
      onClick={() => void like.mutate(!liked)}
    >
      <span aria-hidden="true">{liked ? "♥" : "♡"}</span> {info.num_likes}
    </button>
  );
}

function CommitHistory({
  state,
  tags,
  selectedId,
  onSelect,
}: {
  state: { data?: CommitList; error?: Error; reload: () => void };
  tags: PromptTag[];
  selectedId: string | null;
  onSelect: (hash: string) => void;
}) {
  if (!state.data) {
    if (state.error) return <ErrorState error={state.error} retry={state.reload} />;
    return <Loading label="Loading history" />;
  }
  const { commits, total } = state.data;
  return (
    <section className="card history" aria-labelledby="history-heading">
      <h3 id="history-heading">
        History <span className="muted small">({total} commit{total === 1 ? "" : "s"})</span>
      </h3>
      <ol className="commit-list">
        {commits.map((c, i) => {
          const commitTags = tags.filter((t) => t.commit_id === c.id);
          const active = c.id === selectedId;
          return (
            <li key={c.id}>
              <button
                type="button"
                className={active ? "commit-item selected" : "commit-item"}
                aria-current={active ? "true" : undefined}
                onClick={() => onSelect(c.commit_hash)}
              >
                <span className="row wrap">
                  <code className="commit-hash">{shortHash(c.commit_hash)}</code>
                  {i === 0 && <span className="badge ok">latest</span>}
                  {commitTags.map((t) => (
                    <span key={t.id} className="badge accent">
                      {t.tag_name}
                    </span>
                  ))}
                  <span className="spacer" />
                  <span className="muted small" title={formatTime(c.created_at)}>
                    {formatRelative(c.created_at)}
                  </span>
                </span>
                {c.description && <span className="commit-desc">{c.description}</span>}
                <span className="muted small">
                  {c.parent_commit_hash ? `parent ${shortHash(c.parent_commit_hash)}` : "first commit"}
                </span>
              </button>
            </li>
          );
        })}
      </ol>
      {total > commits.length && (
        <p className="muted small">Showing the newest {commits.length} of {total} commits.</p>
      )}
    </section>
  );
}

function CommitHeader({
  commit,
  pulled,
  tags,
  isLatest,
  onSelect,
  pullSnippet,
}: {
  commit: PromptCommit | null;
  pulled: PulledCommit;
  tags: PromptTag[];
  isLatest: boolean;
  onSelect: (hash: string) => void;
  pullSnippet: string;
}) {
  const commitTags = tags.filter((t) => t.commit_id === pulled.id);
  return (
    <section className="card commit-header" aria-label="Commit">
      <div className="row wrap">
        <strong>Commit</strong>
        <code className="commit-hash" title="Full commit hash">
          {pulled.commit_hash}
        </code>
        <CopyButton text={pulled.commit_hash} className="btn btn-quiet btn-small" accessibleName="Copy commit hash" />
        {isLatest && <span className="badge ok">latest</span>}
        {commitTags.map((t) => (
          <span key={t.id} className="badge accent">
            {t.tag_name}
          </span>
        ))}
        <span className="spacer" />
        {commit && (
          <span className="muted small">
            <span title={formatTime(commit.created_at)}>{formatRelative(commit.created_at)}</span>
            {" · "}
            {commit.parent_commit_hash ? (
              <>
                parent{" "}
                <button type="button" className="btn-link mono" onClick={() => onSelect(commit.parent_commit_hash ?? "")}>
                  {shortHash(commit.parent_commit_hash)}
                </button>
              </>
            ) : (
              "first commit"
            )}
          </span>
        )}
      </div>
      {pulled.description && <p className="commit-description">{pulled.description}</p>}
      <pre className="snippet" aria-label="Pull snippet">
        <span className="muted"># from langsmith import Client; client = Client()</span>
        {"\n"}prompt = {pullSnippet}
      </pre>
    </section>
  );
}

/** The messages of a manifest as editor drafts, or null when the editor cannot represent it. */
function draftsFrom(manifest: unknown): DraftMessage[] | null {
  const parsed = parseManifest(manifest);
  if (parsed.kind !== "chat" || parsed.format !== "f-string" || parsed.className !== "ChatPromptTemplate") return null;
  const drafts: DraftMessage[] = [];
  for (const m of parsed.messages) {
    if (m.kind === "placeholder") drafts.push({ role: "placeholder", text: m.variables[0] ?? "" });
    else if (m.kind === "template" && (m.role === "system" || m.role === "human" || m.role === "ai") && !m.template.includes("[image:"))
      drafts.push({ role: m.role, text: m.template });
    else return null;
  }
  return drafts;
}

/** Replace the prompt in a manifest, keeping a bound model (`prompt | model`) as it was. */
function withPrompt(original: unknown, prompt: Record<string, unknown>): Record<string, unknown> {
  const path = classPath(original);
  if (path[path.length - 1] === "RunnableSequence" && original && typeof original === "object") {
    const seq = original as Record<string, unknown>;
    const kwargs = (seq.kwargs ?? {}) as Record<string, unknown>;
    return { ...seq, kwargs: { ...kwargs, first: prompt } };
  }
  return prompt;
}

function EditPromptDialog({
  open,
  onClose,
  owner,
  repo,
  base,
  latestHash,
  onCommitted,
}: {
  open: boolean;
  onClose: () => void;
  owner: string;
  repo: string;
  base: PulledCommit | null;
  latestHash: string | null;
  onCommitted: (hash: string) => void;
}) {
  const [messages, setMessages] = useState<DraftMessage[]>([]);
  const [description, setDescription] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const editable = base ? draftsFrom(base.manifest) : [];

  useEffect(() => {
    if (!open) return;
    setMessages(
      base && editable
        ? editable
        : [
            { role: "system", text: "You are a helpful assistant." },
            { role: "human", text: "{question}" },
          ],
    );
    setDescription("");
    setProblem(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  const commit = useMutation(async () => {
    const manifest = withPrompt(base?.manifest, buildChatManifest(messages));
    const answer = await api<{ commit: PromptCommit }>({
      path: commitsPath(owner, repo),
      method: "POST",
      body: { manifest, parent_commit: latestHash, description: description.trim() || undefined },
    });
    return answer.commit.commit_hash;
  });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const bad = draftProblem(messages);
    if (bad) {
      setProblem(`Cannot commit: ${bad}.`);
      return;
    }
    setProblem(null);
    const hash = await commit.mutate();
    if (hash) onCommitted(hash);
  };

  const fromOld = base && latestHash && base.commit_hash !== latestHash;
  return (
    <Dialog open={open} title={base ? `Edit ${repo}` : `First version of ${repo}`} onClose={onClose} wide>
      {base && editable === null ? (
        <div className="stack">
          <p>
            This commit is not a plain chat prompt with f-string templates (it uses another template format, custom
            roles, images or a structured output schema), so it cannot be edited here without losing parts of it. Edit it
            in code and push it with <code>client.push_prompt("{repo}", object=...)</code>.
          </p>
          <div className="row">
            <span className="spacer" />
            <button type="button" className="btn" onClick={onClose}>
              Close
            </button>
          </div>
        </div>
      ) : (
        <form className="stack" onSubmit={(event) => void submit(event)}>
          {fromOld && (
            <p className="notice">
              You are editing commit <code>{shortHash(base.commit_hash)}</code>, not the latest. Saving makes a new latest
              commit from it.
            </p>
          )}
          {base && parseManifest(base.manifest).model && (
            <p className="muted small">The model saved with this prompt and its settings are kept as they are.</p>
          )}
          <MessagesEditor messages={messages} onChange={setMessages} />
          <label className="field">
            <span>Commit description (optional)</span>
            <input
              value={description}
              maxLength={1000}
              placeholder="What changed"
              onChange={(event) => setDescription(event.target.value)}
            />
          </label>
          <FormError error={problem} />
          <FormError error={commit.error} />
          <DialogActions onCancel={onClose} submitLabel="Commit" pendingLabel="Committing…" pending={commit.pending} />
        </form>
      )}
    </Dialog>
  );
}

function RepoSettingsDialog({
  open,
  onClose,
  owner,
  info,
  onSaved,
  onDeleted,
}: {
  open: boolean;
  onClose: () => void;
  owner: string;
  info: PromptRepo;
  onSaved: (repo: PromptRepo) => void;
  onDeleted: () => void;
}) {
  const [description, setDescription] = useState(info.description);
  const [tags, setTags] = useState(info.tags.join(", "));
  const [confirming, setConfirming] = useState(false);
  useEffect(() => {
    if (!open) return;
    setDescription(info.description);
    setTags(info.tags.join(", "));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  const save = useMutation(async () => {
    const answer = await api<{ repo: PromptRepo }>({
      path: repoPath(owner, info.repo_handle),
      method: "PATCH",
      body: { description, tags: tags.split(",").map((t) => t.trim()).filter(Boolean) },
    });
    return answer.repo;
  });
  const remove = useMutation(async () => {
    await api({ path: repoPath(owner, info.repo_handle), method: "DELETE" });
    return true;
  });

  return (
    <Dialog open={open} title={`Settings of ${info.repo_handle}`} onClose={onClose}>
      <form
        className="stack"
        onSubmit={async (event) => {
          event.preventDefault();
          const updated = await save.mutate();
          if (updated) onSaved(updated);
        }}
      >
        <label className="field">
          <span>Description</span>
          <textarea rows={3} value={description} onChange={(event) => setDescription(event.target.value)} />
        </label>
        <label className="field">
          <span>Tags (comma separated)</span>
          <input value={tags} onChange={(event) => setTags(event.target.value)} />
        </label>
        <FormError error={save.error} />
        <DialogActions onCancel={onClose} submitLabel="Save" pending={save.pending}>
          <button type="button" className="btn btn-danger" onClick={() => setConfirming(true)}>
            Delete prompt…
          </button>
        </DialogActions>
      </form>
      <ConfirmDialog
        open={confirming}
        title="Delete prompt"
        confirmLabel="Delete prompt"
        pending={remove.pending}
        error={remove.error}
        onClose={() => setConfirming(false)}
        onConfirm={async () => {
          if (await remove.mutate()) onDeleted();
        }}
      >
        <p>
          Delete <strong>{info.repo_handle}</strong> with its {info.num_commits} commit{info.num_commits === 1 ? "" : "s"}{" "}
          and tags? Code that pulls it will fail. This cannot be undone.
        </p>
      </ConfirmDialog>
    </Dialog>
  );
}
