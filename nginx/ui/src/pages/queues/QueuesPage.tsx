import { useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { api } from "../../api/client";
import { invalidate, useApi } from "../../api/hooks";
import { useWorkspace } from "../../auth/AuthContext";
import { ConfirmAction, useConfirmedAction } from "../../components/ConfirmDialog";
import { NoMatches, Pager, SearchToolbar, useNumberParam } from "../../components/ListPage";
import { PageHeader } from "../../components/Page";
import { Async, EmptyState } from "../../components/States";
import { ACTIONS_COLUMN, DataTable, TimeCell, type Column } from "../../components/Table";
import { useSearchInput } from "../../lib/useSearchInput";
import { progressOf, queuePath, type AnnotationQueue, type Progress } from "./api";
import { QueueDialog } from "./QueueDialog";
import "./queues.css";

const PAGE_SIZE = 50;

/** "2 / 5 done" with a bar; screen readers get the sentence. */
export function ProgressBar({ progress }: { progress: Progress }) {
  const text = `${progress.done} of ${progress.total} done, ${progress.remaining} remaining`;
  return (
    <span className="aq-progress" title={text}>
      <progress value={progress.done} max={Math.max(progress.total, 1)} aria-label={text} />
      <span aria-hidden="true">
        {progress.done} / {progress.total}
      </span>
    </span>
  );
}

export default function QueuesPage() {
  const { tenant = "" } = useParams();
  const canWrite = useWorkspace().role !== "viewer";
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const query = params.get("q") ?? "";
  const [offset, goTo] = useNumberParam("offset");
  const [search, setSearch] = useSearchInput("q", { resetParam: "offset" });
  const [editing, setEditing] = useState<AnnotationQueue | "new" | null>(null);
  const queues = useApi<AnnotationQueue[]>({
    path: "/annotation-queues",
    query: { name_contains: query || undefined, limit: PAGE_SIZE + 1, offset },
  });
  const rows = queues.data?.slice(0, PAGE_SIZE) ?? [];
  const hasMore = (queues.data?.length ?? 0) > PAGE_SIZE;
  const remove = useConfirmedAction(async (queue: AnnotationQueue) => {
    await api({ path: queuePath(queue.id), method: "DELETE" });
    invalidate("/annotation-queues");
    queues.reload();
  });
  const columns: Column[] = [
    { label: "Name" },
    { label: "Description" },
    { label: "Progress" },
    { label: "Remaining", className: "num" },
    { label: "Created" },
    canWrite && ACTIONS_COLUMN,
  ];

  return (
    <div className="queues-page">
      <PageHeader
        title="Annotation queues"
        subtitle="Runs waiting for a person's review, with the rubric to score them by."
        actions={
          canWrite && (
            <button type="button" className="btn btn-primary" onClick={() => setEditing("new")}>
              New queue
            </button>
          )
        }
      />
      <SearchToolbar
        className="row aq-toolbar"
        search={{ label: "Search queues by name", placeholder: "Search by name…", className: "aq-search", value: search, onValue: setSearch }}
        state={queues}
      />
      <Async
        state={queues}
        label="Loading queues"
        isEmpty={(d) => d.length === 0}
        empty={
          query || offset ? (
            <NoMatches title={query ? `No queue matches “${query}”` : "No more queues"} onClear={query ? () => setSearch("") : undefined} />
          ) : (
            <EmptyState title="No annotation queues yet">
              Create one here or with <code>client.create_annotation_queue(…)</code>, then send runs to it from a
              project's runs table or a trace.
            </EmptyState>
          )
        }
      >
        {() => (
          <>
            <DataTable scoped columns={columns}>
              {rows.map((q) => {
                const progress = progressOf(q);
                return (
                  <tr
                    key={q.id}
                    className="clickable"
                    onClick={(e) => {
                      if ((e.target as HTMLElement).closest("a, button, input")) return;
                      navigate(`/o/${tenant}/queues/${q.id}`);
                    }}
                  >
                    <td>
                      <Link to={`/o/${tenant}/queues/${q.id}`}>{q.name}</Link>
                    </td>
                    <td className="cell-preview" title={q.description ?? undefined}>
                      {q.description || <span className="muted">–</span>}
                    </td>
                    <td>
                      <ProgressBar progress={progress} />
                    </td>
                    <td className="num">{progress.remaining}</td>
                    <TimeCell value={q.created_at} />
                    {canWrite && (
                      <td className="nowrap">
                        <button type="button" className="btn btn-small btn-quiet" aria-label={`Edit ${q.name}`} onClick={() => setEditing(q)}>
                          Edit
                        </button>
                        <button
                          type="button"
                          className="btn btn-small btn-quiet btn-danger"
                          aria-label={`Delete ${q.name}`}
                          onClick={() => remove.ask(q)}
                        >
                          Delete
                        </button>
                      </td>
                    )}
                  </tr>
                );
              })}
            </DataTable>
            {(offset > 0 || hasMore) && (
              <Pager
                label="Pages"
                status={`${offset + 1}–${offset + rows.length}`}
                hasPrevious={offset !== 0}
                hasNext={hasMore}
                onPrevious={() => goTo(Math.max(0, offset - PAGE_SIZE))}
                onNext={() => goTo(offset + PAGE_SIZE)}
              />
            )}
          </>
        )}
      </Async>
      {editing && (
        <QueueDialog
          key={editing === "new" ? "new" : editing.id}
          open
          queue={editing === "new" ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            queues.reload();
          }}
        />
      )}
      <ConfirmAction action={remove} title="Delete the queue?" confirmLabel="Delete queue">
        <p>
          <strong>{remove.target?.name}</strong> and its list of runs go; the runs and their feedback stay.
        </p>
      </ConfirmAction>
    </div>
  );
}
