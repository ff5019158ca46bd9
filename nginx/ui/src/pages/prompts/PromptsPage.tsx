import { useEffect, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { api } from "../../api/client";
import { invalidate, useApi, useMutation } from "../../api/hooks";
import { useWorkspace } from "../../auth/AuthContext";
import { Dialog, DialogActions } from "../../components/Dialog";
import { PageHeader } from "../../components/Page";
import { Async, EmptyState, FormError } from "../../components/States";
import { formatNumber, formatRelative, formatTime } from "../../lib/format";
import { useSearchInput } from "../../lib/useSearchInput";
import { Pager, SearchToolbar } from "../../components/ListPage";
import { DataTable, type Column } from "../../components/Table";
import { Field } from "../../components/Field";
import { HANDLE, commitsPath, shortHash, type PromptRepo, type RepoList, type RepoType } from "./api";
import { buildChatManifest, type DraftMessage } from "./manifest";
import { draftProblem, MessagesEditor } from "./MessagesEditor";
import "./prompts.css";

const PAGE = 50;
const PROMPT_COLUMNS: Column[] = [
  { label: "Name" },
  { label: "Tags" },
  { label: "Commits", className: "num" },
  { label: "Last commit" },
  { label: "Likes", className: "num" },
  { label: "Pulls", className: "num" },
];
// The hub holds prompts, agents and skills; an agent or a skill is a directory of files.
const TYPES: { value: RepoType; label: string }[] = [
  { value: "prompt", label: "Prompts" },
  { value: "agent", label: "Agents" },
  { value: "skill", label: "Skills" },
];
const SORTS = [
  { value: "updated_at:desc", label: "Recently updated" },
  { value: "created_at:desc", label: "Newest" },
  { value: "created_at:asc", label: "Oldest" },
  { value: "num_likes:desc", label: "Most liked" },
  { value: "num_downloads:desc", label: "Most pulled" },
];

export default function PromptsPage() {
  const { tenant = "" } = useParams();
  const { role } = useWorkspace();
  const canWrite = role !== "viewer";
  const [params, setParams] = useSearchParams();
  const query = params.get("q") ?? "";
  const sort = params.get("sort") ?? SORTS[0].value;
  const tag = params.get("tag");
  const publicOnly = params.get("public") === "true";
  const repoType = (TYPES.find((t) => t.value === params.get("type"))?.value ?? "prompt") as RepoType;
  const offset = Number(params.get("offset") ?? 0) || 0;
  const [search, setSearch] = useSearchInput("q", { resetParam: "offset" });
  const [creating, setCreating] = useState(false);

  const setParam = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    if (key !== "offset") next.delete("offset");
    setParams(next, { replace: true });
  };

  const [sortField, sortDirection] = sort.split(":");
  const state = useApi<RepoList>({
    path: "/repos",
    query: {
      limit: PAGE,
      offset,
      query: query || undefined,
      sort_field: sortField,
      sort_direction: sortDirection,
      tags: tag ? [tag] : undefined,
      is_archived: false,
      // Prompts are what /repos lists by default (and all a server without agents and skills has).
      repo_type: repoType === "prompt" ? undefined : repoType,
      // Public repos of every workspace (other workspaces' are reachable by their handle).
      is_public: publicOnly || undefined,
    },
  });
  const filtered = Boolean(query || tag || publicOnly);
  const base = `/o/${tenant}/prompts`;

  return (
    <div className="prompts-page">
      <PageHeader
        title="Prompts"
        subtitle="Versioned prompt templates. Push and pull them with the LangSmith SDK, try them in the playground."
        actions={
          canWrite && (
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              New prompt
            </button>
          )
        }
      />
      <SearchToolbar
        className="toolbar row wrap"
        search={{ label: "Search prompts", placeholder: "Search by name or description", className: "search", value: search, onValue: setSearch }}
      >
        <div className="repo-types" role="group" aria-label="Repo type">
          {TYPES.map((t) => (
            <button
              key={t.value}
              type="button"
              className={repoType === t.value ? "btn btn-small repo-type picked" : "btn btn-small repo-type"}
              aria-pressed={repoType === t.value}
              onClick={() => setParam("type", t.value === "prompt" ? null : t.value)}
            >
              {t.label}
            </button>
          ))}
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={publicOnly} onChange={(e) => setParam("public", e.target.checked ? "true" : null)} />
          Public, from every workspace
        </label>
        <label className="row">
          <span className="muted">Sort</span>
          <select aria-label="Sort prompts" value={sort} onChange={(event) => setParam("sort", event.target.value)}>
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
        {tag && (
          <span className="badge accent tag-filter">
            tag: {tag}
            <button type="button" className="btn-icon" aria-label={`Stop filtering by tag ${tag}`} onClick={() => setParam("tag", null)}>
              ×
            </button>
          </span>
        )}
        <span className="spacer" />
        {state.data && (
          <span className="muted">
            {state.data.total} {repoType}
            {state.data.total === 1 ? "" : "s"}
          </span>
        )}
      </SearchToolbar>
      <Async
        state={state}
        label="Loading prompts"
        isEmpty={(data) => data.repos.length === 0}
        empty={
          repoType !== "prompt" && !filtered ? (
            <EmptyState title={`No ${repoType}s yet`}>
              Push one from code: <code>client.push_{repoType}("my-{repoType}", files={"{…}"})</code>
            </EmptyState>
          ) : filtered ? (
            <EmptyState title="No prompts match">
              Try another search{tag ? " or remove the tag filter" : ""}.
            </EmptyState>
          ) : (
            <EmptyState title="No prompts yet">
              <p>
                Create one here, or push one from code:
                <br />
                <code>client.push_prompt("my-prompt", object=ChatPromptTemplate.from_messages([...]))</code>
              </p>
              {canWrite && (
                <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
                  New prompt
                </button>
              )}
            </EmptyState>
          )
        }
      >
        {(data) => (
          <>
            <DataTable className="prompts-table" columns={PROMPT_COLUMNS}>
              {data.repos.map((repo) => (
                <RepoRow
                  key={repo.id}
                  repo={repo}
                  type={repo.repo_type ?? repoType}
                  base={base}
                  own={!repo.tenant_id || repo.tenant_id === tenant}
                  onTag={(t) => setParam("tag", t)}
                />
              ))}
            </DataTable>
            {data.total > PAGE && (
              <Pager
                status={
                  <>
                    {offset + 1}–{Math.min(offset + PAGE, data.total)} of {data.total}
                  </>
                }
                hasPrevious={offset !== 0}
                hasNext={offset + PAGE < data.total}
                onPrevious={() => setParam("offset", String(Math.max(0, offset - PAGE)) || null)}
                onNext={() => setParam("offset", String(offset + PAGE))}
              />
            )}
          </>
        )}
      </Async>
      <NewPromptDialog open={creating} onClose={() => setCreating(false)} base={base} />
    </div>
  );
}

