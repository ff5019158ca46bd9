-- Retention (issue 19): rows expire by ClickHouse TTLs, never by row-by-row deletes.
--
-- The queue's writer stamps every run with the days its project keeps it (`retention_days`) and
-- the days its payloads are kept (`payload_retention_days`, the payload-first option; equal to
-- retention_days unless a workspace or project chose shorter), from the settings in force when it
-- writes the run (Postgres migration 0017). The TTLs count from the run's start_time, the
-- partition key, so a month partition empties as a block and its parts are dropped whole.
-- Rows written before this migration read the column DEFAULT, which keeps them 400 days (the long
-- tier's default) from when they were received: an upgrade deletes nothing at once, even runs
-- that started long ago. The writer always sets both columns, so new rows never use it.
--
-- ReplacingMergeTree(version, is_deleted) and TTL: a TTL merge removes expired rows part by part,
-- before versions are collapsed, so an older version must never outlive the newest one (it would
-- come back in FINAL reads). The writer keeps the stamp monotone: a new version's days are the
-- maximum of what the run had and what its project says now, and the start time never changes.
-- So every older version expires no later than the newest, and a long-tier upgrade (a run that got
-- feedback, went to a dataset or a queue) simply writes the trace's rows again with more days.
-- Column TTLs reset the heavy columns to their defaults ('' or NULL) in place: the row, its tokens,
-- costs, latency and status stay, so charts and stats keep their history.
--
-- Settings: ttl_only_drop_parts stays 0. A part mixes projects with different tiers (the sort key
-- is workspace, project, time, and merges mix them), so dropping only fully expired parts would
-- keep a 14-day project's rows as long as its 400-day neighbours. With 0, a TTL merge rewrites a
-- part without its expired rows, and a part whose rows have all expired is removed whole (the
-- usual case for old month partitions). merge_with_ttl_timeout = 3600: a part is re-checked for
-- expired rows at most hourly (default 4 h); expiry is day-grained, so an hour is precise enough
-- and keeps TTL rewrites from competing with ingest merges.
ALTER TABLE {database}.runs
    ADD COLUMN IF NOT EXISTS retention_days UInt16
        DEFAULT toUInt16(least(65535, greatest(0, dateDiff('day', start_time, received_at)) + 400)),
    ADD COLUMN IF NOT EXISTS payload_retention_days UInt16
        DEFAULT toUInt16(least(65535, greatest(0, dateDiff('day', start_time, received_at)) + 400));
ALTER TABLE {database}.runs MODIFY TTL toDateTime(start_time) + toIntervalDay(retention_days);
ALTER TABLE {database}.runs
    MODIFY COLUMN inputs TTL toDateTime(start_time) + toIntervalDay(payload_retention_days),
    MODIFY COLUMN outputs TTL toDateTime(start_time) + toIntervalDay(payload_retention_days),
    MODIFY COLUMN error TTL toDateTime(start_time) + toIntervalDay(payload_retention_days),
    MODIFY COLUMN extra TTL toDateTime(start_time) + toIntervalDay(payload_retention_days),
    MODIFY COLUMN events TTL toDateTime(start_time) + toIntervalDay(payload_retention_days),
    MODIFY COLUMN serialized TTL toDateTime(start_time) + toIntervalDay(payload_retention_days),
    MODIFY COLUMN attachments TTL toDateTime(start_time) + toIntervalDay(payload_retention_days),
    MODIFY COLUMN inputs_preview TTL toDateTime(start_time) + toIntervalDay(payload_retention_days),
    MODIFY COLUMN outputs_preview TTL toDateTime(start_time) + toIntervalDay(payload_retention_days),
    MODIFY COLUMN error_preview TTL toDateTime(start_time) + toIntervalDay(payload_retention_days);
ALTER TABLE {database}.runs MODIFY SETTING merge_with_ttl_timeout = 3600, ttl_only_drop_parts = 0;

-- Attachment bytes are payload: the writer stamps each with its run's payload expiry (start time
-- plus payload days) and re-stamps them on a long-tier upgrade. Same TTL settings as runs.
ALTER TABLE {database}.run_attachments
    ADD COLUMN IF NOT EXISTS expires_at DateTime DEFAULT toDateTime(received_at) + toIntervalDay(400);
ALTER TABLE {database}.run_attachments MODIFY TTL expires_at;
ALTER TABLE {database}.run_attachments MODIFY SETTING merge_with_ttl_timeout = 3600, ttl_only_drop_parts = 0;
