import { useEffect, useMemo, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { api, type ApiError } from "../../api/client";
import { invalidate, useApi, useMutation } from "../../api/hooks";
import type { Project } from "../../api/types";
import { FormDialog } from "../../components/Dialog";
import { PageHeader } from "../../components/Page";
import { Async, EmptyState } from "../../components/States";
import { AddPriceLinks } from "../../components/AddPriceLink";
import { describeCost, formatLatency, formatNumber, formatPercent, formatRelative, formatTime } from "../../lib/format";
import { useSearchInput } from "../../lib/useSearchInput";
import { NoMatches, Pager, SearchToolbar, useNumberParam } from "../../components/ListPage";
import { Field } from "../../components/Field";
import { sortProjects, type SortKey, type SortState } from "./sort";
import "./ProjectsPage.css";

const PAGE_SIZE = 100;

/** The time ranges the stats can cover (`?range=`): all time by default, as before. */
const RANGES = [
  { value: "", label: "All time", seconds: 0 },
  { value: "24h", label: "Last 24 hours", seconds: 86_400 },
  { value: "7d", label: "Last 7 days", seconds: 7 * 86_400 },
  { value: "30d", label: "Last 30 days", seconds: 30 * 86_400 },
];

/** A project with Tracehouse's `unpriced_models` stat (models with tokens but no cost). */
type ProjectRow = Project & { unpriced_models?: string[] };

/** The workspace's tracing projects (experiments are listed with their dataset instead). */
export function ProjectsPage() {
  const { tenant = "" } = useParams();
  const navigate = useNavigate();
  const [searchParams, setSearchParams] = useSearchParams();
  const q = searchParams.get("q") ?? "";
  const [pageParam, goToPage] = useNumberParam("page");
  const page = Math.max(0, pageParam);
  const [search, setSearch] = useSearchInput("q", { resetParam: "page" });
  const [creating, setCreating] = useState(false);
  const [sort, setSort] = useState<SortState>({ key: "last_run", desc: true });
  const range = RANGES.find((r) => r.value === (searchParams.get("range") ?? "")) ?? RANGES[0];
  // The window's start, fixed when the range is picked (to the minute): a start recomputed on
  // every render would be a new request each time.
  const since = useMemo(
    () => (range.seconds ? new Date(Math.floor(Date.now() / 60_000) * 60_000 - range.seconds * 1000).toISOString() : undefined),
    [range.seconds],
  );

  const state = useApi<ProjectRow[]>({
    path: "/sessions",
    query: {
      include_stats: true,
      stats_start_time: since,
      reference_free: true,
      name_contains: q || undefined,
      limit: PAGE_SIZE + 1, // one extra row says whether there is a next page
      offset: page * PAGE_SIZE,
    },
  });
  const hasNext = (state.data?.length ?? 0) > PAGE_SIZE;
  const rows = useMemo(() => sortProjects((state.data ?? []).slice(0, PAGE_SIZE), sort), [state.data, sort]);

  return (
    <div className="projects-page">
      <PageHeader
        title="Projects"
        subtitle="Traces your applications send, grouped by project."
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            New project
          </button>
        }
      />
      <SearchToolbar
        className="projects-toolbar row"
        search={{ label: "Search projects by name", placeholder: "Search projects…", className: "projects-search", value: search, onValue: setSearch }}
        state={state}
      >
        <label className="projects-range">
          <span>Stats over</span>
          <select
            value={range.value}
            onChange={(event) =>
              setSearchParams(
                (prev) => {
                  const next = new URLSearchParams(prev);
                  if (event.target.value) next.set("range", event.target.value);
                  else next.delete("range");
                  next.delete("page");
                  return next;
                },
                { replace: true },
              )
            }
          >
            {RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
      </SearchToolbar>
      <Async
        state={state}
        label="Loading projects"
        isEmpty={(data) => data.length === 0 && page === 0}
        empty={
          q ? (
            <NoMatches title={`No projects match “${q}”`} onClear={() => setSearch("")} />
          ) : (
            <NoProjects onCreate={() => setCreating(true)} />
          )
        }
      >
        {() => (
          <>
            <ProjectsTable rows={rows} tenant={tenant} sort={sort} onSort={setSort} />
            {(page > 0 || hasNext) && (
              <Pager
                label="Pages"
                status={<>Page {page + 1}</>}
                hasPrevious={page !== 0}
                hasNext={hasNext}
                onPrevious={() => goToPage(page - 1)}
                onNext={() => goToPage(page + 1)}
                buttonClassName="btn"
                previousLabel="‹ Previous"
                nextLabel="Next ›"
              />
            )}
          </>
        )}
      </Async>
      <NewProjectDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(project) => {
          invalidate("/sessions");
          setCreating(false);
          navigate(`/o/${tenant}/projects/p/${project.id}`);
        }}
      />
    </div>
  );
}