function RepoRow({
  repo,
  type,
  base,
  own,
  onTag,
}: {
  repo: PromptRepo;
  type: RepoType;
  base: string;
  /** The caller's workspace's repo (addressed as `-`), not another's public one (addressed by its handle). */
  own: boolean;
  onTag: (tag: string) => void;
}) {
  const navigate = useNavigate();
  const owner = own ? "-" : repo.owner || "-";
  const to = type === "prompt" ? `${base}/${owner}/${repo.repo_handle}` : `${base}/${owner}/${repo.repo_handle}/files?type=${type}`;
  const lastCommit = repo.last_commit_at ?? (repo.last_commit_hash ? repo.updated_at : null);
  return (
    <tr className="clickable" onClick={(event) => {
      if ((event.target as HTMLElement).closest("a, button")) return;
      navigate(to);
    }}>
      <td className="repo-cell">
        <Link to={to} className="repo-name">
          {own ? repo.repo_handle : `${repo.owner}/${repo.repo_handle}`}
        </Link>
        {type !== "prompt" && <span className="badge accent repo-chip">{type}</span>}
        {repo.is_public && (
          <span className="badge ok repo-chip" title="Anyone with the workspace handle can pull it">
            public
          </span>
        )}
        {repo.description && <div className="muted repo-desc">{repo.description}</div>}
      </td>
      <td>
        <div className="row wrap tag-list">
          {repo.tags.map((t) => (
            <button type="button" key={t} className="badge tag-chip" title={`Show prompts tagged ${t}`} onClick={() => onTag(t)}>
              {t}
            </button>
          ))}
        </div>
      </td>
      <td className="num">{formatNumber(repo.num_commits)}</td>
      <td className="nowrap">
        {lastCommit ? (
          <>
            <span title={formatTime(lastCommit)}>{formatRelative(lastCommit)}</span>{" "}
            <code className="muted">{shortHash(repo.last_commit_hash)}</code>
          </>
        ) : (
          <span className="muted">no commits</span>
        )}
      </td>
      <td className="num">
        {repo.liked_by_auth_user ? <span className="liked" aria-label="liked by you">♥ </span> : null}
        {formatNumber(repo.num_likes)}
      </td>
      <td className="num">{formatNumber(repo.num_downloads)}</td>
    </tr>
  );
}

