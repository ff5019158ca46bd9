import { useState } from "react";
import { Link, useParams } from "react-router-dom";
import { invalidate, useApi } from "../../api/hooks";
import { useWorkspace } from "../../auth/AuthContext";
import { useFeedbackConfigs } from "../../components/feedback/useFeedbackConfigs";
import { PageHeader } from "../../components/Page";
import { EmptyState, ErrorState, Loading } from "../../components/States";
import { queuePath, type AnnotationQueue, type NextAnswer, type Progress } from "./api";
import { QueueDialog } from "./QueueDialog";
import { ProgressBar } from "./QueuesPage";
import { QueueRunTrace } from "./QueueRunTrace";
import { RubricForm } from "./RubricForm";
import "./queues.css";

/** A queue's review flow: the first run still to review, its trace, the rubric; Done moves on. */
export default function ReviewPage() {
  const { tenant = "", queueId = "" } = useParams();
  const canWrite = useWorkspace().role !== "viewer";
  const queue = useApi<AnnotationQueue>({ path: queuePath(queueId) });
  const next = useApi<NextAnswer>({ path: `${queuePath(queueId)}/next` });
  const configs = useFeedbackConfigs();
  const [editing, setEditing] = useState(false);
  // Done answers the new progress at once; /next confirms it with the following run.
  const [justDone, setJustDone] = useState<Progress | null>(null);
  const progress = next.loading && justDone ? justDone : next.data?.progress;
  const crumbs = [{ label: "Annotation queues", to: `/o/${tenant}/queues` }];

  if (queue.error?.status === 404) {
    return (
      <div className="review-page">
        <PageHeader title="Queue not found" crumbs={crumbs} />
        <EmptyState title="This queue does not exist in this workspace">
          <Link to={`/o/${tenant}/queues`} className="btn">
            Back to the queues
          </Link>
        </EmptyState>
      </div>
    );
  }
  const run = next.data?.run;
  return (
    <div className="review-page">
      <PageHeader
        title={queue.data?.name ?? "Annotation queue"}
        crumbs={crumbs}
        subtitle={queue.data?.description || undefined}
        actions={
          <>
            {progress && (
              <span className="row" role="status" aria-label="Progress">
                <ProgressBar progress={progress} />
                <span className="muted">{progress.remaining} remaining</span>
              </span>
            )}
            {canWrite && queue.data && (
              <button type="button" className="btn" onClick={() => setEditing(true)}>
                Edit queue
              </button>
            )}
          </>
        }
      />
      {queue.error || (next.error && !next.data) ? (
        <ErrorState error={(queue.error ?? next.error) as Error} retry={() => (queue.error ? queue.reload() : next.reload())} />
      ) : !queue.data || !next.data ? (
        <Loading label="Loading the queue" />
      ) : !run ? (
        next.data.progress.total === 0 ? (
          <EmptyState title="This queue is empty">
            Send runs to it from a project's runs table (select rows, then “Add to annotation queue”), from a trace, or
            with <code>client.add_runs_to_annotation_queue(…)</code>.
          </EmptyState>
        ) : (
          <EmptyState title="All done">
            Every run in this queue has been reviewed ({next.data.progress.done} of {next.data.progress.total}).{" "}
            <Link to={`/o/${tenant}/queues`}>Back to the queues</Link>
          </EmptyState>
        )
      ) : (
        <div className="review-layout" aria-busy={next.loading}>
          <QueueRunTrace key={run.queue_run_id} run={run} />
          <section className="card" aria-label="Rubric">
            <RubricForm
              key={run.queue_run_id}
              queue={queue.data}
              run={run}
              configs={configs}
              canWrite={canWrite}
              onDone={(p) => {
                setJustDone(p ?? null);
                invalidate("/annotation-queues");
                next.reload();
              }}
            />
          </section>
        </div>
      )}
      {editing && queue.data && (
        <QueueDialog
          open
          queue={queue.data}
          onClose={() => setEditing(false)}
          onSaved={(saved) => {
            queue.setData(saved);
            setEditing(false);
          }}
        />
      )}
    </div>
  );
}
