-- Runs: one wide row per run, the shape every later read wants (a run by id, a whole trace, a
-- project's runs by time, filters on name/type/status/tags/metadata/tokens/latency).
--
-- Why ReplacingMergeTree(version, is_deleted): a run arrives as a post and later a patch. The
-- queue's single writer merges them into one complete row (it reads the previous state from its
-- cache or from here) and re-inserts it with a higher version; merges keep only the newest, and
-- reads use FINAL. Most runs arrive complete in one op (the SDK merges post+patch inside a batch),
-- so most runs are written exactly once: Langfuse's v4 lesson was that re-inserting every row and
-- joining traces to observations is what hurts at scale; here there is no join and re-inserts are
-- the exception. The sort key starts with the tenant and project, then time, so a project's runs
-- by time are a range scan; ids, traces and parents are found through bloom-filter skip indexes.
CREATE TABLE IF NOT EXISTS {database}.runs
(
    -- Identity and tree
    workspace_id          UUID,
    project_id            UUID,
    id                    UUID,
    trace_id              UUID,
    parent_run_id         Nullable(UUID),
    dotted_order          String,
    is_root               Bool MATERIALIZED parent_run_id IS NULL,

    -- What ran
    name                  String,
    run_type              LowCardinality(String),
    status                LowCardinality(String),
    start_time            DateTime64(6, 'UTC'),
    end_time              Nullable(DateTime64(6, 'UTC')),
    latency_seconds       Nullable(Float64),
    first_token_time      Nullable(DateTime64(6, 'UTC')),
    tags                  Array(LowCardinality(String)),
    -- extra.metadata flattened one level: values are JSON texts (strings keep their quotes off).
    metadata              Map(LowCardinality(String), String),
    thread_id             Nullable(String),
    reference_example_id  Nullable(UUID),
    model_name            LowCardinality(String),
    model_provider        LowCardinality(String),

    -- Tokens and cost
    prompt_tokens         UInt64,
    completion_tokens     UInt64,
    total_tokens          UInt64,
    prompt_cost           Nullable(Decimal(18, 9)),
    completion_cost       Nullable(Decimal(18, 9)),
    total_cost            Nullable(Decimal(18, 9)),

    -- Heavy columns: JSON text as the SDK sent it, compressed hard.
    inputs                String CODEC(ZSTD(3)),
    outputs               String CODEC(ZSTD(3)),
    error                 Nullable(String) CODEC(ZSTD(3)),
    extra                 String CODEC(ZSTD(3)),
    events                String CODEC(ZSTD(3)),
    serialized            String CODEC(ZSTD(3)),
    attachments           Array(String),

    -- Bookkeeping
    received_at           DateTime64(3, 'UTC'),
    version               UInt64,
    is_deleted            UInt8 DEFAULT 0,

    INDEX idx_id id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_trace trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_parent parent_run_id TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_tags tags TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_name name TYPE tokenbf_v1(8192, 3, 0) GRANULARITY 4,
    INDEX idx_thread thread_id TYPE bloom_filter(0.01) GRANULARITY 4,
    INDEX idx_example reference_example_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(version, is_deleted)
PARTITION BY toYYYYMM(start_time)
ORDER BY (workspace_id, project_id, start_time, id)
SETTINGS index_granularity = 8192;

-- Feedback rows written by ingestion (`feedback.{id}` multipart parts) and, from issue 4, by the
-- feedback API. Same replacement model: updates re-insert with a higher version.
CREATE TABLE IF NOT EXISTS {database}.feedback
(
    workspace_id               UUID,
    id                         UUID,
    run_id                     Nullable(UUID),
    trace_id                   Nullable(UUID),
    project_id                 Nullable(UUID),
    key                        LowCardinality(String),
    score                      Nullable(Float64),
    value                      String,
    comment                    Nullable(String),
    correction                 String,
    feedback_source            String,
    source_type                LowCardinality(String),
    feedback_config            String,
    extra                      String,
    comparative_experiment_id  Nullable(UUID),
    feedback_group_id          Nullable(UUID),
    start_time                 Nullable(DateTime64(6, 'UTC')),
    created_at                 DateTime64(6, 'UTC'),
    modified_at                DateTime64(6, 'UTC'),
    version                    UInt64,
    is_deleted                 UInt8 DEFAULT 0,

    INDEX idx_run run_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_trace trace_id TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_project project_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = ReplacingMergeTree(version, is_deleted)
ORDER BY (workspace_id, id);

-- Attachments of runs (`attachment.{run_id}.{name}` parts). Bytes live here for now; the read
-- side serves them through signed URLs because the SDK downloads them without auth headers.
CREATE TABLE IF NOT EXISTS {database}.run_attachments
(
    workspace_id  UUID,
    run_id        UUID,
    name          String,
    content_type  LowCardinality(String),
    size          UInt64,
    data          String CODEC(ZSTD(1)),
    received_at   DateTime64(3, 'UTC'),
    version       UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (workspace_id, run_id, name);