const STARTER: DraftMessage[] = [
  { role: "system", text: "You are a helpful assistant." },
  { role: "human", text: "{question}" },
];

function NewPromptDialog({ open, onClose, base }: { open: boolean; onClose: () => void; base: string }) {
  const navigate = useNavigate();
  const [handle, setHandle] = useState("");
  const [description, setDescription] = useState("");
  const [tags, setTags] = useState("");
  const [withCommit, setWithCommit] = useState(true);
  const [messages, setMessages] = useState<DraftMessage[]>(STARTER);
  const [problem, setProblem] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null); // repo made, first commit failed

  useEffect(() => {
    if (!open) return;
    setHandle("");
    setDescription("");
    setTags("");
    setWithCommit(true);
    setMessages(STARTER);
    setProblem(null);
    setCreated(null);
  }, [open]);

  const create = useMutation(async (name: string) => {
    if (created !== name) {
      await api({
        path: "/repos",
        method: "POST",
        body: {
          repo_handle: name,
          description: description.trim() || undefined,
          tags: tags.split(",").map((t) => t.trim()).filter(Boolean),
        },
      });
      setCreated(name);
      invalidate("/repos");
    }
    if (withCommit) {
      await api({
        path: commitsPath("-", name),
        method: "POST",
        body: { manifest: buildChatManifest(messages), parent_commit: null },
      });
    }
    return name;
  });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const name = handle.trim();
    if (!HANDLE.test(name)) {
      setProblem("The name must be 1 to 100 lowercase letters, digits, '-' or '_'.");
      return;
    }
    const draft = withCommit ? draftProblem(messages) : null;
    if (draft) {
      setProblem(`The first commit: ${draft}.`);
      return;
    }
    setProblem(null);
    const done = await create.mutate(name);
    if (done) {
      invalidate("/repos");
      onClose();
      navigate(`${base}/-/${done}`);
    }
  };

  return (
    <Dialog open={open} title="New prompt" onClose={onClose} wide>
      <form className="stack" onSubmit={(event) => void submit(event)}>
        <div className="form-grid">
          <Field label="Name">
            <input
              required
              autoFocus
              value={handle}
              placeholder="support-triage"
              pattern="[a-z0-9_\-]{1,100}"
              title="lowercase letters, digits, '-' or '_'"
              disabled={created !== null}
              onChange={(event) => setHandle(event.target.value.toLowerCase())}
            />
          </Field>
          <Field label="Tags (comma separated, optional)">
            <input value={tags} placeholder="support, triage" onChange={(event) => setTags(event.target.value)} />
          </Field>
        </div>
        <Field label="Description (optional)">
          <input
            value={description}
            placeholder="What the prompt is for"
            onChange={(event) => setDescription(event.target.value)}
          />
        </Field>
        <label className="checkbox">
          <input type="checkbox" checked={withCommit} onChange={(event) => setWithCommit(event.target.checked)} />
          Write the first version now (a chat prompt)
        </label>
        {withCommit && <MessagesEditor messages={messages} onChange={setMessages} />}
        <FormError error={problem} />
        <FormError error={create.error} />
        {created && create.error && (
          <p className="muted">
            The prompt <Link to={`${base}/-/${created}`}>{created}</Link> was created; its first commit was not.
          </p>
        )}
        <DialogActions
          onCancel={onClose}
          submitLabel="Create prompt"
          pendingLabel="Creating…"
          pending={create.pending}
        />
      </form>
    </Dialog>
  );
}