const HEADERS: { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: "name", label: "Name" },
  { key: "run_count", label: "Runs", numeric: true },
  { key: "error_rate", label: "Error rate", numeric: true },
  { key: "latency_p50", label: "Latency p50", numeric: true },
  { key: "latency_p99", label: "p99", numeric: true },
  { key: "total_tokens", label: "Tokens", numeric: true },
  { key: "total_cost", label: "Cost", numeric: true },
  { key: "last_run", label: "Last run" },
];

function ProjectsTable({
  rows,
  tenant,
  sort,
  onSort,
}: {
  rows: ProjectRow[];
  tenant: string;
  sort: SortState;
  onSort: (sort: SortState) => void;
}) {
  const [now] = useState(() => Date.now());
  return (
    <div className="table-wrap">
      <table className="table projects-table">
        <thead>
          <tr>
            {HEADERS.map((h) => {
              const active = sort.key === h.key;
              return (
                <th
                  key={h.key}
                  scope="col"
                  className={h.numeric ? "num" : undefined}
                  aria-sort={active ? (sort.desc ? "descending" : "ascending") : "none"}
                >
                  <button
                    type="button"
                    className="sort-button"
                    onClick={() => onSort({ key: h.key, desc: active ? !sort.desc : h.key !== "name" })}
                  >
                    {h.label}
                    <span aria-hidden="true" className="sort-mark">
                      {active ? (sort.desc ? "▼" : "▲") : ""}
                    </span>
                  </button>
                </th>
              );
            })}
            <th scope="col">Feedback</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => (
            <tr key={p.id}>
              <td className="project-name">
                <Link to={`/o/${tenant}/projects/p/${p.id}`}>{p.name}</Link>
                {p.description && <div className="muted project-description">{p.description}</div>}
              </td>
              <td className="num">{formatNumber(p.run_count ?? 0)}</td>
              <td className={`num ${(p.error_rate ?? 0) > 0.05 ? "error-rate-high" : ""}`}>
                {formatPercent(p.error_rate)}
              </td>
              <td className="num nowrap">{formatLatency(p.latency_p50)}</td>
              <td className="num nowrap">{formatLatency(p.latency_p99)}</td>
              <td className="num">{p.total_tokens ? formatNumber(p.total_tokens) : "–"}</td>
              <CostCell project={p} />
              <td className="nowrap" title={p.last_run_start_time ? formatTime(p.last_run_start_time) : undefined}>
                {p.last_run_start_time ? formatRelative(p.last_run_start_time, now) : <span className="muted">never</span>}
              </td>
              <FeedbackCell stats={p.feedback_stats} />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The known cost; "No prices" (the models named on hover) when the runs recorded tokens but no
 * cost, which is an unknown cost, not $0. */
function CostCell({ project }: { project: ProjectRow }) {
  const cost = describeCost(project.total_cost, project.unpriced_models);
  if (cost.priced) {
    return (
      <td className="num" title={cost.note ? `Cost ${cost.note}` : undefined}>
        {cost.value}
        {cost.note && <span className="muted" aria-hidden="true">*</span>}
        {cost.note && <span className="sr-only"> ({cost.note})</span>}
      </td>
    );
  }
  return (
    <td className="num">
      {cost.note ? (
        <>
          <span className="muted nowrap" title={cost.note}>
            {cost.value}
            <span className="sr-only"> ({cost.note})</span>
          </span>{" "}
          <AddPriceLinks models={project.unpriced_models ?? []} className="add-price-links nowrap" />
        </>
      ) : (
        cost.value
      )}
    </td>
  );
}

const FEEDBACK_SHOWN = 3;

/** Mean score per feedback key, compact: the first keys by name, the rest counted (all on hover). */
function FeedbackCell({ stats }: { stats: Project["feedback_stats"] }) {
  const entries = Object.entries(stats ?? {})
    .filter(([, s]) => s.n > 0)
    .sort(([a], [b]) => a.localeCompare(b));
  if (!entries.length) return <td className="muted">–</td>;
  const score = (avg: number | null) => (avg === null ? "–" : Number.isInteger(avg) ? String(avg) : avg.toFixed(2));
  const all = entries.map(([key, s]) => `${key}: ${score(s.avg)} (n=${s.n})`).join("\n");
  return (
    <td className="project-feedback" title={all}>
      <ul className="feedback-chips" aria-label="Mean feedback scores">
        {entries.slice(0, FEEDBACK_SHOWN).map(([key, s]) => (
          <li key={key} className="feedback-chip">
            <span className="feedback-key">{key}</span> <span className="feedback-avg">{score(s.avg)}</span>
          </li>
        ))}
        {entries.length > FEEDBACK_SHOWN && <li className="muted">+{entries.length - FEEDBACK_SHOWN} more</li>}
      </ul>
    </td>
  );
}

export function SdkSnippet({ project }: { project?: string }) {
  const origin = window.location.origin;
  return (
    <pre className="sdk-snippet">
      {`export LANGSMITH_TRACING=true
export LANGSMITH_ENDPOINT=${origin}/api
export LANGSMITH_API_KEY=<an API key from Settings>
export LANGSMITH_PROJECT=${project ? JSON.stringify(project) : "my-project"}`}
    </pre>
  );
}

function NoProjects({ onCreate }: { onCreate: () => void }) {
  const { tenant = "" } = useParams();
  return (
    <EmptyState title="No projects yet">
      <p>
        Projects appear when your application sends its first trace. Point the LangSmith SDK at Tracehouse (create an
        API key in <Link to={`/o/${tenant}/settings`}>Settings</Link>):
      </p>
      <SdkSnippet />
      <p>
        Any code traced with <code>@traceable</code> or a LangChain runnable then shows up here. Or{" "}
        <button type="button" className="btn btn-small" onClick={onCreate}>
          create an empty project
        </button>
      </p>
    </EmptyState>
  );
}

function NewProjectDialog({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (project: Project) => void;
}) {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const create = useMutation((body: { name: string; description?: string }) =>
    api<Project>({ path: "/sessions", method: "POST", body }),
  );
  useEffect(() => {
    if (open) {
      setName("");
      setDescription("");
      create.clearError();
    }
  }, [open]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return;
    const project = await create.mutate({ name: name.trim(), description: description.trim() || undefined });
    if (project) onCreated(project);
  };
  const error: ApiError | undefined = create.error;
  const message =
    error?.status === 409 ? new Error(`A project named “${name.trim()}” already exists. Choose another name.`) : error;

  return (
    <FormDialog
      open={open}
      title="New project"
      onClose={onClose}
      onSubmit={submit}
      errors={[message]}
      submitLabel="Create project"
      pendingLabel="Creating…"
      pending={create.pending}
      disabled={!name.trim()}
    >
      <Field label="Name">
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={400}
          autoFocus
          placeholder="my-app-prod"
        />
      </Field>
      <Field label="Description (optional)">
        <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={3} />
      </Field>
    </FormDialog>
  );
}
