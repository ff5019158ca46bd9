// Annotation queues as /api/v1/annotation-queues sends them (docs/annotation-queues.md).
import type { Run } from "../../api/types";

export interface RubricItem {
  feedback_key: string;
  description?: string | null;
  /** Categorical keys: value → what it means. */
  value_descriptions?: Record<string, string> | null;
  /** Scored keys: score (as text) → what it means. */
  score_descriptions?: Record<string, string> | null;
  is_required?: boolean | null;
}

export interface AnnotationQueue {
  id: string;
  name: string;
  description?: string | null;
  created_at: string;
  updated_at?: string | null;
  rubric_instructions?: string | null;
  rubric_items?: RubricItem[] | null;
  total_runs?: number;
  completed_runs?: number;
  remaining_runs?: number;
}

export interface Progress {
  total: number;
  done: number;
  remaining: number;
}

export type QueueRun = Run & { queue_run_id: string; status: string; added_at: string; last_reviewed_time?: string | null };

export interface NextAnswer {
  run: QueueRun | null;
  progress: Progress;
}

export function queuePath(id: string): string {
  return `/annotation-queues/${encodeURIComponent(id)}`;
}

/** A queue's progress as its list entry reports it. */
export function progressOf(queue: AnnotationQueue): Progress {
  const total = queue.total_runs ?? 0;
  const done = queue.completed_runs ?? 0;
  return { total, done, remaining: queue.remaining_runs ?? Math.max(0, total - done) };
}
