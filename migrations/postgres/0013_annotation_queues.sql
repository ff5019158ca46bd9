-- Annotation queues: a workspace's review lists of runs. The queue row carries its rubric (the
-- instructions and the ordered rubric items, kept as the SDK sends them: they are read and
-- replaced whole, never queried into). Items point at runs by id only; the runs themselves stay in
-- ClickHouse. Deleting a queue (or its workspace) takes its items with it.
-- depends: 0012_setup_token

CREATE TABLE annotation_queues (
    id                   uuid PRIMARY KEY,
    workspace_id         uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name                 text NOT NULL,
    description          text,
    rubric_instructions  text,
    rubric_items         jsonb NOT NULL DEFAULT '[]',
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX annotation_queues_workspace ON annotation_queues (workspace_id, created_at DESC);

CREATE TABLE annotation_queue_items (
    id                  uuid PRIMARY KEY,
    queue_id            uuid NOT NULL REFERENCES annotation_queues (id) ON DELETE CASCADE,
    run_id              uuid NOT NULL,
    -- Queue order is (added_at, seq): LangSmith re-queues an item by moving its added_at, and
    -- timestamps can tie where an identity cannot.
    seq                 bigint GENERATED ALWAYS AS IDENTITY,
    added_at            timestamptz NOT NULL DEFAULT now(),
    last_reviewed_time  timestamptz,
    status              text NOT NULL DEFAULT 'needs_review' CHECK (status IN ('needs_review', 'completed')),
    UNIQUE (queue_id, run_id)
);

CREATE INDEX annotation_queue_items_order ON annotation_queue_items (queue_id, added_at, seq);
